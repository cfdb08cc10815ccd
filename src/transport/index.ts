export { streamChat } from './stream-chat.js';
export type { ResponseInfo, StreamChatOptions } from './stream-chat.js';
export { createOpenAIAdapter, wireErrorFrom } from './openai-adapter.js';
export { MalformedChunkError } from './protocol-adapter.js';
export type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
export { getProtocolAdapter, registerProtocolAdapter } from './protocol-registry.js';
