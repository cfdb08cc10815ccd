import type { FrameBatch, FrameReader } from './stream-buffer.js';
import { eventId } from './stream-id.js';

/** Options of {@link createStreamBody}. */
export interface StreamBodyOptions {
  /** Written into each data frame's `id: <streamId>:<seq>`. */
  streamId: string;
  /** The connection's cursor over the generation's frames. */
  reader: FrameReader;
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

const encoder = new TextEncoder();

/**
 * The body of one SSE connection to a generation: the original response, or a resume
 * (DESIGN.md §4b). Frames come from a {@link FrameReader}; each data frame is written with
 * its `id:` line, and every frame that is ready when the client asks for more goes out in one
 * write, so a burst costs one syscall rather than one per token. `: ping` keep-alives are
 * per connection and carry no id.
 *
 * The body is pull-driven: the reader advances only as fast as the client reads, which is
 * what lets the generation apply backpressure to the provider. A reset end errors the body,
 * which the Node adapter turns into a real connection reset.
 *
 * @param options - Stream id, reader, keep-alive policy and close callback.
 * @returns The response body.
 */
export function createStreamBody(options: StreamBodyOptions): ReadableStream<Uint8Array> {
  const { streamId, reader } = options;
  const stopReading = new AbortController();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let closed = false;
  let keepAliveTimer: ReturnType<typeof setTimeout> | undefined;

  function finish(clientGone: boolean): void {
    if (closed) return;
    closed = true;
    clearTimeout(keepAliveTimer);
    options.signal.removeEventListener('abort', onClientAbort);
    stopReading.abort();
    reader.close();
    options.onClose(clientGone);
  }

  function onClientAbort(): void {
    try {
      controller?.close();
    } catch {
      // Already closed or errored.
    }
    finish(true);
  }

  function armKeepAlive(): void {
    if (!options.keepAlive || closed) return;
    clearTimeout(keepAliveTimer);
    keepAliveTimer = setTimeout(() => {
      if (closed) return;
      enqueue(': ping\n\n');
    }, options.keepAliveMs);
  }

  function enqueue(text: string): void {
    try {
      controller?.enqueue(encoder.encode(text));
    } catch {
      // The consumer is gone; `cancel` or the abort signal ends the connection.
    }
    armKeepAlive();
  }

  function write(batch: FrameBatch): void {
    if (batch.frames.length === 0) return;
    let text = '';
    for (const frame of batch.frames) {
      text += frame.kind === 'data' ? `id: ${eventId(streamId, frame.seq)}\n${frame.text}` : frame.text;
    }
    enqueue(text);
  }

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (options.signal.aborted) {
        onClientAbort();
        return;
      }
      options.signal.addEventListener('abort', onClientAbort, { once: true });
      armKeepAlive();
    },
    async pull() {
      // Loop until something was written: a pull that enqueues nothing would never be
      // called again for a reader already waiting.
      while (!closed) {
        const batch = await reader.next(stopReading.signal);
        if (closed) return;
        write(batch);
        if (batch.end === 'reset') {
          controller?.error(new Error('The upstream connection was reset.'));
          finish(false);
          return;
        }
        if (batch.end) {
          try {
            controller?.close();
          } catch {
            // Already closed.
          }
          finish(false);
          return;
        }
        if (batch.frames.length > 0) return;
      }
    },
    cancel() {
      finish(true);
    },
  });
}
