export { ChatSession, snapshot } from './chat-session.js';
export type { ChatSessionCallbacks, ChatSessionConfig, ChatSessionOptions, ChatSessionStatus } from './chat-session.js';
export { ChatStore } from './chat-store.js';
export type { ChatStoreOptions, PersistMode, StorageUnavailableReason } from './chat-store.js';
export { classifyError, defaultErrorMessages } from './classify-error.js';
export { sleep, systemClock } from './clock.js';
export type { Clock } from './clock.js';
export { createId } from './create-id.js';
export { statusForFinishReason } from './finish-reason.js';
export { createOverlapTrimmer } from './overlap-trimmer.js';
export { buildRequestBody, historyFor } from './request-body.js';
export type { RequestBodyOptions, WireMessage } from './request-body.js';
export { createRetryPolicy } from './retry-policy.js';
export type { RetryDecision, RetryPolicy, RetryPolicyOptions } from './retry-policy.js';
export { Watchdog } from './watchdog.js';
export type { WatchdogOptions, WatchdogReason } from './watchdog.js';
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
