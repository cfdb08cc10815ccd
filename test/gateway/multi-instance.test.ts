/**
 * Two gateway processes sharing one real redis-server behave as one (issue 11): limits,
 * concurrency, idempotency, resume and stop across instances, and the leases of an instance
 * killed with SIGKILL freed after the lease TTL. Clients are told apart by X-Forwarded-For
 * (LLM_TRUST_PROXY=true), as they would be behind a load balancer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fakeAnswer, startFakeOpenAI } from '../support/fake-openai.js';
import type { FakeOpenAI } from '../support/fake-openai.js';
import { startGatewayProcess } from '../support/gateway-process.js';
import type { GatewayProcess } from '../support/gateway-process.js';
import { startRedisServer } from '../support/redis-server.js';
import type { RedisServer } from '../support/redis-server.js';
import { chatBody, contentOf, delay, parseSse, postChat, postRetry, readSseResponse, readUntil, within } from './helpers.js';

const TOKENS = 60;
let redis: RedisServer;
let provider: FakeOpenAI;
let a: GatewayProcess;
let b: GatewayProcess;
let clients = 0;

function env(): Record<string, string> {
  return {
    REDIS_URL: redis.url,
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: provider.baseURL,
    LLM_API_KEY: 'test-key',
    LLM_MODEL: 'fake-model',
    LLM_TRUST_PROXY: 'true',
    LLM_RATE_LIMIT: '4',
    LLM_MAX_CONCURRENT: '2',
    LLM_RESUME_GRACE_MS: '600',
    LLM_LEASE_TTL_MS: '900',
  };
}

/** A new client identity for each test, so limits do not leak between tests. */
function client(): Record<string, string> {
  clients += 1;
  return { 'X-Forwarded-For': `198.51.100.${clients}` };
}

function body(question: string): Record<string, unknown> {
  return chatBody(question, { model: 'fake-model' });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

before(async () => {
  redis = await startRedisServer();
  // 60 tokens at 40/s: each answer takes ~1.5 s, long enough to cut and resume it.
  provider = await startFakeOpenAI({ firstTokenMs: 50, tokensPerSecond: 40, tokens: TOKENS });
  [a, b] = await Promise.all([startGatewayProcess(env()), startGatewayProcess(env())]);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await provider?.close();
  await redis?.close();
});

describe('two instances sharing Redis', () => {
  it('enforce one rate limit and one concurrency cap per client across both', async () => {
    const who = client();
    const statuses: number[] = [];
    for (const gateway of [a, b, a, b, a]) {
      const response = await postChat(gateway.url, { ...body('limits'), max_tokens: 2 }, who);
      statuses.push(response.status);
      if (response.status === 429) assert.equal(await errorCode(response), 'rate_limit_exceeded');
      else await response.text();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 429]);

    const other = client();
    const streams = [new AbortController(), new AbortController()];
    const [one, two] = [
      await postChat(a.url, body('slot one'), other, { signal: streams[0]?.signal }),
      await postChat(b.url, body('slot two'), other, { signal: streams[1]?.signal }),
    ];
    assert.equal(one.status, 200);
    assert.equal(two.status, 200);
    const third = await postChat(a.url, body('slot three'), other);
    assert.equal(third.status, 429);
    assert.equal(await errorCode(third), 'concurrency_exceeded');
    for (const controller of streams) controller.abort();
  });

  it('resume a stream on the other instance after its connection was cut, to the exact full text', async () => {
    const who = client();
    const question = 'resume across instances';
    const controller = new AbortController();
    const response = await postChat(a.url, body(question), who, { signal: controller.signal });
    const streamId = response.headers.get('x-stream-id') ?? '';
    const partial = await readUntil(response, (text) => (text.match(/"content":"[^"]/g) ?? []).length >= 5);
    controller.abort();
    const received = partial.slice(0, partial.lastIndexOf('\n\n') + 2);
    const lastId = parseSse(received).ids.at(-1) ?? '';

    // A stranger on the other instance is refused.
    const stranger = await fetch(`${b.url}/api/chat/streams/${streamId}`, { headers: { ...client(), 'Last-Event-ID': lastId } });
    assert.equal(stranger.status, 404);
    await stranger.body?.cancel();

    // The grace period (600 ms) is shorter than the rest of the answer (~1.3 s): the reader on
    // B keeps A's generation alive through its follower lease.
    const resumed = await fetch(`${b.url}/api/chat/streams/${streamId}`, { headers: { ...who, 'Last-Event-ID': lastId } });
    assert.equal(resumed.status, 200);
    const rest = await readSseResponse(resumed);
    assert.equal(rest.done, true);
    assert.equal(contentOf(parseSse(received)) + contentOf(rest), fakeAnswer(question, TOKENS).join(''));
    const log = await a.waitForLog(
      (line) => line['msg'] === 'chat_request' && line['finish_reason'] === 'stop' && line['client'] !== undefined,
    );
    assert.equal(log['client_aborted'], false);
  });

  it('never generate twice for a retried Idempotency-Key, and stop a stream from the other instance', async () => {
    const who = client();
    const key = { ...who, 'Idempotency-Key': `multi-${Date.now()}` };
    const before = provider.stats.requests;
    const controller = new AbortController();
    const first = await postChat(a.url, body('once only'), key, { signal: controller.signal });
    assert.equal(first.status, 200);
    const busy = await postChat(b.url, body('once only'), key);
    assert.equal(busy.status, 429);
    assert.equal(await errorCode(busy), 'idempotency_key_in_use');

    await readUntil(first, (text) => text.includes('"content":"'));
    controller.abort();
    const retry = await postRetry(b.url, body('once only'), key);
    assert.equal(retry.status, 200);
    assert.equal(retry.headers.get('x-stream-id'), first.headers.get('x-stream-id'));
    assert.equal(contentOf(await readSseResponse(retry)), fakeAnswer('once only', TOKENS).join(''));
    assert.equal(provider.stats.requests - before, 1, 'one generation for the key');

    const running = await postChat(a.url, body('stop me from b'), who);
    await readUntil(running, (text) => text.includes('"content":"'));
    const aborted = provider.nextAbort();
    const stop = await fetch(`${b.url}/api/chat/streams/${running.headers.get('x-stream-id')}/stop`, { method: 'POST', headers: who });
    assert.equal(stop.status, 204);
    await within(aborted, 2000, 'the provider to see the abort');
    await running.body?.cancel();
  });

  it('free the leases of an instance killed with SIGKILL after the lease TTL', async () => {
    const who = client();
    const doomed = await startGatewayProcess(env());
    try {
      const held = [await postChat(doomed.url, body('held one'), who), await postChat(doomed.url, body('held two'), who)];
      for (const response of held) assert.equal(response.status, 200);
      await doomed.stop('SIGKILL');
      const refused = await postChat(b.url, body('right after the crash'), who);
      assert.equal(refused.status, 429);
      assert.equal(await errorCode(refused), 'concurrency_exceeded');
      await delay(1300);
      const freed = await postChat(b.url, { ...body('after the TTL'), max_tokens: 2 }, who);
      assert.equal(freed.status, 200);
      await freed.text();
    } finally {
      await doomed.stop('SIGKILL');
    }
  });
});
