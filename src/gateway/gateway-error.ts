import type { UpstreamErrorPayload } from './upstream.js';
import type { ErrorEnvelope } from './wire-types.js';

/** What a {@link GatewayError} is built from. */
export interface GatewayErrorInit {
  /** HTTP status for a pre-stream response. */
  status: number;
  /** Error `type` in the envelope, e.g. `rate_limit_error`, `invalid_request_error`. */
  type: string;
  /** Stable machine-readable `code` (DESIGN.md §4 lists the ones the gateway emits). */
  code: string | null;
  /** Safe, human-readable text; never contains secrets or raw upstream HTML. */
  message: string;
  /** The request field at fault, when there is one. */
  param?: string | null;
  /** Seconds the client should wait before retrying, where a wait applies. */
  retryAfterSeconds?: number;
  /** The provider's own request id, kept for the log line only. */
  upstreamRequestId?: string;
}

/**
 * An error the gateway answers with: before the stream as an HTTP status plus JSON envelope,
 * after it as an in-band `data: {"error": ...}` line. Everything that can fail in the gateway
 * or an upstream ends up as one of these, so that clients see a single envelope shape.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly upstreamRequestId: string | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.upstreamRequestId = init.upstreamRequestId;
  }

  /**
   * The envelope for this error.
   *
   * @param requestId - The gateway's request id, echoed so users can quote it to support.
   * @returns `{"error": {message, type, code, param, request_id, retry_after}}`.
   */
  toEnvelope(requestId: string): ErrorEnvelope {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: this.code,
        param: this.param,
        request_id: requestId,
        retry_after: this.retryAfterSeconds ?? null,
      },
    };
  }

  /**
   * This error as an upstream's in-band error event, for failures after the stream started.
   *
   * @returns The payload of an upstream `error` event.
   */
  toPayload(): UpstreamErrorPayload {
    return {
      message: this.message,
      type: this.type,
      code: this.code,
      status: this.status,
      ...(this.retryAfterSeconds !== undefined ? { retryAfterSeconds: this.retryAfterSeconds } : {}),
    };
  }

  /**
   * Rebuilds an error from an in-band payload that was read before anything reached the
   * client, so it can still be answered with an HTTP status (or handed to the fallback chain).
   *
   * @param payload - The upstream's in-band error.
   * @returns The error; status 502 when the payload names none.
   */
  static fromPayload(payload: UpstreamErrorPayload): GatewayError {
    return new GatewayError({
      status: payload.status ?? 502,
      type: payload.type,
      code: payload.code,
      message: payload.message,
      ...(payload.retryAfterSeconds !== undefined ? { retryAfterSeconds: payload.retryAfterSeconds } : {}),
    });
  }
}

/**
 * Builds the 400 `invalid_request` error used for every validation failure.
 *
 * @param message - What is wrong and how to fix it.
 * @param param - The offending field, e.g. `messages[3].role`.
 * @returns A {@link GatewayError} with status 400.
 */
export function invalidRequest(message: string, param: string | null = null): GatewayError {
  return new GatewayError({ status: 400, type: 'invalid_request_error', code: 'invalid_request', message, param });
}

/**
 * The provider's stream broke after it had started (a reset, a read failure).
 *
 * @returns A {@link GatewayError} 502 `upstream_error`, sent in-band once the stream has started.
 */
export function connectionLost(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: 'The connection to the AI provider was lost while generating the answer.',
  });
}

/**
 * The provider went silent mid-stream for longer than the gateway's idle timeout.
 *
 * @param idleMs - The silence allowed.
 * @returns A {@link GatewayError} 504 `upstream_timeout`: an HTTP status before the stream
 * started (`stream: false`), the in-band error after.
 */
export function upstreamIdleTimeout(idleMs: number): GatewayError {
  return new GatewayError({
    status: 504,
    type: 'timeout_error',
    code: 'upstream_timeout',
    message: `The AI provider sent nothing for ${Math.round(idleMs / 1000)} s; the answer was abandoned.`,
  });
}
