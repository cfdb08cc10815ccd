import type { ChatRequestInput, ChatTransport } from '../core/chat-transport.js';
import type { ChatRequest } from '../core/types.js';
import type { ProtocolAdapter } from './protocol-adapter.js';
import { resumeChat, stopStream, streamChat } from './stream-chat.js';

export interface FetchTransportOptions {
  /** The wire protocol. */
  adapter: ProtocolAdapter;
  /** Custom fetch (credentials, a proxy, tests). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
}

/**
 * The {@link ChatTransport} core asks for, over `fetch`: the adapter encodes the body and
 * decodes the stream and error bodies; {@link streamChat} does everything in between.
 */
export function createFetchTransport(options: FetchTransportOptions): ChatTransport {
  const { adapter } = options;
  return {
    protocol: adapter.name,
    createRequest(input: ChatRequestInput): ChatRequest {
      return {
        url: input.url,
        headers: { ...input.headers, 'Content-Type': 'application/json', Accept: adapter.accept },
        body: adapter.encodeRequest(input),
      };
    },
    stream(request, streamOptions) {
      return streamChat(request, { adapter, fetch: options.fetch, ...streamOptions });
    },
    resume(request, cursor, streamOptions) {
      return resumeChat(request, cursor, { adapter, fetch: options.fetch, ...streamOptions });
    },
    stop(request, streamId) {
      return stopStream(request, streamId, options.fetch);
    },
  };
}
