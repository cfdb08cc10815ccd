/**
 * Small type guards for values parsed from JSON. Shared by the browser layers and the gateway
 * (DESIGN.md §2: `src/wire/` holds what both sides must agree on, with no DOM and no `node:*`).
 */

/** A plain JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A non-empty string field as text. Numbers become text too: OpenRouter, vLLM and Azure send
 * numeric error codes (`"code": 429`).
 */
export function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number, else `undefined`. */
export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
