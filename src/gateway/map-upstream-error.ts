import { GatewayError } from './gateway-error.js';
import { parseRetryAfter } from './parse-retry-after.js';

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

/** Default waits (seconds) when a retryable upstream error names none. */
const DEFAULT_RATE_LIMIT_WAIT = 2;
const DEFAULT_OVERLOADED_WAIT = 2;
const DEFAULT_CONCURRENCY_WAIT = 1;

const CONTEXT_MESSAGE = /context (length|window)|maximum context|too many tokens|prompt is too long|input is too long|reduce the length/i;

/**
 * Translates an upstream error (HTTP status and/or body, in OpenAI, Anthropic, OpenRouter,
 * vLLM, Ollama or LiteLLM shape) into the gateway's own envelope (DESIGN.md §4), first match
 * wins in the same order as the client's classification (§5), so that for example a 429
 * `insufficient_quota` becomes a non-retryable 402 rather than a rate limit.
 *
 * Messages are written by the gateway. Upstream text is only appended for request problems
 * the user can act on (context length, invalid fields), after redacting secrets: providers
 * echo parts of the key in 401 messages, which is why auth errors never carry upstream text.
 *
 * @param source - Status, parsed body, headers and secrets to redact.
 * @returns The error to answer with.
 */
export function mapUpstreamError(source: UpstreamErrorSource): GatewayError {
  const { status } = source;
  const headers = source.headers ?? new Headers();
  const detail = readErrorDetail(source.body);
  const type = detail.type?.toLowerCase();
  const code = detail.code?.toLowerCase();
  const upstreamRequestId = headers.get('x-request-id') ?? headers.get('request-id') ?? detail.requestId ?? undefined;
  const retryAfter = parseRetryAfter(headers, detail.retryAfter);
  const upstreamText = sanitize(detail.message, source.secrets ?? []);
  const withDetail = (text: string): string => (upstreamText ? `${text} Provider said: ${upstreamText}` : text);
  const base = { upstreamRequestId };

  if (code === 'insufficient_quota' || type === 'insufficient_quota' || type === 'billing_error' || status === 402) {
    return new GatewayError({
      ...base,
      status: 402,
      type: 'insufficient_quota',
      code: 'insufficient_quota',
      message: 'The AI provider account behind this service has run out of credit or quota. Contact the site operator.',
    });
  }
  if (code === 'backend_busy') {
    return new GatewayError({
      ...base,
      status: 429,
      type: 'rate_limit_error',
      code: 'backend_busy',
      message: 'The AI provider is busy right now (shared capacity). Retry in a few seconds.',
      retryAfterSeconds: retryAfter ?? DEFAULT_RATE_LIMIT_WAIT,
    });
  }
  if (code === 'concurrency_exceeded') {
    return new GatewayError({
      ...base,
      status: 429,
      type: 'rate_limit_error',
      code: 'concurrency_exceeded',
      message: 'Too many requests are running at the AI provider at once. Retry in a moment.',
      retryAfterSeconds: retryAfter ?? DEFAULT_CONCURRENCY_WAIT,
    });
  }
  if (status === 529 || status === 503 || type === 'overloaded_error' || code === 'overloaded' || code === 'upstream_overloaded') {
    return new GatewayError({
      ...base,
      status: 503,
      type: 'overloaded_error',
      code: 'upstream_overloaded',
      message: 'The AI provider is overloaded right now. Retry shortly.',
      retryAfterSeconds: retryAfter ?? DEFAULT_OVERLOADED_WAIT,
    });
  }
  if (status === 429 || type === 'rate_limit_error' || code === 'rate_limit_exceeded' || code === '429') {
    const wait = retryAfter ?? DEFAULT_RATE_LIMIT_WAIT;
    return new GatewayError({
      ...base,
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: `The AI provider's rate limit was reached. Retry in ${wait} s.`,
      retryAfterSeconds: wait,
    });
  }
  if (status === 401 || type === 'authentication_error' || code === 'invalid_api_key') {
    return new GatewayError({
      ...base,
      status: 401,
      type: 'authentication_error',
      code: 'invalid_api_key',
      message:
        "The AI provider rejected this server's API key. This is a server configuration problem, " +
        'not your credentials: the operator must check LLM_API_KEY.',
    });
  }
  if (status === 403 || type === 'permission_error' || code === 'permission_denied') {
    return new GatewayError({
      ...base,
      status: 403,
      type: 'permission_error',
      code: 'permission_denied',
      message: "The AI provider refused this server's request (no access to this model or feature).",
    });
  }
  if (code === 'context_length_exceeded' || CONTEXT_MESSAGE.test(detail.message ?? '')) {
    return new GatewayError({
      ...base,
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      param: 'messages',
      message: withDetail("The conversation is too long for the model's context window. Shorten it or start a new chat."),
    });
  }
  if (code === 'content_filter' || code === 'content_policy_violation') {
    return new GatewayError({
      ...base,
      status: 400,
      type: 'invalid_request_error',
      code: 'content_filter',
      message: "The request was blocked by the AI provider's content filter.",
    });
  }
  if (status === 413 || type === 'request_too_large') {
    return new GatewayError({
      ...base,
      status: 413,
      type: 'invalid_request_error',
      code: 'payload_too_large',
      message: 'The request is too large for the AI provider.',
    });
  }
  if (status === 408 || status === 504 || type === 'timeout_error' || code === 'timeout') {
    return new GatewayError({
      ...base,
      status: 504,
      type: 'timeout_error',
      code: 'upstream_timeout',
      message: 'The AI provider did not answer in time.',
    });
  }
  if (status === 404 || type === 'not_found_error') {
    // A wrong model or base URL is the operator's configuration, not the user's request.
    return new GatewayError({
      ...base,
      status: 502,
      type: 'server_error',
      code: 'upstream_error',
      message: withDetail('The AI provider does not know this model or endpoint (check LLM_BASE_URL and LLM_MODEL).'),
    });
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new GatewayError({
      ...base,
      status: 400,
      type: 'invalid_request_error',
      code: 'invalid_request',
      param: detail.param ?? null,
      message: withDetail(`The AI provider rejected the request (HTTP ${status}).`),
    });
  }
  return new GatewayError({
    ...base,
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message:
      status === undefined
        ? 'The AI provider reported an error while generating the answer.'
        : `The AI provider failed (HTTP ${status}). Retry shortly.`,
  });
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

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  // OpenRouter, vLLM and Azure send numeric codes (`"code": 429`).
  if (typeof value === 'number') return String(value);
  return undefined;
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
