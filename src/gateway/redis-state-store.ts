import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { RateLimitDecision } from './rate-limiter.js';
import { ACQUIRE_SCRIPT, HOLDERS_SCRIPT, INCREMENT_SCRIPT, RATE_LIMIT_SCRIPT, RENEW_SCRIPT, SWAP_SCRIPT } from './redis-scripts.js';
import { RedisStreamLog } from './redis-stream-log.js';
import type { RedisStreamLogOptions } from './redis-stream-log.js';
import type { AcquireOptions, Lease, RateLimitRule, StateStore } from './state-store.js';

/** Options of {@link RedisStateStore}. */
export interface RedisStateStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` (TLS); Redis 7 or Valkey. */
  url: string;
  /**
   * Prefix of every key, so several deployments can share one server.
   * @defaultValue `'llmchat:'`
   */
  keyPrefix?: string;
  /**
   * Lifetime of a lease without heartbeat: how long a crashed instance's concurrency slots and
   * idempotency keys stay taken. Heartbeats run every third of it.
   * @defaultValue 15000
   */
  leaseTtlMs?: number;
  /**
   * A command not answered within this time fails, and the caller falls back to local state:
   * a hung server must not hang every chat request.
   * @defaultValue 1000
   */
  commandTimeoutMs?: number;
  /** The shared stream log's bounds and timings. */
  streams?: Omit<RedisStreamLogOptions, 'keyPrefix'>;
  /** Told when the connection becomes ready or is lost (the failover store logs it). */
  onConnectionChange?: (ready: boolean, error?: Error) => void;
}

const SCRIPTS = [RATE_LIMIT_SCRIPT, ACQUIRE_SCRIPT, RENEW_SCRIPT, HOLDERS_SCRIPT, INCREMENT_SCRIPT, SWAP_SCRIPT];

/**
 * The shared {@link StateStore} on Redis 7 or Valkey, through ioredis. Limits and leases are
 * Lua scripts (atomic, on the server's clock); leases are sorted sets whose scores are
 * expiries, renewed by one heartbeat timer for all leases this process holds, so the slots of
 * a process that dies free themselves after `leaseTtlMs`. Streams are shared through a
 * {@link RedisStreamLog}.
 *
 * It fails fast instead of queueing while disconnected (`enableOfflineQueue: false`, a
 * command timeout), so that `createRedisStateStore` can answer from local state at once
 * while Redis is unreachable. Use that factory; this class alone throws on every failure.
 */
export class RedisStateStore implements StateStore {
  readonly mode = 'redis' as const;
  readonly streams: RedisStreamLog;
  readonly client: Redis;
  private readonly prefix: string;
  private readonly leaseTtlMs: number;
  private readonly held = new Map<string, { key: string; id: string }>();
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly shas = new Map<string, string>();
  private secret: string | undefined;
  private closed = false;

  constructor(options: RedisStateStoreOptions) {
    this.prefix = options.keyPrefix ?? 'llmchat:';
    this.leaseTtlMs = options.leaseTtlMs ?? 15_000;
    for (const script of SCRIPTS) this.shas.set(script, createHash('sha1').update(script).digest('hex'));
    this.client = new Redis(options.url, {
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs ?? 1000,
      maxRetriesPerRequest: 0,
      // Commands issued in the same tick (many streams at once) go out in one write.
      enableAutoPipelining: true,
      connectTimeout: 2000,
      retryStrategy: (attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
    });
    let ready = false;
    this.client.on('ready', () => {
      ready = true;
      options.onConnectionChange?.(true);
    });
    // Without an 'error' listener ioredis would print every reconnection failure.
    this.client.on('error', (error: Error) => {
      if (ready) return;
      options.onConnectionChange?.(false, error);
    });
    this.client.on('close', () => {
      if (!ready || this.closed) return;
      ready = false;
      options.onConnectionChange?.(false, new Error('connection closed'));
    });
    this.streams = new RedisStreamLog(this.client, { ...options.streams, keyPrefix: this.prefix });
    this.heartbeat = setInterval(() => this.renewAll(), Math.max(50, Math.floor(this.leaseTtlMs / 3)));
    this.heartbeat.unref();
  }

  /** Whether commands can be sent now. */
  get ready(): boolean {
    return this.client.status === 'ready';
  }

  /**
   * Waits until the connection is ready.
   * @returns False when it is not ready within `timeoutMs`.
   */
  waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, timeoutMs);
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      this.client.once('ready', onReady);
    });
  }

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    if (rule.limit <= 0) return { allowed: true };
    const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
    const [allowed, waitMs] = (await this.run(RATE_LIMIT_SCRIPT, [this.key('window', key)], [rule.windowMs, rule.limit, member])) as [
      number,
      number,
    ];
    if (allowed === 1) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  async acquire(pool: string, { max, id = randomBytes(16).toString('hex') }: AcquireOptions): Promise<Lease | undefined> {
    const key = this.key('lease', pool);
    const taken = await this.run(ACQUIRE_SCRIPT, [key], [this.leaseTtlMs, max, id]);
    if (taken !== 1) return undefined;
    const heldKey = `${key}\u0000${id}`;
    this.held.set(heldKey, { key, id });
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        this.held.delete(heldKey);
        // If this fails the lease expires by itself after the TTL.
        await this.client.zrem(key, id).catch(() => {});
      },
    };
  }

  async holders(pool: string): Promise<string[]> {
    return (await this.run(HOLDERS_SCRIPT, [this.key('lease', pool)], [])) as string[];
  }

  async increment(key: string, amount: number, ttlMs: number): Promise<number> {
    return Number(await this.run(INCREMENT_SCRIPT, [this.key('counter', key)], [amount, ttlMs]));
  }

  async putValue(key: string, value: string, ttlMs: number): Promise<void> {
    await this.client.set(this.key('value', key), value, 'PX', ttlMs);
  }

  async getValue(key: string): Promise<string | undefined> {
    return (await this.client.get(this.key('value', key))) ?? undefined;
  }

  async swapValue(key: string, expected: string | undefined, next: string | undefined, ttlMs: number): Promise<boolean> {
    const args = [expected === undefined ? '0' : '1', expected ?? '', next === undefined ? '0' : '1', next ?? '', Math.max(1, ttlMs)];
    return (await this.run(SWAP_SCRIPT, [this.key('value', key)], args)) === 1;
  }

  async sharedSecret(): Promise<string> {
    if (this.secret) return this.secret;
    const key = this.key('secret', 'client-id-salt');
    // The first instance to start sets it; every other one reads the same value.
    await this.client.set(key, randomBytes(32).toString('hex'), 'NX');
    const secret = await this.client.get(key);
    if (!secret) throw new Error('the shared secret vanished');
    this.secret = secret;
    return secret;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    await this.streams.close();
    // Free what we hold now rather than after the TTL (a graceful shutdown, not a crash).
    await Promise.all([...this.held.values()].map(({ key, id }) => this.client.zrem(key, id).catch(() => {})));
    this.held.clear();
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private key(kind: string, name: string): string {
    return `${this.prefix}${kind}:${name}`;
  }

  private renewAll(): void {
    if (!this.ready) return;
    for (const { key, id } of this.held.values()) {
      this.run(RENEW_SCRIPT, [key], [this.leaseTtlMs, id]).catch(() => {});
    }
  }

  /** EVALSHA, loading the script on the first NOSCRIPT (after a server restart, too). */
  private async run(script: string, keys: string[], args: (string | number)[]): Promise<unknown> {
    const sha = this.shas.get(script) as string;
    try {
      return await this.client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return this.client.eval(script, keys.length, ...keys, ...args);
    }
  }
}
