/**
 * DESIGN.md §5's error classification as data, read by both sides: the element's classifier
 * takes a rule's `kind` (what the user can do about it) and the gateway's upstream mapper
 * takes its `gateway` envelope (status, type and code of DESIGN.md §4). One table, one order,
 * so the two can never disagree about, say, whether a 429 `insufficient_quota` is worth a
 * retry.
 */

/** What went wrong, in terms of the action a user can take (DESIGN.md §3, §3a, §5). */
export type ErrorKind =
  | 'rate_limited'
  | 'overloaded'
  | 'quota_exhausted'
  | 'auth_failed'
  | 'forbidden'
  | 'context_too_long'
  | 'bad_request'
  | 'server_error'
  | 'network_error'
  | 'stalled'
  | 'filtered'
  | 'tool_limit';

/** The fields of an error envelope a rule can match on; any may be missing. */
export interface ErrorFacts {
  status?: number | undefined;
  type?: string | undefined;
  code?: string | undefined;
  message?: string | undefined;
}

/** The envelope the gateway answers with when a rule matches an upstream failure. */
export interface GatewayEnvelopeRule {
  status: number;
  type: string;
  code: string;
  /** Seconds to ask for when the upstream named no wait. */
  defaultWaitSeconds?: number;
}

export interface ErrorRule {
  /** Matches when any listed code or type (case-insensitive) or status matches. */
  readonly codes?: readonly string[];
  readonly types?: readonly string[];
  readonly statuses?: readonly number[];
  /** Also matches any status in this inclusive range. */
  readonly statusRange?: readonly [number, number];
  /** Also matches when the message talks about the context window. */
  readonly contextMessage?: boolean;
  readonly kind: ErrorKind;
  readonly gateway: GatewayEnvelopeRule;
}

/** Kinds where sending the same request again could succeed, whatever the phase. */
export const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'overloaded', 'server_error', 'network_error', 'stalled']);

/** How providers say the prompt does not fit (OpenAI, Anthropic, Bedrock, Gemini, vLLM). */
export const CONTEXT_WINDOW_MESSAGE =
  /context (length|window)|maximum context|too many tokens|prompt is too long|input is too long|reduce the length|exceeds the maximum number of tokens/i;

/** Everything that matches no earlier rule: a server-side failure, worth a retry. */
export const FALLBACK_RULE: ErrorRule = {
  kind: 'server_error',
  gateway: { status: 502, type: 'server_error', code: 'upstream_error' },
};

/** First match wins (DESIGN.md §5). */
export const ERROR_RULES: readonly ErrorRule[] = [
  // Shared capacity at the provider: a wait, not a verdict on this client.
  {
    codes: ['backend_busy'],
    kind: 'overloaded',
    gateway: { status: 429, type: 'rate_limit_error', code: 'backend_busy', defaultWaitSeconds: 2 },
  },
  {
    codes: ['upstream_overloaded', 'overloaded'],
    types: ['overloaded_error'],
    statuses: [529, 503],
    kind: 'overloaded',
    gateway: { status: 503, type: 'overloaded_error', code: 'upstream_overloaded', defaultWaitSeconds: 2 },
  },
  {
    codes: ['concurrency_exceeded'],
    kind: 'rate_limited',
    gateway: { status: 429, type: 'rate_limit_error', code: 'concurrency_exceeded', defaultWaitSeconds: 1 },
  },
  // The gateway's own daily spend cap: like a quota, waiting a few seconds will not help.
  {
    codes: ['budget_exceeded'],
    kind: 'quota_exhausted',
    gateway: { status: 429, type: 'insufficient_quota', code: 'budget_exceeded' },
  },
  // Quota comes as 402 or as a 429 with this code: either way waiting will not help.
  {
    codes: ['insufficient_quota'],
    types: ['insufficient_quota', 'billing_error'],
    statuses: [402],
    kind: 'quota_exhausted',
    gateway: { status: 402, type: 'insufficient_quota', code: 'insufficient_quota' },
  },
  {
    codes: ['rate_limit_exceeded', '429'],
    types: ['rate_limit_error'],
    statuses: [429],
    kind: 'rate_limited',
    gateway: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', defaultWaitSeconds: 2 },
  },
  {
    codes: ['context_length_exceeded'],
    contextMessage: true,
    kind: 'context_too_long',
    gateway: { status: 400, type: 'invalid_request_error', code: 'context_length_exceeded' },
  },
  {
    codes: ['content_filter', 'content_policy_violation'],
    kind: 'filtered',
    gateway: { status: 400, type: 'invalid_request_error', code: 'content_filter' },
  },
  {
    codes: ['invalid_api_key'],
    types: ['authentication_error'],
    statuses: [401],
    kind: 'auth_failed',
    gateway: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  },
  {
    codes: ['permission_denied'],
    types: ['permission_error'],
    statuses: [403],
    kind: 'forbidden',
    gateway: { status: 403, type: 'permission_error', code: 'permission_denied' },
  },
  {
    codes: ['payload_too_large'],
    types: ['request_too_large'],
    statuses: [413],
    kind: 'bad_request',
    gateway: { status: 413, type: 'invalid_request_error', code: 'payload_too_large' },
  },
  {
    codes: ['timeout', 'upstream_timeout'],
    types: ['timeout_error'],
    statuses: [408, 504],
    kind: 'server_error',
    gateway: { status: 504, type: 'timeout_error', code: 'upstream_timeout' },
  },
  // A 404 from a provider means a wrong model or base URL: the operator's configuration, not
  // the user's request, so the gateway reports it as its own failure.
  {
    types: ['not_found_error'],
    statuses: [404],
    kind: 'bad_request',
    gateway: { status: 502, type: 'server_error', code: 'upstream_error' },
  },
  {
    types: ['invalid_request_error'],
    statusRange: [400, 499],
    kind: 'bad_request',
    gateway: { status: 400, type: 'invalid_request_error', code: 'invalid_request' },
  },
];

/**
 * The first rule that matches, else {@link FALLBACK_RULE}.
 *
 * @param facts - Status, type, code and message of the error.
 */
export function matchErrorRule(facts: ErrorFacts): ErrorRule {
  const type = facts.type?.toLowerCase();
  const code = facts.code?.toLowerCase();
  const { status } = facts;
  for (const rule of ERROR_RULES) {
    if (code !== undefined && rule.codes?.includes(code)) return rule;
    if (type !== undefined && rule.types?.includes(type)) return rule;
    if (status !== undefined) {
      if (rule.statuses?.includes(status)) return rule;
      if (rule.statusRange && status >= rule.statusRange[0] && status <= rule.statusRange[1]) return rule;
    }
    if (rule.contextMessage && facts.message !== undefined && CONTEXT_WINDOW_MESSAGE.test(facts.message)) return rule;
  }
  return FALLBACK_RULE;
}
