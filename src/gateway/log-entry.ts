import type { GatewayMessage } from './wire-types.js';

/**
 * The one structured log line written per chat request (the fields the seeds ask for: ids,
 * provider and model, tokens including cached, TTFT and total latency, finish reason, status
 * and error code, retry count, hashed client). Nothing in it comes from the API key, and
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
  cached_tokens: number | null;
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
export function writeJsonLog(entry: GatewayLogEntry): void {
  console.log(JSON.stringify(entry));
}
