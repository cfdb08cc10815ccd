/**
 * Every way a turn can end (issue 3, DESIGN.md §5), driven through a real HTTP endpoint and
 * the element in Chromium: the final status, the error kind, the text kept, and how many
 * requests the server saw (automatic retries counted server-side, with one Idempotency-Key).
 */
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatMessage } from '../../src/core/types.js';
import { SSE_HEADERS, chunk, done, errorResponse, finish, inBandError, role, script, stream, text } from '../support/script.js';
import type { ScriptStep } from '../support/script.js';

/** Retry waits come from the server here, so the suite runs fast; jitter is covered in core. */
const soon = { 'retry-after-ms': '20' };
const ok = stream(['Recovered.']);

interface Case {
  name: string;
  steps: ScriptStep[];
  status: ChatMessage['status'];
  kind?: string;
  requests: number;
  content?: string;
  attrs?: { idleTimeout?: number };
}

const cases: Case[] = [
  {
    name: '429 backend_busy (overloaded) → retried',
    steps: [errorResponse(429, { type: 'rate_limit_error', code: 'backend_busy' }, soon), ok],
    status: 'complete',
    requests: 2,
  },
  {
    name: '429 concurrency_exceeded → retried',
    steps: [errorResponse(429, { code: 'concurrency_exceeded' }, soon), ok],
    status: 'complete',
    requests: 2,
  },
  {
    name: '429 rate_limit_exceeded → retried',
    steps: [errorResponse(429, { code: 'rate_limit_exceeded' }, soon), ok],
    status: 'complete',
    requests: 2,
  },
  {
    name: '429 insufficient_quota → never retried',
    steps: [errorResponse(429, { code: 'insufficient_quota', type: 'insufficient_quota' }, soon), ok],
    status: 'error',
    kind: 'quota_exhausted',
    requests: 1,
  },
  {
    name: '402 insufficient_quota',
    steps: [errorResponse(402, { code: 'insufficient_quota' }), ok],
    status: 'error',
    kind: 'quota_exhausted',
    requests: 1,
  },
  {
    name: '401 authentication_error',
    steps: [errorResponse(401, { type: 'authentication_error', code: 'invalid_api_key' }), ok],
    status: 'error',
    kind: 'auth_failed',
    requests: 1,
  },
  {
    name: '403 permission_error',
    steps: [errorResponse(403, { type: 'permission_error' }), ok],
    status: 'error',
    kind: 'forbidden',
    requests: 1,
  },
  {
    name: '413 payload too large',
    steps: [errorResponse(413, { code: 'payload_too_large' }), ok],
    status: 'error',
    kind: 'bad_request',
    requests: 1,
  },
  {
    name: '422 invalid_request_error',
    steps: [errorResponse(422, { type: 'invalid_request_error' }), ok],
    status: 'error',
    kind: 'bad_request',
    requests: 1,
  },
  {
    name: '400 context_length_exceeded',
    steps: [errorResponse(400, { code: 'context_length_exceeded' }), ok],
    status: 'error',
    kind: 'context_too_long',
    requests: 1,
  },
  {
    name: '400 content_filter',
    steps: [errorResponse(400, { code: 'content_filter' }), ok],
    status: 'filtered',
    kind: 'filtered',
    requests: 1,
  },
  {
    name: '500 every time → retried twice, then error',
    steps: [errorResponse(500, { type: 'server_error' }, soon)],
    status: 'error',
    kind: 'server_error',
    requests: 3,
  },
  { name: '502 → retried', steps: [errorResponse(502, { code: 'upstream_error' }, soon), ok], status: 'complete', requests: 2 },
  { name: '503 → retried', steps: [errorResponse(503, { code: 'upstream_overloaded' }, soon), ok], status: 'complete', requests: 2 },
  { name: '504 → retried', steps: [errorResponse(504, { code: 'upstream_timeout' }, soon), ok], status: 'complete', requests: 2 },
  {
    name: '529 overloaded_error → retried',
    steps: [errorResponse(529, { type: 'overloaded_error' }, soon), ok],
    status: 'complete',
    requests: 2,
  },
  {
    name: 'an HTML error page from a proxy',
    steps: [
      {
        status: 502,
        headers: { 'Content-Type': 'text/html', ...soon },
        pieces: [{ text: '<html><h1>Bad gateway</h1><script>window.pwned=1</script></html>' }],
      },
    ],
    status: 'error',
    kind: 'server_error',
    requests: 3,
  },
  {
    name: 'a 2xx that is not text/event-stream',
    steps: [{ headers: { 'Content-Type': 'application/json', ...soon }, pieces: [{ text: '{"choices":[]}' }] }],
    status: 'error',
    kind: 'server_error',
    requests: 3,
  },
  { name: 'a 204', steps: [{ status: 204, headers: soon }], status: 'error', kind: 'server_error', requests: 3 },
  {
    name: 'an in-band error before the first token → retried',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() + inBandError({ type: 'server_error', message: 'x' }) }] }, ok],
    status: 'complete',
    requests: 2,
  },
  {
    name: 'an in-band error after the first token → interrupted, text kept',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() + text('Kept text') + inBandError({ type: 'server_error' }) }] }, ok],
    status: 'interrupted',
    kind: 'server_error',
    requests: 1,
    content: 'Kept text',
  },
  {
    name: 'a clean EOF without [DONE] or finish_reason → interrupted',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() + text('Cut short') }] }, ok],
    status: 'interrupted',
    kind: 'network_error',
    requests: 1,
    content: 'Cut short',
  },
  {
    name: 'a connection reset mid-stream → interrupted',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() + text('Before the reset') }, { delayMs: 50 }], end: 'reset' }, ok],
    status: 'interrupted',
    kind: 'network_error',
    requests: 1,
    content: 'Before the reset',
  },
  {
    name: 'a malformed JSON chunk → interrupted (documented policy: end the stream, keep the text)',
    steps: [
      { headers: SSE_HEADERS, pieces: [{ text: role() + text('Good part') + 'data: {not json\n\n' + text(' lost?') + finish() + done() }] },
      ok,
    ],
    status: 'interrupted',
    kind: 'server_error',
    requests: 1,
    content: 'Good part',
  },
  {
    name: 'finish_reason length → truncated',
    steps: [stream(['Long answer'], 'length')],
    status: 'truncated',
    requests: 1,
    content: 'Long answer',
  },
  {
    name: 'a streamed refusal → filtered',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() + chunk({ refusal: 'I cannot help with that.' }) + finish() + done() }] }],
    status: 'filtered',
    kind: 'filtered',
    requests: 1,
    content: 'I cannot help with that.',
  },
  {
    name: 'silence after headers → stalled, never retried automatically',
    steps: [{ headers: SSE_HEADERS, pieces: [{ text: role() }], end: 'hang' }, ok],
    status: 'error',
    kind: 'stalled',
    requests: 1,
    attrs: { idleTimeout: 300 },
  },
];

describe('<llm-chat>', () => {
  describe('failure states', () => {
    for (const c of cases) {
      it(c.name, async () => {
        const endpoint = await script(...c.steps);
        const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint.url} persist="none"></llm-chat>`);
        if (c.attrs?.idleTimeout) el.idleTimeout = c.attrs.idleTimeout;
        const finished = oneEvent(el, 'llm-chat-finish');
        const errors: string[] = [];
        el.addEventListener('llm-chat-error', (event) => errors.push(event.detail.error.kind));
        void el.send('Question');
        const { detail } = await finished;
        const message = detail.message;
        expect(message.status).to.equal(c.status);
        if (c.kind) expect(message.error?.kind).to.equal(c.kind);
        else expect(message.error).to.equal(undefined);
        if (c.content !== undefined) expect(message.content).to.equal(c.content);
        const requests = await endpoint.requests();
        expect(requests.length, 'requests the server saw').to.equal(c.requests);
        expect(new Set(requests.map((r) => r.headers['idempotency-key'])).size, 'one key for all attempts').to.equal(1);
        expect(message.metrics?.attempts).to.equal(c.requests);
        // error and interrupted fire llm-chat-error once; other endings never do.
        expect(errors).to.deep.equal(message.status === 'error' || message.status === 'interrupted' ? [c.kind] : []);
        await el.updateComplete;
        const root = el.shadowRoot as ShadowRoot;
        // Whatever the body said, no HTML from it reaches the page.
        expect((window as unknown as { pwned?: number }).pwned).to.equal(undefined);
        expect(root.querySelector('[part~="error"] h1')).to.equal(null);
        expect(el.status).to.equal(message.status === 'error' || message.status === 'interrupted' ? 'error' : 'idle');
        if (message.status === 'error') {
          // Nothing was produced: the user's words are back in the composer.
          expect((root.querySelector('textarea') as HTMLTextAreaElement).value).to.equal('Question');
          expect(root.querySelector('[part~="retry-button"]') !== null).to.equal(message.error?.retryable === true);
        }
        if (message.status === 'interrupted' || message.status === 'truncated') {
          expect(root.querySelector('[part~="continue-button"]')).to.exist;
        }
        if (message.status === 'filtered') expect(root.querySelector('[part~="continue-button"]')).to.equal(null);
      });
    }
  });
});
