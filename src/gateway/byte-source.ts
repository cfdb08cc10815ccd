/** Receives a {@link ByteSource}'s bytes. */
export interface ByteSink {
  data(chunk: Uint8Array): void;
  end(): void;
  error(error: unknown): void;
}

/**
 * A provider response body read by push: bytes are handed over as the network delivers them,
 * with pause and resume for backpressure. Built over a Node `IncomingMessage` (the gateway's
 * own keep-alive transport) or a Web `ReadableStream` (`fetch`, other runtimes).
 */
export interface ByteSource {
  /** Starts reading (once). */
  start(sink: ByteSink): void;
  pause(): void;
  resume(): void;
  /** Stops reading and closes the connection. */
  cancel(): void;
  /**
   * Reads the rest of the body without handing it over (`end` is still reported), so a
   * keep-alive connection can be reused once the answer's last event has been seen.
   */
  drain(): void;
}

/**
 * A {@link ByteSource} over a Web stream (a `fetch` response body).
 *
 * @param stream - The body.
 * @returns The source.
 */
export function byteSourceFromStream(stream: ReadableStream<Uint8Array>): ByteSource {
  const reader = stream.getReader();
  let sink: ByteSink | undefined;
  let paused = false;
  let stopped = false;
  let discard = false;
  let reading = false;

  const pump = async (): Promise<void> => {
    if (reading || !sink) return;
    reading = true;
    try {
      while (!paused && !stopped) {
        const { done, value } = await reader.read();
        if (stopped) return;
        if (done) {
          stopped = true;
          sink.end();
          return;
        }
        if (!discard) sink.data(value);
      }
    } catch (error) {
      if (!stopped) {
        stopped = true;
        sink.error(error);
      }
    } finally {
      reading = false;
    }
  };

  return {
    start(target) {
      sink = target;
      void pump();
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      void pump();
    },
    cancel() {
      if (stopped) return;
      stopped = true;
      reader.cancel().catch(() => {});
    },
    drain() {
      discard = true;
      paused = false;
      void pump();
    },
  };
}
