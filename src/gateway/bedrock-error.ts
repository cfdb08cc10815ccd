import { GatewayError } from './gateway-error.js';
import { mapUpstreamError } from './map-upstream-error.js';

/**
 * Bedrock exception names → the OpenAI-style `code`/`type` the shared rule table
 * (`src/wire/error-rules.ts`) understands. `ValidationException` is left to the table's
 * message rule, so a context-window message becomes `context_length_exceeded` and anything
 * else `invalid_request`.
 */
const EXCEPTIONS: Readonly<Record<string, { code?: string; type: string }>> = {
  ThrottlingException: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
  ServiceQuotaExceededException: { code: 'rate_limit_exceeded', type: 'rate_limit_error' },
  ServiceUnavailableException: { code: 'upstream_overloaded', type: 'overloaded_error' },
  ModelNotReadyException: { code: 'upstream_overloaded', type: 'overloaded_error' },
  ModelTimeoutException: { code: 'upstream_timeout', type: 'timeout_error' },
  ValidationException: { type: 'invalid_request_error' },
  AccessDeniedException: { code: 'permission_denied', type: 'permission_error' },
  UnrecognizedClientException: { code: 'invalid_api_key', type: 'authentication_error' },
  InvalidSignatureException: { code: 'invalid_api_key', type: 'authentication_error' },
  ExpiredTokenException: { code: 'invalid_api_key', type: 'authentication_error' },
  ResourceNotFoundException: { type: 'not_found_error' },
  InternalServerException: { type: 'server_error' },
  ModelErrorException: { type: 'server_error' },
  ModelStreamErrorException: { type: 'server_error' },
};

/** What the AWS SDK throws: a named error with `$metadata` (HTTP status, request id). */
interface AwsError {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $fault?: unknown;
}

/**
 * Translates an exception from the Bedrock runtime (thrown by the AWS SDK before the stream,
 * or while iterating it) into the gateway's envelope: `ThrottlingException` → 429
 * `rate_limit_exceeded`; `ServiceUnavailableException`/`ModelNotReadyException` → 503
 * `upstream_overloaded`; `ModelTimeoutException` → 504 `upstream_timeout`; `ValidationException`
 * → 400 (`context_length_exceeded` for context-window messages, else `invalid_request`);
 * `AccessDeniedException` → 403 `permission_denied`; credential errors → 401
 * `invalid_api_key` (with a message about the AWS credential chain rather than LLM_API_KEY);
 * anything unknown with no HTTP status (DNS, refused connection) → 502 "could not reach".
 *
 * @param error - What the SDK threw.
 * @returns The gateway error.
 */
export function mapBedrockError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const aws = (typeof error === 'object' && error !== null ? error : {}) as AwsError;
  const name = typeof aws.name === 'string' ? aws.name : '';
  const status = aws.$metadata?.httpStatusCode;
  const known = EXCEPTIONS[name];
  if (!known && status === undefined) {
    const code = (error as { code?: unknown }).code;
    return new GatewayError({
      status: 502,
      type: 'server_error',
      code: 'upstream_error',
      message: `Could not reach the AI provider${typeof code === 'string' && /^[A-Z_]+$/.test(code) ? ` (${code})` : ''}. Retry shortly.`,
    });
  }
  const mapped = mapUpstreamError({
    status,
    body: { error: { message: typeof aws.message === 'string' ? aws.message : undefined, type: known?.type, code: known?.code } },
    headers: new Headers(aws.$metadata?.requestId ? { 'x-request-id': aws.$metadata.requestId } : {}),
  });
  if (mapped.code !== 'invalid_api_key') return mapped;
  return new GatewayError({
    status: mapped.status,
    type: mapped.type,
    code: mapped.code,
    message:
      'AWS rejected the credentials this server uses for Bedrock. This is a server configuration problem: ' +
      'the operator must check the AWS credential chain (role, environment or profile) and AWS_REGION.',
    ...(mapped.upstreamRequestId ? { upstreamRequestId: mapped.upstreamRequestId } : {}),
  });
}
