import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStateStore } from '../../src/gateway/index.js';
import type { UpstreamEvent } from '../../src/gateway/index.js';
import { StreamRegistry } from '../../src/gateway/stream-registry.js';
import type { StreamSummary } from '../../src/gateway/chat-stream.js';
import { contentOf, delay, parseSse } from './helpers.js';

/** A tiny upstream: `count` content chunks `gapMs` apart, then a finish and [DONE]. */
async function* events(count: number, gapMs: number): AsyncGenerator<UpstreamEvent> {
  for (let index = 0; index < count; index += 1) {
    if (gapMs > 0) await delay(gapMs);
    yield {
      type: 'chunk',
      chunk: {
        id: 'c',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'm',
        choices: [{ index: 0, delta: { content: `t${index} ` }, finish_reason: null }],
      },
    };
  }
  yield {
    type: 'chunk',
    chunk: { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
  };
  yield { type: 'done' };
}

function start(
  registry: StreamRegistry,
  streamId: string,
  count: number,
  gapMs: number,
  signal: AbortSignal,
  onEnd: (summary: StreamSummary) => void = () => {},
) {
  return registry.start(
    {
      streamId,
      owner: 'c_owner',
      keepAlive: false,
      chat: {
        events: events(count, gapMs),
        requestId: 'req_1',
        includeUsage: false,
        idleTimeoutMs: 0,
        abortUpstream: () => {},
        collectOutput: false,
      },
      onEnd,
    },
    { signal, keepAliveMs: 1000 },
  );
}

const id = (n: number): string => `s_${String(n).padStart(32, '0')}`;

describe('StreamRegistry retention', () => {
  it('keeps a fully delivered stream briefly, and one whose reader missed the end for the whole retention', async () => {
    const registry = new StreamRegistry({ store: createMemoryStateStore(), graceMs: 5000, retentionMs: 400, deliveredRetentionMs: 50 });
    const live = new AbortController();

    const delivered = await start(registry, id(1), 3, 0, live.signal);
    assert.equal(contentOf(parseSse(await new Response(delivered).text())), 't0 t1 t2 ');

    const missed = await start(registry, id(2), 5, 20, live.signal);
    await missed.cancel();
    await delay(250);

    const replay = await registry.resume(id(2), 'c_owner', 0, { signal: live.signal, keepAliveMs: 1000 });
    assert.ok(replay, 'the dropped stream, ended meanwhile, is still there');
    assert.equal(contentOf(parseSse(await new Response(replay).text())), 't0 t1 t2 t3 t4 ');
    assert.equal(
      await registry.resume(id(1), 'c_owner', 0, { signal: live.signal, keepAliveMs: 1000 }),
      undefined,
      'the delivered one is gone',
    );
    assert.equal(
      await registry.resume(id(2), 'c_stranger', 0, { signal: live.signal, keepAliveMs: 1000 }),
      undefined,
      'never for someone else',
    );

    await delay(400);
    assert.equal(
      await registry.resume(id(2), 'c_owner', 0, { signal: live.signal, keepAliveMs: 1000 }),
      undefined,
      'gone after the retention',
    );
  });

  it('ends a generation at the end of its grace period unless a reader comes back, and reports it once', async () => {
    const registry = new StreamRegistry({ store: createMemoryStateStore(), graceMs: 80, retentionMs: 1000 });
    const summaries: StreamSummary[] = [];
    const signal = new AbortController().signal;
    const body = await start(registry, id(3), 50, 10, signal, (summary) => summaries.push(summary));
    await body.cancel();
    await delay(40);
    const back = await registry.resume(id(3), 'c_owner', 0, { signal, keepAliveMs: 1000 });
    assert.ok(back);
    await delay(120);
    assert.equal(summaries.length, 0, 'a reader came back within the grace period: still running');
    assert.equal(registry.running, 1);
    await back.cancel();
    await delay(150);
    assert.equal(summaries.length, 1);
    assert.equal(summaries[0]?.clientAborted, true);
    assert.equal(registry.running, 0);
  });
});
