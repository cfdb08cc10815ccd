import { expect, waitUntil } from '@open-wc/testing';
import { ChatSession } from '../../src/core/chat-session.js';
import type { ChatSessionOptions } from '../../src/core/chat-session.js';
import type { ChatMessage } from '../../src/core/types.js';
import { FakeClock } from '../support/fake-clock.js';
import { SSE_HEADERS, errorResponse, finish, inBandError, role, script, stream, text } from '../support/script.js';

function session(endpoint: string, extra: Partial<ChatSessionOptions> = {}) {
  const clock = new FakeClock();
  const events: string[] = [];
  const chat = new ChatSession({
    endpoint,
    clock,
    random: () => 0.5,
    onSend: () => (events.push('send'), true),
    onFirstToken: () => events.push('first-token'),
    onRetry: (d) => events.push(`retry:${d.attempt}:${d.delayMs}`),
    onFinish: (d) => events.push(`finish:${d.message.status}`),
    onError: (d) => events.push(`error:${d.error.kind}`),
    ...extra,
  });
  return { chat, clock, events };
}

const last = (chat: ChatSession) => chat.messages.at(-1) as ChatMessage;

describe('ChatSession', () => {
  describe('a successful turn', () => {
    it('streams, records metrics and sends the DESIGN §4 request body', async () => {
      const endpoint = await script(stream(['Hello', ', ', 'world']));
      const { chat, events } = session(endpoint.url, {
        model: 'm1',
        system: 'Be brief.',
        maxTokens: 64,
        temperature: 0.2,
        body: { user: 'u1' },
      });
      expect(await chat.send('Hi')).to.equal(true);
      const answer = last(chat);
      expect(answer.content).to.equal('Hello, world');
      expect(answer.status).to.equal('complete');
      expect(answer.metrics).to.include({ attempts: 1, promptTokens: 12, completionTokens: 3, cachedTokens: 4, model: 'test-model' });
      expect(answer.metrics?.requestId).to.match(/^req_/);
      expect(answer.metrics?.ttftMs).to.be.a('number');
      expect(events).to.deep.equal(['send', 'first-token', 'finish:complete']);
      const [request] = await endpoint.requests();
      expect(request?.body).to.deep.equal({
        model: 'm1',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 64,
        temperature: 0.2,
        user: 'u1',
      });
      expect(request?.headers['idempotency-key']).to.match(/^[0-9a-f-]{36}$/);
      expect(request?.headers['accept']).to.equal('text/event-stream');
    });

    it('puts history before the new message, leaving out a pair that failed before output', async () => {
      const endpoint = await script(stream(['A1']), errorResponse(400, { message: 'bad' }), stream(['A3']));
      const { chat } = session(endpoint.url);
      await chat.send('Q1');
      await chat.send('Q2');
      expect(last(chat).status).to.equal('error');
      await chat.send('Q3');
      const requests = await endpoint.requests();
      expect(requests[2]?.body.messages).to.deep.equal([
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q3' },
      ]);
      // The failed pair stays visible.
      expect(chat.messages.map((m) => m.content)).to.deep.equal(['Q1', 'A1', 'Q2', '', 'Q3', 'A3']);
    });

    it('refuses a second send while a turn is in flight', async () => {
      const endpoint = await script({ headers: SSE_HEADERS, pieces: [{ text: role() }, { delayMs: 200, text: text('x') + finish() }] });
      const { chat } = session(endpoint.url);
      const first = chat.send('one');
      expect(await chat.send('two')).to.equal(false);
      await first;
      expect((await endpoint.requests()).length).to.equal(1);
      expect(chat.messages.map((m) => m.content)).to.deep.equal(['one', 'x']);
    });

    it('lets onSend cancel the request', async () => {
      const endpoint = await script(stream(['x']));
      const { chat } = session(endpoint.url, { onSend: () => false });
      expect(await chat.send('hi')).to.equal(false);
      expect(chat.messages).to.have.length(0);
      expect((await endpoint.requests()).length).to.equal(0);
    });
  });

  describe('retries', () => {
    it('waits exactly Retry-After, reuses the Idempotency-Key, then succeeds', async () => {
      const endpoint = await script(
        errorResponse(429, { code: 'rate_limit_exceeded', type: 'rate_limit_error' }, { 'Retry-After': '3' }),
        stream(['ok']),
      );
      const { chat, clock, events } = session(endpoint.url);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying', 'retrying');
      expect(chat.retryAt).to.equal(clock.now() + 3000);
      await clock.advance(2999);
      expect((await endpoint.requests()).length).to.equal(1);
      await clock.advance(1);
      await turn;
      const requests = await endpoint.requests();
      expect(requests.length).to.equal(2);
      expect(requests[1]?.headers['idempotency-key']).to.equal(requests[0]?.headers['idempotency-key']);
      expect(requests[1]?.headers['x-retry-attempt']).to.equal('1');
      expect(last(chat)).to.deep.include({ content: 'ok', status: 'complete' });
      expect(last(chat).metrics?.attempts).to.equal(2);
      // TTFT counts the wait: it is measured from send().
      expect(last(chat).metrics?.ttftMs).to.be.at.least(3000);
      expect(events).to.deep.equal(['send', 'retry:1:3000', 'first-token', 'finish:complete']);
    });

    it('uses full jitter without Retry-After and gives up after max-retries', async () => {
      const endpoint = await script(errorResponse(500, { type: 'server_error' }));
      const { chat, clock, events } = session(endpoint.url, { maxRetries: 2 });
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      await clock.advance(250); // random 0.5 × min(8000, 500·2^0)
      await waitUntil(() => events.includes('retry:2:500'));
      await clock.advance(500); // 0.5 × 1000
      await turn;
      expect((await endpoint.requests()).length).to.equal(3);
      expect(events).to.deep.equal(['send', 'retry:1:250', 'retry:2:500', 'error:server_error', 'finish:error']);
      expect(last(chat).error).to.deep.include({ kind: 'server_error', status: 500, retryable: true, phase: 'pre_stream' });
    });

    it('never retries a 429 insufficient_quota', async () => {
      const endpoint = await script(errorResponse(429, { code: 'insufficient_quota', type: 'insufficient_quota' }));
      const { chat, events } = session(endpoint.url);
      await chat.send('hi');
      expect((await endpoint.requests()).length).to.equal(1);
      expect(last(chat).error?.kind).to.equal('quota_exhausted');
      expect(events).to.deep.equal(['send', 'error:quota_exhausted', 'finish:error']);
    });

    it('does not auto-retry a wait over 60 s and keeps the wait on the error', async () => {
      const endpoint = await script(errorResponse(429, { code: 'rate_limit_exceeded' }, { 'Retry-After': '120' }));
      const { chat } = session(endpoint.url);
      await chat.send('hi');
      expect((await endpoint.requests()).length).to.equal(1);
      expect(last(chat).error).to.deep.include({ kind: 'rate_limited', retryAfterMs: 120_000, retryable: true });
    });

    it('retries an in-band error before the first token', async () => {
      const endpoint = await script(
        { headers: SSE_HEADERS, pieces: [{ text: role() + inBandError({ type: 'server_error', message: 'x' }) }] },
        stream(['fine']),
      );
      const { chat, clock } = session(endpoint.url);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      await clock.advance(250);
      await turn;
      expect(last(chat)).to.deep.include({ content: 'fine', status: 'complete' });
    });

    it('never retries after output started: in-band error mid-stream is interrupted, text kept', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [{ text: role() + text('Half an ') + inBandError({ type: 'server_error' }) }],
      });
      const { chat, events } = session(endpoint.url);
      await chat.send('hi');
      expect((await endpoint.requests()).length).to.equal(1);
      expect(last(chat)).to.deep.include({ content: 'Half an ', status: 'interrupted' });
      expect(last(chat).error).to.deep.include({ kind: 'server_error', phase: 'mid_stream', retryable: true });
      expect(events).to.deep.equal(['send', 'first-token', 'error:server_error', 'finish:interrupted']);
      expect(chat.status).to.equal('error');
    });

    it('stop during a retry wait ends the turn as stopped and makes no further attempt', async () => {
      const endpoint = await script(errorResponse(503, { code: 'upstream_overloaded' }, { 'Retry-After': '5' }), stream(['never']));
      const { chat, clock } = session(endpoint.url);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      chat.stop();
      await turn;
      await clock.advance(10_000);
      expect((await endpoint.requests()).length).to.equal(1);
      expect(last(chat)).to.deep.include({ status: 'stopped', content: '' });
      expect(chat.status).to.equal('idle');
    });
  });

  describe('watchdogs', () => {
    it('the stall timer is the first-token deadline: no false failure before it, stalled after', async () => {
      const endpoint = await script({ headers: SSE_HEADERS, pieces: [{ text: ': ping\n\n' }], end: 'hang' });
      const { chat, clock, events } = session(endpoint.url, { stallTimeoutMs: 90_000, idleTimeoutMs: 200_000 });
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'streaming');
      await clock.advance(15_000);
      expect(chat.waitingLong).to.equal(true);
      await clock.advance(45_000); // a backend may queue 45 s: still waiting
      expect(chat.status).to.equal('streaming');
      await clock.advance(30_000);
      await turn;
      expect(last(chat).status).to.equal('error');
      expect(last(chat).error).to.deep.include({ kind: 'stalled', phase: 'pre_stream' });
      // A stall is never retried automatically.
      expect((await endpoint.requests()).length).to.equal(1);
      expect(events).to.deep.equal(['send', 'error:stalled', 'finish:error']);
      await waitUntil(async () => (await endpoint.requests())[0]?.disconnected === true, 'server saw the abort');
    });

    it('the idle timer starts only after headers and fires on silence mid-stream', async () => {
      const endpoint = await script({ headers: SSE_HEADERS, pieces: [{ text: role() + text('Some text') }], end: 'hang' });
      const { chat, clock } = session(endpoint.url, { idleTimeoutMs: 1000 });
      const turn = chat.send('hi');
      await waitUntil(() => last(chat).content === 'Some text');
      await clock.advance(999);
      expect(chat.status).to.equal('streaming');
      await clock.advance(1);
      await turn;
      expect(last(chat)).to.deep.include({ status: 'interrupted', content: 'Some text' });
      expect(last(chat).error).to.deep.include({ kind: 'stalled', phase: 'mid_stream' });
    });

    it('keep-alive comments hold off the idle timer but not the stall timer', async () => {
      const pings = Array.from({ length: 8 }, () => ({ delayMs: 20, text: ': ping\n\n' }));
      const endpoint = await script({ headers: SSE_HEADERS, pieces: pings, end: 'hang' });
      const { chat, clock } = session(endpoint.url, { idleTimeoutMs: 1000, stallTimeoutMs: 5000 });
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'streaming');
      await clock.advance(900);
      await new Promise((r) => setTimeout(r, 200)); // real pings arrive
      await clock.advance(900);
      expect(chat.status).to.equal('streaming');
      await clock.advance(5000);
      await turn;
      expect(last(chat).error?.kind).to.equal('stalled');
    });
  });

  describe('outcomes', () => {
    it('maps finish reasons to statuses', async () => {
      const cases: Array<[string, string]> = [
        ['length', 'truncated'],
        ['content_filter', 'filtered'],
        ['tool_calls', 'tool_calls'],
        ['something_new', 'complete'],
      ];
      for (const [reason, status] of cases) {
        const endpoint = await script(stream(['x'], reason));
        const { chat } = session(endpoint.url);
        await chat.send('hi');
        expect(last(chat).status, reason).to.equal(status);
        expect(last(chat).finishReason).to.equal(reason);
      }
    });

    it('a refusal becomes the content with status filtered', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [
          {
            text:
              role() +
              `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { refusal: "I can't help with that." } }] })}\n\n` +
              finish(),
          },
        ],
      });
      const { chat } = session(endpoint.url);
      await chat.send('hi');
      expect(last(chat)).to.deep.include({ content: "I can't help with that.", status: 'filtered' });
      expect(last(chat).error?.kind).to.equal('filtered');
    });

    it('a pre-stream 400 content_filter gives a filtered message', async () => {
      const endpoint = await script(errorResponse(400, { code: 'content_filter', message: 'blocked' }));
      const { chat } = session(endpoint.url);
      await chat.send('hi');
      expect(last(chat).status).to.equal('filtered');
      expect(last(chat).error?.kind).to.equal('filtered');
      expect(chat.status).to.equal('idle');
    });

    it('stop keeps the partial as stopped and appends nothing afterwards', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [{ text: role() + text('Partial') }, { delayMs: 300, text: text(' more') + finish() }],
      });
      const { chat } = session(endpoint.url);
      const turn = chat.send('hi');
      await waitUntil(() => last(chat).content === 'Partial');
      chat.stop();
      await turn;
      await new Promise((r) => setTimeout(r, 400));
      expect(last(chat)).to.deep.include({ content: 'Partial', status: 'stopped' });
      expect(last(chat).error).to.equal(undefined);
    });

    it('estimates tokens per second without a usage chunk, and says so', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [{ text: role() + text('abcdefgh') }, { delayMs: 50, text: text('ijklmnop') + finish() }],
      });
      const chat = new ChatSession({ endpoint: endpoint.url });
      await chat.send('hi');
      expect(last(chat).metrics?.estimated).to.equal(true);
      expect(last(chat).metrics?.tokensPerSecond).to.be.greaterThan(0);
    });
  });

  describe('retry and continue', () => {
    it('Retry regenerates from the same history with a new key and counts it', async () => {
      const endpoint = await script(
        // The pause lets the text reach the page before the reset (a reset can discard bytes in flight).
        { headers: SSE_HEADERS, pieces: [{ text: role() + text('Broken') }, { delayMs: 50 }], end: 'reset' },
        stream(['Whole answer']),
      );
      const { chat } = session(endpoint.url);
      await chat.send('Q');
      expect(last(chat).status).to.equal('interrupted');
      const id = last(chat).id;
      expect(await chat.retry(id)).to.equal(true);
      expect(last(chat)).to.deep.include({ id, content: 'Whole answer', status: 'complete', regenerations: 1 });
      const requests = await endpoint.requests();
      expect(requests[1]?.body.messages).to.deep.equal([{ role: 'user', content: 'Q' }]);
      expect(requests[1]?.headers['idempotency-key']).not.to.equal(requests[0]?.headers['idempotency-key']);
    });

    it('Continue sends the partial as the last assistant message and drops a repeated overlap', async () => {
      const endpoint = await script(stream(['The quick brown fox jumps'], 'length'), stream(['fox jumps', ' over the lazy dog.']));
      const { chat } = session(endpoint.url);
      await chat.send('Q');
      expect(last(chat).status).to.equal('truncated');
      expect(await chat.continue()).to.equal(true);
      expect(last(chat)).to.deep.include({ content: 'The quick brown fox jumps over the lazy dog.', status: 'complete' });
      const requests = await endpoint.requests();
      expect(requests[1]?.body.continue).to.equal(true);
      expect(requests[1]?.body.messages.at(-1)).to.deep.equal({ role: 'assistant', content: 'The quick brown fox jumps' });
    });

    it('Continue is not offered for filtered answers', async () => {
      const endpoint = await script(stream(['x'], 'content_filter'));
      const { chat } = session(endpoint.url);
      await chat.send('Q');
      expect(await chat.continue()).to.equal(false);
    });

    it('restores a streaming message as interrupted with its text', () => {
      const chat = new ChatSession({ endpoint: '/x' });
      chat.setMessages([
        { id: 'u', role: 'user', content: 'Q', status: 'complete', createdAt: 1 },
        { id: 'a', role: 'assistant', content: 'Partial', status: 'streaming', createdAt: 2 },
      ]);
      expect(last(chat)).to.deep.include({ status: 'interrupted', content: 'Partial' });
      expect(last(chat).error).to.deep.include({ kind: 'network_error', phase: 'mid_stream' });
    });
  });
});
