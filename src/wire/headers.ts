/**
 * Header names the element and the gateway both use (DESIGN.md §4, §4b, §4c), spelled once.
 */

/** One logical request's key; automatic retries reuse it. */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/** Which automatic retry this is (absent on the first attempt). */
export const RETRY_ATTEMPT_HEADER = 'X-Retry-Attempt';
/** The gateway's request id, on every response. */
export const REQUEST_ID_HEADER = 'X-Request-ID';
/** How many history messages the gateway left out to fit the model's context window. */
export const CONTEXT_TRIMMED_HEADER = 'X-Context-Trimmed';
/** Names a resumable stream on every SSE response of the gateway (DESIGN.md §4b). */
export const STREAM_ID_HEADER = 'X-Stream-ID';
/** Sent on a resume: the `id:` of the last event received (`<streamId>:<seq>`). */
export const LAST_EVENT_ID_HEADER = 'Last-Event-ID';
