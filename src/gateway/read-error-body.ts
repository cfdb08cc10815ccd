/**
 * Reads an upstream error body as JSON, bounded: at most `limit` bytes are read (an HTML
 * error page from a proxy can be large and is never shown anyway), and anything that is not
 * JSON yields `undefined` so the error is classified by its status alone.
 *
 * @param response - A non-ok upstream response.
 * @param limit - Most bytes to read.
 * @returns The parsed JSON body, or `undefined`.
 */
export async function readErrorBody(response: Response, limit = 65_536): Promise<unknown> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (size >= limit) break;
    }
  } catch {
    // A body that fails half-way is as good as no body: the status still classifies it.
  } finally {
    reader.cancel().catch(() => {});
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
