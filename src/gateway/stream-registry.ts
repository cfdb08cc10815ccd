import { ChatStream } from './chat-stream.js';
import type { ChatStreamOptions, StreamSummary } from './chat-stream.js';
import { createRemoteFrameReader, followPool, livePool } from './remote-frame-reader.js';
import type { StateStore } from './state-store.js';
import { StreamBuffer } from './stream-buffer.js';
import type { StreamBufferOptions, StreamEnd } from './stream-buffer.js';
import { createStreamBody } from './stream-response.js';

/** Options of {@link StreamRegistry}. */
export interface StreamRegistryOptions {
  /** Where shared state lives; its `streams` log, when present, makes resume work across instances. */
  store: StateStore;
  /**
   * How long a generation whose last reader disconnected (without a stop) keeps running,
   * waiting for a resume; 0 aborts it at once.
   * @defaultValue 20000
   */
  graceMs: number;
  /**
   * How long an ended generation stays readable for a late resume.
   * @defaultValue 60000
   */
  retentionMs: number;
  /**
   * How long it stays readable once a connection has read it to its end (the common case):
   * only a client that reloads before it saved the end still needs it, so it is kept briefly
   * and memory does not grow with `retentionMs` × throughput.
   * @defaultValue 5000
   */
  deliveredRetentionMs?: number;
  /** Bounds of each generation's in-memory buffer. */
  buffer?: StreamBufferOptions;
}

/** Options of {@link StreamRegistry.start}. */
export interface StartStreamOptions {
  streamId: string;
  /** Hashed client id of the starter; only that client may resume or stop the stream. */
  owner: string;
  /** Whether connections send `: ping` keep-alives. */
  keepAlive: boolean;
  /** The generation itself (upstream events, limits, log collection). */
  chat: Omit<ChatStreamOptions, 'buffer' | 'onFrame' | 'onEnd'>;
  /** Called once when the generation ends (release leases, write the log line). */
  onEnd: (summary: StreamSummary) => void;
}

/** Options of one connection to a stream. */
export interface ConnectOptions {
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  keepAliveMs: number;
}

interface LocalStream {
  id: string;
  owner: string;
  keepAlive: boolean;
  buffer: StreamBuffer;
  chat: ChatStream;
  /** Connections reading it now. */
  readers: number;
  graceTimer: ReturnType<typeof setTimeout> | undefined;
  /** Removes the ended stream from the registry. */
  removalTimer: ReturnType<typeof setTimeout> | undefined;
  /** The liveness lease other instances check before waiting on this stream. */
  liveLease: Promise<{ release(): Promise<void> } | undefined> | undefined;
}

/**
 * The resumable generations of this instance (DESIGN.md §4b): each one runs independently of
 * the connections reading it, into its own bounded buffer (and the shared log when the store
 * has one). A connection can attach at any sequence number; when the last one leaves without
 * a stop, the generation keeps running for the grace period, waiting for a resume (also one
 * on another instance, seen through the store's follower leases), and is then aborted so no
 * answer is paid for that nobody reads. Ended generations stay readable for `retentionMs`.
 *
 * Ownership is checked here: a stream is found only for the client that started it, so an
 * unknown id and someone else's id are indistinguishable to the caller.
 */
export class StreamRegistry {
  private readonly options: StreamRegistryOptions;
  private readonly streams = new Map<string, LocalStream>();

  constructor(options: StreamRegistryOptions) {
    this.options = options;
    options.store.streams?.onStopRequest((streamId) => this.streams.get(streamId)?.chat.stop());
  }

  /** Generations running on this instance now. */
  get running(): number {
    let count = 0;
    for (const entry of this.streams.values()) if (!entry.chat.done) count += 1;
    return count;
  }

  /**
   * Starts a generation and returns the body of its first connection.
   *
   * @param init - Id, owner and the generation's options.
   * @param connection - The first connection's signal and keep-alive interval.
   * @returns The SSE body for the response that started the stream.
   */
  async start(init: StartStreamOptions, connection: ConnectOptions): Promise<ReadableStream<Uint8Array>> {
    const { store } = this.options;
    const shared = store.streams;
    // With resuming off, nobody will replay: keep only what is in flight.
    const buffer = new StreamBuffer({ retainConsumed: this.options.graceMs > 0, ...this.options.buffer });
    if (shared) {
      await shared.open(init.streamId, { owner: init.owner, keepAlive: init.keepAlive });
    }
    const entry: LocalStream = {
      id: init.streamId,
      owner: init.owner,
      keepAlive: init.keepAlive,
      buffer,
      readers: 0,
      graceTimer: undefined,
      removalTimer: undefined,
      liveLease: shared ? store.acquire(livePool(init.streamId), { max: 0 }).catch(() => undefined) : undefined,
      chat: undefined as unknown as ChatStream,
    };
    this.streams.set(init.streamId, entry);
    // Attach the first reader before the generation produces anything, so that backpressure
    // applies from the first frame.
    const body = this.connect(entry, 0, connection);
    entry.chat = new ChatStream({
      ...init.chat,
      buffer,
      ...(shared ? { onFrame: (frame) => shared.append(init.streamId, [frame]) } : {}),
      onEnd: (summary, end) => this.ended(entry, end, () => init.onEnd(summary)),
    });
    return body;
  }

  /**
   * Opens a resume of `streamId` for `owner` after `afterSeq`: from this instance's buffer, or
   * from the shared log when the stream runs (or ran) on another instance.
   *
   * @returns The SSE body and whether it sends keep-alives, or `undefined` when the stream is
   * unknown, someone else's, or no longer has the frames after `afterSeq`.
   */
  async resume(
    streamId: string,
    owner: string,
    afterSeq: number,
    connection: ConnectOptions,
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const local = this.streams.get(streamId);
    if (local) {
      if (local.owner !== owner || !local.buffer.canReadAfter(afterSeq)) return undefined;
      return this.connect(local, afterSeq, connection);
    }
    const shared = this.options.store.streams;
    if (!shared) return undefined;
    const info = await shared.info(streamId);
    if (!info || info.owner !== owner) return undefined;
    return this.connectRemote(streamId, afterSeq, info.keepAlive, connection);
  }

  /**
   * Attaches a retried request (same client, same `Idempotency-Key`) to the generation that
   * holds the key, from its first frame, when that generation is waiting for a resume: the
   * retry gets the whole answer and nothing is generated twice. A generation that still has a
   * reader is left alone (the caller answers `idempotency_key_in_use`).
   *
   * @returns The SSE body, or `undefined` when the stream cannot be taken over.
   */
  async takeOver(streamId: string, owner: string, connection: ConnectOptions): Promise<ReadableStream<Uint8Array> | undefined> {
    const local = this.streams.get(streamId);
    if (local) {
      if (local.owner !== owner || local.readers > 0 || local.chat.done || !local.buffer.canReadAfter(0)) return undefined;
      return this.connect(local, 0, connection);
    }
    const { store } = this.options;
    if (!store.streams) return undefined;
    const info = await store.streams.info(streamId);
    if (!info || info.owner !== owner || info.ended || !info.detached) return undefined;
    if ((await store.holders(followPool(streamId))).length > 0) return undefined;
    return this.connectRemote(streamId, 0, info.keepAlive, connection);
  }

  /**
   * Stops `streamId` for `owner` now, wherever it runs.
   *
   * @returns False when the stream is unknown or someone else's.
   */
  async stop(streamId: string, owner: string): Promise<boolean> {
    const local = this.streams.get(streamId);
    if (local) {
      if (local.owner !== owner) return false;
      local.chat.stop();
      return true;
    }
    const shared = this.options.store.streams;
    if (!shared) return false;
    const info = await shared.info(streamId);
    if (!info || info.owner !== owner) return false;
    if (!info.ended) await shared.requestStop(streamId);
    return true;
  }

  private connect(entry: LocalStream, afterSeq: number, connection: ConnectOptions): ReadableStream<Uint8Array> {
    this.attached(entry);
    return createStreamBody({
      streamId: entry.id,
      reader: entry.buffer.openReader(afterSeq),
      keepAlive: entry.keepAlive,
      keepAliveMs: connection.keepAliveMs,
      signal: connection.signal,
      onClose: (clientGone) => {
        this.detached(entry);
        if (!clientGone && entry.chat.done && entry.readers === 0) {
          this.scheduleRemoval(entry, Math.min(this.options.retentionMs, this.options.deliveredRetentionMs ?? 5000));
        }
      },
    });
  }

  private connectRemote(streamId: string, afterSeq: number, keepAlive: boolean, connection: ConnectOptions): ReadableStream<Uint8Array> {
    return createStreamBody({
      streamId,
      reader: createRemoteFrameReader(this.options.store, streamId, afterSeq),
      keepAlive,
      keepAliveMs: connection.keepAliveMs,
      signal: connection.signal,
      onClose: () => {},
    });
  }

  private attached(entry: LocalStream): void {
    entry.readers += 1;
    clearTimeout(entry.graceTimer);
    entry.graceTimer = undefined;
    if (entry.readers === 1 && entry.buffer.lastSeq > 0) void this.options.store.streams?.setDetached(entry.id, false);
  }

  private detached(entry: LocalStream): void {
    entry.readers -= 1;
    if (entry.readers > 0 || entry.chat?.done) return;
    void this.options.store.streams?.setDetached(entry.id, true);
    this.armGrace(entry, this.options.graceMs);
  }

  private armGrace(entry: LocalStream, delayMs: number): void {
    if (delayMs <= 0) {
      entry.chat?.stop();
      return;
    }
    clearTimeout(entry.graceTimer);
    entry.graceTimer = setTimeout(() => {
      entry.graceTimer = undefined;
      void this.graceExpired(entry);
    }, delayMs);
    entry.graceTimer.unref?.();
  }

  private async graceExpired(entry: LocalStream): Promise<void> {
    if (entry.readers > 0 || entry.chat.done) return;
    const { store, graceMs } = this.options;
    // A resume on another instance reads from the shared log and holds a follower lease:
    // keep generating for it, and look again later.
    const followers = store.streams ? await store.holders(followPool(entry.id)).catch(() => []) : [];
    if (entry.readers > 0 || entry.chat.done) return;
    if (followers.length > 0) this.armGrace(entry, Math.min(graceMs, 2000));
    else entry.chat.stop();
  }

  private ended(entry: LocalStream, end: StreamEnd, report: () => void): void {
    clearTimeout(entry.graceTimer);
    entry.graceTimer = undefined;
    const { store, retentionMs } = this.options;
    void store.streams?.end(entry.id, end);
    void entry.liveLease?.then((lease) => lease?.release());
    report();
    this.scheduleRemoval(entry, retentionMs);
  }

  private scheduleRemoval(entry: LocalStream, delayMs: number): void {
    clearTimeout(entry.removalTimer);
    entry.removalTimer = setTimeout(() => {
      if (this.streams.get(entry.id) === entry) this.streams.delete(entry.id);
    }, delayMs);
    entry.removalTimer.unref?.();
  }
}
