import { expect } from '@open-wc/testing';
import { classifyError } from '../../src/core/classify-error.js';
import { createRetryPolicy } from '../../src/core/retry-policy.js';
import type { ChatErrorKind, WireError } from '../../src/core/types.js';
import { parseRetryAfterMs as parseRetryAfter } from '../../src/wire/retry-after.js';

/** Every case of DESIGN.md §5 and issue 3, with the kind and retryability it must map to. */
const table: Array<[string, WireError, ChatErrorKind, boolean]> = [
  [
    '429 backend_busy (overloaded, not a plain rate limit)',
    { status: 429, type: 'rate_limit_error', code: 'backend_busy' },
    'overloaded',
    true,
  ],
  ['429 concurrency_exceeded', { status: 429, code: 'concurrency_exceeded' }, 'rate_limited', true],
  ['429 insufficient_quota', { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' }, 'quota_exhausted', false],
  ['402 insufficient_quota', { status: 402, code: 'insufficient_quota' }, 'quota_exhausted', false],
  ['402 bare', { status: 402 }, 'quota_exhausted', false],
  ['429 rate_limit_exceeded', { status: 429, code: 'rate_limit_exceeded' }, 'rate_limited', true],
  ['429 bare', { status: 429 }, 'rate_limited', true],
  ['401 authentication_error', { status: 401, type: 'authentication_error', code: 'invalid_api_key' }, 'auth_failed', false],
  ['403 permission_error', { status: 403, type: 'permission_error' }, 'forbidden', false],
  ['413 payload too large', { status: 413, code: 'payload_too_large' }, 'bad_request', false],
  ['422 invalid_request_error', { status: 422, type: 'invalid_request_error' }, 'bad_request', false],
  ['400 invalid_request', { status: 400, code: 'invalid_request' }, 'bad_request', false],
  ['404', { status: 404 }, 'bad_request', false],
  ['409', { status: 409 }, 'bad_request', false],
  ['400 context_length_exceeded', { status: 400, code: 'context_length_exceeded' }, 'context_too_long', false],
  [
    '400 message about the context window',
    { status: 400, message: "This model's maximum context length is 8192 tokens." },
    'context_too_long',
    false,
  ],
  ['400 content_filter', { status: 400, code: 'content_filter' }, 'filtered', false],
  ['408', { status: 408 }, 'server_error', true],
  ['500', { status: 500 }, 'server_error', true],
  ['502', { status: 502 }, 'server_error', true],
  ['503', { status: 503 }, 'overloaded', true],
  ['504', { status: 504 }, 'server_error', true],
  ['529', { status: 529, type: 'overloaded_error' }, 'overloaded', true],
  ['HTML error page 502', { status: 502, unparsedBody: true, cause: 'http' }, 'server_error', true],
  ['2xx not SSE', { status: 200, cause: 'not_sse' }, 'server_error', true],
  ['2xx not SSE with a quota envelope', { status: 200, cause: 'not_sse', code: 'insufficient_quota' }, 'quota_exhausted', false],
  ['204', { status: 204, cause: 'not_sse' }, 'server_error', true],
  ['in-band server_error', { cause: 'in_band', type: 'server_error' }, 'server_error', true],
  ['in-band api_error', { cause: 'in_band', type: 'api_error' }, 'server_error', true],
  ['in-band overloaded_error', { cause: 'in_band', type: 'overloaded_error' }, 'overloaded', true],
  ['in-band rate limit', { cause: 'in_band', code: 'rate_limit_exceeded' }, 'rate_limited', true],
  ['clean EOF without terminal event', { cause: 'eof' }, 'network_error', true],
  ['connection reset / fetch rejection', { cause: 'network' }, 'network_error', true],
  ['malformed chunk', { cause: 'malformed' }, 'server_error', true],
];

describe('classifyError', () => {
  for (const [name, wire, kind, retryable] of table) {
    it(`${name} → ${kind}`, () => {
      const error = classifyError(wire, 'pre_stream');
      expect(error.kind).to.equal(kind);
      expect(error.retryable).to.equal(retryable);
      expect(error.phase).to.equal('pre_stream');
      expect(error.message).to.be.a('string').and.not.be.empty;
    });
  }

  it('keeps status, type, code, request id and retry-after, and never the raw body', () => {
    const error = classifyError(
      { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded', requestId: 'req_1', retryAfterMs: 3000, message: '<b>x</b>' },
      'mid_stream',
    );
    expect(error).to.deep.include({
      status: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      requestId: 'req_1',
      retryAfterMs: 3000,
      phase: 'mid_stream',
    });
    expect(error.message).not.to.contain('<b>');
  });
});

describe('parseRetryAfter', () => {
  const headers = (init: Record<string, string>) => new Headers(init);
  it('reads delta-seconds', () => expect(parseRetryAfter(headers({ 'Retry-After': '3' }), undefined, 0)).to.equal(3000));
  it('reads an HTTP date', () => {
    const now = Date.parse('Sun, 22 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter(headers({ 'Retry-After': 'Sun, 22 Nov 2026 12:00:10 GMT' }), undefined, now)).to.equal(10_000);
  });
  it('treats a date in the past as no wait', () => {
    expect(
      parseRetryAfter(headers({ 'Retry-After': 'Sun, 22 Nov 2026 11:00:00 GMT' }), undefined, Date.parse('Sun, 22 Nov 2026 12:00:00 GMT')),
    ).to.equal(0);
  });
  it('prefers retry-after-ms', () =>
    expect(parseRetryAfter(headers({ 'retry-after-ms': '1500', 'Retry-After': '9' }), undefined, 0)).to.equal(1500));
  it('falls back to the body retry_after', () => expect(parseRetryAfter(headers({}), 2.5, 0)).to.equal(2500));
  it('ignores garbage', () => expect(parseRetryAfter(headers({ 'Retry-After': 'soon' }), 'later', 0)).to.equal(undefined));
});

describe('createRetryPolicy', () => {
  const pre = (wire: WireError) => classifyError(wire, 'pre_stream');

  it('never retries 400/401/402/403/404/413/422 or quota', () => {
    const policy = createRetryPolicy({ maxRetries: 5 });
    for (const status of [400, 401, 402, 403, 404, 413, 422]) {
      expect(policy.decide(pre({ status }), 0), String(status)).to.deep.equal({ retry: false, reason: 'not_retryable' });
    }
    expect(policy.decide(pre({ status: 429, code: 'insufficient_quota' }), 0).retry).to.equal(false);
  });

  it('uses full jitter within min(cap, base·2^n)', () => {
    const high = createRetryPolicy({ random: () => 0.999999 });
    const low = createRetryPolicy({ random: () => 0 });
    expect(low.decide(pre({ status: 500 }), 0)).to.deep.equal({ retry: true, delayMs: 0 });
    const many = createRetryPolicy({ maxRetries: 10, random: () => 0.999999 });
    expect(high.decide(pre({ status: 500 }), 0)).to.deep.equal({ retry: true, delayMs: 499 });
    expect(high.decide(pre({ status: 500 }), 1)).to.deep.equal({ retry: true, delayMs: 999 });
    expect(many.decide(pre({ status: 500 }), 8)).to.deep.equal({ retry: true, delayMs: 7999 });
  });

  it("honours the server's wait, up to 60 s", () => {
    const policy = createRetryPolicy();
    expect(policy.decide(pre({ status: 429, retryAfterMs: 3000 }), 0)).to.deep.equal({ retry: true, delayMs: 3000 });
    expect(policy.decide(pre({ status: 429, retryAfterMs: 61_000 }), 0)).to.deep.equal({ retry: false, reason: 'wait_too_long' });
  });

  it('stops after maxRetries, never retries a stall or after output', () => {
    const policy = createRetryPolicy({ maxRetries: 2 });
    expect(policy.decide(pre({ status: 503 }), 2)).to.deep.equal({ retry: false, reason: 'exhausted' });
    expect(policy.decide({ kind: 'stalled', message: '', retryable: true, phase: 'pre_stream' }, 0).retry).to.equal(false);
    expect(policy.decide(classifyError({ status: 503 }, 'mid_stream'), 0)).to.deep.equal({ retry: false, reason: 'after_output' });
  });
});
