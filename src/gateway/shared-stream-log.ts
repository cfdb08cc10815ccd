import type { Frame, StreamEnd } from './stream-buffer.js';

/** What every instance may know about a stream started anywhere. */
export interface SharedStreamInfo {
  /** Hashed id of the client that started it; only that client may resume or stop it. */
  owner: string;
  /** The generation has ended; its frames stay readable until the retention expires. */
  ended: boolean;
  /** No connection is reading it on its own instance (it waits for a resume in its grace period). */
  detached: boolean;
  /** Whether the gateway sends `: ping` keep-alives on it (off for the mock's silent stall). */
  keepAlive: boolean;
}

/** A batch read from the shared log by {@link SharedStreamLog.follow}. */
export interface SharedFrameBatch {
  frames: Frame[];
  /** Set once the stream has nothing more after these frames. */
  end?: StreamEnd;
}

/**
 * The cross-instance half of resumable streams (DESIGN.md §4b): each generation's frames are
 * teed into a shared, bounded log with a TTL, so that a client whose connection dropped can
 * resume on any instance; a stop request reaches the instance that runs the generation.
 * Implemented on Redis Streams by `RedisStreamLog`; a single process needs none.
 */
export interface SharedStreamLog {
  /** Registers a stream at its start. */
  open(streamId: string, info: Omit<SharedStreamInfo, 'ended' | 'detached'>): Promise<void>;
  /** Queues frames for the log (written in batches; ordering per stream is kept). */
  append(streamId: string, frames: readonly Frame[]): void;
  /** Marks the end (after every frame appended so far) and starts the retention TTL. */
  end(streamId: string, end: StreamEnd): Promise<void>;
  /** Records whether the stream is read on its own instance (for takeover by another instance). */
  setDetached(streamId: string, detached: boolean): Promise<void>;
  /** The stream's shared record, or `undefined` when unknown or expired. */
  info(streamId: string): Promise<SharedStreamInfo | undefined>;
  /**
   * Reads the frames after `afterSeq`, waiting for more while the generation is alive.
   * `isAlive` is asked when nothing arrives for a while, so a reader of a crashed instance's
   * stream ends instead of waiting forever.
   */
  follow(streamId: string, afterSeq: number, signal: AbortSignal, isAlive: () => Promise<boolean>): AsyncIterable<SharedFrameBatch>;
  /** Asks the instance running `streamId` to stop it now. */
  requestStop(streamId: string): Promise<void>;
  /** Called with the id of every stream some instance was asked to stop. */
  onStopRequest(listener: (streamId: string) => void): void;
}
