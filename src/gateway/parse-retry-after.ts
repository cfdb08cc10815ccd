/**
 * Reads how long an upstream asks us to wait, in whole seconds (rounded up, at least 1).
 * Looks at `retry-after-ms` first (more precise, sent by OpenAI), then `Retry-After` in its
 * seconds or HTTP-date form, then a `retry_after` number in the error body.
 *
 * @param headers - The upstream response headers.
 * @param bodyRetryAfter - A `retry_after` value from the body, if any.
 * @param now - Current time in ms, for the HTTP-date form.
 * @returns Seconds to wait, or `undefined` when the upstream said nothing usable.
 */
export function parseRetryAfter(headers: Headers, bodyRetryAfter?: unknown, now: number = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return toSeconds(ms / 1000);

  const header = headers.get('retry-after')?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) return toSeconds(Number.parseFloat(header));
    const date = Date.parse(header);
    if (Number.isFinite(date)) return toSeconds((date - now) / 1000);
  }

  if (typeof bodyRetryAfter === 'number' && Number.isFinite(bodyRetryAfter) && bodyRetryAfter >= 0) {
    return toSeconds(bodyRetryAfter);
  }
  return undefined;
}

function toSeconds(seconds: number): number {
  // A zero or past value still means "not right now"; 1 s keeps clients from hammering.
  return Math.max(1, Math.ceil(seconds));
}
