import type { ChatRequestInput } from '../core/chat-transport.js';
import type { ChatEvent, WireError } from '../core/types.js';

/**
 * How a response body is cut into frames before a decoder sees them: server-sent events,
 * newline-delimited JSON (Ollama), or plain text (every network chunk is a frame).
 */
export type Framing = 'sse' | 'ndjson' | 'text';

/** One frame of a response body. For `ndjson` and `text`, only `data` is set. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
  id?: string | undefined;
}

/**
 * Turns one response's frames into normalized {@link ChatEvent}s. A decoder lives for one
 * response only, because protocols keep state across frames (tool-call fragments are
 * assembled by index, for instance).
 */
export interface ProtocolDecoder {
  /** Decodes one frame into zero or more events. Throws `MalformedChunkError` when the data cannot be parsed. */
  decode(message: SseMessage): ChatEvent[];
  /**
   * The body ended cleanly: emits whatever is still pending (an unfinished tool call, say),
   * and for protocols whose only end marker is the end of the body, the `finish`.
   */
  flush(): ChatEvent[];
}

/**
 * A wire protocol: everything protocol-specific about a request lives here, so adding a
 * protocol means adding an adapter (and a registry entry), nothing else (DESIGN.md §2, §4a).
 */
export interface ProtocolAdapter {
  /** The name used by the element's `protocol` attribute. */
  readonly name: string;
  readonly framing: Framing;
  /** The request's `Accept` header. */
  readonly accept: string;
  /** Whether a 2xx response with this `Content-Type` is the stream (else it is read as an error body). */
  isStream(contentType: string): boolean;
  /** The request body (JSON) for one logical request. */
  encodeRequest(input: ChatRequestInput): Record<string, unknown>;
  createDecoder(): ProtocolDecoder;
  /**
   * Reads an error body: the parsed JSON when it was JSON, else its text (never HTML: an HTML
   * body is never handed over).
   */
  decodeError(body: unknown): WireError;
}

/** Thrown by a decoder for a frame it cannot parse; the transport ends the stream with it. */
export class MalformedChunkError extends Error {
  constructor(readonly data: string) {
    super('The server sent a chunk that is not valid JSON.');
    this.name = 'MalformedChunkError';
  }
}

/** `text/event-stream`, with or without parameters. */
export function isEventStream(contentType: string): boolean {
  return /^\s*text\/event-stream\b/i.test(contentType);
}
