/**
 * Cost tracking (`cost_usd` from the usage chunk and the price table) and per-client daily
 * budgets (warning line at 80 %, 429 `budget_exceeded` until 00:00 UTC, `resolveClient`), over
 * real HTTP with a fake OpenAI provider and an injected clock.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { costUsd, createOpenAICompatibleUpstream, DEFAULT_PRICES, parsePriceTable } from '../../src/gateway/index.js';
import type { BudgetWarningEntry } from '../../src/gateway/index.js';
import { openaiChunk, postChat, startFakeUpstream, startTestGateway, writeSse } from './helpers.js';
import type { FakeUpstream, TestGateway } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
/** The provider reports a dated id; the price table's family entry must still apply. */
const REPORTED_MODEL = 'gpt-4o-mini-2024-07-18';
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

/** A provider whose every answer reports 1M prompt tokens (200k cached) and 100k completion tokens. */
async function setup(options: Parameters<typeof startTestGateway>[0] = {}): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeUpstream((_request, res: ServerResponse) =>
    writeSse(res, [
      openaiChunk({ role: 'assistant', content: 'Answer.' }, null, { model: REPORTED_MODEL }),
      openaiChunk({}, 'stop', { model: REPORTED_MODEL }),
      openaiChunk({}, null, {
        model: REPORTED_MODEL,
        choices: [],
        usage: {
          prompt_tokens: 1_000_000,
          completion_tokens: 100_000,
          total_tokens: 1_100_000,
          prompt_tokens_details: { cached_tokens: 200_000 },
        },
      }),
      '[DONE]',
    ]),
  );
  const gw = await startTestGateway({
    upstream: createOpenAICompatibleUpstream({ baseURL: `${fake.url}/v1`, apiKey: 'sk-x', defaultModel: 'gpt-4o-mini' }),
    ...options,
  });
  cleanups.push(
    () => gw.close(),
    () => fake.close(),
  );
  return { fake, gw };
}

const ask = { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] };
// gpt-4o-mini: 800k uncached × $0.15 + 200k cached × $0.075 + 100k output × $0.60, per million.
const ANSWER_COST = 0.12 + 0.015 + 0.06;

describe('cost tracking', () => {
  it('computes cost from uncached, cached, cache-write and output tokens, matching dated and Bedrock ids', () => {
    assert.equal(
      costUsd(DEFAULT_PRICES, 'gpt-4o-mini-2024-07-18', { prompt: 1_000_000, cached: 200_000, completion: 100_000 }),
      ANSWER_COST,
    );
    // Claude 3.5 Haiku on Bedrock: 10 uncached × 0.8 + 150 read × 0.08 + 50 written × 1.0 + 40 output × 4, per million.
    assert.equal(
      costUsd(DEFAULT_PRICES, 'us.anthropic.claude-3-5-haiku-20241022-v1:0', { prompt: 210, cached: 150, cacheWrite: 50, completion: 40 }),
      (10 * 0.8 + 150 * 0.08 + 50 * 1 + 40 * 4) / 1e6,
    );
    assert.equal(costUsd(DEFAULT_PRICES, 'unknown-model', { prompt: 10, completion: 10 }), null);
  });

  it('validates a price file and fills cachedInput and cacheWrite from input', () => {
    assert.deepEqual(parsePriceTable({ 'My-Model': { input: 2, output: 4, cachedInput: 0.5 } }), {
      'my-model': { input: 2, output: 4, cachedInput: 0.5, cacheWrite: 2 },
    });
    assert.throws(() => parsePriceTable({ bad: { input: -1, output: 1 }, worse: 'x' }), /"bad".*"worse"/);
    assert.throws(() => parsePriceTable([1, 2]), /JSON object/);
  });

  it('puts cost_usd and the cache hit rate in the log line; failures cost 0', async () => {
    const { gw } = await setup();
    const response = await postChat(gw.url, ask);
    await response.text();
    const log = await gw.logOf(response);
    assert.equal(log.cost_usd, ANSWER_COST);
    assert.equal(log.cache_hit_rate, 0.2);
    const refused = await postChat(gw.url, { ...ask, model: 'not-allowed' });
    await refused.text();
    assert.equal((await gw.logOf(refused)).cost_usd, 0);
  });
});

describe('daily budgets', () => {
  it('warns once at 80 %, refuses with 429 budget_exceeded until 00:00 UTC, and resets the next day', async () => {
    let now = Date.parse('2026-03-10T18:00:00Z');
    const warnings: BudgetWarningEntry[] = [];
    const { fake, gw } = await setup({ dailyBudgetUsd: 0.5, now: () => now, onWarning: (entry) => warnings.push(entry) });
    const send = async (): Promise<Response> => {
      const response = await postChat(gw.url, ask);
      await response.clone().text();
      if (response.ok) await gw.logOf(response);
      return response;
    };
    await send();
    await send();
    assert.equal(warnings.length, 0, '$0.39 of $0.50 is under 80 %');
    await send();
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]?.msg, 'budget_warning');
    assert.equal(warnings[0]?.percent, 117, '3 × $0.195 of $0.50');
    assert.equal(warnings[0]?.day, '2026-03-10');
    assert.match(warnings[0]?.client ?? '', /^c_[0-9a-f]{16}$/);

    const refused = await send();
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get('retry-after'), String(6 * 3600));
    assert.equal(refused.headers.get('x-should-retry'), 'false');
    const envelope = (await refused.json()) as { error: { code: string; type: string; retry_after: number } };
    assert.equal(envelope.error.code, 'budget_exceeded');
    assert.equal(envelope.error.retry_after, 6 * 3600);
    assert.equal(fake.requests.length, 3, 'the refused request never reached the provider');

    now = Date.parse('2026-03-11T00:00:01Z');
    assert.equal((await send()).status, 200, 'a new day, a new budget');
    assert.equal(warnings.length, 1);
  });

  it('resolveClient keys budgets by the app’s own user id, so two users behind one address have separate budgets', async () => {
    const { gw } = await setup({
      dailyBudgetUsd: 0.15,
      resolveClient: (request) => request.headers.get('x-test-user') ?? undefined,
    });
    const as = async (user: string): Promise<number> => {
      const response = await postChat(gw.url, ask, { 'X-Test-User': user });
      await response.text();
      if (response.ok) await gw.logOf(response);
      return response.status;
    };
    assert.equal(await as('alice'), 200);
    assert.equal(await as('alice'), 429);
    assert.equal(await as('bob'), 200);
    const clients = new Set(gw.logs.map((entry) => entry.client));
    assert.equal(clients.size, 2);
    assert.ok(![...clients].some((client) => client.includes('alice')), 'ids are hashed');
  });

  it('the official OpenAI client does not retry budget_exceeded', async () => {
    const { fake, gw } = await setup({ dailyBudgetUsd: 0.1 });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 2 });
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    await gw.waitForLog((entry) => entry.status === 200);
    await assert.rejects(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.code, 'budget_exceeded');
        return true;
      },
    );
    assert.equal(fake.requests.length, 1);
    assert.equal(gw.logs.filter((entry) => entry.error_code === 'budget_exceeded').length, 1, 'one refusal, no SDK retries');
  });
});
