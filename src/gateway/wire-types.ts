/**
 * Shapes of the OpenAI Chat Completions wire format as the gateway speaks it (DESIGN.md §4).
 * Only the fields the gateway reads or writes are typed; chunks from OpenAI-compatible
 * upstreams may carry more, and those extra fields are passed through untouched.
 */

/** Roles the gateway accepts in a request. */
export type GatewayRole = 'system' | 'user' | 'assistant' | 'tool';

/** One tool call on an assistant message in a request's history. */
export interface GatewayToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A validated request message: `content` is always a string (text parts are joined). */
export interface GatewayMessage {
  role: GatewayRole;
  content: string;
  name?: string;
  /** On `tool` messages: the id of the call this message answers. */
  tool_call_id?: string;
  /** On `assistant` messages that called tools. */
  tool_calls?: GatewayToolCall[];
}

/** A tool-call fragment inside a streamed delta; fragments are joined by `index`. */
export interface ChunkToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

/** The `delta` of one streamed choice. */
export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string;
  tool_calls?: ChunkToolCallDelta[];
  [extra: string]: unknown;
}

/** One choice of a streamed chunk. */
export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: string | null;
  logprobs?: unknown;
  [extra: string]: unknown;
}

/** Token accounting, as in the final usage chunk. */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** `cache_write_tokens`: prompt tokens written to the provider's prompt cache (Anthropic, Bedrock). */
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; [extra: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [extra: string]: unknown };
  [extra: string]: unknown;
}

/** A `chat.completion.chunk` object, one per `data:` line. */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: CompletionUsage | null;
  system_fingerprint?: string;
  [extra: string]: unknown;
}

/** A non-streamed `chat.completion` object (the answer to `stream: false`). */
export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: {
    index: number;
    message: {
      role: 'assistant';
      content: string | null;
      refusal: string | null;
      reasoning_content?: string;
      tool_calls?: GatewayToolCall[];
    };
    finish_reason: string | null;
    logprobs: null;
  }[];
  usage?: CompletionUsage;
}

/** The body of an error envelope `{"error": {...}}` (DESIGN.md §4). */
export interface ErrorBody {
  message: string;
  type: string;
  code: string | null;
  param: string | null;
  request_id: string;
  /** Seconds to wait before retrying, where a wait applies; else null. */
  retry_after: number | null;
}

/** The error envelope sent as a JSON body before the stream, or as a `data:` line after. */
export interface ErrorEnvelope {
  error: ErrorBody;
}
