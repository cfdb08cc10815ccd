import { expect } from '@open-wc/testing';
import type { ChatEvent } from '../../src/core/types.js';
import { createNdjsonAdapter } from '../../src/transport/ndjson-adapter.js';
import { bytes, chunkedFetch, cutAt } from '../support/byte-stream.js';
import {
  awkwardOffsets,
  collect,
  kinds,
  lastError,
  reasoningOf,
  requestInput,
  run,
  runOverHttp,
  textOf,
} from '../support/adapter-stream.js';
import { ANSWER_TEXT, TOOL_CALL, jsonError, ndjson } from '../support/protocol-wire.js';

const adapter = createNdjsonAdapter();
const H = ndjson.headers;

/** Tool call ids are made up when Ollama sends none; compare them by shape. */
const withoutIds = (events: ChatEvent[]) =>
  events.map((event) => (event.type === 'tool-call' ? { ...event, toolCall: { ...event.toolCall, id: 'id' } } : event));

describe('the ndjson (Ollama) protocol adapter', () => {
  describe('stream decoding', () => {
    it('decodes a whole /api/chat stream into the same events at every cut, CRLF and multibyte included', async () => {
      const wire = ndjson.answer().replace('\n', '\r\n');
      const data = bytes(wire);
      const whole = withoutIds(await run(adapter, [data], H));
      for (let offset = 1; offset < data.length; offset++) {
        expect(withoutIds(await run(adapter, cutAt(data, [offset]), H)), `cut at byte ${offset}`).to.deep.equal(whole);
      }
      expect(whole).to.deep.equal([
        { type: 'meta' },
        { type: 'meta', model: 'llama-test' },
        { type: 'reasoning', text: 'Think ' },
        { type: 'reasoning', text: 'first.' },
        { type: 'delta', text: 'Héllo ' },
        { type: 'delta', text: '世界 👋🏽' },
        { type: 'delta', text: ' — done.' },
        { type: 'tool-call', toolCall: { id: 'id', name: TOOL_CALL.name, arguments: TOOL_CALL.arguments } },
        { type: 'usage', promptTokens: 26, completionTokens: 11 },
        // Ollama says "stop" after tool calls too: an answer with calls is the page's turn.
        { type: 'finish', reason: 'tool_calls' },
        { type: 'done' },
      ]);
    });

    it('survives cuts inside a line, between CR and LF and inside a multibyte character', async () => {
      const wire = ndjson.answer({ withTool: false }).replace(/\n/g, '\r\n');
      const chunks = cutAt(bytes(wire), awkwardOffsets(wire, '"content"'));
      expect(chunks.length).to.equal(5);
      const events = await collect(adapter, chunkedFetch(chunks, { headers: H }));
      expect(textOf(events)).to.equal(ANSWER_TEXT);
      expect(reasoningOf(events)).to.equal('Think first.');
      expect(events.find((e) => e.type === 'finish')).to.deep.equal({ type: 'finish', reason: 'stop' });
    });

    it('keeps the ids Ollama sends, makes up unique ones otherwise, and passes other done reasons on', async () => {
      const call = (id?: string) => ({ ...(id ? { id } : {}), function: { name: 'f', arguments: { a: 1 } } });
      const events = await run(adapter, ndjson.message({ tool_calls: [call('call_x'), call(), call()] }) + ndjson.done('length'), H);
      const ids = events.flatMap((e) => (e.type === 'tool-call' ? [e.toolCall.id] : []));
      expect(ids[0]).to.equal('call_x');
      expect(new Set(ids).size).to.equal(3);
      expect(events.find((e) => e.type === 'finish')).to.deep.equal({ type: 'finish', reason: 'length' });
    });

    it('takes a done line without done_reason (older Ollama) as stop, and counts without prompt_eval_count (cached prompt)', async () => {
      const events = await run(adapter, ndjson.message({ content: 'ok' }) + ndjson.line({ model: 'm', done: true, eval_count: 2 }), H);
      expect(events.filter((e) => e.type === 'usage' || e.type === 'finish')).to.deep.equal([
        { type: 'usage', completionTokens: 2 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('takes a last line without a newline at a clean end of the body', async () => {
      const wire = ndjson.message({ content: 'ok' }) + ndjson.done().trimEnd();
      expect(kinds(await run(adapter, wire, H)).slice(-2)).to.deep.equal(['finish', 'done']);
    });
  });

  describe('terminal and failure cases', () => {
    it('ends a stream without a done line with an eof error, keeping the text', async () => {
      const events = await run(adapter, ndjson.message({ content: 'partial' }), H);
      expect(textOf(events)).to.equal('partial');
      expect(lastError(events)?.cause).to.equal('eof');
    });

    it('reports an {"error": ...} line after the text', async () => {
      const events = await run(
        adapter,
        ndjson.message({ content: 'Kept' }) + ndjson.line({ error: 'an error was encountered while running the model' }),
        H,
      );
      expect(textOf(events)).to.equal('Kept');
      expect(lastError(events)).to.deep.equal({ cause: 'in_band', message: 'an error was encountered while running the model' });
    });

    it('ends the stream on a malformed line, keeping what came before', async () => {
      for (const bad of ['{not json\n', '[1,2]\n']) {
        const events = await run(
          adapter,
          ndjson.message({ content: 'kept' }) + bad + ndjson.message({ content: 'after' }) + ndjson.done(),
          H,
        );
        expect(textOf(events), bad).to.equal('kept');
        expect(lastError(events)?.cause, bad).to.equal('malformed');
      }
    });

    it('reports a read failure mid-stream as a network error after the text', async () => {
      const events = await run(adapter, [bytes(ndjson.message({ content: 'so far' }))], H, true);
      expect(textOf(events)).to.equal('so far');
      expect(lastError(events)?.cause).to.equal('network');
    });
  });

  describe('error bodies over real HTTP', () => {
    it("reads Ollama's {error} body with the status", async () => {
      const [notFound] = await runOverHttp(adapter, jsonError(404, { error: "model 'llama9' not found, try pulling it first" }));
      expect(notFound).to.deep.equal({
        type: 'error',
        error: { cause: 'http', status: 404, message: "model 'llama9' not found, try pulling it first" },
      });
      const [busy] = await runOverHttp(
        adapter,
        jsonError(503, { error: 'server busy, please try again.  maximum pending requests exceeded' }),
      );
      expect(busy?.type === 'error' && busy.error.status).to.equal(503);
    });

    it('never takes a 2xx JSON body for the stream', async () => {
      const [event] = await runOverHttp(
        adapter,
        jsonError(200, { model: 'm', message: { role: 'assistant', content: 'whole' }, done: true }),
      );
      expect(event).to.deep.equal({ type: 'error', error: { cause: 'not_sse', status: 200 } });
    });
  });

  describe('request encoding', () => {
    it('sends {model, messages, stream, options} with the system prompt first', () => {
      const body = adapter.encodeRequest(requestInput({ system: 'Be brief.', model: 'llama3.2', temperature: 0.2, maxTokens: 50 }));
      expect(body).to.deep.equal({
        model: 'llama3.2',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
        stream: true,
        options: { temperature: 0.2, num_predict: 50 },
      });
    });

    it("merges the page's options with the element's, and sends no empty options", () => {
      expect(
        adapter.encodeRequest(requestInput({ temperature: 0.2, body: { options: { num_ctx: 8192 }, keep_alive: '5m' } })),
      ).to.deep.include({
        options: { temperature: 0.2, num_ctx: 8192 },
        keep_alive: '5m',
      });
      expect(adapter.encodeRequest(requestInput())).to.not.have.property('options');
    });

    it('encodes tools, tool calls with object arguments and tool results named by tool', () => {
      const body = adapter.encodeRequest(
        requestInput({
          tools: [{ name: 'get_weather', parameters: { type: 'object', properties: {} } }],
          messages: [
            { role: 'user', content: 'Weather?' },
            { role: 'assistant', content: '', toolCalls: [TOOL_CALL] },
            { role: 'tool', content: '11 degrees celsius', toolCallId: TOOL_CALL.id },
          ],
        }),
      );
      expect(body['tools']).to.deep.equal([
        { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
      ]);
      expect(body['messages']).to.deep.equal([
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
        { role: 'tool', content: '11 degrees celsius', tool_name: 'get_weather' },
      ]);
    });

    it('sends Continue as the partial assistant message (a prefill) with continue: true', () => {
      const body = adapter.encodeRequest(
        requestInput({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'The partial ' },
          ],
          continuation: true,
        }),
      );
      expect((body['messages'] as unknown[]).at(-1)).to.deep.equal({ role: 'assistant', content: 'The partial ' });
      expect(body['continue']).to.equal(true);
    });
  });

  describe('stream detection', () => {
    it('takes application/x-ndjson and its aliases as the stream, never JSON or SSE', () => {
      expect(['application/x-ndjson', 'application/ndjson; charset=utf-8', 'application/jsonl'].map(adapter.isStream)).to.deep.equal([
        true,
        true,
        true,
      ]);
      expect(['application/json', 'text/event-stream', ''].map(adapter.isStream)).to.deep.equal([false, false, false]);
    });
  });
});
