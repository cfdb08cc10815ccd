/**
 * The gateway's own responses: every one carries the same base headers (request id, no
 * caching, no proxy buffering; DESIGN.md §4), errors are the OpenAI-shaped JSON envelope with
 * the retry hints clients and SDKs obey, and a resumable stream names its stream id. Kept in
 * one place so that the chat route, the resume routes and the route table cannot drift apart.
 */
import { GatewayError } from './gateway-error.js';
import { STREAM_ID_HEADER } from './stream-id.js';

/**
 * Headers on every response (DESIGN.md §4).
 *
 * @param requestId - The gateway's id of the request.
 * @returns Fresh headers (callers add to them).
 */
export function baseHeaders(requestId: string): Record<string, string> {
  return {
    'X-Request-ID': requestId,
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  };
}

/**
 * A JSON response.
 *
 * @param body - Serialized with `JSON.stringify`.
 * @param status - HTTP status.
 * @param requestId - The gateway's id of the request.
 * @param extra - More headers (CORS, retry hints).
 * @returns The response.
 */
export function jsonResponse(body: unknown, status: number, requestId: string, extra: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...baseHeaders(requestId), ...extra, 'Content-Type': 'application/json; charset=utf-8' },
  });
}

/**
 * The JSON error response. 429 and 503 always carry `Retry-After` (and `retry-after-ms`),
 * except a quota error, where waiting does not help; that one also says `x-should-retry:
 * false`, which the official OpenAI SDKs obey.
 *
 * @param error - What went wrong.
 * @param requestId - The gateway's id of the request.
 * @param extra - More headers (CORS, `Allow`).
 * @returns The response.
 */
export function errorResponse(error: GatewayError, requestId: string, extra: Record<string, string>): Response {
  const waits = error.status === 429 || error.status === 503;
  const quota = error.code === 'insufficient_quota' || error.code === 'budget_exceeded';
  const retryAfter = error.retryAfterSeconds ?? (waits && !quota ? 1 : undefined);
  const envelope = error.toEnvelope(requestId);
  envelope.error.retry_after = retryAfter ?? null;
  const headers: Record<string, string> = { ...extra };
  if (retryAfter !== undefined) {
    headers['Retry-After'] = String(retryAfter);
    headers['retry-after-ms'] = String(retryAfter * 1000);
  }
  if (quota) headers['x-should-retry'] = 'false';
  return jsonResponse(envelope, error.status, requestId, headers);
}

/**
 * A `200 text/event-stream` of a resumable stream (DESIGN.md §4b).
 *
 * @param body - The stream's bytes.
 * @param streamId - Sent as `X-Stream-ID`, which resume and stop need.
 * @param requestId - The gateway's id of the request.
 * @param extra - More headers (CORS, context trimmed).
 * @returns The response.
 */
export function streamResponse(
  body: ReadableStream<Uint8Array>,
  streamId: string,
  requestId: string,
  extra: Record<string, string>,
): Response {
  return new Response(body, {
    status: 200,
    headers: {
      ...baseHeaders(requestId),
      ...extra,
      'Content-Type': 'text/event-stream; charset=utf-8',
      [STREAM_ID_HEADER]: streamId,
    },
  });
}

/**
 * The error of a failure nobody planned for: its details stay in the server's hands.
 *
 * @returns A 500 `internal_error`.
 */
export function internalError(): GatewayError {
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The gateway failed unexpectedly. Retry, and report the request id if it persists.',
  });
}
