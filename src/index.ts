/** The public API without side effects: importing this does not register `<llm-chat>`. */
export { LlmChat } from './element/llm-chat.component.js';
export type { LlmChatPersist } from './element/llm-chat.component.js';
export {
  LlmChatDeltaEvent,
  LlmChatErrorEvent,
  LlmChatFeedbackEvent,
  LlmChatFinishEvent,
  LlmChatFirstTokenEvent,
  LlmChatRetryEvent,
  LlmChatSendEvent,
  LlmChatToolCallEvent,
} from './element/events.js';
export type {
  LlmChatDeltaDetail,
  LlmChatErrorDetail,
  LlmChatFeedbackDetail,
  LlmChatFinishDetail,
  LlmChatFirstTokenDetail,
  LlmChatRetryDetail,
  LlmChatSendDetail,
  LlmChatToolCallDetail,
} from './element/events.js';
export { defaultStrings } from './element/strings.js';
export type { LlmChatStrings, LlmChatStringsInput } from './element/strings.js';
export { ChatController } from './element/chat-controller.js';
export type {
  ChatError,
  ChatErrorKind,
  ChatErrorPhase,
  ChatMessage,
  ChatMessageStatus,
  ChatMetrics,
  ChatRequest,
  ChatRole,
  ChatToolCall,
} from './core/types.js';
export { registerProtocolAdapter } from './transport/protocol-registry.js';
export type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './transport/protocol-adapter.js';
