/**
 * Pre-flight token budget: counting (gpt-tokenizer for OpenAI models, the conservative
 * estimate for others), trimming the oldest history to fit the context window, and the 400
 * when even the newest turn does not fit — through the gateway with a fake OpenAI provider.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import {
  contextWindowFor,
  createOpenAICompatibleUpstream,
  estimateTextTokens,
  openAIEncodingFor,
  promptTokenCounterFor,
  trimContext,
} from '../../src/gateway/index.js';
import type { GatewayMessage, UpstreamRequest } from '../../src/gateway/index.js';
import { contentOf, openaiChunk, parseSse, postChat, startFakeUpstream, startTestGateway, writeSse } from './helpers.js';
import type { FakeUpstream, TestGateway } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function setup(options: Parameters<typeof startTestGateway>[0] = {}): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeUpstream((_request, res: ServerResponse) =>
    writeSse(res, [openaiChunk({ role: 'assistant', content: 'Fits.' }), openaiChunk({}, 'stop'), '[DONE]']),
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

/** About `n` o200k tokens of text ("alpha" is one token, so is " alpha"). */
const words = (n: number, word = 'alpha'): string => Array.from({ length: n }, () => word).join(' ');

describe('token counting', () => {
  it('uses o200k_base for GPT-4o-family models, cl100k_base for GPT-4, and the estimate for others', async () => {
    assert.equal(openAIEncodingFor('gpt-4o-mini-2024-07-18'), 'o200k_base');
    assert.equal(openAIEncodingFor('openai/gpt-5'), 'o200k_base');
    assert.equal(openAIEncodingFor('o3-mini'), 'o200k_base');
    assert.equal(openAIEncodingFor('gpt-4-0613'), 'cl100k_base');
    assert.equal(openAIEncodingFor('claude-sonnet-4-5'), undefined);
    const counter = await promptTokenCounterFor('gpt-4o');
    assert.equal(counter.method, 'tokenizer');
    // "alpha" ×100 is 100 tokens in o200k_base, plus the per-message overhead of 4.
    assert.equal(counter.message({ role: 'user', content: words(100) }), 104);
    const estimate = await promptTokenCounterFor('gemini-2.5-flash');
    assert.equal(estimate.method, 'estimate');
    assert.ok(estimate.message({ role: 'user', content: words(100) }) > 104, 'the estimate errs on the high side for English');
    assert.equal(estimateTextTokens('日本語'), 3, 'one token per non-ASCII character');
  });

  it('knows common context windows, and LLM_CONTEXT_WINDOW overrides them', () => {
    assert.equal(contextWindowFor('gpt-4o-mini-2024-07-18'), 128_000);
    assert.equal(contextWindowFor('us.anthropic.claude-sonnet-4-20250514-v1:0'), 200_000);
    assert.equal(contextWindowFor('models/gemini-2.5-flash'), 1_048_576);
    assert.equal(contextWindowFor('some-local-model'), undefined);
    assert.equal(contextWindowFor('gpt-4o', 8000), 8000);
  });
});

describe('context trimming', () => {
  const request = (messages: GatewayMessage[], maxTokens = 100): UpstreamRequest => ({
    model: 'x',
    messages,
    maxTokens,
    continue: false,
    extra: {},
  });
  const oneTokenPerChar = { method: 'estimate' as const, message: (message: GatewayMessage) => message.content.length, tools: () => 0 };

  it('drops whole exchanges from the oldest, keeping system messages, tool calls with their results, and the newest turn', () => {
    const messages: GatewayMessage[] = [
      { role: 'system', content: 's'.repeat(10) },
      { role: 'user', content: 'u'.repeat(100) },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 't'.repeat(100) },
      { role: 'assistant', content: 'a'.repeat(100) },
      { role: 'user', content: 'v'.repeat(100) },
      { role: 'assistant', content: 'b'.repeat(100) },
      { role: 'user', content: 'newest' },
    ];
    // Window 700: margin 256, answer 100 → 344 available; everything is 619 tokens (with priming).
    const trimmed = trimContext(request(messages), { window: 700, counter: oneTokenPerChar });
    assert.equal(trimmed.dropped, 4);
    assert.deepEqual(trimmed.request.messages, [messages[0], messages[5], messages[6], messages[7]]);
    const untouched = trimContext(request(messages), { window: 100_000, counter: oneTokenPerChar });
    assert.equal(untouched.dropped, 0);
    assert.equal(untouched.request.messages, messages);
  });

  it('refuses with 400 context_length_exceeded when the newest turn alone does not fit', () => {
    assert.throws(
      () => trimContext(request([{ role: 'user', content: 'x'.repeat(500) }]), { window: 700, counter: oneTokenPerChar }),
      (error: unknown) =>
        (error as { code?: string; status?: number }).code === 'context_length_exceeded' && (error as { status: number }).status === 400,
    );
  });

  it('through the gateway: sends exactly the kept messages and says how many were left out (header, SSE comment, log)', async () => {
    const { fake, gw } = await setup({ contextWindow: 1024, allowedOrigins: ['https://app.example'] });
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: words(150) },
      { role: 'assistant', content: words(150, 'beta') },
      { role: 'user', content: words(150, 'gamma') },
      { role: 'assistant', content: words(150, 'delta') },
      { role: 'user', content: 'And now?' },
    ];
    const response = await postChat(
      gw.url,
      { model: 'gpt-4o-mini', stream: true, max_tokens: 200, messages },
      { Origin: 'https://app.example' },
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-context-trimmed'), '2');
    assert.match(response.headers.get('access-control-expose-headers') ?? '', /X-Context-Trimmed/);
    const sse = parseSse(await response.text());
    assert.equal(sse.comments[0], 'context-trimmed 2');
    assert.equal(contentOf(sse), 'Fits.');
    assert.deepEqual(
      (fake.requests[0]?.body['messages'] as { content: string }[]).map((message) => message.content),
      ['Be brief.', words(150, 'gamma'), words(150, 'delta'), 'And now?'],
    );
    assert.equal((await gw.logOf(response)).context_trimmed, 2);
  });

  it('through the gateway: nothing is trimmed when it fits, and a newest message that cannot fit is a 400 without a provider call', async () => {
    const { fake, gw } = await setup({ contextWindow: 1024 });
    const fits = await postChat(gw.url, {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: 'short' }],
      max_tokens: 200,
    });
    assert.equal(fits.headers.get('x-context-trimmed'), null);
    assert.deepEqual(parseSse(await fits.text()).comments, []);
    const tooLong = await postChat(gw.url, {
      model: 'gpt-4o-mini',
      stream: true,
      messages: [{ role: 'user', content: words(900) }],
      max_tokens: 200,
    });
    assert.equal(tooLong.status, 400);
    const envelope = (await tooLong.json()) as { error: { code: string; param: string } };
    assert.equal(envelope.error.code, 'context_length_exceeded');
    assert.equal(envelope.error.param, 'messages');
    assert.equal(fake.requests.length, 1, 'only the request that fit reached the provider');
  });
});
