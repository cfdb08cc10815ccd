/**
 * The framework-free core: one conversation (`ChatSession`), its persistence (`ChatStore`),
 * error classification, and the transport interface it needs (DESIGN.md §2).
 */
export { ChatSession, SESSION_DEFAULTS, snapshot } from './chat-session.js';
export type { ChatSessionCallbacks, ChatSessionConfig, ChatSessionOptions, ChatSessionStatus } from './chat-session.js';
export type { ChatRequestInput, ChatTransport, ResponseMeta, TransportStreamOptions, WireMessage, WireTool } from './chat-transport.js';
export { ChatStore } from './chat-store.js';
export type { ChatStoreOptions, PersistMode, StorageUnavailableReason } from './chat-store.js';
export { classifyError, defaultErrorMessages } from './classify-error.js';
export { systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { statusForFinishReason } from './finish-reason.js';
export { historyFor } from './history.js';
export { canContinue, canRetry } from './message-actions.js';
export type {
  ChatError,
  ChatErrorKind,
  ChatErrorPhase,
  ChatEvent,
  ChatMessage,
  ChatMessageStatus,
  ChatMetrics,
  ChatRequest,
  ChatRole,
  ChatTerminalStatus,
  ChatToolCall,
  WireError,
} from './types.js';
