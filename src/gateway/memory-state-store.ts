import { createRateLimiter } from './rate-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import type { AcquireOptions, Lease, RateLimitRule, StateStore } from './state-store.js';

/** Options of {@link createMemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /**
   * Clock for rate windows and expiries, injectable for tests.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Most clients tracked per rate rule (see `createRateLimiter`).
   * @defaultValue 50000
   */
  maxClients?: number;
}

/**
 * Creates the single-process {@link StateStore}: today's behaviour, and the local fallback
 * of the Redis store. Leases need no TTL here (they die with the process that holds them),
 * and the "shared" secret is random per store.
 *
 * @param options - Clock and bounds.
 * @returns The store.
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now;
  const limiters = new Map<string, RateLimiter>();
  const pools = new Map<string, Set<string>>();
  const values = new Map<string, { value: string; expiresAt: number }>();
  const secret = randomId();

  function readValue(key: string): string | undefined {
    const entry = values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      values.delete(key);
      return undefined;
    }
    return entry.value;
  }

  function sweepValues(): void {
    // Lazy and bounded: expired entries go when the map grows, so no timer is needed.
    if (values.size < 10_000) return;
    const time = now();
    for (const [key, entry] of values) if (entry.expiresAt <= time) values.delete(key);
  }

  return {
    mode: 'memory',
    streams: undefined,
    async hit(key: string, rule: RateLimitRule) {
      if (rule.limit <= 0) return { allowed: true };
      const ruleKey = `${rule.limit}/${rule.windowMs}`;
      let limiter = limiters.get(ruleKey);
      if (!limiter) {
        limiter = createRateLimiter({ limit: rule.limit, windowMs: rule.windowMs, now, maxClients: options.maxClients });
        limiters.set(ruleKey, limiter);
      }
      return limiter.take(key);
    },
    async acquire(pool: string, { max, id = randomId() }: AcquireOptions): Promise<Lease | undefined> {
      let holders = pools.get(pool);
      if (max > 0 && holders && holders.size >= max && !holders.has(id)) return undefined;
      if (!holders) {
        holders = new Set();
        pools.set(pool, holders);
      }
      holders.add(id);
      let released = false;
      return {
        id,
        async release() {
          if (released) return;
          released = true;
          const current = pools.get(pool);
          current?.delete(id);
          if (current?.size === 0) pools.delete(pool);
        },
      };
    },
    async holders(pool: string) {
      return [...(pools.get(pool) ?? [])];
    },
    async increment(key: string, amount: number, ttlMs: number) {
      const current = readValue(key);
      const total = (current === undefined ? 0 : Number(current)) + amount;
      const expiresAt = current === undefined ? now() + ttlMs : (values.get(key)?.expiresAt ?? now() + ttlMs);
      sweepValues();
      values.set(key, { value: String(total), expiresAt });
      return total;
    },
    async putValue(key: string, value: string, ttlMs: number) {
      sweepValues();
      values.set(key, { value, expiresAt: now() + ttlMs });
    },
    async getValue(key: string) {
      return readValue(key);
    },
    async swapValue(key: string, expected: string | undefined, next: string | undefined, ttlMs: number) {
      if (readValue(key) !== expected) return false;
      if (next === undefined) values.delete(key);
      else values.set(key, { value: next, expiresAt: now() + ttlMs });
      return true;
    },
    async sharedSecret() {
      return secret;
    },
    async close() {
      limiters.clear();
      pools.clear();
      values.clear();
    },
  };
}

/** 128 random bits as hex. */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
