import { createParser } from 'eventsource-parser';
import type { Framing, SseMessage } from './protocol-adapter.js';

export interface FrameParser {
  /** Feeds decoded text; complete frames are handed to `onFrame` synchronously. */
  feed(text: string): void;
  /** The body ended cleanly: a last unterminated NDJSON line still counts; an unterminated SSE event does not. */
  end(): void;
}

export interface FrameParserOptions {
  onFrame(frame: SseMessage): void;
  /** A single frame grew past `maxFrameSize` characters. */
  onOversize(): void;
  maxFrameSize: number;
}

/**
 * Cuts decoded text into frames for one {@link Framing}, with a bounded buffer: a server that
 * never sends a newline cannot make the client hold an unbounded string.
 */
export function createFrameParser(framing: Framing, options: FrameParserOptions): FrameParser {
  if (framing === 'sse') {
    const parser = createParser({
      maxBufferSize: options.maxFrameSize,
      onEvent: (message) => options.onFrame(message),
      onError: (error) => {
        if (error.type === 'max-buffer-size-exceeded') options.onOversize();
      },
    });
    return { feed: (text) => parser.feed(text), end: () => undefined };
  }
  if (framing === 'text') {
    return { feed: (text) => text !== '' && options.onFrame({ data: text }), end: () => undefined };
  }
  let line = '';
  const emit = (text: string) => {
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() !== '') options.onFrame({ data: trimmed });
  };
  return {
    feed(text) {
      let start = 0;
      for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
        emit(line + text.slice(start, newline));
        line = '';
        start = newline + 1;
      }
      line += text.slice(start);
      if (line.length > options.maxFrameSize) {
        line = '';
        options.onOversize();
      }
    },
    end() {
      emit(line);
      line = '';
    },
  };
}
