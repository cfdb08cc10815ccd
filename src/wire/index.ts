export { ERROR_RULES, FALLBACK_RULE, CONTEXT_WINDOW_MESSAGE, RETRYABLE_KINDS, matchErrorRule } from './error-rules.js';
export type { ErrorFacts, ErrorKind, ErrorRule, GatewayEnvelopeRule } from './error-rules.js';
export { asNumber, asText, isRecord } from './guards.js';
export { parseRetryAfterMs, toRetryAfterSeconds } from './retry-after.js';
export { CHAT_PATHS, HEALTH_PATH, isGatewayPath, parseStreamRoute, streamPath } from './routes.js';
export type { StreamRoute } from './routes.js';
