/** The outcome of {@link RateLimiter.take}. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** A per-client requests-per-window limiter. */
export interface RateLimiter {
  /** Counts one request for `clientId` if the client is under its limit. */
  take(clientId: string): RateLimitDecision;
}

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per window and client; 0 disables the limiter. */
  limit: number;
  /**
   * Window length.
   * @defaultValue 60000
   */
  windowMs?: number;
  /**
   * Clock, injectable for tests.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Most clients tracked at once; beyond it, idle entries are swept first.
   * @defaultValue 50000
   */
  maxClients?: number;
}

/**
 * Creates a sliding-window-log limiter: a request is allowed when fewer than `limit` requests
 * of the same client fall in the last `windowMs`. Unlike a fixed window it has no burst at
 * window boundaries, and its Retry-After is exact: the time until the oldest request leaves
 * the window. Memory is bounded by `limit` timestamps per client and `maxClients` clients,
 * swept lazily so no timer keeps a process alive.
 *
 * @param options - Limit, window and clock.
 * @returns The limiter.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const maxClients = options.maxClients ?? 50_000;
  const log = new Map<string, number[]>();

  function sweep(time: number): void {
    for (const [client, stamps] of log) {
      if ((stamps.at(-1) ?? 0) <= time - windowMs) log.delete(client);
    }
    // Still full of active clients: forget the oldest entries rather than grow without bound.
    for (const client of log.keys()) {
      if (log.size < maxClients) break;
      log.delete(client);
    }
  }

  return {
    take(clientId) {
      if (options.limit <= 0) return { allowed: true };
      const time = now();
      let stamps = log.get(clientId);
      if (!stamps) {
        if (log.size >= maxClients) sweep(time);
        stamps = [];
        log.set(clientId, stamps);
      }
      while (stamps.length > 0 && (stamps[0] ?? 0) <= time - windowMs) stamps.shift();
      if (stamps.length >= options.limit) {
        const oldest = stamps[0] ?? time;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldest + windowMs - time) / 1000)) };
      }
      stamps.push(time);
      return { allowed: true };
    },
  };
}
