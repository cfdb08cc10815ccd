import type { ChatError, ChatMessage, ChatRequest, ChatToolCall } from '../core/types.js';

/** Every llm-chat event bubbles and crosses shadow roots, so a page can listen on any ancestor. */
const init = { bubbles: true, composed: true } as const;

export interface LlmChatSendDetail {
  message: ChatMessage;
  /** The request about to be made; listeners may add headers or body fields. */
  request: ChatRequest;
}
/** Before a request is made. Cancelable: `preventDefault()` keeps the message unsent. */
export class LlmChatSendEvent extends CustomEvent<LlmChatSendDetail> {
  constructor(detail: LlmChatSendDetail) {
    super('llm-chat-send', { ...init, cancelable: true, detail });
  }
}

export interface LlmChatFirstTokenDetail {
  messageId: string;
  /** From `send()` to the first visible text, retries included. */
  ttftMs: number;
}
export class LlmChatFirstTokenEvent extends CustomEvent<LlmChatFirstTokenDetail> {
  constructor(detail: LlmChatFirstTokenDetail) {
    super('llm-chat-first-token', { ...init, detail });
  }
}

export interface LlmChatDeltaDetail {
  messageId: string;
  text: string;
}
/** Every text delta, e.g. for text-to-speech or logging. */
export class LlmChatDeltaEvent extends CustomEvent<LlmChatDeltaDetail> {
  constructor(detail: LlmChatDeltaDetail) {
    super('llm-chat-delta', { ...init, detail });
  }
}

export interface LlmChatToolCallDetail {
  messageId: string;
  toolCall: ChatToolCall;
}
/** A tool call whose arguments are complete, while text may still stream. */
export class LlmChatToolCallEvent extends CustomEvent<LlmChatToolCallDetail> {
  constructor(detail: LlmChatToolCallDetail) {
    super('llm-chat-tool-call', { ...init, detail });
  }
}

export interface LlmChatRetryDetail {
  messageId: string;
  /** 1 for the first automatic retry. */
  attempt: number;
  delayMs: number;
  error: ChatError;
}
export class LlmChatRetryEvent extends CustomEvent<LlmChatRetryDetail> {
  constructor(detail: LlmChatRetryDetail) {
    super('llm-chat-retry', { ...init, detail });
  }
}

export interface LlmChatFinishDetail {
  message: ChatMessage;
}
/** Every terminal state of a turn, with the message, its status and metrics. */
export class LlmChatFinishEvent extends CustomEvent<LlmChatFinishDetail> {
  constructor(detail: LlmChatFinishDetail) {
    super('llm-chat-finish', { ...init, detail });
  }
}

export interface LlmChatErrorDetail {
  message: ChatMessage;
  error: ChatError;
}
/** A turn ended `error` or `interrupted`. */
export class LlmChatErrorEvent extends CustomEvent<LlmChatErrorDetail> {
  constructor(detail: LlmChatErrorDetail) {
    super('llm-chat-error', { ...init, detail });
  }
}

export interface LlmChatFeedbackDetail {
  messageId: string;
  /** The reader's rating; `null` when they took it back. */
  value: 'up' | 'down' | null;
}
/** The reader rated an answer (`with-feedback`); the choice is kept on the message as `feedback`. */
export class LlmChatFeedbackEvent extends CustomEvent<LlmChatFeedbackDetail> {
  constructor(detail: LlmChatFeedbackDetail) {
    super('llm-chat-feedback', { ...init, detail });
  }
}

declare global {
  interface HTMLElementEventMap {
    'llm-chat-send': LlmChatSendEvent;
    'llm-chat-first-token': LlmChatFirstTokenEvent;
    'llm-chat-delta': LlmChatDeltaEvent;
    'llm-chat-tool-call': LlmChatToolCallEvent;
    'llm-chat-retry': LlmChatRetryEvent;
    'llm-chat-finish': LlmChatFinishEvent;
    'llm-chat-error': LlmChatErrorEvent;
    'llm-chat-feedback': LlmChatFeedbackEvent;
  }
}
