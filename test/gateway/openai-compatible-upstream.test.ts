import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { DEFAULT_CONTINUE_INSTRUCTION, createOpenAICompatibleUpstream } from '../../src/gateway/index.js';
import type { OpenAICompatibleUpstreamOptions } from '../../src/gateway/index.js';
import {
  chatBody,
  contentOf,
  delay,
  finishReasonOf,
  openaiChunk,
  parseSse,
  postChat,
  readUntil,
  startFakeUpstream,
  startTestGateway,
  usageOf,
  within,
  writeSse,
} from './helpers.js';
import type { FakeUpstream, RecordedRequest, TestGateway } from './helpers.js';

const API_KEY = 'sk-test-SECRET-9f8e7d6c5b4a';

/** Everything a client or log could ever see, to check that the key never leaks. */
const seen: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  for (const text of seen) assert.ok(!text.includes(API_KEY) && !text.includes('SECRET-9f8e'), `leak in: ${text.slice(0, 200)}`);
});

async function setup(
  respond: (request: RecordedRequest, res: ServerResponse) => void | Promise<void>,
  upstreamOptions: Partial<OpenAICompatibleUpstreamOptions> = {},
  gatewayOptions: Parameters<typeof startTestGateway>[0] = {},
): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeUpstream(respond);
  const gw = await startTestGateway({
    upstream: createOpenAICompatibleUpstream({ baseURL: `${fake.url}/v1`, apiKey: API_KEY, defaultModel: 'gpt-test', ...upstreamOptions }),
    onLog: (entry) => seen.push(JSON.stringify(entry)),
    ...gatewayOptions,
  });
  cleanups.push(
    () => gw.close(),
    () => fake.close(),
  );
  return { fake, gw };
}

/** Sends a request and records status, headers and body for the leak check. */
async function send(
  gw: TestGateway,
  body: unknown = chatBody('hi', { model: 'gpt-test' }),
  headers: Record<string, string> = {},
): Promise<{ response: Response; text: string }> {
  const response = await postChat(gw.url, body, headers);
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { response, text };
}

describe('openai-compatible upstream: request', () => {
  it('posts to {baseURL}/chat/completions with the key, clamped max_tokens, usage on, continue stripped', async () => {
    const { fake, gw } = await setup(
      (_request, res) => writeSse(res, [openaiChunk({ content: 'ok' }, 'stop'), 'data: [DONE]\n\n']),
      {},
      { maxTokens: 50 },
    );
    await send(gw, chatBody('hi', { model: 'gpt-test', max_tokens: 999, top_p: 0.3, temperature: 0.2 }));
    const recorded = fake.requests[0];
    assert.equal(recorded?.method, 'POST');
    assert.equal(recorded?.url, '/v1/chat/completions');
    assert.equal(recorded?.headers['authorization'], `Bearer ${API_KEY}`);
    assert.equal(recorded?.headers['content-type'], 'application/json');
    assert.deepEqual(recorded?.body, {
      top_p: 0.3,
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      max_tokens: 50,
      temperature: 0.2,
      stream_options: { include_usage: true },
    });
  });

  it('supports Azure-style api-key headers and a query string on the base URL', async () => {
    const fake = await startFakeUpstream((_request, res) => writeSse(res, [openaiChunk({ content: 'ok' }, 'stop'), 'data: [DONE]\n\n']));
    const azure = await startTestGateway({
      upstream: createOpenAICompatibleUpstream({
        baseURL: `${fake.url}/openai/deployments/gpt4o?api-version=2024-10-21`,
        apiKey: API_KEY,
        apiKeyHeader: 'api-key',
        defaultModel: 'gpt-test',
      }),
    });
    cleanups.push(
      () => azure.close(),
      () => fake.close(),
    );
    await send(azure);
    assert.equal(fake.requests[0]?.url, '/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21');
    assert.equal(fake.requests[0]?.headers['api-key'], API_KEY);
    assert.equal(fake.requests[0]?.headers['authorization'], undefined);
  });

  const continueBody = {
    model: 'gpt-test',
    stream: true,
    continue: true,
    messages: [
      { role: 'user', content: 'Write a poem' },
      { role: 'assistant', content: 'Roses are red,' },
    ],
  };

  it('continue (instruction mode): keeps the partial and appends an instruction', async () => {
    const { fake, gw } = await setup((_request, res) => writeSse(res, [openaiChunk({ content: ' violets' }, 'stop'), 'data: [DONE]\n\n']));
    await send(gw, continueBody);
    const body = fake.requests[0]?.body ?? {};
    assert.equal('continue' in body, false);
    assert.deepEqual(body['messages'], [
      { role: 'user', content: 'Write a poem' },
      { role: 'assistant', content: 'Roses are red,' },
      { role: 'user', content: DEFAULT_CONTINUE_INSTRUCTION },
    ]);
  });

  it('continue (vllm mode): the partial last, with continue_final_message', async () => {
    const { fake, gw } = await setup((_request, res) => writeSse(res, [openaiChunk({ content: ' violets' }, 'stop'), 'data: [DONE]\n\n']), {
      continueMode: 'vllm',
    });
    await send(gw, continueBody);
    const body = fake.requests[0]?.body ?? {};
    assert.equal((body['messages'] as unknown[]).length, 2);
    assert.equal(body['continue_final_message'], true);
    assert.equal(body['add_generation_prompt'], false);
    assert.equal('continue' in body, false);
  });
});

describe('openai-compatible upstream: stream translation', () => {
  it('passes chunks through and absorbs quirks (comments, empty choices, usage null, reasoning, cached tokens)', async () => {
    const { gw } = await setup((_request, res) =>
      writeSse(res, [
        ': OPENROUTER PROCESSING\n\n',
        openaiChunk({ role: 'assistant', content: '' }, null, { usage: null }),
        { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'gpt-test', choices: [] },
        openaiChunk({ reasoning: 'Let me think.' }),
        openaiChunk({ content: 'Hel' }),
        'data: {"id":"chatcmpl-upstream1","object":"chat.completion.chunk","created":1,"model":"gpt-test","choices":[{"index":0,"delta":{"content":"lo ',
        '\u00e9\u00e8"},"finish_reason":null}]}\n\n',
        openaiChunk({}, 'stop'),
        {
          id: 'chatcmpl-upstream1',
          object: 'chat.completion.chunk',
          created: 1,
          model: 'gpt-test',
          choices: [],
          usage: { prompt_tokens: 30, completion_tokens: 4, total_tokens: 34, prompt_cache_hit_tokens: 16 },
        },
        'data: [DONE]\n\n',
      ]),
    );
    const { text } = await send(gw);
    const sse = parseSse(text);
    assert.equal(contentOf(sse), 'Hello éè');
    assert.equal(finishReasonOf(sse), 'stop');
    assert.equal(sse.done, true);
    const reasoning = sse.chunks.find((chunk) => JSON.stringify(chunk).includes('Let me think'));
    const delta = (reasoning?.['choices'] as { delta: Record<string, unknown> }[])[0]?.delta;
    assert.equal(delta?.['reasoning_content'], 'Let me think.');
    assert.equal('reasoning' in (delta ?? {}), false, 'renamed, not duplicated');
    assert.ok(
      sse.chunks.every((chunk) => (chunk['choices'] as unknown[]).length > 0 || chunk['usage']),
      'empty chunks dropped',
    );
    assert.ok(
      sse.chunks.every((chunk) => chunk['usage'] !== null),
      'usage: null removed',
    );
    assert.deepEqual((usageOf(sse) as { prompt_tokens_details: unknown }).prompt_tokens_details, { cached_tokens: 16 });
    assert.doesNotMatch(text, /OPENROUTER/);
  });

  it('completes a stream that has a finish_reason but no [DONE]', async () => {
    const { gw } = await setup((_request, res) => writeSse(res, [openaiChunk({ content: 'Done.' }, 'stop')]));
    const sse = parseSse((await send(gw)).text);
    assert.equal(contentOf(sse), 'Done.');
    assert.equal(sse.done, true);
  });

  it('reports an in-band upstream_error when the upstream ends before finishing', async () => {
    const { gw } = await setup((_request, res) => writeSse(res, [openaiChunk({ content: 'Half' })]));
    const { response, text } = await send(gw);
    const sse = parseSse(text);
    assert.equal(response.status, 200);
    assert.equal(contentOf(sse), 'Half');
    const last = sse.chunks.at(-1) as { error: Record<string, unknown> };
    assert.equal(last.error['code'], 'upstream_error');
    assert.equal(last.error['request_id'], response.headers.get('x-request-id'));
    assert.equal(sse.done, false);
  });

  it('turns finish_reason "error" and mid-stream error objects into in-band envelopes', async () => {
    const { gw } = await setup((request, res) => {
      if (request.body['messages'] && JSON.stringify(request.body['messages']).includes('openrouter')) {
        writeSse(res, [
          openaiChunk({ content: 'Par' }),
          { ...openaiChunk({ content: '' }, 'error'), error: { code: 502, message: 'Provider disconnected' } },
        ]);
      } else {
        writeSse(res, [openaiChunk({ content: 'Par' }), { error: { message: 'Overloaded', type: 'overloaded_error' } }]);
      }
    });
    const first = parseSse((await send(gw, chatBody('openrouter', { model: 'gpt-test' }))).text);
    assert.equal(contentOf(first), 'Par');
    assert.equal((first.chunks.at(-1) as { error: { code: string } }).error.code, 'upstream_error');
    assert.equal(finishReasonOf(first), undefined, 'the "error" finish reason is not passed on');

    const second = parseSse((await send(gw)).text);
    const error = (second.chunks.at(-1) as { error: Record<string, unknown> }).error;
    assert.equal(error['type'], 'overloaded_error');
    assert.equal(error['code'], 'upstream_overloaded');
  });

  it('converts a JSON completion from a backend that ignored stream: true', async () => {
    const { gw } = await setup((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-json',
          object: 'chat.completion',
          created: 1,
          model: 'gpt-test',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Whole answer.' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
        }),
      );
    });
    const sse = parseSse((await send(gw)).text);
    assert.equal(contentOf(sse), 'Whole answer.');
    assert.equal(finishReasonOf(sse), 'stop');
    assert.equal((usageOf(sse) as { completion_tokens: number }).completion_tokens, 2);
    assert.equal(sse.done, true);
  });
});

describe('openai-compatible upstream: errors before the stream (hold the 200)', () => {
  const cases: {
    name: string;
    status: number;
    body: string;
    headers?: Record<string, string>;
    expect: { status: number; code: string; type: string; retryAfter: string | null; message?: RegExp };
  }[] = [
    {
      name: '429 insufficient_quota → 402',
      status: 429,
      body: JSON.stringify({
        error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' },
      }),
      expect: { status: 402, code: 'insufficient_quota', type: 'insufficient_quota', retryAfter: null },
    },
    {
      name: '429 rate limit → 429 with the upstream Retry-After',
      status: 429,
      body: JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }),
      headers: { 'retry-after-ms': '7500' },
      expect: { status: 429, code: 'rate_limit_exceeded', type: 'rate_limit_error', retryAfter: '8' },
    },
    {
      name: '429 backend_busy → 429 backend_busy',
      status: 429,
      body: JSON.stringify({ error: { type: 'rate_limit_error', code: 'backend_busy' } }),
      expect: { status: 429, code: 'backend_busy', type: 'rate_limit_error', retryAfter: '2' },
    },
    {
      name: '529 → 503 upstream_overloaded',
      status: 529,
      body: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      expect: { status: 503, code: 'upstream_overloaded', type: 'overloaded_error', retryAfter: '2' },
    },
    {
      name: '503 with Retry-After → 503 upstream_overloaded keeping it',
      status: 503,
      body: 'Service Unavailable',
      headers: { 'retry-after': '5' },
      expect: { status: 503, code: 'upstream_overloaded', type: 'overloaded_error', retryAfter: '5' },
    },
    {
      name: '401 → 401 invalid_api_key about the server key, upstream text (with key) dropped',
      status: 401,
      body: JSON.stringify({
        error: { message: `Incorrect API key provided: ${API_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
      }),
      expect: {
        status: 401,
        code: 'invalid_api_key',
        type: 'authentication_error',
        retryAfter: null,
        message: /server's API key.*LLM_API_KEY/,
      },
    },
    {
      name: '403 → 403 permission_denied',
      status: 403,
      body: JSON.stringify({ error: { message: 'Project does not have access to model', type: 'invalid_request_error' } }),
      expect: { status: 403, code: 'permission_denied', type: 'permission_error', retryAfter: null },
    },
    {
      name: '400 context length → 400 context_length_exceeded with the provider detail',
      status: 400,
      body: JSON.stringify({
        error: {
          message: "This model's maximum context length is 8192 tokens.",
          type: 'invalid_request_error',
          code: 'context_length_exceeded',
          param: 'messages',
        },
      }),
      expect: { status: 400, code: 'context_length_exceeded', type: 'invalid_request_error', retryAfter: null, message: /8192 tokens/ },
    },
    {
      name: '422 → 400 invalid_request',
      status: 422,
      body: JSON.stringify({ detail: 'bad' }),
      expect: { status: 400, code: 'invalid_request', type: 'invalid_request_error', retryAfter: null },
    },
    {
      name: '500 → 502 upstream_error',
      status: 500,
      body: JSON.stringify({ error: { message: 'internal', type: 'server_error' } }),
      expect: { status: 502, code: 'upstream_error', type: 'server_error', retryAfter: null },
    },
    {
      name: 'HTML 502 from a proxy → 502 upstream_error without the HTML',
      status: 502,
      body: '<html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>',
      headers: { 'content-type': 'text/html' },
      expect: { status: 502, code: 'upstream_error', type: 'server_error', retryAfter: null },
    },
    {
      name: '504 → 504 upstream_timeout',
      status: 504,
      body: '',
      expect: { status: 504, code: 'upstream_timeout', type: 'timeout_error', retryAfter: null },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const { gw } = await setup(async (_request, res) => {
        // Delay the failure a little: the gateway must hold the 200 until the upstream answers.
        await delay(30);
        res.writeHead(testCase.status, { 'content-type': 'application/json', ...testCase.headers });
        res.end(testCase.body);
      });
      const { response, text } = await send(gw);
      assert.equal(response.status, testCase.expect.status);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(response.headers.get('retry-after'), testCase.expect.retryAfter);
      const { error } = JSON.parse(text) as { error: Record<string, unknown> };
      assert.equal(error['code'], testCase.expect.code);
      assert.equal(error['type'], testCase.expect.type);
      assert.equal(error['request_id'], response.headers.get('x-request-id'));
      if (testCase.expect.message) assert.match(String(error['message']), testCase.expect.message);
      assert.doesNotMatch(text, /<html|<script/i);
      const log = await gw.logOf(response);
      assert.equal(log.status, testCase.expect.status);
      assert.equal(log.error_code, testCase.expect.code);
    });
  }

  it('network failure → 502 upstream_error; slow headers → 504 upstream_timeout', async () => {
    const refused = await startTestGateway({
      upstream: createOpenAICompatibleUpstream({ baseURL: 'http://127.0.0.1:9/v1', apiKey: API_KEY, defaultModel: 'gpt-test' }),
    });
    cleanups.push(() => refused.close());
    const { response, text } = await send(refused);
    assert.equal(response.status, 502);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'upstream_error');

    const { gw } = await setup(
      async (_request, res) => {
        await delay(1000);
        if (!res.destroyed) writeSse(res, [openaiChunk({ content: 'late' }, 'stop')]);
      },
      {},
      { upstreamTimeoutMs: 150 },
    );
    const slow = await send(gw);
    assert.equal(slow.response.status, 504);
    assert.equal((JSON.parse(slow.text) as { error: { code: string } }).error.code, 'upstream_timeout');
  });
});

describe('openai-compatible upstream: client abort', () => {
  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    const { fake, gw } = await setup((_request, res) =>
      writeSse(res, [openaiChunk({ role: 'assistant', content: '' }), openaiChunk({ content: 'Streaming' })], false),
    );
    const controller = new AbortController();
    const response = await postChat(gw.url, chatBody('hi', { model: 'gpt-test' }), {}, { signal: controller.signal });
    await readUntil(response, (text) => text.includes('Streaming'));
    controller.abort();
    await within(fake.requests[0]?.aborted ?? Promise.reject(new Error('no request')), 2000, 'the upstream to see the disconnect');
    const log = await gw.logOf(response);
    assert.equal(log.client_aborted, true);
  });

  it('aborts the upstream request when the client disconnects before the first byte', async () => {
    const { fake, gw } = await setup(() => {
      // Never answers.
    });
    const controller = new AbortController();
    const pending = postChat(gw.url, chatBody('hi', { model: 'gpt-test' }), {}, { signal: controller.signal }).catch(() => undefined);
    await within(
      (async () => {
        while (fake.requests.length === 0) await delay(10);
      })(),
      2000,
      'the upstream request',
    );
    controller.abort();
    await pending;
    await within(fake.requests[0]?.aborted ?? Promise.reject(new Error('no request')), 2000, 'the upstream to see the disconnect');
    const log = await gw.waitForLog((entry) => entry.client_aborted);
    assert.equal(log.status, 499);
  });
});
