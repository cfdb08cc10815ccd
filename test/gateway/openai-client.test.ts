/**
 * The official `openai` SDK (v6) as a consumer of the gateway: any OpenAI client must work
 * with `baseURL: http://host:port/v1`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { pickMockAnswer } from '../../src/gateway/mock-answers.js';
import { startTestGateway } from './helpers.js';
import type { TestGateway } from './helpers.js';

let gw: TestGateway;
let client: OpenAI;
before(async () => {
  gw = await startTestGateway();
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
});
after(() => gw.close());

const question = 'How do I debounce in TypeScript?';

describe('official openai client', () => {
  it('streams text and the usage chunk', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-1',
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, pickMockAnswer(question));
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0 && usage.prompt_tokens > 0);
    assert.equal(usage?.prompt_tokens_details?.cached_tokens, 0);
  });

  it('gets a whole completion without streaming', async () => {
    const completion = await client.chat.completions.create({
      model: 'mock-1',
      messages: [{ role: 'user', content: question }],
    });
    assert.equal(completion.choices[0]?.message.content, pickMockAnswer(question));
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
  });

  it('assembles streamed tool calls with the SDK helper', async () => {
    const runner = client.chat.completions.stream(
      { model: 'mock-1', messages: [{ role: 'user', content: 'weather?' }] },
      { headers: { 'X-Mock-Scenario': 'tool-calls' } },
    );
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    assert.equal(calls.length, 2);
    const first = calls[0];
    assert.ok(first && first.type === 'function');
    assert.equal(first.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(first.function.arguments), { city: 'Paris', unit: 'celsius' });
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  });

  it('raises RateLimitError for 429 with the request id and Retry-After', async () => {
    await assert.rejects(
      client.chat.completions.create(
        { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }], stream: true },
        { headers: { 'X-Mock-Scenario': 'rate-limit' } },
      ),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.status, 429);
        assert.equal(error.code, 'rate_limit_exceeded');
        assert.equal(error.headers?.get('retry-after'), '2');
        assert.match(error.requestID ?? '', /^req_/);
        return true;
      },
    );
  });

  it('raises AuthenticationError for 401 and APIError for an in-band stream error', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'mock-1', messages: [{ role: 'user', content: '/scenario auth' }] }),
      (error: unknown) => error instanceof OpenAI.AuthenticationError && error.code === 'invalid_api_key',
    );
    const stream = await client.chat.completions.create(
      { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { headers: { 'X-Mock-Scenario': 'error-mid-stream' } },
    );
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
      (error: unknown) => error instanceof OpenAI.APIError && /failed while generating/.test(error.message),
    );
    assert.ok(text.length > 0, 'the partial text arrived before the error');
  });

  it('retries a flaky 503 with the same Idempotency-Key and the gateway logs the retry count', async () => {
    const retrying = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 1 });
    const completion = await retrying.chat.completions.create(
      { model: 'mock-1', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'X-Mock-Scenario': 'flaky', 'Idempotency-Key': 'sdk-flaky-1' } },
    );
    assert.equal(completion.choices[0]?.message.content, pickMockAnswer('hi'));
    const failed = await gw.waitForLog((entry) => entry.status === 503 && entry.retries === 0);
    const succeeded = await gw.waitForLog((entry) => entry.status === 200 && entry.retries === 1);
    assert.equal(failed.idempotency_key, true);
    assert.equal(succeeded.idempotency_key, true);
  });
});
