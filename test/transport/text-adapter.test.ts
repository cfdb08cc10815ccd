import { expect } from '@open-wc/testing';
import { createTextAdapter } from '../../src/transport/text-adapter.js';
import { bytes, chunkedFetch, cutAt } from '../support/byte-stream.js';
import { collect, kinds, lastError, requestInput, run, runOverHttp, textOf } from '../support/adapter-stream.js';
import { jsonError, plain } from '../support/protocol-wire.js';

const adapter = createTextAdapter();
const H = plain.headers;
const WIRE = 'Héllo 世界 👋🏽\r\n\r\n```js\r\nconsole.log(1)\r\n```\r\n';

describe('the text protocol adapter', () => {
  describe('stream decoding', () => {
    it('yields the same text for a cut at every byte offset, multibyte characters and CRLF kept whole', async () => {
      const data = bytes(WIRE);
      for (let offset = 1; offset < data.length; offset++) {
        const events = await run(adapter, cutAt(data, [offset]), H);
        expect(textOf(events), `cut at byte ${offset}`).to.equal(WIRE);
        expect(events.at(-1), `cut at byte ${offset}`).to.deep.equal({ type: 'finish', reason: 'stop' });
        expect(
          events.some((e) => e.type === 'delta' && e.text.includes('\uFFFD')),
          `cut at byte ${offset}`,
        ).to.equal(false);
      }
    });

    it('is a complete answer at a clean end of the body: the protocol has no other end marker', async () => {
      const events = await collect(adapter, chunkedFetch([bytes('Hello'), bytes(' world')], { headers: H }));
      expect(events).to.deep.equal([
        { type: 'meta' },
        { type: 'delta', text: 'Hello' },
        { type: 'delta', text: ' world' },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('is interrupted by a read failure, keeping the text', async () => {
      const events = await run(adapter, [bytes('so far')], H, true);
      expect(textOf(events)).to.equal('so far');
      expect(lastError(events)?.cause).to.equal('network');
      expect(kinds(events)).to.not.include('finish');
    });

    it('is interrupted when a declared Content-Length is not reached, even on a clean close', async () => {
      const events = await run(adapter, [bytes('only part')], { ...H, 'Content-Length': '100' });
      expect(textOf(events)).to.equal('only part');
      expect(lastError(events)?.cause).to.equal('eof');
    });

    it('takes text/plain, text/markdown and a missing Content-Type as the stream; never HTML, JSON or SSE', () => {
      expect(['text/plain; charset=utf-8', 'text/markdown', ''].map(adapter.isStream)).to.deep.equal([true, true, true]);
      expect(['text/html', 'application/json', 'text/event-stream'].map(adapter.isStream)).to.deep.equal([false, false, false]);
    });
  });

  describe('over real HTTP', () => {
    it('streams a chunked body to the end', async () => {
      const events = await runOverHttp(adapter, { headers: H, pieces: [{ text: 'one ' }, { delayMs: 20, text: 'two' }] });
      expect(textOf(events)).to.equal('one two');
      expect(events.at(-1)).to.deep.equal({ type: 'finish', reason: 'stop' });
    });

    it('is interrupted by a connection reset', async () => {
      const events = await runOverHttp(adapter, { headers: H, pieces: [{ text: 'half' }, { delayMs: 30 }], end: 'reset' });
      expect(textOf(events)).to.equal('half');
      expect(lastError(events)?.cause).to.equal('network');
    });

    it('reads a JSON error envelope; keeps no text of a plain-text error body', async () => {
      const [json] = await runOverHttp(adapter, jsonError(429, { error: { code: 'insufficient_quota', message: 'Quota used up' } }));
      expect(json).to.deep.equal({
        type: 'error',
        error: { cause: 'http', status: 429, code: 'insufficient_quota', message: 'Quota used up' },
      });
      const [text] = await runOverHttp(adapter, { status: 503, headers: H, pieces: [{ text: 'Service Unavailable' }] });
      expect(text).to.deep.equal({ type: 'error', error: { cause: 'http', status: 503, unparsedBody: true } });
    });
  });

  describe('request encoding', () => {
    it('sends the simple OpenAI-shaped body without tools, and Continue with continue: true', () => {
      const body = adapter.encodeRequest(
        requestInput({ system: 'S', model: 'm', maxTokens: 9, temperature: 0, tools: [{ name: 't' }], body: { user: 'u' } }),
      );
      expect(body).to.deep.equal({
        model: 'm',
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Hi' },
        ],
        stream: true,
        max_tokens: 9,
        temperature: 0,
        user: 'u',
      });
      const continued = adapter.encodeRequest(
        requestInput({
          messages: [
            { role: 'user', content: 'Hi' },
            { role: 'assistant', content: 'Part' },
          ],
          continuation: true,
        }),
      );
      expect(continued['continue']).to.equal(true);
      expect((continued['messages'] as unknown[]).at(-1)).to.deep.equal({ role: 'assistant', content: 'Part' });
    });
  });
});
