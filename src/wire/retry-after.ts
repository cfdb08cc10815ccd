/**
 * Reads how long a server asked its client to wait, in milliseconds. One reading for both
 * sides: the element waits it out before an automatic retry, and the gateway passes an
 * upstream's wait on to the element (rounded up to whole seconds for `Retry-After`).
 *
 * Sources, most precise first: `retry-after-ms` (OpenAI), `Retry-After` as delta-seconds or
 * an HTTP date, then a `retry_after` value from the error body (seconds, as a number or text).
 *
 * @param headers - Response headers, when there were any (an in-band error has none).
 * @param bodyRetryAfter - The envelope's `retry_after`, when present.
 * @param now - Current time in ms since the epoch, for HTTP-date values. @defaultValue `Date.now()`
 * @returns Milliseconds to wait (never negative: a date in the past means now), or
 *   `undefined` when nothing usable was given.
 */
export function parseRetryAfterMs(headers: Headers | undefined, bodyRetryAfter?: unknown, now: number = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms')?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const header = headers?.get('retry-after')?.trim();
  if (header) {
    const fromHeader = parseValue(header, now);
    if (fromHeader !== undefined) return fromHeader;
  }
  if (typeof bodyRetryAfter === 'number' && Number.isFinite(bodyRetryAfter) && bodyRetryAfter >= 0) {
    return Math.round(bodyRetryAfter * 1000);
  }
  if (typeof bodyRetryAfter === 'string' && bodyRetryAfter.trim() !== '') return parseValue(bodyRetryAfter.trim(), now);
  return undefined;
}

/**
 * Milliseconds as a `Retry-After` value: whole seconds, rounded up, at least 1 (a zero or
 * past value still means "not right now", and 1 s keeps clients from hammering).
 */
export function toRetryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function parseValue(value: string, now: number): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}
