import type { ChatTransport } from './chat-transport.js';
import type { Clock } from './clock.js';
import type { ChatTools } from './tool-runner.js';
import type { ChatError, ChatMessage, ChatRequest, ChatToolCall } from './types.js';

/** The session-level state the element reflects as its `status` attribute. */
export type ChatSessionStatus = 'idle' | 'connecting' | 'streaming' | 'retrying' | 'reconnecting' | 'error';

/** Settings read at the start of every request, so the element can change them at any time. */
export interface ChatSessionConfig {
  /** Backend URL (required to send). */
  endpoint: string;
  /** Encodes requests and streams responses; required to send. */
  transport: ChatTransport | undefined;
  model?: string | undefined;
  system?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  /** Extra non-secret request headers. */
  headers?: Record<string, string> | undefined;
  /** Extra request-body fields. */
  body?: Record<string, unknown> | undefined;
  /** Tools the model may call (DESIGN.md §3a). */
  tools?: ChatTools | undefined;
  /** @defaultValue 2 */
  maxRetries: number;
  /** @defaultValue 45000 */
  idleTimeoutMs: number;
  /** @defaultValue 120000 */
  stallTimeoutMs: number;
  /** After this long without a first token the UI says "Still waiting…". @defaultValue 15000 */
  waitingHintMs: number;
  /** Follow-up requests one send may make for tool results. @defaultValue 5 */
  maxToolRounds: number;
  /** Wall-clock cap per tool call. @defaultValue 30000 */
  toolTimeoutMs: number;
}

/** The defaults of {@link ChatSessionConfig}, which the element's attributes document too. */
export const SESSION_DEFAULTS = {
  maxRetries: 2,
  idleTimeoutMs: 45_000,
  stallTimeoutMs: 120_000,
  waitingHintMs: 15_000,
  maxToolRounds: 5,
  toolTimeoutMs: 30_000,
} as const;

export interface ChatSessionCallbacks {
  /** Something visible changed: the transcript, the status, the countdown or the hint. */
  onChange?: () => void;
  /** Before a request is made; return false to cancel the send. The request may be edited. */
  onSend?: (detail: { message: ChatMessage; request: ChatRequest }) => boolean;
  onFirstToken?: (detail: { messageId: string; ttftMs: number }) => void;
  onDelta?: (detail: { messageId: string; text: string }) => void;
  onToolCall?: (detail: { messageId: string; toolCall: ChatToolCall }) => void;
  onRetry?: (detail: { messageId: string; attempt: number; delayMs: number; error: ChatError }) => void;
  onFinish?: (detail: { message: ChatMessage }) => void;
  onError?: (detail: { message: ChatMessage; error: ChatError }) => void;
}

export interface ChatSessionOptions extends Partial<ChatSessionConfig>, ChatSessionCallbacks {
  /** @defaultValue the system clock */
  clock?: Clock;
  /** Randomness for retry jitter. @defaultValue Math.random */
  random?: () => number;
}
