import type { RateLimitDecision } from './rate-limiter.js';
import type { SharedStreamLog } from './shared-stream-log.js';

/** A requests-per-window rule for {@link StateStore.hit}. */
export interface RateLimitRule {
  /** Events allowed per window; 0 or less allows everything. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

/** Options of {@link StateStore.acquire}. */
export interface AcquireOptions {
  /** Most holders of the pool at once; 0 means no limit (the lease only records presence). */
  max: number;
  /**
   * The holder's id in the pool, so others can read it with {@link StateStore.holders} (the
   * idempotency pool stores the stream id of the generation that holds the key).
   * @defaultValue a random id
   */
  id?: string;
}

/**
 * One slot of a pool, held until {@link Lease.release}. On a shared store the lease is kept
 * alive by a heartbeat and expires by itself when the process holding it dies, so a crashed
 * instance frees its slots after the lease TTL.
 */
export interface Lease {
  /** The holder's id in the pool. */
  readonly id: string;
  /** Frees the slot; safe to call more than once, never rejects. */
  release(): Promise<void>;
}

/** Where a store's answers come from right now. */
export type StateStoreMode = 'memory' | 'redis' | 'local-fallback';

/**
 * The gateway's state that must be shared when several instances serve one endpoint
 * (DESIGN.md §4c, `REDIS_URL`): per-client rate windows, concurrency leases, the idempotency
 * registry (a pool of one per key), stream ownership and the resume buffers
 * ({@link StateStore.streams}). Every method is async because a shared implementation goes
 * over the network.
 *
 * The primitives are generic on purpose, so that later state can move here without a new
 * store: a per-client daily budget is {@link StateStore.increment} on a key per client and
 * day (`createStoreBudgetLedger`); a circuit breaker's state is a small value updated with
 * {@link StateStore.swapValue} (`createStoreBreakerStateStore`).
 *
 * Implementations: `createMemoryStateStore` (one process, the default) and
 * `createRedisStateStore` (Redis 7 or Valkey, wrapped so that an unreachable server falls
 * back to local state; see src/gateway/README.md).
 */
export interface StateStore {
  /** What currently answers: `memory`, `redis`, or `local-fallback` while Redis is unreachable. */
  readonly mode: StateStoreMode;
  /**
   * Counts one event for `key` if fewer than `rule.limit` fell in the last `rule.windowMs`
   * (a sliding-window log, atomic across instances).
   */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /** Takes a slot of `pool`; resolves `undefined` when the pool already has `max` holders. */
  acquire(pool: string, options: AcquireOptions): Promise<Lease | undefined>;
  /** Ids of the live holders of `pool`. */
  holders(pool: string): Promise<string[]>;
  /**
   * Adds `amount` to the counter `key` (created at 0 with a lifetime of `ttlMs`; the lifetime
   * is not extended by later additions).
   * @returns The counter after the addition.
   */
  increment(key: string, amount: number, ttlMs: number): Promise<number>;
  /** Stores a small value for `ttlMs`. */
  putValue(key: string, value: string, ttlMs: number): Promise<void>;
  /** The value stored under `key`, or `undefined` when absent or expired. */
  getValue(key: string): Promise<string | undefined>;
  /**
   * Atomically replaces the value of `key` with `next` (for `ttlMs`; `undefined` deletes it)
   * if it is still `expected` (`undefined`: absent). A compare-and-swap, for state that is
   * read, computed on and written back, like a circuit breaker's.
   * @returns Whether the swap happened (false: someone changed it meanwhile; read again).
   */
  swapValue(key: string, expected: string | undefined, next: string | undefined, ttlMs: number): Promise<boolean>;
  /**
   * A random secret shared by every instance on this store (the salt of hashed client ids,
   * which must agree across instances for limits and stream ownership to agree).
   */
  sharedSecret(): Promise<string>;
  /** The cross-instance stream log; absent on a single-process store. */
  readonly streams: SharedStreamLog | undefined;
  /** Stops timers and closes connections. */
  close(): Promise<void>;
}
