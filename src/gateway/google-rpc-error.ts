import type { GatewayError } from './gateway-error.js';
import { mapUpstreamError } from './map-upstream-error.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';

/**
 * `google.rpc.Code` names → the OpenAI-style `code`/`type` the shared rule table
 * (`src/wire/error-rules.ts`) understands. `INVALID_ARGUMENT` is left to the table, so a
 * message about the context window still becomes `context_length_exceeded`.
 */
const STATUS_CODES: Readonly<Record<string, { code?: string; type: string }>> = {
  RESOURCE_EXHAUSTED: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
  UNAVAILABLE: { code: 'upstream_overloaded', type: 'overloaded_error' },
  UNAUTHENTICATED: { code: 'invalid_api_key', type: 'authentication_error' },
  PERMISSION_DENIED: { code: 'permission_denied', type: 'permission_error' },
  DEADLINE_EXCEEDED: { code: 'upstream_timeout', type: 'timeout_error' },
  INVALID_ARGUMENT: { type: 'invalid_request_error' },
  FAILED_PRECONDITION: { type: 'invalid_request_error' },
  OUT_OF_RANGE: { type: 'invalid_request_error' },
  INTERNAL: { type: 'server_error' },
  NOT_FOUND: { type: 'not_found_error' },
};

/** What is known about a Google API failure. */
export interface GoogleErrorSource {
  /** HTTP status; absent for an error that arrived inside the stream. */
  status?: number;
  /** Parsed body: `{"error": {code, message, status, details}}` (`google.rpc.Status`). */
  body: unknown;
  headers?: Headers;
  /** Never shown (the API key). */
  secrets: readonly string[];
}

/**
 * Translates a Google API error (`google.rpc.Status` in `{"error": ...}`, as the Gemini API
 * answers) into the gateway's envelope through the shared rule table: `RESOURCE_EXHAUSTED` →
 * 429 `rate_limit_exceeded` with `RetryInfo.retryDelay` (`"37s"`, `"1.5s"`) as the wait,
 * `UNAVAILABLE` → 503 `upstream_overloaded`, `INVALID_ARGUMENT` → 400 (`context_length_exceeded`
 * when it is about the token limit; `invalid_api_key` when `ErrorInfo.reason` is
 * `API_KEY_INVALID`, since Gemini answers a bad key with 400), `UNAUTHENTICATED`/`PERMISSION_DENIED`
 * → 401/403, `DEADLINE_EXCEEDED` → 504, `INTERNAL` → 502.
 *
 * @param source - Status, body, headers and secrets.
 * @returns The gateway error.
 */
export function mapGoogleError(source: GoogleErrorSource): GatewayError {
  const error = isRecord(source.body) && isRecord(source.body['error']) ? source.body['error'] : {};
  const rpcStatus = asText(error['status']);
  const status = source.status ?? asNumber(error['code']);
  const details = Array.isArray(error['details']) ? error['details'].filter(isRecord) : [];
  const reason = details.map((detail) => asText(detail['reason'])).find(Boolean);
  const retryDelay = details.map((detail) => asText(detail['retryDelay'])).find(Boolean);
  const mapped = rpcStatus ? STATUS_CODES[rpcStatus] : undefined;
  const keyProblem = reason === 'API_KEY_INVALID' || reason === 'API_KEY_EXPIRED';
  const normalized = {
    error: {
      message: asText(error['message']),
      type: keyProblem ? 'authentication_error' : mapped?.type,
      code: keyProblem ? 'invalid_api_key' : mapped?.code,
      retry_after: retryDelay ? parseDuration(retryDelay) : undefined,
    },
  };
  return mapUpstreamError({ status, body: normalized, headers: source.headers, secrets: source.secrets });
}

/** A protobuf `Duration` in JSON (`"37s"`, `"0.5s"`) → seconds. */
function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
}
