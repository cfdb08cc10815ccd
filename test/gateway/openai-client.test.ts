/**
 * The official `openai` SDK (v6) as a consumer of the gateway: any OpenAI client must work
 * with `baseURL: http://host:port/v1`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { createBedrockUpstream, createGeminiUpstream } from '../../src/gateway/index.js';
import { pickMockAnswer } from '../../src/gateway/mock-answers.js';
import { startFakeBedrock, textAnswer, useDummyAwsCredentials, writeBedrockStream } from './fake-bedrock.js';
import { startFakeUpstream, startTestGateway } from './helpers.js';
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

describe('official openai client against the gemini and bedrock upstreams', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

  it('streams from Gemini and assembles a Gemini function call', async () => {
    const fake = await startFakeUpstream((request, res) => {
      const tools = request.body['tools'];
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const frame = tools
        ? {
            candidates: [
              {
                content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Rome' } } }] },
                finishReason: 'STOP',
              },
            ],
          }
        : {
            candidates: [{ content: { role: 'model', parts: [{ text: 'Ciao!' }] }, finishReason: 'STOP' }],
            usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2 },
          };
      res.end(`data: ${JSON.stringify(frame)}\r\n\r\n`);
    });
    const gemini = await startTestGateway({
      upstream: createGeminiUpstream({ baseURL: fake.url, apiKey: 'AIza-test', defaultModel: 'gemini-2.5-flash' }),
    });
    cleanups.push(
      () => gemini.close(),
      () => fake.close(),
    );
    const sdk = new OpenAI({ baseURL: `${gemini.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const completion = await sdk.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(completion.choices[0]?.message.content, 'Ciao!');
    assert.equal(completion.usage?.completion_tokens, 2);
    const final = await sdk.chat.completions
      .stream({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'weather?' }],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
      })
      .finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Rome' });
    assert.equal(final.choices[0]?.finish_reason, 'tool_calls');
  });

  it('streams from Bedrock through the AWS SDK and the binary event stream', async () => {
    useDummyAwsCredentials();
    const fake = await startFakeBedrock((_request, res) => writeBedrockStream(res, textAnswer('Hello from Bedrock.')));
    const bedrock = await startTestGateway({
      upstream: createBedrockUpstream({ endpoint: fake.url, region: 'us-east-1', defaultModel: 'amazon.nova-lite-v1:0' }),
    });
    cleanups.push(
      () => bedrock.close(),
      () => fake.close(),
    );
    const sdk = new OpenAI({ baseURL: `${bedrock.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const stream = await sdk.chat.completions.create({
      model: 'amazon.nova-lite-v1:0',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, 'Hello from Bedrock.');
    assert.equal(usage?.prompt_tokens, 10);
  });
});
