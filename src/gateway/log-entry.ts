import type { GatewayMessage } from './wire-types.js';

/**
 * The one structured log line written per chat request (the fields the seeds ask for: ids,
 * provider and model, tokens including cached, cost, TTFT and total latency, finish reason,
 * status and error code, retry count, attempts and fallback, hashed client). Nothing in it comes from the API key, and
 * message text only appears when `logContent` is on.
 */
export interface GatewayLogEntry {
  /** ISO 8601 time the request ended. */
  ts: string;
  level: 'info' | 'warn' | 'error';
  msg: 'chat_request';
  /** The gateway's id, also sent as `X-Request-ID` and in every error envelope. */
  request_id: string;
  /** The provider's own request id, when it sent one. */
  upstream_request_id: string | null;
  provider: string;
  model: string | null;
  path: string;
  /** HTTP status sent (499 when the client left before the response started). */
  status: number;
  stream: boolean;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  /** Prompt tokens read from the provider's cache. */
  cached_tokens: number | null;
  /** Prompt tokens written to the provider's cache (Anthropic, Bedrock). */
  cache_write_tokens: number | null;
  /** `cached_tokens / prompt_tokens` (cache reads over all prompt tokens, the seeds' formula). */
  cache_hit_rate: number | null;
  /** The answer's cost from the price table; 0 without an answer, null when the model has no price or no usage arrived. */
  cost_usd: number | null;
  /** From the request's arrival to the first content, reasoning, refusal or tool-call delta. */
  ttft_ms: number | null;
  total_latency_ms: number;
  finish_reason: string | null;
  /** Code of a pre-stream or in-band error. */
  error_code: string | null;
  /** From `X-Retry-Attempt` (or the OpenAI SDK's `X-Stainless-Retry-Count`), else 0. */
  retries: number;
  /** Hashed client id; never a raw address. */
  client: string;
  /** Whether an `Idempotency-Key` was sent (never its value). */
  idempotency_key: boolean;
  /** The client disconnected before the answer was complete. */
  client_aborted: boolean;
  /** Provider calls made for this request (fallback targets and gateway retries included). */
  attempts: number;
  /** `provider:model` of the fallback target that answered, when it was not the primary. */
  fallback_used: string | null;
  /** History messages left out to fit the context window. */
  context_trimmed: number;
  /** The request's messages; only with `logContent: true`. */
  messages?: GatewayMessage[];
  /** The streamed answer text; only with `logContent: true`. */
  output?: string;
}

/**
 * The default `onLog`: one JSON object per line on stdout, for any log shipper.
 *
 * @param entry - The entry to write.
 */
export function writeJsonLog(entry: object): void {
  console.log(JSON.stringify(entry));
}
