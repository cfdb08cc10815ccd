import { FALLBACK_RULE, RETRYABLE_KINDS, matchErrorRule } from '../wire/error-rules.js';
import type { ChatError, ChatErrorKind, ChatErrorPhase, WireError } from './types.js';

/** Default English wording for each kind; the element shows `strings` instead when given. */
export const defaultErrorMessages: Record<ChatErrorKind, string> = {
  rate_limited: 'Too many requests right now.',
  overloaded: 'The service is overloaded right now.',
  quota_exhausted: 'The usage quota for this service is used up.',
  auth_failed: 'The server could not authenticate with the model provider.',
  forbidden: 'This request is not allowed.',
  context_too_long: 'The conversation is too long for the model.',
  bad_request: 'The request was rejected.',
  server_error: 'The server had a problem answering.',
  network_error: 'The connection was lost.',
  stalled: 'The answer stopped arriving.',
  filtered: 'The answer was blocked by a content filter.',
  tool_limit: 'The tool loop reached its limit.',
};

/**
 * Classifies a wire error into a {@link ChatError} (DESIGN.md §5: first match wins).
 *
 * @param wire - Status, envelope fields and transport cause as the transport saw them.
 * @param phase - Whether any output had arrived.
 * @returns The error with a safe human message; `retryable` says whether the same request
 *   could succeed if sent again, whatever the phase.
 */
export function classifyError(wire: WireError, phase: ChatErrorPhase): ChatError {
  const kind = kindOf(wire);
  const error: ChatError = {
    kind,
    message: messageFor(kind, wire),
    retryable: RETRYABLE_KINDS.has(kind),
    phase,
  };
  if (wire.status !== undefined) error.status = wire.status;
  if (wire.type !== undefined) error.type = wire.type;
  if (wire.code !== undefined) error.code = wire.code;
  if (wire.requestId !== undefined) error.requestId = wire.requestId;
  if (wire.retryAfterMs !== undefined) error.retryAfterMs = wire.retryAfterMs;
  return error;
}

function kindOf(wire: WireError): ChatErrorKind {
  const rule = matchErrorRule(wire);
  // No envelope rule applies to a connection that failed or closed early: that is the network.
  if (rule === FALLBACK_RULE && (wire.cause === 'network' || wire.cause === 'eof')) return 'network_error';
  // 408, 5xx, an in-band server_error/api_error, a malformed chunk, a 2xx that is not a stream.
  return rule.kind;
}

function messageFor(kind: ChatErrorKind, wire: WireError): string {
  const base = defaultErrorMessages[kind];
  if (wire.cause === 'not_sse' && kind === 'server_error') return 'The server answered, but not with a stream.';
  if (wire.cause === 'malformed') return 'The server sent a response the chat could not read.';
  if (wire.cause === 'eof') return 'The connection closed before the answer was complete.';
  // A validation message from the server helps the developer; it is shown as text, never HTML.
  if (kind === 'bad_request' && wire.message && !wire.unparsedBody) return `${base} ${truncate(wire.message, 200)}`;
  return base;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
