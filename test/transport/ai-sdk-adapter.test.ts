import { expect } from '@open-wc/testing';
import { createAiSdkAdapter } from '../../src/transport/ai-sdk-adapter.js';
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
import { ANSWER_TEXT, TOOL_CALL, aiSdk, jsonError } from '../support/protocol-wire.js';

const adapter = createAiSdkAdapter();
const H = { ...aiSdk.headers, 'X-Request-ID': 'req_hdr' };
const c = aiSdk.chunk;

describe('the ai-sdk protocol adapter', () => {
  describe('stream decoding', () => {
    it('decodes a whole UI message stream into the same events at every cut, CRLF and multibyte included', async () => {
      // One event with CRLF line endings, as some proxies rewrite them.
      const wire = aiSdk.answer().replace(c({ type: 'start-step' }), c({ type: 'start-step' }).replace(/\n/g, '\r\n'));
      const events = await expectSameAtEveryCut(adapter, wire, H);
      expect(events).to.deep.equal([
        { type: 'meta', requestId: 'req_hdr' },
        { type: 'meta', requestId: 'msg_ai_1', model: 'gpt-test' },
        { type: 'reasoning', text: 'Think ' },
        { type: 'reasoning', text: 'first.' },
        { type: 'delta', text: 'Héllo ' },
        { type: 'delta', text: '世界 👋🏽' },
        { type: 'delta', text: ' — done.' },
        { type: 'tool-call', toolCall: TOOL_CALL },
        { type: 'usage', promptTokens: 21, completionTokens: 9, cachedTokens: 5 },
        // AI SDK 5 sends no finishReason: a call left without output is the page's turn.
        { type: 'finish', reason: 'tool_calls' },
        { type: 'done' },
      ]);
    });

    it('survives cuts inside "data:", between CR and LF and inside a multibyte character', async () => {
      const wire = aiSdk.answer().replace(/\n/g, '\r\n');
      const chunks = cutAt(bytes(wire), awkwardOffsets(wire, 'data:'));
      expect(chunks.length).to.equal(5);
      const events = await collect(adapter, chunkedFetch(chunks, { headers: H }));
      expect(textOf(events)).to.equal(ANSWER_TEXT);
      expect(reasoningOf(events)).to.equal('Think first.');
    });

    const finishes: Array<[string | undefined, string]> = [
      ['stop', 'stop'],
      ['length', 'length'],
      ['content-filter', 'content_filter'],
      ['tool-calls', 'tool_calls'],
      ['other', 'other'],
    ];
    for (const [sent, expected] of finishes) {
      it(`maps finishReason ${sent} to ${expected}`, async () => {
        const events = await run(adapter, aiSdk.answer({ finishReason: sent as string }), H);
        expect(events.filter((e) => e.type === 'finish')).to.deep.equal([{ type: 'finish', reason: expected }]);
      });
    }

    it('ends a text-only answer without finishReason as stop', async () => {
      const events = await run(adapter, c({ type: 'start' }) + aiSdk.text(['Hi']) + c({ type: 'finish' }) + aiSdk.done(), H);
      expect(events.filter((e) => e.type !== 'meta')).to.deep.equal([
        { type: 'delta', text: 'Hi' },
        { type: 'finish', reason: 'stop' },
        { type: 'done' },
      ]);
    });

    it('reports a tool the server executed, but does not end the answer in tool_calls for it', async () => {
      const { id: toolCallId, name: toolName } = TOOL_CALL;
      const wire =
        c({ type: 'start' }) +
        c({ type: 'start-step' }) +
        aiSdk.text(['Let me check.'], 't1') +
        c({ type: 'tool-input-available', toolCallId, toolName, input: { city: 'Paris' } }) +
        c({ type: 'tool-output-available', toolCallId, output: { temperature: 21 } }) +
        c({ type: 'finish-step' }) +
        c({ type: 'start-step' }) +
        aiSdk.text(['It is 21 °C.'], 't2') +
        c({ type: 'finish-step' }) +
        c({ type: 'finish' }) +
        aiSdk.done();
      const events = await run(adapter, wire, H);
      // A new step after earlier text starts a new paragraph.
      expect(textOf(events)).to.equal('Let me check.\n\nIt is 21 °C.');
      expect(events.filter((e) => e.type === 'tool-call')).to.have.length(1);
      expect(events.find((e) => e.type === 'finish')).to.deep.equal({ type: 'finish', reason: 'stop' });
    });

    it('reports each call once, skips provider-executed tools and hands over input that failed validation', async () => {
      const wire =
        c({ type: 'tool-input-available', toolCallId: 'a', toolName: 'f', input: {} }) +
        c({ type: 'tool-input-available', toolCallId: 'a', toolName: 'f', input: {} }) +
        c({ type: 'tool-input-available', toolCallId: 'ws', toolName: 'web_search', input: { q: 'x' }, providerExecuted: true }) +
        c({ type: 'tool-input-error', toolCallId: 'b', toolName: 'g', input: '{"x": ', errorText: 'Invalid JSON' }) +
        c({ type: 'data-weather', data: { x: 1 } }) +
        c({ type: 'source-url', sourceId: 's', url: 'https://example.com' }) +
        c({ type: 'finish', finishReason: 'tool-calls' }) +
        aiSdk.done();
      const events = await run(adapter, wire, H);
      expect(events.filter((e) => e.type === 'tool-call')).to.deep.equal([
        { type: 'tool-call', toolCall: { id: 'a', name: 'f', arguments: '{}' } },
        { type: 'tool-call', toolCall: { id: 'b', name: 'g', arguments: '{"x": ' } },
      ]);
    });

    it('reads usage from message metadata in the AI SDK 6 shape too', async () => {
      const usage = { inputTokens: 40, outputTokens: 2, inputTokenDetails: { cacheReadTokens: 32 } };
      const events = await run(adapter, aiSdk.text(['x']) + c({ type: 'finish', messageMetadata: { usage } }) + aiSdk.done(), H);
      expect(events.find((e) => e.type === 'usage')).to.deep.equal({
        type: 'usage',
        promptTokens: 40,
        completionTokens: 2,
        cachedTokens: 32,
      });
    });
  });

  describe('terminal and failure cases', () => {
    it('treats finish without [DONE] as complete', async () => {
      const events = await run(adapter, aiSdk.text(['a']) + c({ type: 'finish', finishReason: 'length' }), H);
      expect(kinds(events).at(-1)).to.equal('finish');
    });

    it('ends a stream without finish or [DONE] with an eof error, keeping the text', async () => {
      const events = await run(adapter, c({ type: 'start' }) + aiSdk.text(['partial']), H);
      expect(textOf(events)).to.equal('partial');
      expect(lastError(events)?.cause).to.equal('eof');
    });

    it('reports an in-band error after the text, read for what its errorText says', async () => {
      const cases: Array<[string, Record<string, unknown>]> = [
        ['An error occurred.', { message: 'An error occurred.' }],
        ['Overloaded', { type: 'overloaded_error' }],
        ['Rate limit reached for requests', { type: 'rate_limit_error' }],
        ['You exceeded your current quota, please check your plan', { code: 'insufficient_quota' }],
        ["This model's maximum context length is 8192 tokens", { message: "This model's maximum context length is 8192 tokens" }],
        [JSON.stringify({ name: 'AI_APICallError', statusCode: 529, message: 'busy' }), { status: 529, message: 'busy' }],
      ];
      for (const [errorText, expected] of cases) {
        const events = await run(adapter, aiSdk.text(['Kept']) + c({ type: 'error', errorText }), H);
        expect(textOf(events)).to.equal('Kept');
        const error = lastError(events);
        expect(error, errorText).to.deep.include({ cause: 'in_band', requestId: 'req_hdr', ...expected });
        if (!('type' in expected) && !('code' in expected)) expect(error?.type, errorText).to.equal(undefined);
      }
    });

    it('reports an abort chunk and a finishReason of error as errors', async () => {
      expect(lastError(await run(adapter, aiSdk.text(['a']) + c({ type: 'abort' }), H))?.type).to.equal('server_error');
      expect(lastError(await run(adapter, aiSdk.text(['a']) + c({ type: 'finish', finishReason: 'error' }), H))?.type).to.equal(
        'server_error',
      );
    });

    it('ends the stream on a malformed chunk, keeping what came before', async () => {
      for (const bad of ['data: {not json\n\n', c({ no: 'type' }), c({ type: 'text-delta', id: 't' })]) {
        const events = await run(adapter, aiSdk.text(['kept']) + bad + aiSdk.text(['after']) + c({ type: 'finish' }) + aiSdk.done(), H);
        expect(textOf(events), bad).to.equal('kept');
        expect(lastError(events)?.cause, bad).to.equal('malformed');
      }
    });

    it('reports a read failure mid-stream as a network error after the text', async () => {
      const events = await run(adapter, [bytes(aiSdk.text(['so far']))], H, true);
      expect(textOf(events)).to.equal('so far');
      expect(lastError(events)?.cause).to.equal('network');
    });
  });

  describe('error bodies over real HTTP', () => {
    it('reads the status, a JSON error and Retry-After', async () => {
      const [event] = await runOverHttp(adapter, jsonError(429, { error: 'Too many requests' }, { 'Retry-After': '3' }));
      expect(event).to.deep.equal({
        type: 'error',
        error: { cause: 'http', status: 429, message: 'Too many requests', retryAfterMs: 3000 },
      });
    });

    it("reads a route's {errorText} body as words, and keeps no text of a plain-text body", async () => {
      const [worded] = await runOverHttp(adapter, jsonError(500, { errorText: 'The provider is overloaded' }));
      expect(worded).to.deep.equal({
        type: 'error',
        error: { cause: 'http', status: 500, message: 'The provider is overloaded', type: 'overloaded_error' },
      });
      const [plain] = await runOverHttp(adapter, {
        status: 401,
        headers: { 'Content-Type': 'text/plain' },
        pieces: [{ text: 'Unauthorized' }],
      });
      expect(plain).to.deep.equal({ type: 'error', error: { cause: 'http', status: 401, unparsedBody: true } });
    });
  });

  describe('request encoding', () => {
    it('sends the body useChat sends, with the model settings under the names streamText takes', () => {
      const body = adapter.encodeRequest(requestInput({ system: 'Be brief.', model: 'gpt-x', temperature: 0.3, maxTokens: 100 }));
      expect(Object.keys(body)).to.deep.equal(['id', 'messages', 'trigger', 'model', 'temperature', 'maxOutputTokens']);
      expect(body['trigger']).to.equal('submit-message');
      expect(body['id']).to.match(/^chat-[a-z0-9]+-[a-z0-9]+$/);
      const messages = body['messages'] as Array<Record<string, unknown>>;
      expect(messages.map(({ role, parts }) => ({ role, parts }))).to.deep.equal([
        { role: 'system', parts: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', parts: [{ type: 'text', text: 'Hi' }] },
      ]);
      expect(new Set(messages.map((m) => m['id'])).size).to.equal(2);
      expect(body).to.not.have.property('continue');
      expect(body).to.not.have.property('messageId');
    });

    it('keeps the chat id and message ids stable as the conversation grows', () => {
      const first = adapter.encodeRequest(requestInput());
      const second = adapter.encodeRequest(
        requestInput({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Hello!' },
            { role: 'user', content: 'More' },
          ],
        }),
      );
      const other = adapter.encodeRequest(requestInput({ messages: [{ role: 'user', content: 'Another chat' }] }));
      expect(second['id']).to.equal(first['id']);
      expect(other['id']).to.not.equal(first['id']);
      const ids = (body: Record<string, unknown>) => (body['messages'] as Array<{ id: string }>).map((m) => m.id);
      expect(ids(second).slice(0, 1)).to.deep.equal(ids(first));
    });

    it("folds tool results into their call's tool part and lets the page's body win", () => {
      const body = adapter.encodeRequest(
        requestInput({
          tools: [{ name: 'get_weather', parameters: { type: 'object' } }],
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: 'Checking.', toolCalls: [TOOL_CALL, { id: 'c2', name: 'get_time', arguments: '{}' }] },
            { role: 'tool', content: '{"temperature":21}', toolCallId: TOOL_CALL.id },
            { role: 'tool', content: 'noon', toolCallId: 'c2' },
          ],
          body: { id: 'my-chat', sessionId: 's1' },
        }),
      );
      expect(body['id']).to.equal('my-chat');
      expect(body['sessionId']).to.equal('s1');
      expect(body).to.not.have.property('tools');
      const messages = body['messages'] as Array<Record<string, unknown>>;
      expect(messages).to.have.length(2);
      expect(messages[1]?.['parts']).to.deep.equal([
        { type: 'text', text: 'Checking.' },
        {
          type: 'tool-get_weather',
          toolCallId: TOOL_CALL.id,
          state: 'output-available',
          input: { city: 'Paris' },
          output: { temperature: 21 },
        },
        { type: 'tool-get_time', toolCallId: 'c2', state: 'output-available', input: {}, output: 'noon' },
      ]);
    });

    it('sends Continue as the partial assistant message, named by messageId, with continue: true', () => {
      const body = adapter.encodeRequest(
        requestInput({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'The partial ans' },
          ],
          continuation: true,
        }),
      );
      const messages = body['messages'] as Array<Record<string, unknown>>;
      expect(messages.at(-1)).to.deep.include({ role: 'assistant', parts: [{ type: 'text', text: 'The partial ans' }] });
      expect(body['messageId']).to.equal(messages.at(-1)?.['id']);
      expect(body['continue']).to.equal(true);
      expect(body['trigger']).to.equal('submit-message');
    });
  });

  describe('error bodies', () => {
    it('reads an OpenAI-style envelope, {error: string} and {errorText}', () => {
      expect(adapter.decodeError({ error: { message: 'm', code: 'rate_limit_exceeded' } })).to.deep.include({
        code: 'rate_limit_exceeded',
      });
      expect(adapter.decodeError({ error: 'nope' })).to.deep.include({ message: 'nope' });
      expect(adapter.decodeError({ errorText: 'Invalid API key' })).to.deep.include({ type: 'authentication_error' });
      expect(adapter.decodeError({ unrelated: true })).to.deep.equal({});
    });
  });
});
