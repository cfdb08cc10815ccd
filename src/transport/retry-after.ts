/**
 * Reads how long the server asked us to wait, in milliseconds, from (in order of precision)
 * `retry-after-ms`, `Retry-After` (delta-seconds or an HTTP date) and a body `retry_after`
 * (seconds). Returns `undefined` when none is given or parseable.
 *
 * @param headers - The response headers.
 * @param bodyRetryAfter - The envelope's `retry_after` field, when present.
 * @param now - Current time in ms since the epoch, for HTTP-date values.
 */
export function parseRetryAfter(headers: Headers | undefined, bodyRetryAfter: unknown, now: number): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms != null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const header = headers?.get('retry-after');
  if (header != null && header.trim() !== '') {
    const fromHeader = parseRetryAfterValue(header.trim(), now);
    if (fromHeader !== undefined) return fromHeader;
  }
  if (typeof bodyRetryAfter === 'number' && Number.isFinite(bodyRetryAfter) && bodyRetryAfter >= 0) {
    return Math.round(bodyRetryAfter * 1000);
  }
  if (typeof bodyRetryAfter === 'string') return parseRetryAfterValue(bodyRetryAfter.trim(), now);
  return undefined;
}

function parseRetryAfterValue(value: string, now: number): number | undefined {
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  // An HTTP date in the past means "now"; never a negative wait.
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}
