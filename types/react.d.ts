// Generated from custom-elements.json by scripts/editor-support.ts; do not edit by hand.
/**
 * `<llm-chat>` in React 19 JSX. Load it once with `import type {} from 'llm-chat/react';`.
 *
 * React 19 sets a prop as a property when the element has one (every field below), else as an
 * attribute. A prop named `on` + an event name adds that listener with the name exactly as
 * written after `on`: `onllm-chat-finish` listens to `llm-chat-finish`; a camel-cased
 * `onLlmChatFinish` would listen to an event named `LlmChatFinish`, which never fires.
 */
import type { HTMLAttributes, RefAttributes } from 'react';
import type {
  LlmChat,
  LlmChatDeltaEvent,
  LlmChatErrorEvent,
  LlmChatFeedbackEvent,
  LlmChatFinishEvent,
  LlmChatFirstTokenEvent,
  LlmChatRetryEvent,
  LlmChatSendEvent,
  LlmChatToolCallEvent,
} from '../dist/types/index.js';

/** Properties of `<llm-chat>` and its `llm-chat-*` event handlers, as React 19 passes them. */
export interface LlmChatProps
  extends
    Omit<
      HTMLAttributes<LlmChat>,
      | 'endpoint'
      | 'model'
      | 'system'
      | 'maxTokens'
      | 'temperature'
      | 'protocol'
      | 'persist'
      | 'persistKey'
      | 'maxRetries'
      | 'idleTimeout'
      | 'stallTimeout'
      | 'placeholder'
      | 'withMetrics'
      | 'withoutAutoscroll'
      | 'maxToolRounds'
      | 'toolTimeout'
      | 'status'
      | 'withFeedback'
      | 'headers'
      | 'body'
      | 'fetch'
      | 'strings'
      | 'allowedImageOrigins'
      | 'tools'
      | 'suggestions'
      | 'messages'
    >,
    RefAttributes<LlmChat> {
  /** Backend URL (required). */
  endpoint?: LlmChat['endpoint'];
  /** Model name, forwarded in the request body when set. */
  model?: LlmChat['model'];
  /** System prompt, sent first in every request. */
  system?: LlmChat['system'];
  /** Completion length cap, forwarded as `max_tokens` when set (the gateway clamps it to its own cap). */
  maxTokens?: LlmChat['maxTokens'];
  /** Sampling temperature, forwarded when set. */
  temperature?: LlmChat['temperature'];
  /** Wire protocol: `openai` (default), `ai-sdk`, `anthropic`, `ndjson` or `text`. */
  protocol?: LlmChat['protocol'];
  /** Where the transcript survives: `session` (this tab), `local` (browser restarts) or `none`. */
  persist?: LlmChat['persist'];
  /** Storage key separating several chats on one page. Default: derived from `id`, else the endpoint. */
  persistKey?: LlmChat['persistKey'];
  /** Automatic retries of retryable failures before the first token. */
  maxRetries?: LlmChat['maxRetries'];
  /** Milliseconds without any byte after response headers before the stream counts as stalled. */
  idleTimeout?: LlmChat['idleTimeout'];
  /** Milliseconds without content progress (also the first-token deadline). */
  stallTimeout?: LlmChat['stallTimeout'];
  /** Composer placeholder; defaults to `strings.placeholder`. */
  placeholder?: LlmChat['placeholder'];
  /** Show TTFT and tokens per second under answers. */
  withMetrics?: LlmChat['withMetrics'];
  /** Do not follow the stream by scrolling, even when the reader is at the bottom. */
  withoutAutoscroll?: LlmChat['withoutAutoscroll'];
  /** Follow-up requests one send may make to hand tool results back (`tools`). */
  maxToolRounds?: LlmChat['maxToolRounds'];
  /** Milliseconds a tool call may run before it is aborted and the turn ends. */
  toolTimeout?: LlmChat['toolTimeout'];
  /** `idle | connecting | streaming | retrying | reconnecting | error` (reflected; read-only in practice). */
  status?: LlmChat['status'];
  /** Show thumbs up/down on finished answers; the choice fires `llm-chat-feedback` and is kept on the message. */
  withFeedback?: LlmChat['withFeedback'];
  /** Extra non-secret request headers (e.g. a CSRF token). Never put an API key here. */
  headers?: LlmChat['headers'];
  /** Extra request-body fields. */
  body?: LlmChat['body'];
  /** Custom fetch (credentials, a proxy, tests). */
  fetch?: LlmChat['fetch'];
  /** Every user-visible string, for translation; a partial object is merged over the English defaults. */
  strings?: LlmChat['strings'];
  /** Origins whose images may load in answers (others show a placeholder). */
  allowedImageOrigins?: LlmChat['allowedImageOrigins'];
  /** Tools the model may call, by name: `{description, parameters (JSON Schema), execute(args, {signal, messageId, toolCallId})}`. A tool without `execute` is handled by the page (`llm-chat-tool-call`, then `addToolResult`). */
  tools?: LlmChat['tools'];
  /** Starter prompts shown as buttons while the transcript is empty (the `empty` slot wins when used); a click sends one. */
  suggestions?: LlmChat['suggestions'];
  /** The transcript. Reading returns a copy; setting replaces it (stopping a turn in flight). */
  messages?: LlmChat['messages'];
  /** Before a request is made (cancelable). `detail: {message, request}`. */
  'onllm-chat-send'?: (event: LlmChatSendEvent) => void;
  /** The first visible text arrived. `detail: {messageId, ttftMs}`. */
  'onllm-chat-first-token'?: (event: LlmChatFirstTokenEvent) => void;
  /** Every text delta. `detail: {messageId, text}`. */
  'onllm-chat-delta'?: (event: LlmChatDeltaEvent) => void;
  /** A tool call's arguments are complete. `detail: {messageId, toolCall}`. */
  'onllm-chat-tool-call'?: (event: LlmChatToolCallEvent) => void;
  /** An automatic retry is scheduled. `detail: {messageId, attempt, delayMs, error}`. */
  'onllm-chat-retry'?: (event: LlmChatRetryEvent) => void;
  /** A turn ended, in any state. `detail: {message}`. */
  'onllm-chat-finish'?: (event: LlmChatFinishEvent) => void;
  /** A turn ended `error` or `interrupted`. `detail: {message, error}`. */
  'onllm-chat-error'?: (event: LlmChatErrorEvent) => void;
  /** The reader rated an answer (`with-feedback`). `detail: {messageId, value}` (`up`, `down` or `null`). */
  'onllm-chat-feedback'?: (event: LlmChatFeedbackEvent) => void;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'llm-chat': LlmChatProps;
    }
  }
}
