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
