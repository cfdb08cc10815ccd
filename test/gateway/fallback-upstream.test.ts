/**
 * The fallback chain, the circuit breaker and the gateway's bounded retries, over real HTTP
 * with two fake providers (OpenAI-compatible and Anthropic wire formats). Time is injected.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import {
  createAnthropicUpstream,
  createCircuitBreaker,
  createFallbackUpstream,
  createOpenAICompatibleUpstream,
  maxProviderCalls,
} from '../../src/gateway/index.js';
import { contentOf, openaiChunk, parseSse, postChat, startFakeUpstream, startTestGateway, writeSse } from './helpers.js';
import type { FakeUpstream, RecordedRequest, TestGateway } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function fake(respond: (request: RecordedRequest, res: ServerResponse) => void | Promise<void>): Promise<FakeUpstream> {
  const server = await startFakeUpstream(respond);
  cleanups.push(() => server.close());
  return server;
}

async function gateway(options: Parameters<typeof startTestGateway>[0]): Promise<TestGateway> {
  const gw = await startTestGateway(options);
  cleanups.push(() => gw.close());
  return gw;
}

const openai = (server: FakeUpstream, model = 'gpt-primary') =>
  createOpenAICompatibleUpstream({ baseURL: `${server.url}/v1`, apiKey: 'sk-primary', defaultModel: model });

function answer(res: ServerResponse, text: string): void {
  writeSse(res, [openaiChunk({ role: 'assistant', content: text }), openaiChunk({}, 'stop'), '[DONE]']);
}

function failWith(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function anthropicAnswer(res: ServerResponse, text: string): void {
  writeSse(res, [
    {
      event: 'message_start',
      data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-backup', usage: { input_tokens: 5, output_tokens: 1 } } },
    },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } } },
    { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } } },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

const ask = { model: 'gpt-primary', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] };

describe('fallback chain', () => {
  it('a pre-stream 503 on the first target is answered by the second (another provider), and the log says so', async () => {
    const primary = await fake((_request, res) => failWith(res, 503, { error: { message: 'overloaded', type: 'server_error' } }));
    const backup = await fake((_request, res) => anthropicAnswer(res, 'From the backup.'));
    const gw = await gateway({
      upstream: openai(primary),
      fallback: [{ upstream: createAnthropicUpstream({ baseURL: backup.url, apiKey: 'sk-ant-backup' }), model: 'claude-backup' }],
    });
    const response = await postChat(gw.url, ask);
    assert.equal(response.status, 200);
    assert.equal(contentOf(parseSse(await response.text())), 'From the backup.');
    assert.equal(primary.requests.length, 1);
    assert.equal(backup.requests[0]?.body['model'], 'claude-backup');
    const log = await gw.logOf(response);
    assert.equal(log.attempts, 2);
    assert.equal(log.fallback_used, 'anthropic:claude-backup');
    assert.equal(log.provider, 'anthropic');
  });

  it('an in-band error before the first token also falls back; a failure after the first token never does', async () => {
    const primary = await fake((request, res) => {
      const text = (request.body['messages'] as { content: string }[])[0]?.content;
      if (text === 'early') writeSse(res, [{ error: { message: 'Overloaded', type: 'overloaded_error' } }]);
      else writeSse(res, [openaiChunk({ role: 'assistant', content: 'Partial' }), { error: { message: 'boom', type: 'server_error' } }]);
    });
    const backup = await fake((_request, res) => answer(res, 'Backup answer.'));
    const gw = await gateway({ upstream: openai(primary), fallback: [{ upstream: openai(backup, 'gpt-backup'), model: 'gpt-backup' }] });

    const early = await postChat(gw.url, { ...ask, messages: [{ role: 'user', content: 'early' }] });
    assert.equal(contentOf(parseSse(await early.text())), 'Backup answer.');
    assert.equal(backup.requests.length, 1);

    const late = await postChat(gw.url, { ...ask, messages: [{ role: 'user', content: 'late' }] });
    const sse = parseSse(await late.text());
    assert.equal(contentOf(sse), 'Partial');
    assert.equal((sse.chunks.at(-1) as { error: { code: string } }).error.code, 'upstream_error');
    assert.equal(backup.requests.length, 1, 'no fallback after the first token');
    assert.equal((await gw.logOf(late)).fallback_used, null);
  });

  it('a non-retryable failure (400, 401, quota) is answered at once without trying the next target', async () => {
    const primary = await fake((_request, res) =>
      failWith(res, 402, { error: { message: 'no credit', type: 'insufficient_quota', code: 'insufficient_quota' } }),
    );
    const backup = await fake((_request, res) => answer(res, 'never'));
    const gw = await gateway({ upstream: openai(primary), fallback: [{ upstream: openai(backup, 'gpt-backup'), model: 'gpt-backup' }] });
    const response = await postChat(gw.url, ask);
    assert.equal(response.status, 402);
    await response.text();
    assert.equal(backup.requests.length, 0);
  });

  it('retries a target within the bound (Retry-After honoured through the injected sleep) before falling back', async () => {
    let calls = 0;
    const primary = await fake((_request, res) => {
      calls++;
      if (calls <= 2)
        failWith(
          res,
          429,
          { error: { message: 'slow down', type: 'rate_limit_error', code: 'rate_limit_exceeded' } },
          { 'retry-after': '3' },
        );
      else answer(res, 'never');
    });
    const backup = await fake((_request, res) => answer(res, 'Backup.'));
    const waits: number[] = [];
    const upstream = createFallbackUpstream({
      targets: [{ upstream: openai(primary) }, { upstream: openai(backup, 'gpt-backup'), model: 'gpt-backup' }],
      retries: 1,
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
    });
    const gw = await gateway({ upstream, allowedModels: ['*'] });
    const response = await postChat(gw.url, ask);
    assert.equal(contentOf(parseSse(await response.text())), 'Backup.');
    assert.equal(calls, 2, 'the primary got one retry, then the chain moved on');
    assert.deepEqual(waits, [3000]);
    assert.equal((await gw.logOf(response)).attempts, 3);
    assert.equal(maxProviderCalls(2, 1), 4);
  });

  it('a wait that would pass the first-token deadline is not taken', async () => {
    const primary = await fake((_request, res) => failWith(res, 503, { error: { message: 'busy' } }, { 'retry-after': '30' }));
    const waits: number[] = [];
    const upstream = createFallbackUpstream({
      targets: [{ upstream: openai(primary) }],
      retries: 2,
      deadlineMs: 10_000,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const gw = await gateway({ upstream, allowedModels: ['*'] });
    const response = await postChat(gw.url, ask);
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '30');
    assert.deepEqual(waits, []);
    assert.equal(primary.requests.length, 1);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, lets one probe through after the cool-down, closes on success and re-opens on failure', async () => {
    let now = 1_000_000;
    const breaker = createCircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000, now: () => now });
    for (let i = 0; i < 2; i++) await breaker.failure('p:m');
    assert.equal(await breaker.state('p:m'), 'closed');
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: true, probe: false });
    await breaker.failure('p:m');
    assert.equal(await breaker.state('p:m'), 'open');
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: false, retryAfterMs: 10_000 });
    now += 4_000;
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: false, retryAfterMs: 6_000 });
    now += 6_000;
    assert.equal(await breaker.state('p:m'), 'half-open');
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: true, probe: true });
    assert.equal((await breaker.acquire('p:m')).allowed, false, 'only one probe at a time');
    await breaker.failure('p:m');
    assert.equal(await breaker.state('p:m'), 'open', 'a failed probe re-opens the circuit');
    now += 10_000;
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: true, probe: true });
    await breaker.success('p:m');
    assert.equal(await breaker.state('p:m'), 'closed');
    assert.deepEqual(await breaker.acquire('p:m'), { allowed: true, probe: false });
  });

  it('through the gateway: a dead primary is skipped without a call while open, then probed and recovered', async () => {
    let now = 5_000_000;
    let primaryUp = false;
    const primary = await fake((_request, res) =>
      primaryUp ? answer(res, 'Primary is back.') : failWith(res, 500, { error: { message: 'down' } }),
    );
    const backup = await fake((_request, res) => answer(res, 'Backup.'));
    const gw = await gateway({
      upstream: openai(primary),
      fallback: [{ upstream: openai(backup, 'gpt-backup'), model: 'gpt-backup' }],
      circuitBreaker: { failureThreshold: 2, coolDownMs: 30_000 },
      now: () => now,
    });
    const text = async (): Promise<string> => contentOf(parseSse(await (await postChat(gw.url, ask)).text()));
    assert.equal(await text(), 'Backup.');
    assert.equal(await text(), 'Backup.');
    assert.equal(primary.requests.length, 2, 'two failures open the circuit');
    assert.equal(await text(), 'Backup.');
    assert.equal(primary.requests.length, 2, 'open: the primary is not called');
    const skipped = gw.logs.at(-1);
    assert.equal(skipped?.attempts, 1);
    primaryUp = true;
    now += 30_000;
    assert.equal(await text(), 'Primary is back.', 'the half-open probe succeeds');
    assert.equal(await text(), 'Primary is back.');
    assert.equal(primary.requests.length, 4);
  });

  it('when every target is open the answer is 503 upstream_overloaded with the remaining cool-down', async () => {
    let now = 9_000_000;
    const primary = await fake((_request, res) => failWith(res, 502, { error: { message: 'bad gateway' } }));
    const gw = await gateway({
      upstream: openai(primary),
      upstreamRetries: 1,
      circuitBreaker: { failureThreshold: 1, coolDownMs: 20_000 },
      now: () => now,
    });
    const first = await postChat(gw.url, ask);
    assert.equal(first.status, 502);
    await first.text();
    now += 5_000;
    const second = await postChat(gw.url, ask);
    assert.equal(second.status, 503);
    assert.equal(second.headers.get('retry-after'), '15');
    assert.equal(((await second.json()) as { error: { code: string } }).error.code, 'upstream_overloaded');
    assert.equal(primary.requests.length, 1);
  });
});
