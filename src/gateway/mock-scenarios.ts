/**
 * Every behaviour the mock upstream can produce on demand, selected by the request header
 * `X-Mock-Scenario: <name>` or a last user message starting with `/scenario <name>`.
 * Exported as a const array so a demo can build a picker from it.
 */
export const MOCK_SCENARIOS = [
  'ok',
  'slow-first-token',
  'rate-limit',
  'rate-limit-long',
  'backend-busy',
  'concurrency',
  'quota',
  'quota-402',
  'auth',
  'forbidden',
  'payload-too-large',
  'unprocessable',
  'context-length',
  'content-filter',
  'server-error',
  'bad-gateway',
  'unavailable',
  'gateway-timeout',
  'overloaded',
  'html-error',
  'not-sse',
  'no-content',
  'error-before-token',
  'error-mid-stream',
  'eof-mid-stream',
  'reset-mid-stream',
  'malformed-chunk',
  'truncated',
  'filtered',
  'refusal',
  'tool-calls',
  'reasoning',
  'stall',
  'stall-silent',
  'stall-mid-stream',
  'keepalive',
  'flaky',
] as const;

/** A mock scenario name. */
export type MockScenario = (typeof MOCK_SCENARIOS)[number];

/** One-line descriptions of {@link MOCK_SCENARIOS}, for pickers and `--help` output. */
export const MOCK_SCENARIO_DESCRIPTIONS: Readonly<Record<MockScenario, string>> = {
  ok: 'A normal streamed markdown answer.',
  'slow-first-token': 'A long wait (with keep-alives) before the first token, then a normal answer.',
  'rate-limit': '429 rate_limit_exceeded with Retry-After: 2.',
  'rate-limit-long': '429 rate_limit_exceeded with Retry-After: 120.',
  'backend-busy': '429 backend_busy (rate_limit_error), Retry-After: 2.',
  concurrency: '429 concurrency_exceeded, Retry-After: 1.',
  quota: "429 insufficient_quota, as OpenAI sends it (no Retry-After: waiting won't help).",
  'quota-402': '402 insufficient_quota.',
  auth: '401 invalid_api_key (authentication_error).',
  forbidden: '403 permission_denied (permission_error).',
  'payload-too-large': '413 payload_too_large.',
  unprocessable: '422 invalid_request_error.',
  'context-length': '400 context_length_exceeded.',
  'content-filter': '400 content_filter.',
  'server-error': '500 server_error.',
  'bad-gateway': '502 upstream_error.',
  unavailable: '503 with Retry-After: 3.',
  'gateway-timeout': '504 upstream_timeout.',
  overloaded: '529 overloaded_error.',
  'html-error': '502 with an HTML proxy error page (text/html).',
  'not-sse': '200 application/json with a whole chat.completion instead of a stream.',
  'no-content': '204 with no body.',
  'error-before-token': '200 SSE, then an in-band server_error before any content.',
  'error-mid-stream': 'Some tokens, then an in-band server_error.',
  'eof-mid-stream': 'Some tokens, then a clean close without finish_reason or [DONE].',
  'reset-mid-stream': 'Some tokens, then an abrupt connection reset.',
  'malformed-chunk': 'A `data: {not json` line mid-stream, then the rest of a normal answer.',
  truncated: 'Part of an answer, then finish_reason length.',
  filtered: 'Some text, then finish_reason content_filter.',
  refusal: 'A refusal streamed in delta.refusal, finish_reason stop.',
  'tool-calls': 'Two tool calls streamed as fragments by index, finish_reason tool_calls.',
  reasoning: 'reasoning_content deltas, then the answer.',
  stall: 'Headers, then only keep-alive comments, forever.',
  'stall-silent': 'Headers, then no bytes at all, forever.',
  'stall-mid-stream': 'Some tokens, then no bytes at all (not even keep-alives), forever.',
  keepalive: 'A `: ping` every 200 ms for a while before the first token, then a normal answer.',
  flaky: 'The first N requests with one Idempotency-Key get 503 (N from X-Mock-Fail-Times, default 1), then ok.',
};

/**
 * Narrows a string to a {@link MockScenario}.
 *
 * @param name - A candidate name.
 * @returns Whether it is one of {@link MOCK_SCENARIOS}.
 */
export function isMockScenario(name: string): name is MockScenario {
  return (MOCK_SCENARIOS as readonly string[]).includes(name);
}
