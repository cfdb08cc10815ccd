import { expect } from '@open-wc/testing';
import type { ChatEvent } from '../../src/core/types.js';
import { createOpenAIAdapter } from '../../src/transport/openai-adapter.js';
import { resumeChat, streamChat } from '../../src/transport/stream-chat.js';
import type { StreamCursor } from '../../src/transport/stream-chat.js';
import type { StreamChatOptions } from '../../src/transport/stream-chat.js';
import { bytes, chunkedFetch, cutAt } from '../support/byte-stream.js';
import { SSE_HEADERS, chunk, done, errorResponse, finish, inBandError, role, script, text, usage } from '../support/script.js';

const request = { url: 'http://127.0.0.1/unused', headers: {}, body: { messages: [] } };

async function collect(fetchImpl: typeof fetch, extra: Partial<StreamChatOptions> = {}): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  const options: StreamChatOptions = { adapter: createOpenAIAdapter(), signal: new AbortController().signal, fetch: fetchImpl, ...extra };
  for await (const event of streamChat(request, options)) events.push(event);
  return events;
}

const textOf = (events: ChatEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
const kinds = (events: ChatEvent[]) => events.map((e) => e.type);

// Multibyte on purpose: 2-byte é, 3-byte 世界, 4-byte emoji; CRLF line endings on one event.
const WIRE =
  role() + text('Héllo ') + text('世界 👋🏽') + chunk({ content: ' end' }).replace(/\n/g, '\r\n') + finish('stop') + usage(20, 7, 8) + done();
const WIRE_TEXT = 'Héllo 世界 👋🏽 end';

describe('streamChat', () => {
  describe('cut fixtures', () => {
    it('yields the same events for a cut at every byte offset', async () => {
      const data = bytes(WIRE);
      const whole = await collect(chunkedFetch([data]));
      expect(textOf(whole)).to.equal(WIRE_TEXT);
      for (let offset = 1; offset < data.length; offset++) {
        const events = await collect(chunkedFetch(cutAt(data, [offset])));
        expect(events, `cut at byte ${offset}`).to.deep.equal(whole);
      }
    });

    it('survives cuts inside "data:", between CR and LF, and inside a multibyte character', async () => {
      const data = bytes(WIRE);
      const source = WIRE;
      const insideData = bytes(source.slice(0, source.indexOf('data:', 10) + 3)).length;
      const crlf = bytes(source.slice(0, source.indexOf('\r\n') + 1)).length;
      const emojiStart = bytes(source.slice(0, source.indexOf('👋'))).length;
      const chunks = cutAt(data, [insideData, crlf, emojiStart + 1, emojiStart + 3]);
      expect(chunks.length).to.equal(5);
      const events = await collect(chunkedFetch(chunks));
      expect(textOf(events)).to.equal(WIRE_TEXT);
      expect(kinds(events)).to.deep.equal(['meta', 'meta', 'delta', 'delta', 'delta', 'finish', 'usage', 'done']);
    });

    it('handles one byte at a time', async () => {
      const data = bytes(WIRE);
      const chunks = [...data].map((b) => new Uint8Array([b]));
      expect(textOf(await collect(chunkedFetch(chunks)))).to.equal(WIRE_TEXT);
    });
  });

  describe('one chunk holding a whole answer', () => {
    it('hands out every event in order, in slices between which the browser renders frames', async () => {
      const deltas = Array.from({ length: 3000 }, (_, index) => `word${index} `);
      const wire = role() + deltas.map((delta) => text(delta)).join('') + finish('stop') + done();
      let frames = 0;
      let consumed = 0;
      let seenBetween = 0;
      let counting = true;
      const count = () => {
        frames++;
        if (counting) requestAnimationFrame(count);
      };
      requestAnimationFrame(count);
      await new Promise((resolve) => requestAnimationFrame(resolve));
      const before = frames;
      const events: ChatEvent[] = [];
      const options: StreamChatOptions = {
        adapter: createOpenAIAdapter(),
        signal: new AbortController().signal,
        fetch: chunkedFetch([bytes(wire)]),
      };
      try {
        for await (const event of streamChat(request, options)) {
          events.push(event);
          if (event.type !== 'delta') continue;
          consumed++;
          // A consumer as slow as a real session: about 20 µs per event.
          const until = performance.now() + 0.02;
          while (performance.now() < until);
          if (consumed === deltas.length) seenBetween = frames - before;
        }
      } finally {
        counting = false;
      }
      expect(textOf(events)).to.equal(deltas.join(''));
      expect(kinds(events).at(-1)).to.equal('done');
      // ~60 ms of work in slices of ~8 ms: frames were rendered in between.
      expect(seenBetween).to.be.greaterThan(1);
    });
  });

  describe('events', () => {
    it('reports the header request id, then the chunk id and model', async () => {
      const events = await collect(chunkedFetch([bytes(WIRE)], { headers: { ...SSE_HEADERS, 'X-Request-ID': 'req_abc' } }));
      expect(events[0]).to.deep.equal({ type: 'meta', requestId: 'req_abc' });
      expect(events[1]).to.deep.equal({ type: 'meta', requestId: 'chatcmpl-test', model: 'test-model' });
    });

    it("takes the request id from Anthropic's request-id header when there is no X-Request-ID", async () => {
      const events = await collect(chunkedFetch([bytes(WIRE)], { headers: { ...SSE_HEADERS, 'request-id': 'req_011CAnthropic' } }));
      expect(events[0]).to.deep.equal({ type: 'meta', requestId: 'req_011CAnthropic' });
    });

    it('reads usage with cached tokens', async () => {
      const events = await collect(chunkedFetch([bytes(WIRE)]));
      expect(events.find((e) => e.type === 'usage')).to.deep.equal({
        type: 'usage',
        promptTokens: 20,
        completionTokens: 7,
        cachedTokens: 8,
      });
    });

    it('assembles tool-call fragments by index and emits each when complete', async () => {
      const wire =
        role() +
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }) +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }) +
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }) +
        finish('tool_calls') +
        done();
      const events = await collect(chunkedFetch(cutAt(bytes(wire), [37, 150, 301])));
      const calls = events.filter((e) => e.type === 'tool-call');
      expect(calls).to.deep.equal([
        { type: 'tool-call', toolCall: { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }, index: 0 },
        { type: 'tool-call', toolCall: { id: 'call_b', name: 'get_time', arguments: '{}' }, index: 1 },
      ]);
      // The first call is complete as soon as the second starts, before the finish.
      expect(kinds(events).indexOf('tool-call')).to.be.lessThan(kinds(events).indexOf('finish'));
    });

    it('assembles interleaved fragments of several calls whole, each emitted exactly once', async () => {
      const wire =
        role() +
        chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }] }) +
        chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }] }) +
        // Index 0 continues after index 1 has started: it must not have been emitted yet.
        chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"' } }] }) +
        chunk({ tool_calls: [{ index: 1, function: { arguments: '"UTC"}' } }] }) +
        text('Looking that up.') +
        chunk({ tool_calls: [{ index: 0, function: { arguments: '}' } }] }) +
        chunk({ tool_calls: [{ index: 2, id: 'call_c', type: 'function', function: { name: 'broken', arguments: '{"x": ' } }] }) +
        finish('tool_calls') +
        done();
      const events = await collect(chunkedFetch(cutAt(bytes(wire), [60, 333, 611])));
      const calls = events.filter((e) => e.type === 'tool-call');
      expect(calls).to.deep.equal([
        { type: 'tool-call', toolCall: { id: 'call_b', name: 'get_time', arguments: '{"tz":"UTC"}' }, index: 1 },
        { type: 'tool-call', toolCall: { id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}' }, index: 0 },
        // Never completed as JSON: handed over at the finish, as it is (the tool loop reports the error).
        { type: 'tool-call', toolCall: { id: 'call_c', name: 'broken', arguments: '{"x": ' }, index: 2 },
      ]);
      // Complete calls are emitted the moment their arguments close, while text still streams.
      const order = events.map((e) => (e.type === 'tool-call' ? e.toolCall.id : e.type));
      expect(order.indexOf('call_b')).to.be.lessThan(order.indexOf('delta'));
      expect(order.indexOf('call_a')).to.be.lessThan(order.indexOf('call_c'));
      expect(order.indexOf('call_c')).to.be.lessThan(order.indexOf('finish'));
    });

    it('separates reasoning (both field names), refusal and content', async () => {
      const wire =
        chunk({ reasoning_content: 'think ' }) +
        chunk({ reasoning: 'more' }) +
        chunk({ refusal: 'I cannot help.' }) +
        text('x') +
        finish() +
        done();
      const events = await collect(chunkedFetch([bytes(wire)]));
      expect(events.filter((e) => e.type !== 'meta')).to.deep.equal([
        { type: 'reasoning', text: 'think ' },
        { type: 'reasoning', text: 'more' },
        { type: 'refusal', text: 'I cannot help.' },
        { type: 'delta', text: 'x' },
        { type: 'finish', reason: 'stop' },
        { type: 'done' },
      ]);
    });

    it('ignores keep-alive comments and empty choices, but reports them as activity', async () => {
      let activity = 0;
      const wire = ': ping\n\n' + role() + ': ping\n\n' + `data: {"id":"x","choices":[]}\n\n` + text('ok') + finish() + done();
      const events = await collect(chunkedFetch(cutAt(bytes(wire), [8, 20])), { onActivity: () => activity++ });
      expect(textOf(events)).to.equal('ok');
      expect(activity).to.equal(3);
    });

    it('stops reading after [DONE]', async () => {
      const events = await collect(chunkedFetch([bytes(text('a') + finish() + done()), bytes(text('ignored'))]));
      expect(textOf(events)).to.equal('a');
    });
  });

  describe('terminal and failure cases', () => {
    it('treats a finish_reason without [DONE] as complete', async () => {
      const events = await collect(chunkedFetch([bytes(text('a') + finish('length'))]));
      expect(kinds(events).at(-1)).to.equal('finish');
      expect(events.some((e) => e.type === 'error')).to.equal(false);
    });

    it('ends a stream without a terminal event with an eof error, keeping the text', async () => {
      const events = await collect(chunkedFetch([bytes(role() + text('partial'))]));
      expect(textOf(events)).to.equal('partial');
      const last = events.at(-1);
      expect(last?.type).to.equal('error');
      expect(last?.type === 'error' && last.error.cause).to.equal('eof');
    });

    it('reports an in-band error chunk with its envelope fields', async () => {
      const wire = text('Hi') + inBandError({ message: 'boom', type: 'server_error', code: 'upstream_error', request_id: 'req_9' });
      const events = await collect(chunkedFetch([bytes(wire)]));
      expect(textOf(events)).to.equal('Hi');
      expect(events.at(-1)).to.deep.equal({
        type: 'error',
        error: { cause: 'in_band', message: 'boom', type: 'server_error', code: 'upstream_error', requestId: 'req_9' },
      });
    });

    it('reports finish_reason "error" with an error object as an error', async () => {
      const wire =
        text('Hi') +
        `data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: {}, finish_reason: 'error', error: { message: 'oops', code: 'upstream_error' } }] })}\n\n`;
      const events = await collect(chunkedFetch([bytes(wire)]));
      const last = events.at(-1);
      expect(last?.type === 'error' && last.error.code).to.equal('upstream_error');
    });

    it('ends the stream on a malformed chunk, keeping what came before', async () => {
      const events = await collect(chunkedFetch([bytes(text('kept') + 'data: {not json\n\n' + text('after') + finish() + done())]));
      expect(textOf(events)).to.equal('kept');
      const last = events.at(-1);
      expect(last?.type === 'error' && last.error.cause).to.equal('malformed');
    });

    it('reports a read failure mid-stream as a network error after the text', async () => {
      const events = await collect(chunkedFetch([bytes(role() + text('so far'))], { failAfter: true }));
      expect(textOf(events)).to.equal('so far');
      const last = events.at(-1);
      expect(last?.type === 'error' && last.error.cause).to.equal('network');
    });

    it('reports a rejected fetch as a network error', async () => {
      const events = await collect(async () => {
        throw new TypeError('Failed to fetch');
      });
      expect(events).to.deep.equal([{ type: 'error', error: { cause: 'network', message: 'Failed to fetch' } }]);
    });

    it('bounds the event buffer against a server that never ends a line', async () => {
      const events = await collect(chunkedFetch([bytes('data: ' + 'x'.repeat(5000))]), { maxEventSize: 1000 });
      const last = events.at(-1);
      expect(last?.type === 'error' && last.error.cause).to.equal('malformed');
    });

    it('rejects with the abort reason when aborted', async () => {
      const controller = new AbortController();
      const events: ChatEvent[] = [];
      let caught: unknown;
      try {
        for await (const event of streamChat(request, {
          adapter: createOpenAIAdapter(),
          signal: controller.signal,
          fetch: chunkedFetch([bytes(text('a')), bytes(text('b')), bytes(text('c'))]),
        })) {
          events.push(event);
          if (event.type === 'delta') controller.abort('user');
        }
      } catch (error) {
        caught = error;
      }
      expect(textOf(events)).to.equal('a');
      expect(caught).to.equal('user');
    });
  });

  describe('over real HTTP', () => {
    async function run(step: Parameters<typeof script>[0]) {
      const endpoint = await script(step);
      const events: ChatEvent[] = [];
      for await (const event of streamChat(
        { ...request, url: endpoint.url },
        { adapter: createOpenAIAdapter(), signal: new AbortController().signal },
      )) {
        events.push(event);
      }
      return events;
    }

    it('keeps the status and envelope of a JSON error and reads Retry-After', async () => {
      const events = await run(
        errorResponse(429, { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' }, { 'Retry-After': '7' }),
      );
      expect(events).to.have.length(1);
      const error = events[0]?.type === 'error' ? events[0].error : undefined;
      expect(error?.status).to.equal(429);
      expect(error?.code).to.equal('rate_limit_exceeded');
      expect(error?.retryAfterMs).to.equal(7000);
      expect(error?.requestId).to.match(/^req_err_/);
    });

    it('never parses an HTML error page', async () => {
      const events = await run({
        status: 502,
        headers: { 'Content-Type': 'text/html' },
        pieces: [{ text: '<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>' }],
      });
      expect(events).to.deep.equal([{ type: 'error', error: { unparsedBody: true, status: 502, cause: 'http' } }]);
    });

    it('treats a 2xx that is not SSE as not_sse, classified by its envelope when it has one', async () => {
      const plain = await run({
        headers: { 'Content-Type': 'application/json' },
        pieces: [{ text: '{"id":"x","choices":[{"message":{"content":"hi"}}]}' }],
      });
      expect(plain).to.deep.equal([{ type: 'error', error: { status: 200, cause: 'not_sse' } }]);
      const enveloped = await run({
        headers: { 'Content-Type': 'application/json' },
        pieces: [{ text: '{"error":{"message":"quota","code":"insufficient_quota"}}' }],
      });
      expect(enveloped[0]?.type === 'error' && enveloped[0].error.code).to.equal('insufficient_quota');
    });

    it('treats a 204 as not a stream', async () => {
      const events = await run({ status: 204 });
      expect(events[0]?.type === 'error' && events[0].error.status).to.equal(204);
    });

    it('reports a connection reset mid-stream as a network error after the text', async () => {
      const events = await run({ headers: SSE_HEADERS, pieces: [{ text: role() + text('half') }, { delayMs: 30 }], end: 'reset' });
      expect(textOf(events)).to.equal('half');
      const last = events.at(-1);
      expect(last?.type === 'error' && last.error.cause).to.equal('network');
    });
  });

  describe('resumable streams (DESIGN §4b)', () => {
    const numberedWire = (frames: string[], from = 0) => frames.map((frame, i) => `id: s1:${from + i + 1}\n${frame}`).join('');

    it('reports where the stream stands after the events of each numbered frame', async () => {
      const cursors: string[] = [];
      const seen: string[] = [];
      const wire = numberedWire([role(), text('Hello '), text('world')]);
      const fetchImpl = chunkedFetch([bytes(wire)], { headers: { ...SSE_HEADERS, 'X-Stream-ID': 's1' } });
      for await (const event of streamChat(request, {
        adapter: createOpenAIAdapter(),
        signal: new AbortController().signal,
        fetch: fetchImpl,
        onCursor: (cursor) => cursors.push(`${cursor.lastEventId}@${seen.length}`),
      })) {
        if (event.type === 'delta') seen.push(event.text);
      }
      // The cursor at the start (nothing numbered yet), then one per frame, after its text was delivered.
      expect(cursors).to.deep.equal(['undefined@0', 's1:1@0', 's1:2@1', 's1:3@2']);
    });

    it('resumes with GET <endpoint>/streams/<id> and Last-Event-ID, continuing the same decoder', async () => {
      const cut =
        numberedWire([
          role(),
          chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }] }),
        ]) + 'id: s1:3\ndata: {"partial';
      let cursor: StreamCursor | undefined;
      const first: ChatEvent[] = [];
      for await (const event of streamChat(
        { url: '/api/chat?tenant=a', headers: { 'X-CSRF-Token': 't', 'Idempotency-Key': 'k' }, body: {} },
        {
          adapter: createOpenAIAdapter(),
          signal: new AbortController().signal,
          fetch: chunkedFetch([bytes(cut)], { headers: { ...SSE_HEADERS, 'X-Stream-ID': 's1' }, failAfter: true }),
          onCursor: (next) => (cursor = next),
        },
      )) {
        first.push(event);
      }
      expect(first.at(-1)?.type === 'error' && first.at(-1)).to.deep.include({ type: 'error' });
      expect(cursor?.lastEventId).to.equal('s1:2');

      const asked: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
      const rest = numberedWire(
        [chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }), finish('tool_calls'), done()],
        2,
      );
      const resumeFetch = chunkedFetch([bytes(rest)], { headers: { ...SSE_HEADERS, 'X-Stream-ID': 's1' } });
      const events: ChatEvent[] = [];
      for await (const event of resumeChat(
        {
          url: '/api/chat?tenant=a',
          headers: { 'X-CSRF-Token': 't', 'Idempotency-Key': 'k', 'Content-Type': 'application/json' },
          body: {},
        },
        cursor as StreamCursor,
        {
          adapter: createOpenAIAdapter(),
          signal: new AbortController().signal,
          fetch: (url, init) => {
            asked.push({ url: String(url), method: init?.method ?? '', headers: init?.headers as Record<string, string> });
            return resumeFetch(url, init);
          },
        },
      )) {
        events.push(event);
      }
      expect(asked).to.deep.equal([
        {
          url: '/api/chat/streams/s1?tenant=a',
          method: 'GET',
          headers: { Accept: 'text/event-stream', 'X-CSRF-Token': 't', 'Last-Event-ID': 's1:2' },
        },
      ]);
      // The call's first fragment came before the cut: the same decoder assembles it whole.
      expect(events.filter((e) => e.type === 'tool-call')).to.deep.equal([
        { type: 'tool-call', toolCall: { id: 'c1', name: 'get_weather', arguments: '{"city":"Oslo"}' }, index: 0 },
      ]);
      expect(kinds(events).at(-1)).to.equal('done');
    });
  });
});
