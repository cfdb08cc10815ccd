import type { ChatCompletionChunk, GatewayMessage } from './wire-types.js';

/**
 * A validated, provider-neutral chat request, as the handler hands it to an {@link Upstream}.
 * The client's `continue` flag is already turned into {@link UpstreamRequest.continue} and
 * never reaches a provider as a body field.
 */
export interface UpstreamRequest {
  /** A model from the allowlist (or the default model). */
  model: string;
  messages: GatewayMessage[];
  /** Already clamped to the gateway's cap; always set, so no request is unbounded. */
  maxTokens: number;
  temperature?: number;
  /** The last message is a partial assistant answer to be continued, not repeated. */
  continue: boolean;
  /**
   * Allow-listed OpenAI fields passed through as sent (`top_p`, `stop`, `tools`,
   * `tool_choice`, `response_format`, `seed`, ...). Upstreams translate what they can.
   */
  extra: Record<string, unknown>;
}

/** Per-request context an upstream may use. */
export interface UpstreamContext {
  /** The gateway's request id (also in `X-Request-ID`). */
  requestId: string;
  /** Aborted when the client disconnects or the gateway gives up; abort the provider call. */
  signal: AbortSignal;
  /** The client's request headers (the mock reads `X-Mock-Scenario` from them). */
  headers: Headers;
  /** The client's `Idempotency-Key`, if any. */
  idempotencyKey: string | undefined;
  /** The hashed client id (never a raw address). */
  clientId: string;
  /**
   * Told about every provider call a wrapping upstream (the fallback chain) makes, so the
   * log line can record the attempts and the target that answered.
   */
  onAttempt?: (attempt: UpstreamAttempt) => void;
}

/** One provider call made for a request, as reported through `UpstreamContext.onAttempt`. */
export interface UpstreamAttempt {
  provider: string;
  model: string;
  /** `ok`: the provider accepted the request; `failed`: it failed before the first token; `skipped`: its circuit breaker was open. */
  outcome: 'ok' | 'failed' | 'skipped';
  /** Error code of a failed attempt. */
  errorCode?: string | null;
}

/** An in-band error as an upstream reports it; the handler adds `request_id`. */
export interface UpstreamErrorPayload {
  message: string;
  type: string;
  code: string | null;
  retryAfterSeconds?: number;
  /** The HTTP status this error has when it is answered before the stream (not sent in-band). */
  status?: number;
}

/**
 * One item of an upstream's event stream. The handler serializes `chunk` as a `data:` line,
 * `done` as `data: [DONE]`, `error` as an in-band envelope (and then closes), `comment` as an
 * SSE comment. `keepalive` only proves the upstream is alive (resets the idle timer) and
 * writes nothing; `raw` and `reset` exist so the mock can produce broken streams on purpose.
 */
export type UpstreamEvent =
  | { type: 'chunk'; chunk: ChatCompletionChunk }
  | { type: 'done' }
  | { type: 'error'; error: UpstreamErrorPayload }
  | { type: 'comment'; text: string }
  | { type: 'keepalive' }
  | { type: 'raw'; text: string }
  | { type: 'reset' };

/**
 * What an upstream answers once the provider has accepted the request. Failures before this
 * point are thrown as a `GatewayError` so the handler can still send a proper HTTP status
 * (the "hold the 200" rule).
 */
export type UpstreamResult =
  | {
      type: 'stream';
      events: AsyncIterable<UpstreamEvent>;
      /** Set to false to suppress the handler's `: ping` comments (the silent-stall scenario). */
      keepAlive?: boolean;
      /** The provider's own request id, for the log line. */
      upstreamRequestId?: string;
    }
  | {
      /** A complete response passed to the client as is (the mock's broken-response scenarios). */
      type: 'response';
      response: Response;
    };

/**
 * A provider behind the gateway. Implementations: `createMockUpstream`,
 * `createOpenAICompatibleUpstream`, `createAnthropicUpstream`, `createGeminiUpstream`,
 * `createBedrockUpstream`, and `createFallbackUpstream` (a chain of the others); add more by
 * implementing this.
 */
export interface Upstream {
  /** Provider name for logs, e.g. `mock`, `openai-compatible`, `anthropic`. */
  readonly provider: string;
  /** Model used when a request names none. */
  readonly defaultModel: string | undefined;
  /**
   * The optional request fields (of the gateway's allowlist) this provider can express;
   * absent means all of them. Requests using any other field are refused with 400.
   */
  readonly supportedFields?: readonly string[];
  /**
   * Counts a request's prompt tokens with the provider's own counter (Anthropic's and
   * Gemini's count endpoints), for the opt-in exact pre-flight count.
   */
  countTokens?(request: UpstreamRequest, context: UpstreamContext): Promise<number>;
  /**
   * Starts one generation. Resolves once the provider answered successfully (headers and an
   * ok status); rejects with a `GatewayError` for anything that fails before that.
   */
  chat(request: UpstreamRequest, context: UpstreamContext): Promise<UpstreamResult>;
}

/**
 * The provider closed its stream before a finish: sent in-band, so the client keeps the text
 * it has and sees the answer as interrupted.
 */
export function endedEarly(): UpstreamEvent {
  return {
    type: 'error',
    error: {
      type: 'server_error',
      code: 'upstream_error',
      message: 'The AI provider closed the stream before the answer was complete.',
    },
  };
}
