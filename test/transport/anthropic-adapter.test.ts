import { expect } from '@open-wc/testing';
import { createAnthropicAdapter } from '../../src/transport/anthropic-adapter.js';
import { bytes, chunkedFetch, cutAt } from '../support/byte-stream.js';
import {
  awkwardOffsets,
  collect,
  expectSameAtEveryCut,
  kinds,
  lastError,
  reasoningOf,
  requestInput,
  run,
  runOverHttp,
  textOf,
} from '../support/adapter-stream.js';
import { ANSWER_TEXT, TOOL_CALL, anthropic, jsonError } from '../support/protocol-wire.js';

const adapter = createAnthropicAdapter();
const H = anthropic.headers;
const e = anthropic.event;

describe('the anthropic protocol adapter', () => {
  describe('stream decoding', () => {
    it('decodes a whole Messages stream into the same events at every cut, CRLF and multibyte included', async () => {
      const wire = anthropic.answer().replace(e({ type: 'ping' }), e({ type: 'ping' }).replace(/\n/g, '\r\n'));
      const events = await expectSameAtEveryCut(adapter, wire, H);
      expect(events).to.deep.equal([
        // Anthropic's own request id, from its `request-id` header.
        { type: 'meta', requestId: 'req_anthropic_1' },
        { type: 'meta', requestId: 'msg_01abc', model: 'claude-test' },
        // Cached input counts toward the prompt, as in OpenAI's prompt_tokens.
        { type: 'usage', promptTokens: 120, cachedTokens: 100 },
        { type: 'reasoning', text: 'Think ' },
        { type: 'reasoning', text: 'first.' },
        { type: 'delta', text: 'Héllo ' },
        { type: 'delta', text: '世界 👋🏽' },
        { type: 'delta', text: ' — done.' },
        { type: 'tool-call', toolCall: TOOL_CALL, index: 2 },
        { type: 'usage', promptTokens: 120, completionTokens: 9, cachedTokens: 100 },
        { type: 'finish', reason: 'tool_calls' },
        { type: 'done' },
      ]);
    });

    it('survives cuts inside "data:", between CR and LF and inside a multibyte character', async () => {
      const wire = anthropic.answer().replace(/\n/g, '\r\n');
      const chunks = cutAt(bytes(wire), awkwardOffsets(wire, 'data:'));
      expect(chunks.length).to.equal(5);
      const events = await collect(adapter, chunkedFetch(chunks, { headers: H }));
      expect(textOf(events)).to.equal(ANSWER_TEXT);
      expect(reasoningOf(events)).to.equal('Think first.');
    });

    const stops: Array<[string, string]> = [
      ['end_turn', 'end_turn'],
      ['stop_sequence', 'stop_sequence'],
      ['max_tokens', 'length'],
      ['tool_use', 'tool_calls'],
      ['refusal', 'content_filter'],
      ['pause_turn', 'length'],
      ['model_context_window_exceeded', 'length'],
    ];
    for (const [stop, expected] of stops) {
      it(`passes stop_reason ${stop} on as ${expected}`, async () => {
        const events = await run(adapter, anthropic.start() + anthropic.textBlock(0, ['x']) + anthropic.stop(stop), H);
        expect(events.filter((x) => x.type === 'finish')).to.deep.equal([{ type: 'finish', reason: expected }]);
      });
    }

    it('assembles interleaved tool_use blocks whole, each emitted once when its block stops', async () => {
      const start = (index: number, id: string, name: string) =>
        e({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } });
      const json = (index: number, partial_json: string) =>
        e({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
      const wire =
        anthropic.start() +
        start(0, 'toolu_a', 'get_weather') +
        json(0, '{"ci') +
        start(1, 'toolu_b', 'get_time') +
        json(1, '{"tz":"UTC"') +
        json(0, 'ty":"Oslo"}') +
        json(1, '}') +
        e({ type: 'content_block_stop', index: 1 }) +
        e({ type: 'content_block_stop', index: 0 }) +
        // A block sent whole carries its input on the start event and has no fragments.
        e({
          type: 'content_block_start',
          index: 2,
          content_block: { type: 'tool_use', id: 'toolu_c', name: 'lookup', input: { q: 'x' } },
        }) +
        e({ type: 'content_block_stop', index: 2 }) +
        e({ type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_d', name: 'now', input: {} } }) +
        json(3, '') +
        e({ type: 'content_block_stop', index: 3 }) +
        anthropic.stop('tool_use');
      const events = await run(adapter, wire, H);
      expect(events.filter((x) => x.type === 'tool-call')).to.deep.equal([
        { type: 'tool-call', toolCall: { id: 'toolu_a', name: 'get_weather', arguments: '{"city":"Oslo"}' }, index: 0 },
        { type: 'tool-call', toolCall: { id: 'toolu_b', name: 'get_time', arguments: '{"tz":"UTC"}' }, index: 1 },
        { type: 'tool-call', toolCall: { id: 'toolu_c', name: 'lookup', arguments: '{"q":"x"}' }, index: 2 },
        { type: 'tool-call', toolCall: { id: 'toolu_d', name: 'now', arguments: '{}' }, index: 3 },
      ]);
    });

    it("ignores redacted thinking, the provider's own tools, citations and events it does not know", async () => {
      const wire =
        anthropic.start() +
        e({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwKAhgB' } }) +
        e({ type: 'content_block_stop', index: 0 }) +
        e({
          type: 'content_block_start',
          index: 1,
          content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
        }) +
        e({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"query":"x"}' } }) +
        e({ type: 'content_block_stop', index: 1 }) +
        anthropic.textBlock(2, ['Answer']) +
        e({ type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: { type: 'web_search_result_location' } } }) +
        e({ type: 'some_future_event', detail: 1 }) +
        anthropic.stop('end_turn');
      const events = await run(adapter, wire, H);
      expect(textOf(events)).to.equal('Answer');
      expect(events.some((x) => x.type === 'tool-call')).to.equal(false);
      expect(kinds(events).slice(-2)).to.deep.equal(['finish', 'done']);
    });
  });

  describe('terminal and failure cases', () => {
    it('treats message_delta with a stop_reason as complete even if message_stop never comes', async () => {
      const events = await run(
        adapter,
        anthropic.start() +
          anthropic.textBlock(0, ['a']) +
          e({ type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
        H,
      );
      expect(kinds(events).at(-1)).to.equal('finish');
    });

    it('ends a stream without message_delta or message_stop with an eof error, keeping the text', async () => {
      const events = await run(adapter, anthropic.start() + anthropic.textBlock(0, ['partial']), H);
      expect(textOf(events)).to.equal('partial');
      expect(lastError(events)?.cause).to.equal('eof');
    });

    it('reports an error event after the text with its type (overloaded_error, api_error)', async () => {
      const overloaded = await run(
        adapter,
        anthropic.start() + anthropic.textBlock(0, ['Kept']) + anthropic.error('overloaded_error', 'Overloaded'),
        H,
      );
      expect(textOf(overloaded)).to.equal('Kept');
      expect(lastError(overloaded)).to.deep.equal({
        cause: 'in_band',
        type: 'overloaded_error',
        message: 'Overloaded',
        requestId: 'req_anthropic_1',
      });
      const api = await run(adapter, anthropic.start() + anthropic.error('api_error', 'Internal server error'), H);
      expect(lastError(api)?.type).to.equal('api_error');
    });

    it('ends the stream on a malformed event, keeping what came before', async () => {
      const wire =
        anthropic.start() +
        anthropic.textBlock(0, ['kept']) +
        'event: content_block_delta\ndata: {"type":\n\n' +
        anthropic.stop('end_turn');
      const events = await run(adapter, wire, H);
      expect(textOf(events)).to.equal('kept');
      expect(lastError(events)?.cause).to.equal('malformed');
    });

    it('reports a read failure mid-stream as a network error after the text', async () => {
      const events = await run(adapter, [bytes(anthropic.start() + anthropic.textBlock(0, ['so far']))], H, true);
      expect(textOf(events)).to.equal('so far');
      expect(lastError(events)?.cause).to.equal('network');
    });
  });

  describe('error bodies over real HTTP', () => {
    it("reads Anthropic's error body with its request id and the retry-after header", async () => {
      const [event] = await runOverHttp(
        adapter,
        jsonError(429, anthropic.errorBody('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'), {
          'retry-after': '12',
        }),
      );
      expect(event).to.deep.equal({
        type: 'error',
        error: {
          cause: 'http',
          status: 429,
          type: 'rate_limit_error',
          message: 'Number of request tokens has exceeded your per-minute rate limit',
          requestId: 'req_011_err',
          retryAfterMs: 12000,
        },
      });
    });

    it('keeps a 529 overloaded_error and a 400 about the prompt length as they are', async () => {
      const [overloaded] = await runOverHttp(adapter, jsonError(529, anthropic.errorBody('overloaded_error', 'Overloaded')));
      expect(overloaded?.type === 'error' && overloaded.error).to.deep.include({ status: 529, type: 'overloaded_error' });
      const [long] = await runOverHttp(
        adapter,
        jsonError(400, anthropic.errorBody('invalid_request_error', 'prompt is too long: 208000 tokens > 200000 maximum')),
      );
      expect(long?.type === 'error' && long.error).to.deep.include({
        status: 400,
        message: 'prompt is too long: 208000 tokens > 200000 maximum',
      });
    });
  });

  describe('request encoding', () => {
    it('sends the Messages shape: model, max_tokens always, top-level system, stream', () => {
      const body = adapter.encodeRequest(requestInput({ system: 'Be brief.', model: 'claude-x', temperature: 0.5 }));
      expect(body).to.deep.equal({
        model: 'claude-x',
        max_tokens: 4096,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        temperature: 0.5,
      });
      expect(adapter.encodeRequest(requestInput({ maxTokens: 64 }))['max_tokens']).to.equal(64);
    });

    it('encodes tools, tool_use blocks and the results of one round in one user message', () => {
      const body = adapter.encodeRequest(
        requestInput({
          tools: [
            { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
          ],
          messages: [
            { role: 'user', content: 'Weather and time?' },
            { role: 'assistant', content: '', toolCalls: [TOOL_CALL, { id: 'toolu_2', name: 'get_time', arguments: 'not json' }] },
            { role: 'tool', content: '{"c":3}', toolCallId: TOOL_CALL.id },
            { role: 'tool', content: 'noon', toolCallId: 'toolu_2' },
            { role: 'assistant', content: 'It is 3 °C at noon.' },
          ],
          body: { metadata: { user_id: 'u1' } },
        }),
      );
      expect(body['tools']).to.deep.equal([
        { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } },
      ]);
      expect(body['messages']).to.deep.equal([
        { role: 'user', content: 'Weather and time?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: TOOL_CALL.id, name: 'get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: TOOL_CALL.id, content: '{"c":3}' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'noon' },
          ],
        },
        { role: 'assistant', content: 'It is 3 °C at noon.' },
      ]);
      expect(body['metadata']).to.deep.equal({ user_id: 'u1' });
    });

    it('sends Continue as a prefill without trailing whitespace and without a continue field', () => {
      const body = adapter.encodeRequest(
        requestInput({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'The partial answer \n' },
          ],
          continuation: true,
        }),
      );
      expect(body['messages']).to.deep.equal([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'The partial answer' },
      ]);
      expect(body).to.not.have.property('continue');
    });
  });
});
