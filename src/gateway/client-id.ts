/** Options of {@link resolveClientId}. */
export interface ClientIdOptions {
  /**
   * Whether to believe `X-Forwarded-For`. `false`: ignore it (a client could claim any
   * address). `true` or `1`: one trusted proxy in front, use the address it appended (the
   * right-most entry). `n`: n trusted proxies, use the n-th entry from the right.
   */
  trustProxy: boolean | number;
  /** Socket address from the server adapter (the Node adapter passes it), if known. */
  remoteAddress: string | undefined;
  /** Secret mixed into the hash so ids can't be reversed by hashing every IPv4 address. */
  salt: string;
  /** An application-chosen identity (from `resolveClient`), hashed instead of the address. */
  key?: string;
}

/**
 * Identifies the client for rate limits, concurrency caps and logs, as a salted SHA-256 hash
 * (`c_` + 16 hex digits), so raw IP addresses are never stored or logged. When no address is
 * known (a runtime that passes none and no trusted proxy), every such request shares the id
 * of the literal `unknown`: deliberately not derived from headers, which a client controls.
 *
 * @param request - The incoming request.
 * @param options - Proxy trust, socket address and salt.
 * @returns The hashed client id.
 */
export async function resolveClientId(request: Request, options: ClientIdOptions): Promise<string> {
  const address = options.key ?? forwardedAddress(request, options.trustProxy) ?? options.remoteAddress ?? 'unknown';
  const input = `${options.salt}\u0000${address}`;
  const known = hashed.get(input);
  if (known !== undefined) return known;
  const bytes = await crypto.subtle.digest('SHA-256', encoder.encode(input));
  const id = `c_${Array.from(new Uint8Array(bytes).subarray(0, 8), (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  // Oldest first out: a Map iterates in insertion order.
  if (hashed.size >= HASHED_CAPACITY) hashed.delete(hashed.keys().next().value as string);
  hashed.set(input, id);
  return id;
}

/**
 * Ids already hashed. `crypto.subtle.digest` is a job on the thread pool with a promise around
 * it, which at a burst of a thousand requests was a tenth of the gateway's CPU; a client's
 * address (or key) repeats from request to request, so its id is computed once. Bounded: the
 * oldest entries go first.
 */
const hashed = new Map<string, string>();
const HASHED_CAPACITY = 10_000;
const encoder = new TextEncoder();

function forwardedAddress(request: Request, trustProxy: boolean | number): string | undefined {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : Math.floor(trustProxy);
  if (hops < 1) return undefined;
  const header = request.headers.get('x-forwarded-for');
  if (!header) return undefined;
  const entries = header
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Entries left of the trusted hops were written by the client and can be anything.
  return entries[Math.max(0, entries.length - hops)];
}
