import { GatewayError } from './gateway-error.js';
import { FALLBACK_RULE, matchErrorRule } from '../wire/error-rules.js';
import { asText, isRecord } from '../wire/guards.js';
import { parseRetryAfterMs, toRetryAfterSeconds } from '../wire/retry-after.js';

/** What is known about an upstream failure. */
export interface UpstreamErrorSource {
  /** HTTP status of the upstream response; absent for an error that arrived in-band. */
  status?: number;
  /** The parsed JSON body (any provider's shape), or undefined when it was not JSON. */
  body?: unknown;
  /** Upstream response headers (for Retry-After and the provider's request id). */
  headers?: Headers;
  /** Strings that must never appear in a message we pass on (the API key). */
  secrets?: readonly string[];
}

/** Gateway-written messages per code; upstream text is appended only where `detail` says so. */
const MESSAGES: Record<string, { text: (status: number | undefined, wait: number | undefined) => string; detail?: boolean }> = {
  backend_busy: { text: () => 'The AI provider is busy right now (shared capacity). Retry in a few seconds.' },
  upstream_overloaded: { text: () => 'The AI provider is overloaded right now. Retry shortly.' },
  concurrency_exceeded: { text: () => 'Too many requests are running at the AI provider at once. Retry in a moment.' },
  budget_exceeded: { text: () => 'The spending budget for this client is used up for today.' },
  insufficient_quota: {
    text: () => 'The AI provider account behind this service has run out of credit or quota. Contact the site operator.',
  },
  rate_limit_exceeded: { text: (_status, wait) => `The AI provider's rate limit was reached. Retry in ${wait ?? 1} s.` },
  context_length_exceeded: {
    text: () => "The conversation is too long for the model's context window. Shorten it or start a new chat.",
    detail: true,
  },
  content_filter: { text: () => "The request was blocked by the AI provider's content filter." },
  // Providers echo parts of the key in 401 messages, which is why auth errors never carry upstream text.
  invalid_api_key: {
    text: () =>
      "The AI provider rejected this server's API key. This is a server configuration problem, " +
      'not your credentials: the operator must check LLM_API_KEY.',
  },
  permission_denied: { text: () => "The AI provider refused this server's request (no access to this model or feature)." },
  payload_too_large: { text: () => 'The request is too large for the AI provider.' },
  upstream_timeout: { text: () => 'The AI provider did not answer in time.' },
  invalid_request: { text: (status) => `The AI provider rejected the request (HTTP ${status ?? 400}).`, detail: true },
};

/**
 * Translates an upstream error (HTTP status and/or body, in OpenAI, Anthropic, OpenRouter,
 * vLLM, Ollama or LiteLLM shape) into the gateway's own envelope (DESIGN.md §4) by the shared
 * rule table of DESIGN.md §5 (`src/wire/error-rules.ts`), first match wins, so that for
 * example a 429 `insufficient_quota` becomes a non-retryable 402 rather than a rate limit.
 *
 * Messages are written by the gateway. Upstream text is only appended for request problems
 * the user can act on (context length, invalid fields), after redacting secrets.
 *
 * @param source - Status, parsed body, headers and secrets to redact.
 * @returns The error to answer with.
 */
export function mapUpstreamError(source: UpstreamErrorSource): GatewayError {
  const { status } = source;
  const headers = source.headers ?? new Headers();
  const detail = readErrorDetail(source.body);
  const upstreamRequestId = headers.get('x-request-id') ?? headers.get('request-id') ?? detail.requestId ?? undefined;
  const waitMs = parseRetryAfterMs(headers, detail.retryAfter);
  const upstreamText = sanitize(detail.message, source.secrets ?? []);
  const rule = matchErrorRule({ status, type: detail.type, code: detail.code, message: detail.message });
  const envelope = rule.gateway;
  const retryAfterSeconds =
    envelope.defaultWaitSeconds === undefined
      ? undefined
      : waitMs !== undefined
        ? toRetryAfterSeconds(waitMs)
        : envelope.defaultWaitSeconds;
  let message: string;
  if (rule === FALLBACK_RULE) {
    message =
      status === undefined
        ? 'The AI provider reported an error while generating the answer.'
        : `The AI provider failed (HTTP ${status}). Retry shortly.`;
  } else if (envelope.status === 502) {
    message = withDetail('The AI provider does not know this model or endpoint (check LLM_BASE_URL and LLM_MODEL).', upstreamText);
  } else {
    const entry = MESSAGES[envelope.code];
    const text = entry
      ? entry.text(status, retryAfterSeconds)
      : `The AI provider rejected the request (HTTP ${status ?? envelope.status}).`;
    message = entry?.detail ? withDetail(text, upstreamText) : text;
  }
  return new GatewayError({
    upstreamRequestId,
    status: envelope.status,
    type: envelope.type,
    code: envelope.code,
    message,
    ...(envelope.code === 'context_length_exceeded' ? { param: 'messages' } : {}),
    ...(envelope.code === 'invalid_request' ? { param: detail.param ?? null } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

function withDetail(text: string, upstreamText: string): string {
  return upstreamText ? `${text} Provider said: ${upstreamText}` : text;
}

interface ErrorDetail {
  message?: string;
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
  retryAfter?: unknown;
}

/** Finds the error fields in whichever shape a provider uses. */
function readErrorDetail(body: unknown): ErrorDetail {
  if (!isRecord(body)) return {};
  const requestId = typeof body['request_id'] === 'string' ? body['request_id'] : undefined;
  const inner = body['error'];
  // Ollama: {"error": "text"}.
  if (typeof inner === 'string') return { message: inner, requestId };
  // OpenAI, Anthropic, OpenRouter, LiteLLM, Azure: {"error": {...}}; vLLM: the fields at top level.
  const source = isRecord(inner) ? inner : body;
  return {
    message: asText(source['message']),
    type: asText(source['type']),
    code: asText(source['code']),
    param: asText(source['param']),
    requestId,
    retryAfter: source['retry_after'] ?? body['retry_after'],
  };
}

/**
 * Makes upstream text safe to show: removes anything that looks like a credential, HTML
 * markup, and long tails.
 */
function sanitize(message: string | undefined, secrets: readonly string[]): string {
  if (!message) return '';
  let text = message;
  for (const secret of secrets) {
    if (secret.length >= 4) text = text.split(secret).join('[redacted]');
  }
  text = text
    .replace(/\b(sk|rk|pk|esk)[-_][A-Za-z0-9_*-]{6,}/g, '[redacted]')
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}
