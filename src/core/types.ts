import type { ErrorKind } from '../wire/error-rules.js';

/**
 * The public data shapes of llm-chat (DESIGN.md §3). Everything else in `core`,
 * `transport` and the element is written against these.
 */

/** Who wrote a message. */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

/**
 * Lifecycle of a message. User messages are `complete` once sent; assistant messages move
 * `pending` → `streaming` → one terminal state.
 */
export type ChatMessageStatus =
  'pending' | 'streaming' | 'complete' | 'truncated' | 'filtered' | 'tool_calls' | 'stopped' | 'interrupted' | 'error';

/** The terminal subset of {@link ChatMessageStatus}. */
export type ChatTerminalStatus = Exclude<ChatMessageStatus, 'pending' | 'streaming'>;

/** What went wrong, in terms of the action a user can take (DESIGN.md §5). */
export type ChatErrorKind = ErrorKind;

/** Whether a failure happened before any output (`pre_stream`) or after it started. */
export type ChatErrorPhase = 'pre_stream' | 'mid_stream';

export interface ChatError {
  kind: ChatErrorKind;
  /** Safe, human-readable; never raw HTML from a response body. */
  message: string;
  status?: number;
  type?: string;
  code?: string;
  requestId?: string;
  retryAfterMs?: number;
  /** Whether the same request could succeed if sent again, whatever the phase. */
  retryable: boolean;
  phase: ChatErrorPhase;
}

export interface ChatToolCall {
  id: string;
  name: string;
  /** The raw JSON arguments string as the model produced it. */
  arguments: string;
  /**
   * Where the tool loop is with this call (DESIGN.md §3a): `interrupted` when the page was
   * closed while it ran (Retry runs it again).
   */
  status?: 'running' | 'done' | 'error' | 'cancelled' | 'interrupted';
  /** The result as sent back to the model (`{"error": …}` for an error result). */
  result?: string;
  /** How long the tool took. */
  durationMs?: number;
}

export interface ChatMetrics {
  /** From `send()` to the first visible text, retries included: what the user waited. */
  ttftMs?: number;
  /** From the start of the successful attempt to its response headers. */
  ttfbMs?: number;
  /** From `send()` to the end of the turn. */
  durationMs?: number;
  tokensPerSecond?: number;
  /** True when `tokensPerSecond`/`completionTokens` are estimated (no usage chunk). */
  estimated?: boolean;
  promptTokens?: number;
  completionTokens?: number;
  cachedTokens?: number;
  requestId?: string;
  model?: string;
  /** How long the model reasoned before it answered (from its first to its last reasoning token). */
  reasoningMs?: number;
  /** History messages the server left out of this request to fit the model's context window. */
  contextTrimmed?: number;
  /** Requests made for this message (1 without retries). */
  attempts: number;
  /** Times a dropped stream was picked up again where it was cut (DESIGN.md §4b); not new requests. */
  resumes?: number;
}

export interface ChatMessage {
  id: string;
  role: ChatRole;
  content: string;
  status: ChatMessageStatus;
  /** Set for `error`, `interrupted`, and for `filtered`. */
  error?: ChatError;
  /** Raw `finish_reason` from the wire, for diagnostics. */
  finishReason?: string;
  toolCalls?: ChatToolCall[];
  /** On `tool` messages: the id of the call this result answers. */
  toolCallId?: string;
  reasoning?: string;
  /** Times Retry replaced this answer. */
  regenerations?: number;
  /**
   * While an answer streams from a resumable stream (DESIGN.md §4b): its id and the last event
   * delivered, so that after a reload the answer can be picked up again. Removed when it ends.
   */
  resumeFrom?: { streamId: string; lastEventId?: string };
  /** The reader's rating of this answer (`with-feedback`). */
  feedback?: 'up' | 'down';
  metrics?: ChatMetrics;
  createdAt: number;
}

/**
 * A normalized stream event, produced by a protocol adapter from whatever the wire carries
 * (DESIGN.md §2 data flow). Core never sees protocol-specific chunks.
 */
export type ChatEvent =
  /** `contextTrimmed`: history messages the server left out to fit the model's context window. */
  | { type: 'meta'; requestId?: string; model?: string; contextTrimmed?: number }
  | { type: 'delta'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'refusal'; text: string }
  /** `index` orders calls as the model wrote them, when they complete out of order. */
  | { type: 'tool-call'; toolCall: ChatToolCall; index?: number }
  | { type: 'usage'; promptTokens?: number; completionTokens?: number; cachedTokens?: number }
  | { type: 'finish'; reason: string }
  | { type: 'error'; error: WireError }
  | { type: 'done' };

/**
 * An error as the wire describes it, before classification into a {@link ChatError}:
 * an HTTP status and/or an OpenAI-style `{"error": {...}}` envelope.
 */
export interface WireError {
  status?: number;
  message?: string;
  type?: string;
  code?: string;
  param?: string;
  requestId?: string;
  /** From `Retry-After`, `retry-after-ms` or the body's `retry_after`, in ms. */
  retryAfterMs?: number;
  /** The body was HTML or otherwise not an envelope (the text is never shown). */
  unparsedBody?: boolean;
  /** The transport-level cause: `network` (fetch/read failed), `eof` (ended without terminal event), `not_sse`, `malformed`. */
  cause?: 'network' | 'eof' | 'not_sse' | 'malformed' | 'in_band' | 'http';
}

/** Request as sent on the wire (DESIGN.md §4). */
export interface ChatRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}
