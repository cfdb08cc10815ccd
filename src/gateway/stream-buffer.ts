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

/** What one read returns: frames in order, and the end once nothing more will come. */
export interface FrameBatch {
  frames: readonly Frame[];
  end?: StreamEnd;
}

/** One connection's cursor over a stream's frames. */
export interface FrameReader {
  /** The frames after the cursor, waiting until there is at least one or the stream ended. */
  next(signal: AbortSignal): Promise<FrameBatch>;
  /** Detaches the reader (idempotent). */
  close(): void;
}

/** Options of {@link StreamBuffer}. */
export interface StreamBufferOptions {
  /**
   * Most frames kept; older ones are dropped first (a resume from before them is refused).
   * @defaultValue 16384
   */
  maxFrames?: number;
  /**
   * Most characters kept, counted like `maxFrames`.
   * @defaultValue 8388608
   */
  maxChars?: number;
  /**
   * Readers may fall this many frames behind before the producer waits for them, so a slow
   * client slows the provider down instead of filling memory (backpressure).
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

interface ReaderState {
  /** Seq of the last frame handed to this reader. */
  position: number;
}

/**
 * The bounded, in-memory record of one generation (DESIGN.md §4b): every frame the
 * generation produced, kept independently of any connection so that a reader can join at
 * any sequence number, replay what it missed, and follow the live frames to the end.
 *
 * Memory is bounded by `maxFrames` and `maxChars`; when either is exceeded the oldest frames
 * are dropped, and a reader whose next frame was dropped is ended rather than given a stream
 * with a silent gap in it (the client then sees an interrupted answer, never a wrong one).
 */
export class StreamBuffer {
  private readonly maxFrames: number;
  private readonly maxChars: number;
  private readonly highWater: number;
  private readonly retainConsumed: boolean;
  private frames: Frame[] = [];
  private head = 0;
  private chars = 0;
  private nextSeq = 1;
  private endState: StreamEnd | undefined;
  private readonly readers = new Set<ReaderState>();
  private waiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];

  constructor(options: StreamBufferOptions = {}) {
    this.maxFrames = options.maxFrames ?? 16_384;
    this.maxChars = options.maxChars ?? 8_388_608;
    this.highWater = options.highWaterFrames ?? 256;
    this.retainConsumed = options.retainConsumed ?? true;
  }

  /** Seq of the last frame produced (0 before the first). */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Seq of the oldest frame still kept. */
  get firstSeq(): number {
    return this.frames[this.head]?.seq ?? this.nextSeq;
  }

  /** How the stream ended, once it has. */
  get ended(): StreamEnd | undefined {
    return this.endState;
  }

  /** Connections reading the stream right now. */
  get readerCount(): number {
    return this.readers.size;
  }

  /** Characters held, for memory accounting. */
  get size(): number {
    return this.chars;
  }

  /**
   * Adds a frame and wakes the readers.
   * @returns The frame with its sequence number.
   */
  append(kind: FrameKind, text: string): Frame {
    // Nothing is added after the end (a late upstream event after a stop): it gets no number.
    if (this.endState) return { seq: this.lastSeq, kind, text };
    const frame: Frame = { seq: this.nextSeq++, kind, text };
    this.frames.push(frame);
    this.chars += text.length;
    while (this.frames.length - this.head > this.maxFrames || (this.chars > this.maxChars && this.frames.length - this.head > 1)) {
      this.dropOldest();
    }
    this.wake();
    return frame;
  }

  private dropOldest(): void {
    const dropped = this.frames[this.head++] as Frame;
    this.chars -= dropped.text.length;
    if (this.head > 1024 && this.head * 2 > this.frames.length) {
      this.frames = this.frames.slice(this.head);
      this.head = 0;
    }
  }

  /** Without `retainConsumed`, forgets the frames every reader has read. */
  private dropConsumed(): void {
    if (this.retainConsumed || this.readers.size === 0) return;
    let slowest = Infinity;
    for (const reader of this.readers) slowest = Math.min(slowest, reader.position);
    while (this.head < this.frames.length && (this.frames[this.head] as Frame).seq <= slowest) this.dropOldest();
  }

  /** Ends the stream (idempotent); readers get the remaining frames, then `end`. */
  end(end: StreamEnd): void {
    if (this.endState) return;
    this.endState = end;
    this.wake();
    this.wakeRoom();
  }

  /** Whether a reader may start after `afterSeq` without missing a frame. */
  canReadAfter(afterSeq: number): boolean {
    return Number.isInteger(afterSeq) && afterSeq >= this.firstSeq - 1 && afterSeq <= this.lastSeq;
  }

  /**
   * Opens a cursor that starts after `afterSeq` (0 = from the first frame).
   * @returns The reader; it counts for backpressure until closed.
   */
  openReader(afterSeq: number): FrameReader {
    const state: ReaderState = { position: afterSeq };
    this.readers.add(state);
    this.wakeRoom();
    let closed = false;
    return {
      next: async (signal) => {
        for (;;) {
          if (closed || signal.aborted) return { frames: [], end: 'closed' };
          if (state.position < this.firstSeq - 1) return { frames: [], end: 'closed' };
          const frames = this.framesAfter(state.position);
          if (frames.length > 0) {
            state.position = (frames.at(-1) as Frame).seq;
            this.dropConsumed();
            this.wakeRoom();
            return this.endState && state.position >= this.lastSeq ? { frames, end: this.endState } : { frames };
          }
          if (this.endState) return { frames: [], end: this.endState };
          await this.changed(signal);
        }
      },
      close: () => {
        if (closed) return;
        closed = true;
        this.readers.delete(state);
        this.wakeRoom();
      },
    };
  }

  /**
   * Resolves when the producer may read more from the provider: at once when no reader is
   * attached (the generation runs on while it waits for a resume) or when some reader is
   * less than `highWaterFrames` behind; otherwise when one catches up, or on `signal`.
   */
  async waitForRoom(signal: AbortSignal): Promise<void> {
    // Called once per provider event; most calls find room and must not allocate.
    while (!this.hasRoom() && !signal.aborted && !this.endState) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.roomWaiters.push(done);
        signal.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Whether {@link StreamBuffer.waitForRoom} would resolve at once. */
  hasRoom(): boolean {
    if (this.readers.size === 0) return true;
    for (const reader of this.readers) if (this.lastSeq - reader.position < this.highWater) return true;
    return false;
  }

  private framesAfter(afterSeq: number): Frame[] {
    const start = this.head + (afterSeq + 1 - this.firstSeq);
    return start < this.frames.length ? this.frames.slice(Math.max(start, this.head)) : [];
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private wakeRoom(): void {
    if (this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }
}
