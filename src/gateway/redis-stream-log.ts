import type { Redis } from 'ioredis';
import type { SharedFrameBatch, SharedStreamInfo, SharedStreamLog } from './shared-stream-log.js';
import type { Frame, FrameKind, StreamEnd } from './stream-buffer.js';

/** Options of {@link RedisStreamLog}. */
export interface RedisStreamLogOptions {
  /** Prefix of every key. */
  keyPrefix: string;
  /**
   * Frames are written in batches at most this often (one pipelined write for all streams),
   * which is also the extra delay a resume on another instance can see.
   * @defaultValue 25
   */
  flushMs?: number;
  /**
   * Approximate most entries kept per stream (`XADD MAXLEN ~`); an entry is one batch.
   * @defaultValue 4096
   */
  maxEntries?: number;
  /**
   * Lifetime of a running stream's keys: a bound for a producer that died without ending it.
   * @defaultValue 3600000
   */
  runningTtlMs?: number;
  /**
   * How long an ended stream stays readable.
   * @defaultValue 60000
   */
  retentionMs?: number;
  /**
   * How often a reader on another instance polls for new frames.
   * @defaultValue 50
   */
  pollMs?: number;
  /**
   * Silence after which such a reader checks that the producer is still alive.
   * @defaultValue 1000
   */
  livenessCheckMs?: number;
}

const KIND_PREFIX: Record<FrameKind, string> = { data: 'd', comment: 'c', raw: 'r' };
const PREFIX_KIND: Record<string, FrameKind> = { d: 'data', c: 'comment', r: 'raw' };

/** Entry id of the end marker: greater than every frame entry (`0-<seq>`). */
const END_ENTRY_ID = '1-0';

/**
 * The shared stream log on Redis (DESIGN.md §4b across instances). Per stream:
 * - `stream:<id>:frames`, a Redis Stream. Frames are appended in batches: one entry per batch,
 *   with the explicit entry id `0-<last seq in the batch>` and one field per frame (`d17` =
 *   data frame 17), so "the frames after seq n" is simply every entry after `0-n`; the end is
 *   the entry `1-0` with the field `end`. Capped with `MAXLEN ~`.
 * - `stream:<id>:meta`, a hash: owner, ended, detached, keepAlive.
 * Both expire (`runningTtlMs` while running, `retentionMs` after the end). Stop requests go
 * over Pub/Sub to whichever instance runs the stream.
 *
 * Writes are best effort: a frame batch that fails to reach Redis leaves a gap, and a reader
 * on another instance ends at the gap instead of skipping it.
 */
export class RedisStreamLog implements SharedStreamLog {
  private readonly client: Redis;
  private readonly options: Required<RedisStreamLogOptions>;
  private readonly pending = new Map<string, Frame[]>();
  private readonly touched = new Set<string>();
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private subscriber: Redis | undefined;
  private readonly stopListeners: ((streamId: string) => void)[] = [];

  constructor(client: Redis, options: RedisStreamLogOptions) {
    this.client = client;
    this.options = {
      flushMs: 25,
      maxEntries: 4096,
      runningTtlMs: 3_600_000,
      retentionMs: 60_000,
      pollMs: 50,
      livenessCheckMs: 1000,
      ...options,
    };
  }

  async open(streamId: string, info: Omit<SharedStreamInfo, 'ended' | 'detached'>): Promise<void> {
    const meta = this.metaKey(streamId);
    // Best effort like every write here: without it, only a resume on another instance fails.
    // Plain commands, not MULTI: a transaction would overtake the auto-pipelined writes
    // queued in the same tick, and the order of a stream's writes matters.
    await Promise.all([
      this.client.hset(meta, { owner: info.owner, keepAlive: info.keepAlive ? '1' : '0', ended: '0', detached: '0' }),
      this.client.pexpire(meta, this.options.runningTtlMs),
    ]).catch(() => {});
  }

  append(streamId: string, frames: readonly Frame[]): void {
    let queue = this.pending.get(streamId);
    if (!queue) {
      queue = [];
      this.pending.set(streamId, queue);
    }
    queue.push(...frames);
    this.flushTimer ??= setTimeout(() => this.flush(), this.options.flushMs);
  }

  async end(streamId: string, end: StreamEnd): Promise<void> {
    this.flushStream(streamId);
    const { retentionMs } = this.options;
    const frames = this.framesKey(streamId);
    const meta = this.metaKey(streamId);
    this.touched.delete(streamId);
    // After the stream's last frames, which flushStream queued in this same tick.
    await Promise.all([
      this.client.xadd(frames, END_ENTRY_ID, 'end', end),
      this.client.hset(meta, 'ended', '1'),
      this.client.pexpire(frames, retentionMs),
      this.client.pexpire(meta, retentionMs),
    ]).catch(() => {});
  }

  async setDetached(streamId: string, detached: boolean): Promise<void> {
    await this.client.hset(this.metaKey(streamId), 'detached', detached ? '1' : '0').catch(() => {});
  }

  async info(streamId: string): Promise<SharedStreamInfo | undefined> {
    let fields: Record<string, string>;
    try {
      fields = await this.client.hgetall(this.metaKey(streamId));
    } catch {
      return undefined;
    }
    if (!fields['owner']) return undefined;
    return {
      owner: fields['owner'],
      ended: fields['ended'] === '1',
      detached: fields['detached'] === '1',
      keepAlive: fields['keepAlive'] !== '0',
    };
  }

  async *follow(streamId: string, afterSeq: number, signal: AbortSignal, isAlive: () => Promise<boolean>): AsyncIterable<SharedFrameBatch> {
    const key = this.framesKey(streamId);
    let cursor = `0-${afterSeq}`;
    let quietSince = Date.now();
    while (!signal.aborted) {
      const entries = (await this.client.xrange(key, `(${cursor}`, '+', 'COUNT', 256)) as [string, string[]][];
      if (entries.length > 0) {
        const frames: Frame[] = [];
        let end: StreamEnd | undefined;
        for (const [id, fields] of entries) {
          cursor = id;
          for (let index = 0; index + 1 < fields.length; index += 2) {
            const name = fields[index] as string;
            const value = fields[index + 1] as string;
            if (name === 'end') end = value === 'reset' ? 'reset' : 'closed';
            else frames.push({ seq: Number(name.slice(1)), kind: PREFIX_KIND[name[0] ?? 'd'] ?? 'data', text: value });
          }
        }
        yield end ? { frames, end } : { frames };
        if (end) return;
        quietSince = Date.now();
        continue;
      }
      if (Date.now() - quietSince >= this.options.livenessCheckMs) {
        // Nothing new for a while: the producer may have died (its liveness lease expired) or
        // the stream may have expired; either way no more frames will come.
        const info = await this.info(streamId);
        if (!info || (!info.ended && !(await isAlive()))) {
          yield { frames: [], end: 'closed' };
          return;
        }
        quietSince = Date.now();
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.pollMs);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  async requestStop(streamId: string): Promise<void> {
    await this.client.publish(this.stopChannel(), streamId);
  }

  onStopRequest(listener: (streamId: string) => void): void {
    this.stopListeners.push(listener);
    if (this.subscriber) return;
    // A subscribed connection can do nothing else, hence its own. It queues the SUBSCRIBE
    // until connected and subscribes again after every reconnect.
    const subscriber = this.client.duplicate({ enableOfflineQueue: true, autoResubscribe: true });
    this.subscriber = subscriber;
    subscriber.on('error', () => {});
    subscriber.on('message', (_channel: string, streamId: string) => {
      for (const notify of this.stopListeners) notify(streamId);
    });
    subscriber.subscribe(this.stopChannel()).catch(() => {});
  }

  /** Writes what is pending and closes the subscriber. */
  async close(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flush();
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const streamId of [...this.pending.keys()]) this.flushStream(streamId);
  }

  private flushStream(streamId: string): void {
    const frames = this.pending.get(streamId);
    this.pending.delete(streamId);
    if (!frames || frames.length === 0) return;
    const key = this.framesKey(streamId);
    const fields: string[] = [];
    for (const frame of frames) fields.push(`${KIND_PREFIX[frame.kind]}${frame.seq}`, frame.text);
    const lastSeq = (frames.at(-1) as Frame).seq;
    // Commands issued in one tick leave in one write (auto-pipelining), in order per stream.
    this.client.xadd(key, 'MAXLEN', '~', this.options.maxEntries, `0-${lastSeq}`, ...fields).catch(() => {});
    if (!this.touched.has(streamId)) {
      this.touched.add(streamId);
      this.client.pexpire(key, this.options.runningTtlMs).catch(() => {});
    }
  }

  private framesKey(streamId: string): string {
    return `${this.options.keyPrefix}stream:${streamId}:frames`;
  }

  private metaKey(streamId: string): string {
    return `${this.options.keyPrefix}stream:${streamId}:meta`;
  }

  private stopChannel(): string {
    return `${this.options.keyPrefix}stop`;
  }
}
