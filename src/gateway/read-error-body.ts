import type { ByteSource } from './byte-source.js';
import { GatewayError } from './gateway-error.js';
import type { UpstreamHttpResponse } from './upstream-transport.js';

/**
 * Reads an upstream error body as JSON, bounded: at most `limit` bytes are read (an HTML
 * error page from a proxy can be large and is never shown anyway), and anything that is not
 * JSON yields `undefined` so the error is classified by its status alone.
 *
 * @param response - A non-ok upstream response.
 * @param limit - Most bytes to read.
 * @returns The parsed JSON body, or `undefined`.
 */
export async function readErrorBody(response: UpstreamHttpResponse, limit = 65_536): Promise<unknown> {
  try {
    return JSON.parse(await response.text(limit)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The body of an ok upstream response that must be a server-sent event stream (the providers
 * that translate their own SSE: Anthropic, Gemini). Anything else — no body, JSON, an HTML
 * page from a proxy — is discarded and answered with a 502, never relayed.
 *
 * @param response - An ok upstream response.
 * @param upstreamRequestId - The provider's request id, for the log line and the error.
 * @returns The body to relay.
 */
export function eventStreamBody(response: UpstreamHttpResponse, upstreamRequestId?: string): ByteSource {
  const stream = response.body;
  if (stream && (response.headers.get('content-type') ?? '').includes('text/event-stream')) return stream;
  response.cancel();
  throw new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: 'The AI provider answered with something other than a stream.',
    ...(upstreamRequestId === undefined ? {} : { upstreamRequestId }),
  });
}
