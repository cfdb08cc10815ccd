import { createMemoryStateStore } from './memory-state-store.js';
import type { RateLimitDecision } from './rate-limiter.js';
import { RedisStateStore } from './redis-state-store.js';
import type { RedisStateStoreOptions } from './redis-state-store.js';
import type { SharedStreamLog } from './shared-stream-log.js';
import type { AcquireOptions, Lease, RateLimitRule, StateStore, StateStoreMode } from './state-store.js';

/** What the gateway does while Redis is unreachable (also in src/gateway/README.md). */
export const REDIS_DOWN_POLICY =
  'fail open to local state: rate limits, concurrency caps and Idempotency-Keys are enforced per instance until Redis is back; ' +
  'dropped streams resume only on the instance that runs them';

/** A line for the operator when the shared store goes away or comes back. */
export interface StateStoreEvent {
  ts: string;
  level: 'warn' | 'info';
  msg: 'state_store_unavailable' | 'state_store_recovered';
  store: 'redis';
  /** Why it is unavailable (connection refused, timeout, ...); never a password. */
  error?: string;
  policy: string;
}

/** Options of {@link createRedisStateStore}. */
export interface RedisStoreOptions extends Omit<RedisStateStoreOptions, 'onConnectionChange'> {
  /**
   * Receives the unavailable / recovered lines.
   * @defaultValue a JSON line on stdout, next to the request log
   */
  onEvent?: (event: StateStoreEvent) => void;
  /**
   * After a failed command, how long to answer from local state before trying Redis again
   * (so a hung server costs one command timeout, not one per request).
   * @defaultValue 2000
   */
  retryAfterMs?: number;
}

/**
 * The Redis store with its documented failure policy ({@link REDIS_DOWN_POLICY}): while the
 * connection is down, or for `retryAfterMs` after a command failed, every call is answered
 * by a local memory store, and one `state_store_unavailable` line is logged per outage
 * (`state_store_recovered` when Redis answers again).
 *
 * Why fail open: the gateway's limits protect a budget, they are not an authorization
 * boundary; refusing every chat because the cache is down would turn a degraded component
 * into a full outage. Local enforcement keeps each limit within (instances × limit) meanwhile,
 * which is bounded, and a lease taken locally is released locally, so nothing leaks when
 * Redis returns.
 */
export class FailoverStateStore implements StateStore {
  readonly primary: RedisStateStore;
  private readonly fallback: StateStore;
  private readonly onEvent: (event: StateStoreEvent) => void;
  private readonly retryAfterMs: number;
  private down = false;
  private failedAt = -Infinity;

  constructor(options: RedisStoreOptions) {
    this.onEvent = options.onEvent ?? ((event) => console.log(JSON.stringify(event)));
    this.retryAfterMs = options.retryAfterMs ?? 2000;
    this.fallback = createMemoryStateStore();
    this.primary = new RedisStateStore({
      ...options,
      onConnectionChange: (ready, error) => (ready ? this.recovered() : this.failed(error)),
    });
  }

  get mode(): StateStoreMode {
    return this.usePrimary() ? 'redis' : 'local-fallback';
  }

  get streams(): SharedStreamLog {
    return this.primary.streams;
  }

  /**
   * Waits for the first connection, so a gateway does not start in fallback just because it
   * was faster than Redis.
   * @returns False (and the unavailable line is logged) when Redis is not ready in time.
   */
  async connect(timeoutMs = 3000): Promise<boolean> {
    const ready = await this.primary.waitUntilReady(timeoutMs);
    if (!ready) this.failed(new Error(`not ready within ${timeoutMs} ms`));
    return ready;
  }

  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    return this.call((store) => store.hit(key, rule));
  }

  acquire(pool: string, options: AcquireOptions): Promise<Lease | undefined> {
    return this.call((store) => store.acquire(pool, options));
  }

  holders(pool: string): Promise<string[]> {
    return this.call((store) => store.holders(pool));
  }

  increment(key: string, amount: number, ttlMs: number): Promise<number> {
    return this.call((store) => store.increment(key, amount, ttlMs));
  }

  putValue(key: string, value: string, ttlMs: number): Promise<void> {
    return this.call((store) => store.putValue(key, value, ttlMs));
  }

  getValue(key: string): Promise<string | undefined> {
    return this.call((store) => store.getValue(key));
  }

  swapValue(key: string, expected: string | undefined, next: string | undefined, ttlMs: number): Promise<boolean> {
    return this.call((store) => store.swapValue(key, expected, next, ttlMs));
  }

  sharedSecret(): Promise<string> {
    return this.call((store) => store.sharedSecret());
  }

  async close(): Promise<void> {
    await this.primary.close();
    await this.fallback.close();
  }

  private usePrimary(): boolean {
    return this.primary.ready && Date.now() - this.failedAt >= this.retryAfterMs;
  }

  private async call<T>(operation: (store: StateStore) => Promise<T>): Promise<T> {
    if (!this.usePrimary()) return operation(this.fallback);
    try {
      const result = await operation(this.primary);
      if (this.down) this.recovered();
      return result;
    } catch (error) {
      this.failedAt = Date.now();
      this.failed(error instanceof Error ? error : new Error(String(error)));
      return operation(this.fallback);
    }
  }

  private failed(error: Error | undefined): void {
    if (this.down) return;
    this.down = true;
    this.onEvent({
      ts: new Date().toISOString(),
      level: 'warn',
      msg: 'state_store_unavailable',
      store: 'redis',
      error: redact(error?.message ?? 'unavailable'),
      policy: REDIS_DOWN_POLICY,
    });
  }

  private recovered(): void {
    if (!this.down) return;
    this.down = false;
    this.failedAt = -Infinity;
    this.onEvent({ ts: new Date().toISOString(), level: 'info', msg: 'state_store_recovered', store: 'redis', policy: REDIS_DOWN_POLICY });
  }
}

/**
 * Creates the shared store for `REDIS_URL` with its failure policy (see
 * {@link FailoverStateStore}). Call `connect()` before serving to start on Redis.
 *
 * @param options - URL, key prefix, lease TTL, timeouts and the event sink.
 * @returns The store.
 */
export function createRedisStateStore(options: RedisStoreOptions): FailoverStateStore {
  return new FailoverStateStore(options);
}

/** Error text without credentials that a URL in it might carry. */
function redact(message: string): string {
  return message.replace(/\/\/[^@/\s]*@/g, '//***@').slice(0, 300);
}
