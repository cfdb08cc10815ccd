import { expect, waitUntil } from '@open-wc/testing';
import { ChatSession } from '../../src/core/chat-session.js';
import type { ChatSessionOptions } from '../../src/core/chat-session.js';
import type { ChatMessage } from '../../src/core/types.js';
import { FakeClock, settle } from '../support/fake-clock.js';
import { answer, events as played, failure, manual, scriptedTransport, thenHang } from '../support/scripted-transport.js';
import type { ScriptedTransport, TransportStep } from '../support/scripted-transport.js';

function session(steps: TransportStep[], extra: Partial<ChatSessionOptions> = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  const transport: ScriptedTransport = scriptedTransport(...steps);
  const chat = new ChatSession({
    endpoint: 'https://chat.example/api/chat',
    transport,
    clock,
    random: () => 0.5,
    onSend: () => (log.push('send'), true),
    onFirstToken: () => log.push('first-token'),
    onRetry: (d) => log.push(`retry:${d.attempt}:${d.delayMs}`),
    onFinish: (d) => log.push(`finish:${d.message.status}`),
    onError: (d) => log.push(`error:${d.error.kind}`),
    ...extra,
  });
  return { chat, clock, events: log, transport };
}

const last = (chat: ChatSession) => chat.messages.at(-1) as ChatMessage;
const bodyOf = (transport: ScriptedTransport, index: number) => transport.attempts[index]?.request.body as Record<string, any>;

describe('ChatSession', () => {
  describe('a successful turn', () => {
    it('streams, records metrics and sends the DESIGN §4 request body', async () => {
      const { chat, events, transport } = session([answer(['Hello', ', ', 'world'])], {
        model: 'm1',
        system: 'Be brief.',
        maxTokens: 64,
        temperature: 0.2,
        body: { user: 'u1' },
      });
      expect(await chat.send('Hi')).to.equal(true);
      const answerMessage = last(chat);
      expect(answerMessage.content).to.equal('Hello, world');
      expect(answerMessage.status).to.equal('complete');
      expect(answerMessage.metrics).to.include({
        attempts: 1,
        promptTokens: 12,
        completionTokens: 3,
        cachedTokens: 4,
        model: 'test-model',
      });
      expect(answerMessage.metrics?.requestId).to.equal('req_test');
      expect(answerMessage.metrics?.ttftMs).to.be.a('number');
      expect(events).to.deep.equal(['send', 'first-token', 'finish:complete']);
      expect(bodyOf(transport, 0)).to.deep.equal({
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
      expect(transport.attempts[0]?.request.url).to.equal('https://chat.example/api/chat');
      expect(transport.attempts[0]?.headers['Idempotency-Key']).to.match(/^[0-9a-f-]{36}$/);
      expect(transport.inputs[0]).to.deep.include({ system: 'Be brief.', continuation: false });
    });

    it('puts history before the new message, leaving out a pair that failed before output', async () => {
      const { chat, transport } = session([answer(['A1']), failure({ status: 400, message: 'bad', cause: 'http' }), answer(['A3'])]);
      await chat.send('Q1');
      await chat.send('Q2');
      expect(last(chat).status).to.equal('error');
      await chat.send('Q3');
      expect(bodyOf(transport, 2).messages).to.deep.equal([
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q3' },
      ]);
      // The failed pair stays visible.
      expect(chat.messages.map((m) => m.content)).to.deep.equal(['Q1', 'A1', 'Q2', '', 'Q3', 'A3']);
    });

    it('refuses a second send while a turn is in flight', async () => {
      const script = manual();
      const { chat, transport } = session([script.step]);
      const first = chat.send('one');
      expect(await chat.send('two')).to.equal(false);
      script.respond();
      script.push({ type: 'delta', text: 'x' });
      script.push({ type: 'finish', reason: 'stop' });
      script.end();
      await first;
      expect(transport.attempts.length).to.equal(1);
      expect(chat.messages.map((m) => m.content)).to.deep.equal(['one', 'x']);
    });

    it('lets onSend cancel the request', async () => {
      const { chat, transport } = session([answer(['x'])], { onSend: () => false });
      expect(await chat.send('hi')).to.equal(false);
      expect(chat.messages).to.have.length(0);
      expect(transport.attempts.length).to.equal(0);
    });

    it('sends what onSend listeners changed in the request', async () => {
      const { chat, transport } = session([answer(['x'])], {
        onSend: ({ request }) => {
          request.headers['X-CSRF-Token'] = 't1';
          request.body['metadata'] = { page: 'faq' };
          return true;
        },
      });
      await chat.send('hi');
      expect(transport.attempts[0]?.headers['X-CSRF-Token']).to.equal('t1');
      expect(bodyOf(transport, 0)['metadata']).to.deep.equal({ page: 'faq' });
    });

    it('says clearly when no transport is configured', async () => {
      const chat = new ChatSession({ endpoint: '/x' });
      let thrown: unknown;
      try {
        await chat.send('hi');
      } catch (error) {
        thrown = error;
      }
      expect(String(thrown)).to.match(/no transport/);
      expect(chat.messages).to.have.length(0);
    });
  });

  describe('retries', () => {
    it('waits exactly Retry-After, reuses the Idempotency-Key, then succeeds', async () => {
      const { chat, clock, events, transport } = session([
        failure({ status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error', retryAfterMs: 3000, cause: 'http' }),
        answer(['ok']),
      ]);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying', 'retrying');
      expect(chat.retryAt).to.equal(clock.now() + 3000);
      await clock.advance(2999);
      expect(transport.attempts.length).to.equal(1);
      await clock.advance(1);
      await turn;
      expect(transport.attempts.length).to.equal(2);
      expect(transport.attempts[1]?.headers['Idempotency-Key']).to.equal(transport.attempts[0]?.headers['Idempotency-Key']);
      expect(transport.attempts[0]?.headers['X-Retry-Attempt']).to.equal(undefined);
      expect(transport.attempts[1]?.headers['X-Retry-Attempt']).to.equal('1');
      expect(last(chat)).to.deep.include({ content: 'ok', status: 'complete' });
      expect(last(chat).metrics?.attempts).to.equal(2);
      // TTFT counts the wait: it is measured from send().
      expect(last(chat).metrics?.ttftMs).to.be.at.least(3000);
      expect(events).to.deep.equal(['send', 'retry:1:3000', 'first-token', 'finish:complete']);
    });

    it('uses full jitter without Retry-After and gives up after max-retries', async () => {
      const { chat, clock, events, transport } = session([failure({ status: 500, type: 'server_error', cause: 'http' })], {
        maxRetries: 2,
      });
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      await clock.advance(250); // random 0.5 × min(8000, 500·2^0)
      await waitUntil(() => events.includes('retry:2:500'));
      await clock.advance(500); // 0.5 × 1000
      await turn;
      expect(transport.attempts.length).to.equal(3);
      expect(events).to.deep.equal(['send', 'retry:1:250', 'retry:2:500', 'error:server_error', 'finish:error']);
      expect(last(chat).error).to.deep.include({ kind: 'server_error', status: 500, retryable: true, phase: 'pre_stream' });
    });

    it('never retries a 429 insufficient_quota', async () => {
      const { chat, events, transport } = session([
        failure({ status: 429, code: 'insufficient_quota', type: 'insufficient_quota', cause: 'http' }),
      ]);
      await chat.send('hi');
      expect(transport.attempts.length).to.equal(1);
      expect(last(chat).error?.kind).to.equal('quota_exhausted');
      expect(events).to.deep.equal(['send', 'error:quota_exhausted', 'finish:error']);
    });

    it('does not auto-retry a wait over 60 s and keeps the wait on the error', async () => {
      const { chat, transport } = session([failure({ status: 429, code: 'rate_limit_exceeded', retryAfterMs: 120_000, cause: 'http' })]);
      await chat.send('hi');
      expect(transport.attempts.length).to.equal(1);
      expect(last(chat).error).to.deep.include({ kind: 'rate_limited', retryAfterMs: 120_000, retryable: true });
    });

    it('retries an in-band error before the first token', async () => {
      const inBand = played([{ type: 'error', error: { cause: 'in_band', type: 'server_error', message: 'x' } }]);
      const { chat, clock } = session([inBand, answer(['fine'])]);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      await clock.advance(250);
      await turn;
      expect(last(chat)).to.deep.include({ content: 'fine', status: 'complete' });
    });

    it('never retries after output started: in-band error mid-stream is interrupted, text kept', async () => {
      const midStream = played([
        { type: 'delta', text: 'Half an ' },
        { type: 'error', error: { cause: 'in_band', type: 'server_error' } },
      ]);
      const { chat, events, transport } = session([midStream]);
      await chat.send('hi');
      expect(transport.attempts.length).to.equal(1);
      expect(last(chat)).to.deep.include({ content: 'Half an ', status: 'interrupted' });
      expect(last(chat).error).to.deep.include({ kind: 'server_error', phase: 'mid_stream', retryable: true });
      expect(events).to.deep.equal(['send', 'first-token', 'error:server_error', 'finish:interrupted']);
      expect(chat.status).to.equal('error');
    });

    it('stop during a retry wait ends the turn as stopped and makes no further attempt', async () => {
      const { chat, clock, transport } = session([
        failure({ status: 503, code: 'upstream_overloaded', retryAfterMs: 5000, cause: 'http' }),
        answer(['never']),
      ]);
      const turn = chat.send('hi');
      await waitUntil(() => chat.status === 'retrying');
      chat.stop();
      await turn;
      await clock.advance(10_000);
      expect(transport.attempts.length).to.equal(1);
      expect(last(chat)).to.deep.include({ status: 'stopped', content: '' });
      expect(chat.status).to.equal('idle');
    });
  });

  describe('watchdogs', () => {
    it('the stall timer is the first-token deadline: no false failure before it, stalled after', async () => {
      const { chat, clock, events, transport } = session([thenHang()], { stallTimeoutMs: 90_000, idleTimeoutMs: 200_000 });
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
      // A stall is never retried automatically, and the attempt was aborted.
      expect(transport.attempts.length).to.equal(1);
      expect(transport.attempts[0]?.aborted).to.equal(true);
      expect(events).to.deep.equal(['send', 'error:stalled', 'finish:error']);
    });

    it('the idle timer starts only after headers and fires on silence mid-stream', async () => {
      const { chat, clock } = session([thenHang([{ type: 'delta', text: 'Some text' }])], { idleTimeoutMs: 1000 });
      const turn = chat.send('hi');
      await waitUntil(() => last(chat).content === 'Some text');
      await clock.advance(999);
      expect(chat.status).to.equal('streaming');
      await clock.advance(1);
      await turn;
      expect(last(chat)).to.deep.include({ status: 'interrupted', content: 'Some text' });
      expect(last(chat).error).to.deep.include({ kind: 'stalled', phase: 'mid_stream' });
    });

    it('keep-alive bytes hold off the idle timer but not the stall timer', async () => {
      const script = manual();
      const { chat, clock } = session([script.step], { idleTimeoutMs: 1000, stallTimeoutMs: 5000 });
      const turn = chat.send('hi');
      await waitUntil(() => script.started);
      script.respond();
      for (let i = 0; i < 5; i++) {
        await clock.advance(900);
        script.activity();
      }
      // 4.5 s in: the idle timer (1 s) would have fired long ago without the keep-alives.
      expect(chat.status).to.equal('streaming');
      for (let i = 0; i < 2; i++) {
        await clock.advance(900);
        script.activity();
      }
      await turn;
      // The stall deadline, not the idle one, ended it: no content for 5 s, keep-alives or not.
      expect(last(chat).error).to.deep.include({ kind: 'stalled', message: 'The answer stopped arriving.' });
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
        const { chat } = session([answer(['x'], reason)]);
        await chat.send('hi');
        expect(last(chat).status, reason).to.equal(status);
        expect(last(chat).finishReason).to.equal(reason);
      }
    });

    it('a refusal becomes the content with status filtered', async () => {
      const { chat } = session([
        played([
          { type: 'refusal', text: "I can't help with that." },
          { type: 'finish', reason: 'stop' },
        ]),
      ]);
      await chat.send('hi');
      expect(last(chat)).to.deep.include({ content: "I can't help with that.", status: 'filtered' });
      expect(last(chat).error?.kind).to.equal('filtered');
    });

    it('a pre-stream 400 content_filter gives a filtered message', async () => {
      const { chat } = session([failure({ status: 400, code: 'content_filter', message: 'blocked', cause: 'http' })]);
      await chat.send('hi');
      expect(last(chat).status).to.equal('filtered');
      expect(last(chat).error?.kind).to.equal('filtered');
      expect(chat.status).to.equal('idle');
    });

    it('stop keeps the partial as stopped and appends nothing afterwards', async () => {
      const script = manual();
      const { chat, transport } = session([script.step]);
      const turn = chat.send('hi');
      await waitUntil(() => script.started);
      script.respond();
      script.push({ type: 'delta', text: 'Partial' });
      await waitUntil(() => last(chat).content === 'Partial');
      chat.stop();
      script.push({ type: 'delta', text: ' more' });
      await turn;
      await settle();
      expect(last(chat)).to.deep.include({ content: 'Partial', status: 'stopped' });
      expect(last(chat).error).to.equal(undefined);
      expect(transport.attempts[0]?.aborted).to.equal(true);
    });

    it('estimates tokens per second without a usage chunk, and says so', async () => {
      const script = manual();
      const { chat, clock } = session([script.step]);
      const turn = chat.send('hi');
      await waitUntil(() => script.started);
      script.respond();
      script.push({ type: 'delta', text: 'abcdefgh' });
      await waitUntil(() => last(chat).content === 'abcdefgh');
      await clock.advance(500);
      script.push({ type: 'delta', text: 'ijklmnop' });
      script.push({ type: 'finish', reason: 'stop' });
      script.end();
      await turn;
      expect(last(chat).metrics?.estimated).to.equal(true);
      // 16 characters ≈ 4 tokens over 0.5 s.
      expect(last(chat).metrics?.tokensPerSecond).to.equal(8);
    });
  });

  describe('retry and continue', () => {
    it('Retry regenerates from the same history with a new key and counts it', async () => {
      const broken = played([
        { type: 'delta', text: 'Broken' },
        { type: 'error', error: { cause: 'network', message: 'reset' } },
      ]);
      const { chat, transport } = session([broken, answer(['Whole answer'])]);
      await chat.send('Q');
      expect(last(chat).status).to.equal('interrupted');
      const id = last(chat).id;
      expect(await chat.retry(id)).to.equal(true);
      expect(last(chat)).to.deep.include({ id, content: 'Whole answer', status: 'complete', regenerations: 1 });
      expect(bodyOf(transport, 1).messages).to.deep.equal([{ role: 'user', content: 'Q' }]);
      expect(transport.attempts[1]?.headers['Idempotency-Key']).not.to.equal(transport.attempts[0]?.headers['Idempotency-Key']);
    });

    it('Retry after a failure before any output sends exactly what the first attempt sent', async () => {
      const { chat, transport } = session([answer(['A1']), failure({ status: 500, cause: 'http' }), answer(['A2'])], { maxRetries: 0 });
      await chat.send('Q1');
      await chat.send('Q2');
      expect(last(chat).status).to.equal('error');
      expect(await chat.retry()).to.equal(true);
      expect(bodyOf(transport, 2).messages).to.deep.equal(bodyOf(transport, 1).messages);
      expect(bodyOf(transport, 2).messages).to.deep.equal([
        { role: 'user', content: 'Q1' },
        { role: 'assistant', content: 'A1' },
        { role: 'user', content: 'Q2' },
      ]);
      expect(chat.messages.map((m) => [m.role, m.content, m.status])).to.deep.equal([
        ['user', 'Q1', 'complete'],
        ['assistant', 'A1', 'complete'],
        ['user', 'Q2', 'complete'],
        ['assistant', 'A2', 'complete'],
      ]);
    });

    it('Retry is refused for an error that sending again cannot fix', async () => {
      const { chat, transport } = session([failure({ status: 401, type: 'authentication_error', cause: 'http' })]);
      await chat.send('Q');
      expect(last(chat).error?.kind).to.equal('auth_failed');
      expect(await chat.retry()).to.equal(false);
      expect(transport.attempts.length).to.equal(1);
    });

    it('Continue sends the partial as the last assistant message and drops a repeated overlap', async () => {
      const { chat, transport } = session([answer(['The quick brown fox jumps'], 'length'), answer(['fox jumps', ' over the lazy dog.'])]);
      await chat.send('Q');
      expect(last(chat).status).to.equal('truncated');
      expect(await chat.continue()).to.equal(true);
      expect(last(chat)).to.deep.include({ content: 'The quick brown fox jumps over the lazy dog.', status: 'complete' });
      expect(bodyOf(transport, 1)['continue']).to.equal(true);
      expect(bodyOf(transport, 1).messages.at(-1)).to.deep.equal({ role: 'assistant', content: 'The quick brown fox jumps' });
    });

    it('Continue is not offered for filtered answers', async () => {
      const { chat } = session([answer(['x'], 'content_filter')]);
      await chat.send('Q');
      expect(chat.canContinue(last(chat))).to.equal(false);
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
