import { FrameStore } from './frame-store.js';

/**
 * What a frame is on the wire: `data` frames get an `id: <streamId>:<seq>` line when sent;
 * comments and the mock's raw (deliberately broken) text are sent as they are.
 */
export type FrameKind = 'data' | 'comment' | 'raw';

/** One SSE event of a generation, numbered from 1 in the order it was produced. */
export interface Frame {
  seq: number;
  kind: FrameKind;
  /** The complete SSE text of the event without its `id:` line, e.g. `data: {...}\n\n`. */
  text: string;
}

/**
 * How a stream ended for its readers: `closed` ends the response cleanly (after a terminal
 * event, or without one when the generation was stopped or lost); `reset` errors it, which
 * the Node adapter turns into a TCP reset (the mock's `reset-mid-stream`).
 */
export type StreamEnd = 'closed' | 'reset';

/** One connection's cursor over a stream's frames, read as the bytes it sends. */
export interface FrameCursor {
  /**
   * The frames after the cursor, rendered with their `id:` lines (at most about `maxBytes`,
   * at least one frame), advancing it; `undefined` when there is nothing new.
   */
  take(maxBytes?: number): Uint8Array | undefined;
  /** How the stream ended, once the cursor has taken everything (`closed` at a gap). */
  readonly end: StreamEnd | undefined;
  /** Calls `onReady` once when there may be something to take or an end (never synchronously). */
  wait(onReady: () => void): void;
  /** Detaches the cursor (idempotent). */
  close(): void;
}

/** Options of {@link StreamBuffer}. */
export interface StreamBufferOptions {
  /** Written into each data frame's `id: <streamId>:<seq>`. */
  streamId: string;
  /**
   * Most frames kept; older ones are dropped first (a resume from before them is refused).
   * @defaultValue 16384
   */
  maxFrames?: number;
  /**
   * Most bytes kept, counted like `maxFrames`.
   * @defaultValue 8388608
   */
  maxBytes?: number;
  /**
   * Readers may fall this many frames behind before the producer is told to wait for them, so
   * a slow client slows the provider down instead of filling memory (backpressure).
   * @defaultValue 256
   */
  highWaterFrames?: number;
  /**
   * Keep frames every reader has already read, so a later reader can replay them. Off when
   * resuming is off (`LLM_RESUME_GRACE_MS=0`): then memory holds only what is in flight.
   * @defaultValue true
   */
  retainConsumed?: boolean;
}

interface CursorState {
  /** Seq of the last frame taken. */
  position: number;
  onReady: (() => void) | undefined;
}

const encoder = new TextEncoder();
const RESOLVED = Promise.resolve();

/**
 * The bounded, in-memory record of one generation (DESIGN.md §4b): every frame the
 * generation produced, kept (as encoded bytes, see {@link FrameStore}) independently of any
 * connection so that a reader can join at any sequence number, replay what it missed, and
 * follow the live frames to the end.
 *
 * Memory is bounded by `maxFrames` and `maxBytes`; when either is exceeded the oldest frames
 * are dropped, and a reader whose next frame was dropped is ended rather than given a stream
 * with a silent gap in it (the client then sees an interrupted answer, never a wrong one).
 *
 * Readers are woken once per microtask, not once per frame: the frames produced from one
 * network read of the provider (a finish, the usage and `[DONE]` often come together) leave
 * in one write.
 */
export class StreamBuffer {
  private readonly store = new FrameStore();
  private readonly idPrefix: Uint8Array;
  private readonly maxFrames: number;
  private readonly maxBytes: number;
  private readonly highWater: number;
  private readonly retainConsumed: boolean;
  private nextSeq = 1;
  private endState: StreamEnd | undefined;
  private readonly readers = new Set<CursorState>();
  private wakeScheduled = false;
  /** Readers with an `onReady` to call. */
  private waiting = 0;
  private roomListener: (() => void) | undefined;

  constructor(options: StreamBufferOptions) {
    this.idPrefix = encoder.encode(`id: ${options.streamId}:`);
    this.maxFrames = options.maxFrames ?? 16_384;
    this.maxBytes = options.maxBytes ?? 8_388_608;
    this.highWater = options.highWaterFrames ?? 256;
    this.retainConsumed = options.retainConsumed ?? true;
  }

  /** Seq of the last frame produced (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Seq of the oldest frame still kept. */
  get firstSeq(): number {
    return this.nextSeq - this.store.count;
  }

  /** How the stream ended, once it has. */
  get ended(): StreamEnd | undefined {
    return this.endState;
  }

  /** Connections reading the stream right now. */
  get readerCount(): number {
    return this.readers.size;
  }

  /** Bytes held, for memory accounting. */
  get size(): number {
    return this.store.size;
  }

  /**
   * Adds a frame and wakes the readers.
   * @returns Its sequence number; 0 once the stream has ended (a late upstream event after a
   * stop is not kept).
   */
  append(kind: FrameKind, text: string): number {
    if (this.endState) return 0;
    this.store.append(kind, text);
    return this.added();
  }

  /** Adds the data frame `data: <json>\n\n` (see {@link StreamBuffer.append}). */
  appendData(json: string): number {
    if (this.endState) return 0;
    this.store.appendData(json);
    return this.added();
  }

  private added(): number {
    const seq = this.nextSeq++;
    while (this.store.count > this.maxFrames || (this.store.size > this.maxBytes && this.store.count > 1)) this.store.dropFirst();
    this.wake();
    return seq;
  }

  /** A kept frame (tests; the frames themselves stay bytes). */
  frame(seq: number): Frame | undefined {
    if (seq < this.firstSeq || seq > this.lastSeq) return undefined;
    return { seq, ...this.store.frame(seq - this.firstSeq) };
  }

  /** Ends the stream (idempotent); readers get the remaining frames, then `end`. */
  end(end: StreamEnd): void {
    if (this.endState) return;
    this.endState = end;
    this.wake();
  }

  /** Whether a reader may start after `afterSeq` without missing a frame. */
  canReadAfter(afterSeq: number): boolean {
    return Number.isInteger(afterSeq) && afterSeq >= this.firstSeq - 1 && afterSeq <= this.lastSeq;
  }

  /**
   * Opens a cursor that starts after `afterSeq` (0 = from the first frame).
   * @returns The cursor; it counts for backpressure until closed.
   */
  openCursor(afterSeq: number): FrameCursor {
    const state: CursorState = { position: afterSeq, onReady: undefined };
    this.readers.add(state);
    let closed = false;
    const endOf = (): StreamEnd | undefined => {
      if (closed || state.position < this.firstSeq - 1) return 'closed';
      return this.endState && state.position >= this.lastSeq ? this.endState : undefined;
    };
    return {
      take: (maxBytes = 65_536) => (closed ? undefined : this.take(state, maxBytes)),
      get end() {
        return endOf();
      },
      wait: (onReady) => {
        if (closed) return;
        if (!state.onReady) this.waiting += 1;
        state.onReady = onReady;
        // Something may have arrived since the caller last looked: never miss a wake-up.
        if (this.endState || state.position < this.lastSeq) this.wake();
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (state.onReady) this.waiting -= 1;
        state.onReady = undefined;
        this.readers.delete(state);
        this.roomMaybe();
      },
    };
  }

  private take(state: CursorState, maxBytes: number): Uint8Array | undefined {
    const first = this.firstSeq;
    if (state.position >= this.lastSeq || state.position < first - 1) return undefined;
    const from = state.position + 1 - first;
    const last = this.store.count - 1;
    let to = from;
    // Stop at about maxBytes, so a long replay goes out in pieces the socket can take.
    for (let bytes = this.store.frameBytes(from); to < last && bytes < maxBytes;) bytes += this.store.frameBytes(++to);
    const bytes = this.store.render(from, to, this.idPrefix, state.position + 1);
    state.position += to - from + 1;
    if (!this.retainConsumed) this.dropConsumed();
    this.roomMaybe();
    return bytes;
  }

  /** Without `retainConsumed`, forgets the frames every reader has taken. */
  private dropConsumed(): void {
    let slowest = Infinity;
    for (const reader of this.readers) slowest = Math.min(slowest, reader.position);
    while (this.store.count > 0 && this.firstSeq <= slowest) this.store.dropFirst();
  }

  /**
   * Whether the producer may read more from the provider: when no reader is attached (the
   * generation runs on while it waits for a resume) or some reader is less than
   * `highWaterFrames` behind.
   */
  hasRoom(): boolean {
    if (this.readers.size === 0) return true;
    for (const reader of this.readers) if (this.lastSeq - reader.position < this.highWater) return true;
    return false;
  }

  /**
   * Calls `listener` once, when {@link StreamBuffer.hasRoom} becomes true (the producer
   * paused the provider and waits for it).
   */
  onRoom(listener: () => void): void {
    this.roomListener = listener;
    this.roomMaybe();
  }

  private roomMaybe(): void {
    if (!this.roomListener || !this.hasRoom()) return;
    const listener = this.roomListener;
    this.roomListener = undefined;
    listener();
  }

  private wake(): void {
    if (this.wakeScheduled || this.waiting === 0) return;
    this.wakeScheduled = true;
    // A promise job rather than queueMicrotask, which Node wraps in an async resource per call.
    void RESOLVED.then(this.wakeReaders);
  }

  private readonly wakeReaders = (): void => {
    this.wakeScheduled = false;
    for (const reader of this.readers) {
      const onReady = reader.onReady;
      if (!onReady) continue;
      reader.onReady = undefined;
      this.waiting -= 1;
      onReady();
    }
  };
}
