/**
 * The Bedrock upstream through the real AWS SDK (default credential chain from dummy
 * environment credentials, SigV4 signing, event-stream decoding) against a fake runtime on
 * loopback that speaks the binary `application/vnd.amazon.eventstream` framing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createBedrockUpstream } from '../../src/gateway/index.js';
import { converse, startFakeBedrock, textAnswer, useDummyAwsCredentials, writeBedrockError, writeBedrockStream } from './fake-bedrock.js';
import { contentOf, finishReasonOf, parseSse, postChat, startTestGateway, usageOf, within } from './helpers.js';
import type { FakeUpstream, RecordedRequest, TestGateway } from './helpers.js';
import type { BedrockResponse } from './fake-bedrock.js';

const MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const cleanups: (() => Promise<void>)[] = [];
before(useDummyAwsCredentials);
after(() => Promise.all(cleanups.map((cleanup) => cleanup())));

async function setup(
  respond: (request: RecordedRequest, res: BedrockResponse) => void | Promise<void>,
): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeBedrock(respond);
  const gw = await startTestGateway({ upstream: createBedrockUpstream({ endpoint: fake.url, region: 'us-east-1', defaultModel: MODEL }) });
  cleanups.push(
    () => gw.close(),
    () => fake.close(),
  );
  return { fake, gw };
}

async function send(gw: TestGateway, body: Record<string, unknown>): Promise<{ response: Response; text: string }> {
  const response = await postChat(gw.url, { model: MODEL, stream: true, stream_options: { include_usage: true }, ...body });
  return { response, text: await response.text() };
}

const ask = { messages: [{ role: 'user', content: 'hi' }] };

describe('bedrock upstream: request translation', () => {
  it('signs a converse-stream call for the model and translates system, tools, tool results and inferenceConfig', async () => {
    const { fake, gw } = await setup((_request, res) => writeBedrockStream(res, textAnswer('ok')));
    await send(gw, {
      temperature: 0.2,
      max_tokens: 99,
      top_p: 0.8,
      stop: 'END',
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [{ id: 'tu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
        { role: 'tool', tool_call_id: 'tu_1', content: '{"temp":3}' },
      ],
    });
    const request = fake.requests[0];
    assert.ok(request);
    assert.equal(decodeURIComponent(request.url), `/model/${MODEL}/converse-stream`);
    assert.match(
      String(request.headers['authorization']),
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTONLY\/\d{8}\/us-east-1\/bedrock\/aws4_request/,
    );
    assert.deepEqual(request.body['system'], [{ text: 'Be brief.' }]);
    assert.deepEqual(request.body['messages'], [
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [{ text: 'Checking.' }, { toolUse: { toolUseId: 'tu_1', name: 'get_weather', input: { city: 'Oslo' } } }],
      },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tu_1', content: [{ json: { temp: 3 } }] } }] },
    ]);
    assert.deepEqual(request.body['inferenceConfig'], { maxTokens: 99, temperature: 0.2, topP: 0.8, stopSequences: ['END'] });
    assert.deepEqual(request.body['toolConfig'], {
      tools: [
        {
          toolSpec: {
            name: 'get_weather',
            description: 'Weather',
            inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        },
      ],
      toolChoice: { any: {} },
    });
  });

  it('continues a Claude partial as an assistant prefill with trailing whitespace trimmed', async () => {
    const { fake, gw } = await setup((_request, res) => writeBedrockStream(res, textAnswer(' more')));
    await send(gw, {
      continue: true,
      messages: [
        { role: 'user', content: 'Tell me' },
        { role: 'assistant', content: 'Once upon ' },
      ],
    });
    assert.deepEqual(fake.requests[0]?.body['messages'], [
      { role: 'user', content: [{ text: 'Tell me' }] },
      { role: 'assistant', content: [{ text: 'Once upon' }] },
    ]);
  });
});

describe('bedrock upstream: streaming', () => {
  it('streams text, reasoning and a tool call from frames cut mid-frame, with usage and cache tokens', async () => {
    const { gw } = await setup((_request, res) =>
      writeBedrockStream(
        res,
        [
          converse.messageStart(),
          converse.reasoning('Think.'),
          converse.text('Let me ', 1),
          converse.text('check.', 1),
          converse.blockStop(1),
          converse.toolStart(2, 'tooluse_abc', 'get_weather'),
          converse.toolInput(2, '{"city":'),
          converse.toolInput(2, '"Oslo"}'),
          converse.blockStop(2),
          converse.messageStop('tool_use'),
          converse.metadata({ inputTokens: 12, outputTokens: 40, totalTokens: 252, cacheReadInputTokens: 150, cacheWriteInputTokens: 50 }),
        ],
        { split: true },
      ),
    );
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 200);
    const sse = parseSse(text);
    assert.equal(contentOf(sse), 'Let me check.');
    assert.equal(finishReasonOf(sse), 'tool_calls');
    assert.ok(sse.done);
    const fragments = sse.chunks.flatMap(
      (chunk) =>
        (chunk['choices'] as { delta: { tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[] } }[])[0]?.delta
          .tool_calls ?? [],
    );
    assert.equal(fragments[0]?.id, 'tooluse_abc');
    assert.equal(fragments[0]?.function?.name, 'get_weather');
    assert.deepEqual(JSON.parse(fragments.map((fragment) => fragment.function?.arguments ?? '').join('')), { city: 'Oslo' });
    assert.deepEqual(usageOf(sse), {
      prompt_tokens: 212,
      completion_tokens: 40,
      total_tokens: 252,
      prompt_tokens_details: { cached_tokens: 150, cache_write_tokens: 50 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    const log = await gw.logOf(response);
    assert.equal(log.provider, 'bedrock');
    assert.equal(log.upstream_request_id, 'bedrock-req-1');
    assert.equal(log.model, MODEL);
  });

  for (const [stop, expected] of [
    ['end_turn', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['content_filtered', 'content_filter'],
    ['guardrail_intervened', 'content_filter'],
  ] as const) {
    it(`maps stopReason ${stop} to ${expected}`, async () => {
      const { gw } = await setup((_request, res) => writeBedrockStream(res, textAnswer('x', stop)));
      assert.equal(finishReasonOf(parseSse((await send(gw, ask)).text)), expected);
    });
  }

  it('an exception after text is the in-band error of DESIGN §4; a stream cut before messageStop is an in-band upstream_error', async () => {
    const { gw } = await setup((request, res) => {
      const messages = request.body['messages'] as { content: { text: string }[] }[];
      const first = messages[0]?.content[0]?.text;
      if (first === 'throttle') {
        return writeBedrockStream(res, [
          converse.messageStart(),
          converse.text('Partial'),
          { exception: 'throttlingException', message: 'Too many tokens, please wait.' },
        ]);
      }
      return writeBedrockStream(res, [converse.messageStart(), converse.text('Cut')]);
    });
    const throttled = parseSse((await send(gw, { messages: [{ role: 'user', content: 'throttle' }] })).text);
    assert.equal(contentOf(throttled), 'Partial');
    assert.equal((throttled.chunks.at(-1) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
    const cut = parseSse((await send(gw, ask)).text);
    assert.equal(contentOf(cut), 'Cut');
    assert.equal((cut.chunks.at(-1) as { error: { code: string } }).error.code, 'upstream_error');
  });

  it('a throttling exception before any output is answered as HTTP 429', async () => {
    const { gw } = await setup((_request, res) =>
      writeBedrockStream(res, [converse.messageStart(), { exception: 'throttlingException', message: 'Rate exceeded' }]),
    );
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 429);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
  });

  it('a client disconnect aborts the Bedrock request', async () => {
    const { fake, gw } = await setup((_request, res) =>
      writeBedrockStream(res, [converse.messageStart(), converse.text('Slow')], { end: false }),
    );
    const controller = new AbortController();
    const response = await postChat(gw.url, { model: MODEL, stream: true, ...ask }, {}, { signal: controller.signal });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    controller.abort();
    await within(fake.requests[0]!.aborted, 3000, 'the upstream request to be aborted');
  });
});

describe('bedrock upstream: errors before the stream', () => {
  const cases: [string, number, string, string, number, string][] = [
    ['ThrottlingException', 429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 429, 'rate_limit_exceeded'],
    ['ServiceUnavailableException', 503, 'ServiceUnavailableException', 'Service is unavailable.', 503, 'upstream_overloaded'],
    ['ModelNotReadyException', 429, 'ModelNotReadyException', 'Model is not ready.', 503, 'upstream_overloaded'],
    ['ModelTimeoutException', 408, 'ModelTimeoutException', 'Model timed out.', 504, 'upstream_timeout'],
    ['ValidationException (context)', 400, 'ValidationException', 'Input is too long for requested model.', 400, 'context_length_exceeded'],
    [
      'ValidationException (other)',
      400,
      'ValidationException',
      'Malformed input request: temperature out of range.',
      400,
      'invalid_request',
    ],
    ['AccessDeniedException', 403, 'AccessDeniedException', 'You do not have access to the model.', 403, 'permission_denied'],
    [
      'UnrecognizedClientException',
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      401,
      'invalid_api_key',
    ],
    ['InternalServerException', 500, 'InternalServerException', 'Internal error.', 502, 'upstream_error'],
  ];
  for (const [name, status, exception, message, expectedStatus, expectedCode] of cases) {
    it(`${name} → ${expectedStatus} ${expectedCode}`, async () => {
      const { fake, gw } = await setup((_request, res) => writeBedrockError(res, status, exception, message));
      const { response, text } = await send(gw, ask);
      assert.equal(response.status, expectedStatus);
      assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, expectedCode);
      assert.equal(fake.requests.length, 1, 'the SDK made exactly one call (its own retries are off)');
    });
  }
});
