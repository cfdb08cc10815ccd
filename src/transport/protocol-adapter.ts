import type { ChatEvent } from '../core/types.js';

/** One server-sent event as the SSE parser hands it over. */
export interface SseMessage {
  event?: string | undefined;
  data: string;
  id?: string | undefined;
}

/**
 * Turns one response's SSE messages into normalized {@link ChatEvent}s. A decoder lives for
 * one response only, because protocols keep state across messages (tool-call fragments are
 * assembled by index, for instance).
 */
export interface ProtocolDecoder {
  /** Decodes one SSE message into zero or more events. Throws `MalformedChunkError` when the data cannot be parsed. */
  decode(message: SseMessage): ChatEvent[];
  /** Emits whatever is still pending when the stream ends (an unfinished tool call, say). */
  flush(): ChatEvent[];
}

/**
 * A wire protocol. The transport is protocol-agnostic; adding a protocol means adding an
 * adapter, nothing else.
 */
export interface ProtocolAdapter {
  /** The name used by the element's `protocol` attribute. */
  readonly name: string;
  createDecoder(): ProtocolDecoder;
}

/** Thrown by a decoder for a chunk it cannot parse; the transport ends the stream with it. */
export class MalformedChunkError extends Error {
  constructor(readonly data: string) {
    super('The server sent a chunk that is not valid JSON.');
    this.name = 'MalformedChunkError';
  }
}
