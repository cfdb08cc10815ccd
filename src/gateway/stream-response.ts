import type { FrameCursor, StreamEnd } from './stream-buffer.js';

/** Options of {@link createStreamBody}. */
export interface StreamBodyOptions {
  /** The connection's cursor over the generation's frames (rendered with their `id:` lines). */
  cursor: FrameCursor;
  /** Send `: ping` comments when nothing was written for `keepAliveMs`. */
  keepAlive: boolean;
  keepAliveMs: number;
  /** Aborted when the client disconnects (the request's signal). */
  signal: AbortSignal;
  /**
   * Called exactly once when this connection is over: `clientGone` is true when the client
   * left before the stream's end (a disconnect or a cancelled body).
   */
  onClose: (clientGone: boolean) => void;
}

/** Where a body written directly goes: the Node adapter's `ServerResponse`. */
export interface BodySink {
  /** Writes bytes; false asks the writer to wait for {@link BodySink.onDrain}. */
  write(bytes: Uint8Array): boolean;
  /** Calls `listener` once when the sink can take more. */
  onDrain(listener: () => void): void;
  end(): void;
  /** Ends with an error; the Node adapter resets the TCP connection. */
  reset(): void;
}

/** A stream body that a server adapter may write straight to its socket instead of reading it. */
export interface DirectBody {
  /** Writes the body into `sink` until its end; the Web stream must then not be read. */
  pipe(sink: BodySink): void;
  /** The client is gone. */
  cancel(): void;
}

const PING = new TextEncoder().encode(': ping\n\n');
const directBodies = new WeakMap<ReadableStream<Uint8Array>, DirectBody>();

/**
 * The body of one SSE connection to a generation: the original response, or a resume
 * (DESIGN.md §4b). It takes bytes from a {@link FrameCursor} (each data frame already has its
 * `id:` line) and writes everything that is ready in one write, so a burst costs one syscall
 * rather than one per token. `: ping` keep-alives are per connection and carry no id; the
 * timer behind them is re-armed only when it fires, so a write costs a clock read.
 *
 * The body is a Web `ReadableStream` (any runtime), pulled at the client's pace. The Node
 * adapter finds the same body through {@link directBodyOf} and writes it to the socket without
 * the stream's promise per chunk, waiting for `drain` when the client is slow. Either way the
 * cursor advances only as fast as the client reads, which is what lets the generation apply
 * backpressure to the provider. A reset end errors the body (or resets the connection).
 *
 * @param options - Cursor, keep-alive policy, client signal and close callback.
 * @returns The response body.
 */
export function createStreamBody(options: StreamBodyOptions): ReadableStream<Uint8Array> {
  const connection = new StreamConnection(options);
  const body = new ReadableStream<Uint8Array>(
    {
      start: (controller) => connection.startWeb(controller),
      pull: () => connection.pull(),
      cancel: () => connection.cancel(),
    },
    // Nothing is read before someone asks: the Node adapter may write it directly instead.
    { highWaterMark: 0 },
  );
  directBodies.set(body, connection);
  return body;
}

/**
 * The direct-write side of a body made by {@link createStreamBody}.
 *
 * @param body - A response body.
 * @returns Its {@link DirectBody}, or `undefined` for any other body.
 */
export function directBodyOf(body: ReadableStream<Uint8Array> | null): DirectBody | undefined {
  return body ? directBodies.get(body) : undefined;
}

class StreamConnection implements DirectBody {
  private readonly options: StreamBodyOptions;
  private closed = false;
  private sink: BodySink | undefined;
  private draining = false;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  private pendingPull: (() => void) | undefined;
  private lastWriteAt = Date.now();
  private keepAliveTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onAbort = (): void => this.clientLeft();
  private readonly flush = (): void => this.flushNow();

  constructor(options: StreamBodyOptions) {
    this.options = options;
    if (options.signal.aborted) {
      queueMicrotask(this.onAbort);
      return;
    }
    options.signal.addEventListener('abort', this.onAbort, { once: true });
    if (options.keepAlive) this.armKeepAlive(options.keepAliveMs);
  }

  startWeb(controller: ReadableStreamDefaultController<Uint8Array>): void {
    this.controller = controller;
  }

  pull(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.pendingPull = resolve;
      this.flushNow();
      if (this.closed) this.settlePull();
    });
  }

  pipe(sink: BodySink): void {
    this.sink = sink;
    this.flushNow();
  }

  cancel(): void {
    this.finish(true);
  }

  private canWrite(): boolean {
    return this.sink ? !this.draining : this.pendingPull !== undefined;
  }

  private flushNow(): void {
    const { cursor } = this.options;
    while (!this.closed && this.canWrite()) {
      const bytes = cursor.take();
      if (!bytes) break;
      this.write(bytes);
    }
    if (this.closed) return;
    const end = cursor.end;
    if (end) this.endWith(end);
    else if (this.canWrite()) cursor.wait(this.flush);
  }

  private write(bytes: Uint8Array): void {
    this.lastWriteAt = Date.now();
    if (this.sink) {
      if (!this.sink.write(bytes)) {
        this.draining = true;
        this.sink.onDrain(() => {
          this.draining = false;
          this.flushNow();
        });
      }
      return;
    }
    try {
      this.controller?.enqueue(bytes);
    } catch {
      // The consumer is gone; `cancel` or the abort signal ends the connection.
    }
    this.settlePull();
  }

  private endWith(end: StreamEnd): void {
    if (this.sink) {
      if (end === 'reset') this.sink.reset();
      else this.sink.end();
    } else if (end === 'reset') {
      this.controller?.error(new Error('The upstream connection was reset.'));
    } else {
      this.closeController();
    }
    this.finish(false);
  }

  private clientLeft(): void {
    if (!this.sink) this.closeController();
    this.finish(true);
  }

  private closeController(): void {
    try {
      this.controller?.close();
    } catch {
      // Already closed or errored.
    }
  }

  private settlePull(): void {
    const resolve = this.pendingPull;
    this.pendingPull = undefined;
    resolve?.();
  }

  private finish(clientGone: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.keepAliveTimer);
    this.options.signal.removeEventListener('abort', this.onAbort);
    this.options.cursor.close();
    this.settlePull();
    this.options.onClose(clientGone);
  }

  private armKeepAlive(delayMs: number): void {
    this.keepAliveTimer = setTimeout(() => {
      if (this.closed) return;
      const { keepAliveMs } = this.options;
      const quietMs = Date.now() - this.lastWriteAt;
      if (quietMs < keepAliveMs) {
        this.armKeepAlive(keepAliveMs - quietMs);
        return;
      }
      // A client that is not reading (draining) learns nothing from one more ping.
      if (!this.draining) this.write(PING);
      this.armKeepAlive(keepAliveMs);
    }, delayMs);
  }
}
