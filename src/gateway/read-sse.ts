import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';

/** One parsed item of an upstream SSE stream. */
export type SseItem = { kind: 'event'; event: string | undefined; data: string } | { kind: 'comment'; text: string };

/** Options of {@link readSse}. */
export interface ReadSseOptions {
  /**
   * Largest partial line or event buffered before giving up, in characters. A provider that
   * never sends a newline must not grow our memory without bound.
   * @defaultValue 1048576
   */
  maxBufferSize?: number;
}

/**
 * Parses an SSE body into events and comments as bytes arrive. Decoding is streaming UTF-8,
 * so a character split across network chunks comes out whole.
 *
 * @param body - The upstream response body.
 * @param options - Buffer bound.
 * @returns An async iterable; it throws when the body errors (connection lost) or the buffer
 * bound is exceeded, and releases the body when the consumer stops early.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, options: ReadSseOptions = {}): AsyncGenerator<SseItem, void, undefined> {
  const pending: SseItem[] = [];
  let parseFailure: Error | undefined;
  const parser = createParser({
    maxBufferSize: options.maxBufferSize ?? 1_048_576,
    onEvent: (message: EventSourceMessage) => pending.push({ kind: 'event', event: message.event, data: message.data }),
    onComment: (text: string) => pending.push({ kind: 'comment', text }),
    onError: (error) => {
      // Unknown fields are harmless noise from some proxies; only a blown buffer is fatal.
      if (error.type === 'max-buffer-size-exceeded') parseFailure = error;
    },
  });
  const decoder = new TextDecoder();
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      if (text) parser.feed(text);
      if (done) parser.reset({ consume: true });
      if (parseFailure) throw parseFailure;
      while (pending.length > 0) yield pending.shift() as SseItem;
      if (done) return;
    }
  } finally {
    // Stopping early (client gone, in-band error) must free the upstream connection.
    reader.cancel().catch(() => {});
  }
}
