/**
 * Resumable streams on one instance (DESIGN.md §4b): event ids, X-Stream-ID, resume after a
 * cut connection, ownership, stop, the grace period, and limits held across it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMockUpstream, createOpenAICompatibleUpstream } from '../../src/gateway/index.js';
import type { Upstream } from '../../src/gateway/index.js';
import { pickMockAnswer } from '../../src/gateway/mock-answers.js';
import { fakeAnswer, startFakeOpenAI } from '../support/fake-openai.js';
import {
  FAST_MOCK,
  chatBody,
  contentOf,
  delay,
  parseSse,
  postChat,
  postRetry,
  readSseResponse,
  readUntil,
  startTestGateway,
  within,
} from './helpers.js';

/** A mock that streams slowly enough to cut it mid-answer. */
const PACED_MOCK = { ...FAST_MOCK, tokensPerSecond: 400 };

/** The complete events of a partial SSE text (a cut may leave half an event at the end). */
function completeEvents(raw: string): string {
  return raw.slice(0, raw.lastIndexOf('\n\n') + 2);
}

/** Opens a stream, reads until `predicate`, then drops the connection. */
async function cutAfter(
  url: string,
  question: string,
  predicate: (text: string) => boolean,
  headers: Record<string, string> = {},
): Promise<{ streamId: string; received: string; lastId: string | undefined }> {
  const controller = new AbortController();
  const response = await postChat(url, chatBody(question), headers, { signal: controller.signal });
  assert.equal(response.status, 200);
  const streamId = response.headers.get('x-stream-id') ?? '';
  const received = completeEvents(await readUntil(response, predicate));
  controller.abort();
  return { streamId, received, lastId: parseSse(received).ids.at(-1) };
}

/** The rest of a body that `readUntil` already read from. */
async function readRest(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text + decoder.decode();
    text += decoder.decode(value, { stream: true });
  }
}

function resume(url: string, streamId: string, lastEventId?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/chat/streams/${streamId}`, {
    headers: { ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}), ...headers },
  });
}

function stop(url: string, streamId: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/chat/streams/${streamId}/stop`, { method: 'POST', headers });
}

/** An openai-compatible upstream on a fake provider that streams at a realistic pace. */
async function pacedProvider(tokensPerSecond = 50): Promise<{ upstream: Upstream; provider: Awaited<ReturnType<typeof startFakeOpenAI>> }> {
  const provider = await startFakeOpenAI({ firstTokenMs: 20, tokensPerSecond, tokens: 200 });
  const upstream = createOpenAICompatibleUpstream({ baseURL: provider.baseURL, apiKey: 'test-key', defaultModel: 'fake-model' });
  return { upstream, provider };
}

describe('resumable streams: ids', () => {
  it('gives every data event the id <X-Stream-ID>:<seq> in increasing order, and exposes the header', async () => {
    const gw = await startTestGateway({ allowedOrigins: ['https://app.example.com'] });
    try {
      const response = await postChat(gw.url, chatBody('ids please'), { Origin: 'https://app.example.com' });
      const streamId = response.headers.get('x-stream-id') ?? '';
      assert.match(streamId, /^s_[\w-]{32}$/);
      assert.match(response.headers.get('access-control-expose-headers') ?? '', /X-Stream-ID/);
      const sse = await readSseResponse(response);
      assert.equal(sse.ids.length, sse.data.length, 'one id per data event, [DONE] included');
      const seqs = sse.ids.map((id) => {
        const [stream, seq] = id.split(':');
        assert.equal(stream, streamId);
        return Number(seq);
      });
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      );
      assert.equal(new Set(seqs).size, seqs.length);
      assert.equal(contentOf(sse), pickMockAnswer('ids please'));

      const other = await postChat(gw.url, chatBody('ids please'));
      assert.notEqual(other.headers.get('x-stream-id'), streamId, 'every generation has its own id');
      await other.text();
    } finally {
      await gw.close();
    }
  });
});

describe('resumable streams: resume', () => {
  it('after a cut connection, replays exactly what came after Last-Event-ID and follows to the end', async () => {
    const gw = await startTestGateway({ resumeGraceMs: 5000, upstream: createMockUpstream(PACED_MOCK) });
    try {
      const question = 'resume me';
      const cut = await cutAfter(gw.url, question, (text) => (text.match(/"content":"[^"]/g) ?? []).length >= 5);
      assert.ok(cut.lastId, 'some events arrived before the cut');
      const resumed = await resume(gw.url, cut.streamId, cut.lastId);
      assert.equal(resumed.status, 200);
      assert.equal(resumed.headers.get('x-stream-id'), cut.streamId);
      assert.match(resumed.headers.get('content-type') ?? '', /^text\/event-stream/);
      const rest = await readSseResponse(resumed);
      assert.equal(rest.done, true);
      // Exactly the missing part: not a character lost, not one repeated.
      assert.equal(contentOf(parseSse(cut.received)) + contentOf(rest), pickMockAnswer(question));
      const firstResumedSeq = Number(rest.ids[0]?.split(':')[1]);
      assert.equal(firstResumedSeq, Number(cut.lastId?.split(':')[1]) + 1);

      // One log line for the generation, which was not aborted.
      await gw.waitForLog((entry) => entry.finish_reason === 'stop');
      assert.equal(gw.logs.length, 1);
      assert.equal(gw.logs[0]?.client_aborted, false);
    } finally {
      await gw.close();
    }
  });

  it('without Last-Event-ID replays from the first event; an ended stream stays resumable for the retention', async () => {
    const gw = await startTestGateway({ resumeGraceMs: 5000 });
    try {
      const response = await postChat(gw.url, chatBody('whole thing'));
      const streamId = response.headers.get('x-stream-id') ?? '';
      const original = await readSseResponse(response);
      await gw.waitForLog(() => true);

      const again = await readSseResponse(await resume(gw.url, streamId));
      assert.equal(contentOf(again), pickMockAnswer('whole thing'));
      assert.deepEqual(again.ids, original.ids);

      const tail = await readSseResponse(await resume(gw.url, streamId, original.ids.at(-3)));
      assert.deepEqual(tail.ids, original.ids.slice(-2));
      assert.equal(tail.done, true);
    } finally {
      await gw.close();
    }
  });

  it("refuses someone else's stream, unknown and malformed ids with 404, and a foreign Last-Event-ID with 400", async () => {
    const gw = await startTestGateway({ resumeGraceMs: 5000, trustProxy: true, upstream: createMockUpstream(PACED_MOCK) });
    try {
      const owner = { 'X-Forwarded-For': '203.0.113.7' };
      const stranger = { 'X-Forwarded-For': '203.0.113.99' };
      const cut = await cutAfter(gw.url, 'mine', (text) => text.includes('"content":"'), owner);

      const foreign = await resume(gw.url, cut.streamId, cut.lastId, stranger);
      assert.equal(foreign.status, 404);
      assert.equal(((await foreign.json()) as { error: { code: string } }).error.code, 'stream_not_found');
      const foreignStop = await stop(gw.url, cut.streamId, stranger);
      assert.equal(foreignStop.status, 404);
      await foreignStop.body?.cancel();

      for (const id of ['s_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'nope', '..%2F..%2Fetc']) {
        const unknown = await resume(gw.url, id, undefined, owner);
        assert.equal(unknown.status, 404, id);
        await unknown.body?.cancel();
      }
      const badHeader = await resume(gw.url, cut.streamId, 's_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB:3', owner);
      assert.equal(badHeader.status, 400);
      assert.equal(((await badHeader.json()) as { error: { param: string } }).error.param, 'Last-Event-ID');

      const wrongMethod = await fetch(`${gw.url}/api/chat/streams/${cut.streamId}`, { method: 'POST', headers: owner });
      assert.equal(wrongMethod.status, 405);
      assert.equal(wrongMethod.headers.get('allow'), 'GET, OPTIONS');
      await wrongMethod.body?.cancel();

      // The owner still can, and nothing was consumed by the refused attempts.
      const mine = await resume(gw.url, cut.streamId, cut.lastId, owner);
      assert.equal(mine.status, 200);
      assert.equal(contentOf(parseSse(cut.received)) + contentOf(await readSseResponse(mine)), pickMockAnswer('mine'));
    } finally {
      await gw.close();
    }
  });
});

describe('resumable streams: stop and grace period', () => {
  it('POST .../stop aborts the provider request at once, and the log line says the client aborted', async () => {
    const { upstream, provider } = await pacedProvider();
    const gw = await startTestGateway({ resumeGraceMs: 20_000, upstream, allowedModels: ['*'] });
    try {
      const response = await postChat(gw.url, chatBody('stop me'));
      const streamId = response.headers.get('x-stream-id') ?? '';
      await readUntil(response, (text) => text.includes('"content":"'));
      const aborted = provider.nextAbort();
      const started = Date.now();
      const stopped = await stop(gw.url, streamId);
      assert.equal(stopped.status, 204);
      // "At once": far sooner than the 20 s grace period (generous for a loaded machine).
      await within(aborted, 2000, 'the provider to see the abort');
      assert.ok(Date.now() - started < 2000);
      const entry = await gw.logOf(response);
      assert.equal(entry.client_aborted, true);
      // The client's connection ends too (cleanly, without a terminal event).
      const rest = await readRest(response);
      assert.doesNotMatch(rest, /\[DONE\]/);
      // A late second stop is harmless.
      const late = await stop(gw.url, streamId);
      assert.equal(late.status, 204);
    } finally {
      await gw.close();
      await provider.close();
    }
  });

  it('keeps a dropped generation running for the grace period, then aborts the provider', async () => {
    const { upstream, provider } = await pacedProvider(20);
    const gw = await startTestGateway({ resumeGraceMs: 400, upstream, allowedModels: ['*'], maxConcurrent: 1 });
    try {
      const aborted = provider.nextAbort();
      let abortedAt = 0;
      void aborted.then(() => (abortedAt = Date.now()));
      const cut = await cutAfter(gw.url, 'grace', (text) => text.includes('"content":"'));
      const cutAt = Date.now();
      await delay(200);
      assert.equal(abortedAt, 0, 'still running within the grace period');
      // It still holds its concurrency slot while it waits.
      const second = await postChat(gw.url, chatBody('another'));
      assert.equal(second.status, 429);
      assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'concurrency_exceeded');

      await within(aborted, 2000, 'the grace period to end the generation');
      assert.ok(abortedAt - cutAt >= 350, `aborted ${abortedAt - cutAt} ms after the cut`);
      const entry = await gw.waitForLog((line) => line.status === 200);
      assert.equal(entry.client_aborted, true);
      assert.equal(provider.stats.requests, 1);

      // The slot is free again, and the stream can no longer be followed live but replays
      // what was produced (then ends without a terminal event: the element shows interrupted).
      const third = await postChat(gw.url, chatBody('third'));
      assert.equal(third.status, 200);
      await third.body?.cancel();
      const replay = await readSseResponse(await resume(gw.url, cut.streamId));
      assert.equal(replay.done, false);
      assert.ok(contentOf(replay).length > 0);
    } finally {
      await gw.close();
      await provider.close();
    }
  });

  it('a retry with the same Idempotency-Key during the grace period gets the whole answer without a second generation', async () => {
    const { upstream, provider } = await pacedProvider(100);
    const gw = await startTestGateway({ resumeGraceMs: 5000, upstream, allowedModels: ['*'] });
    try {
      const key = { 'Idempotency-Key': 'retry-after-drop-1' };
      const first = await postChat(gw.url, chatBody('pay once'), key);
      const streamId = first.headers.get('x-stream-id');
      // While the first attempt still reads, a retry is told to wait.
      const busy = await postChat(gw.url, chatBody('pay once'), key);
      assert.equal(busy.status, 429);
      assert.equal(((await busy.json()) as { error: { code: string } }).error.code, 'idempotency_key_in_use');

      await readUntil(first, (text) => text.includes('"content":"'));
      await first.body?.cancel();
      const retry = await postRetry(gw.url, chatBody('pay once'), key);
      assert.equal(retry.status, 200);
      assert.equal(retry.headers.get('x-stream-id'), streamId);
      const sse = await readSseResponse(retry);
      assert.equal(contentOf(sse), fakeAnswer('pay once', 200).join(''));
      assert.equal(provider.stats.requests, 1, 'the provider generated once');
      assert.equal((await gw.waitForLog((line) => line.status === 200)).client_aborted, false);
      const statuses = gw.logs.map((line) => line.status);
      assert.equal(statuses.filter((status) => status === 200).length, 1, 'one log line for the generation, none for the takeover');
      assert.ok(
        statuses.every((status) => status === 200 || status === 429),
        statuses.join(),
      );
    } finally {
      await gw.close();
      await provider.close();
    }
  });
});
