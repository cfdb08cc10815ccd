/**
 * The transport layer: the {@link ChatTransport} of `core` over `fetch`, and the protocol
 * adapters it speaks (DESIGN.md §2, §4, §4a).
 */
export { createFetchTransport } from './fetch-transport.js';
export type { FetchTransportOptions } from './fetch-transport.js';
export { createOpenAIAdapter } from './openai-adapter.js';
export { createAiSdkAdapter } from './ai-sdk-adapter.js';
export { createAnthropicAdapter } from './anthropic-adapter.js';
export { createNdjsonAdapter } from './ndjson-adapter.js';
export { createTextAdapter } from './text-adapter.js';
export { MalformedChunkError } from './protocol-adapter.js';
export type { Framing, ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
export { getProtocolAdapter, knownProtocols, loadProtocolAdapter, registerProtocolAdapter } from './protocol-registry.js';
