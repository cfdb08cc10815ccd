import { GatewayError, invalidRequest } from './gateway-error.js';

/**
 * Reads and parses a JSON request body, enforcing a size limit while reading: a declared
 * `Content-Length` over the limit is refused before any byte is read, and a chunked body is
 * cut off as soon as it passes the limit, so an oversized upload never sits in memory whole.
 *
 * @param request - The incoming request.
 * @param maxBytes - The largest body accepted.
 * @returns The parsed JSON value.
 * @throws GatewayError 413 `payload_too_large`, or 400 `invalid_request` for a missing or
 * malformed body.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  const tooLarge = (): GatewayError =>
    new GatewayError({
      status: 413,
      type: 'invalid_request_error',
      code: 'payload_too_large',
      message: `The request body is larger than this server's limit of ${maxBytes} bytes. Shorten the conversation.`,
    });

  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) throw invalidRequest('The request body is empty; send a JSON object.');

  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      reader.cancel().catch(() => {});
      throw tooLarge();
    }
    parts.push(value);
  }

  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) throw invalidRequest('The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
}
