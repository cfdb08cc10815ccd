/**
 * Prompt caching: `cache_control` (Anthropic) and `cachePoint` (Claude on Bedrock) on the
 * system prompt and the stable history prefix when they reach the model's minimum cacheable
 * size, never on the newest message; cache read/write tokens and the hit rate in the log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAnthropicUpstream, createBedrockUpstream, planPromptCache } from '../../src/gateway/index.js';
import { startFakeBedrock, textAnswer, useDummyAwsCredentials, writeBedrockStream } from './fake-bedrock.js';
import { postChat, startFakeUpstream, startTestGateway, writeSse } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
before(useDummyAwsCredentials);
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

/** Well over 1024 estimated tokens. */
const LONG_SYSTEM = `You are the support assistant of Example Corp. ${'Follow the policy in every detail. '.repeat(120)}`;
const conversation = [
  { role: 'system', content: LONG_SYSTEM },
  { role: 'user', content: 'First question' },
  { role: 'assistant', content: 'First answer' },
  { role: 'user', content: 'Newest question' },
];

describe('planPromptCache', () => {
  it('marks the system prompt and the history before the newest user message, only above the model minimum', () => {
    const request = { model: 'claude-sonnet-4-5', messages: conversation as never, maxTokens: 100, continue: false, extra: {} };
    assert.deepEqual(planPromptCache(request, 'claude-sonnet-4-5'), { system: true, historyEnd: 2 });
    assert.deepEqual(
      planPromptCache(
        { ...request, messages: [{ role: 'system', content: 'Short.' }, ...conversation.slice(1)] as never },
        'claude-sonnet-4-5',
      ),
      {
        system: false,
        historyEnd: -1,
      },
    );
    // Claude Haiku 4.5 needs 4096 tokens: this prompt is too small for it.
    assert.deepEqual(planPromptCache(request, 'claude-haiku-4-5'), { system: false, historyEnd: -1 });
    assert.deepEqual(planPromptCache(request, 'gpt-4o'), { system: false, historyEnd: -1 }, 'not a Claude model');
  });
});

describe('anthropic prompt caching', () => {
  it('sends cache_control on the system block and the last history block, and logs cache reads, writes and the hit rate', async () => {
    const fake = await startFakeUpstream((_request, res) =>
      writeSse(res, [
        {
          event: 'message_start',
          data: {
            type: 'message_start',
            message: {
              id: 'msg_1',
              model: 'claude-sonnet-4-5',
              usage: { input_tokens: 20, cache_read_input_tokens: 1200, cache_creation_input_tokens: 30, output_tokens: 1 },
            },
          },
        },
        { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } } },
        { event: 'message_stop', data: { type: 'message_stop' } },
      ]),
    );
    const gw = await startTestGateway({
      upstream: createAnthropicUpstream({ baseURL: fake.url, apiKey: 'sk-ant-x', defaultModel: 'claude-sonnet-4-5' }),
    });
    cleanups.push(
      () => gw.close(),
      () => fake.close(),
    );
    const response = await postChat(gw.url, { model: 'claude-sonnet-4-5', stream: true, messages: conversation });
    await response.text();
    const body = fake.requests[0]?.body as { system: unknown; messages: { role: string; content: Record<string, unknown>[] }[] };
    assert.deepEqual(body.system, [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }]);
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'First question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'First answer', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Newest question' }] },
    ]);
    const log = await gw.logOf(response);
    assert.equal(log.cached_tokens, 1200);
    assert.equal(log.cache_write_tokens, 30);
    assert.equal(log.prompt_tokens, 1250);
    assert.equal(log.cache_hit_rate, 0.96);
    // claude-sonnet-4-5: 20 × $3 + 1200 × $0.30 + 30 × $3.75 + 2 × $15, per million.
    assert.equal(log.cost_usd, (20 * 3 + 1200 * 0.3 + 30 * 3.75 + 2 * 15) / 1e6);
  });
});

describe('bedrock prompt caching', () => {
  it('adds cachePoint blocks for Claude models and none for other models', async () => {
    const fake = await startFakeBedrock((_request, res) => writeBedrockStream(res, textAnswer('ok')));
    const gw = await startTestGateway({
      upstream: createBedrockUpstream({ endpoint: fake.url, region: 'us-east-1' }),
      allowedModels: ['*'],
    });
    cleanups.push(
      () => gw.close(),
      () => fake.close(),
    );
    await (await postChat(gw.url, { model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', stream: true, messages: conversation })).text();
    assert.deepEqual(fake.requests[0]?.body['system'], [{ text: LONG_SYSTEM }, { cachePoint: { type: 'default' } }]);
    assert.deepEqual(fake.requests[0]?.body['messages'], [
      { role: 'user', content: [{ text: 'First question' }] },
      { role: 'assistant', content: [{ text: 'First answer' }, { cachePoint: { type: 'default' } }] },
      { role: 'user', content: [{ text: 'Newest question' }] },
    ]);
    await (await postChat(gw.url, { model: 'amazon.nova-pro-v1:0', stream: true, messages: conversation })).text();
    assert.deepEqual(fake.requests[1]?.body['system'], [{ text: LONG_SYSTEM }]);
    assert.ok(!JSON.stringify(fake.requests[1]?.body['messages']).includes('cachePoint'));
  });
});
