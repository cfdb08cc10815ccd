/**
 * The Gemini upstream against a fake Gemini API on loopback that speaks its real format:
 * `streamGenerateContent?alt=sse` frames (each a whole `GenerateContentResponse`, CRLF
 * separated, no end marker) and `google.rpc.Status` error bodies.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { createGeminiUpstream } from '../../src/gateway/index.js';
import { contentOf, finishReasonOf, parseSse, postChat, startFakeUpstream, startTestGateway, usageOf, within } from './helpers.js';
import type { FakeUpstream, RecordedRequest, TestGateway } from './helpers.js';

const API_KEY = 'AIzaSy-test-SECRET-5566778899';
const seen: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  for (const text of seen) assert.ok(!text.includes(API_KEY), `leak in: ${text.slice(0, 200)}`);
});

async function setup(
  respond: (request: RecordedRequest, res: ServerResponse) => void | Promise<void>,
): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeUpstream(respond);
  const gw = await startTestGateway({
    upstream: createGeminiUpstream({ baseURL: `${fake.url}/v1beta`, apiKey: API_KEY, defaultModel: 'gemini-2.5-flash' }),
    onLog: (entry) => seen.push(JSON.stringify(entry)),
  });
  cleanups.push(
    () => gw.close(),
    () => fake.close(),
  );
  return { fake, gw };
}

async function send(gw: TestGateway, body: Record<string, unknown>): Promise<{ response: Response; text: string }> {
  const response = await postChat(gw.url, { model: 'gemini-2.5-flash', stream: true, stream_options: { include_usage: true }, ...body });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { response, text };
}

/** Gemini frames: `data: <json>` separated by CRLF CRLF, as the real API sends them. */
function geminiSse(res: ServerResponse, frames: Record<string, unknown>[], end = true): void {
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/event-stream' });
  for (const frame of frames) res.write(`data: ${JSON.stringify(frame)}\r\n\r\n`);
  if (end) res.end();
}

function frame(parts: Record<string, unknown>[], finishReason?: string, usage?: Record<string, unknown>): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts }, index: 0, ...(finishReason ? { finishReason } : {}) }],
    ...(usage ? { usageMetadata: usage } : {}),
    modelVersion: 'gemini-2.5-flash-001',
    responseId: 'resp-abc',
  };
}

function googleError(res: ServerResponse, status: number, rpcStatus: string, message: string, details: unknown[] = []): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code: status, message, status: rpcStatus, details } }));
}

const ask = { messages: [{ role: 'user', content: 'hi' }] };

describe('gemini upstream: request translation', () => {
  it('posts to models/{model}:streamGenerateContent?alt=sse with the key in x-goog-api-key and a translated body', async () => {
    const { fake, gw } = await setup((_request, res) => geminiSse(res, [frame([{ text: 'ok' }], 'STOP')]));
    await send(gw, {
      temperature: 0.3,
      max_tokens: 77,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
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
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_1', content: 'plain text result' },
      ],
    });
    const request = fake.requests[0];
    assert.ok(request);
    assert.equal(request.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    assert.equal(request.headers['x-goog-api-key'], API_KEY);
    assert.ok(!request.url.includes(API_KEY));
    assert.deepEqual(request.body['systemInstruction'], { parts: [{ text: 'Be brief.' }] });
    assert.deepEqual(request.body['contents'], [
      { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'call_1', name: 'get_weather', response: { temp: 21 } } },
          { functionResponse: { id: 'call_1', name: 'get_weather', response: { result: 'plain text result' } } },
        ],
      },
    ]);
    assert.deepEqual(request.body['generationConfig'], {
      maxOutputTokens: 77,
      temperature: 0.3,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 7,
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
    });
    assert.deepEqual(request.body['tools'], [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather',
            parametersJsonSchema: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
      },
    ]);
    assert.deepEqual(request.body['toolConfig'], { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('continues a partial answer with a user turn asking to carry on (Gemini has no prefill)', async () => {
    const { fake, gw } = await setup((_request, res) => geminiSse(res, [frame([{ text: ' more' }], 'STOP')]));
    await send(gw, {
      continue: true,
      messages: [
        { role: 'user', content: 'Tell me' },
        { role: 'assistant', content: 'Once upon' },
      ],
    });
    const contents = fake.requests[0]?.body['contents'] as { role: string; parts: { text: string }[] }[];
    assert.deepEqual(
      contents.map((content) => content.role),
      ['user', 'model', 'user'],
    );
    assert.match(contents[2]?.parts[0]?.text ?? '', /Continue your previous answer/);
  });

  it('refuses a field Gemini cannot express with 400 naming it, without calling the provider', async () => {
    const { fake, gw } = await setup((_request, res) => geminiSse(res, [frame([{ text: 'ok' }], 'STOP')]));
    const { response, text } = await send(gw, { ...ask, logit_bias: { '42': 1 } });
    assert.equal(response.status, 400);
    const body = JSON.parse(text) as { error: { code: string; param: string; message: string } };
    assert.equal(body.error.code, 'invalid_request');
    assert.equal(body.error.param, 'logit_bias');
    assert.match(body.error.message, /not supported by the gemini provider/);
    assert.equal(fake.requests.length, 0);
  });
});

describe('gemini upstream: streaming', () => {
  it('streams text, thoughts and a function call, then tool_calls and usage with cached tokens', async () => {
    const { gw } = await setup((_request, res) =>
      geminiSse(res, [
        frame([{ text: 'Thinking about it', thought: true }]),
        frame([{ text: 'Let me ' }]),
        frame([{ text: 'check.' }, { functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], 'STOP', {
          promptTokenCount: 120,
          candidatesTokenCount: 30,
          thoughtsTokenCount: 5,
          cachedContentTokenCount: 100,
          totalTokenCount: 155,
        }),
      ]),
    );
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 200);
    const sse = parseSse(text);
    assert.equal(contentOf(sse), 'Let me check.');
    assert.equal(finishReasonOf(sse), 'tool_calls');
    assert.ok(sse.done);
    const reasoning = sse.chunks
      .map((chunk) => (chunk['choices'] as { delta: { reasoning_content?: string } }[])[0]?.delta.reasoning_content ?? '')
      .join('');
    assert.equal(reasoning, 'Thinking about it');
    const call = sse.chunks
      .flatMap((chunk) => (chunk['choices'] as { delta: { tool_calls?: Record<string, unknown>[] } }[])[0]?.delta.tool_calls ?? [])
      .at(0) as { index: number; id: string; function: { name: string; arguments: string } };
    assert.equal(call.index, 0);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'Paris' });
    assert.match(call.id, /\S/);
    assert.deepEqual(usageOf(sse), {
      prompt_tokens: 120,
      completion_tokens: 35,
      total_tokens: 155,
      prompt_tokens_details: { cached_tokens: 100 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    const log = await gw.logOf(response);
    assert.equal(log.provider, 'gemini');
    assert.equal(log.cached_tokens, 100);
  });

  for (const [reason, expected] of [
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['BLOCKLIST', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['SPII', 'content_filter'],
  ] as const) {
    it(`maps finishReason ${reason} to ${expected}`, async () => {
      const { gw } = await setup((_request, res) => geminiSse(res, [frame(reason === 'SAFETY' ? [] : [{ text: 'x' }], reason)]));
      const sse = parseSse((await send(gw, ask)).text);
      assert.equal(finishReasonOf(sse), expected);
      assert.ok(sse.done);
    });
  }

  it('reads frames split at awkward places (inside data:, between CR and LF, inside a multibyte character)', async () => {
    const { gw } = await setup(async (_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const text = `data: ${JSON.stringify(frame([{ text: 'Grüße 👋' }]))}\r\n\r\ndata: ${JSON.stringify(frame([], 'STOP'))}\r\n\r\n`;
      const bytes = Buffer.from(text);
      const emoji = bytes.indexOf(Buffer.from('👋'));
      const crlf = bytes.indexOf(Buffer.from('\r\n'));
      for (const [start, end] of [
        [0, 3],
        [3, emoji + 2],
        [emoji + 2, crlf + 1],
        [crlf + 1, bytes.length],
      ] as const) {
        res.write(bytes.subarray(start, end));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const sse = parseSse((await send(gw, ask)).text);
    assert.equal(contentOf(sse), 'Grüße 👋');
    assert.equal(finishReasonOf(sse), 'stop');
  });

  it('a prompt blocked by promptFeedback.blockReason is a 400 content_filter before the stream', async () => {
    const { gw } = await setup((_request, res) =>
      geminiSse(res, [
        { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 8, totalTokenCount: 8 } },
      ]),
    );
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 400);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'content_filter');
  });

  it('an error after text is sent in-band; a stream that ends without finishReason is an in-band upstream_error', async () => {
    const { gw } = await setup((request, res) => {
      const first = (request.body['contents'] as { parts: { text: string }[] }[])[0]?.parts[0]?.text;
      if (first === 'error') {
        geminiSse(res, [
          frame([{ text: 'Partial' }]),
          { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } },
        ]);
      } else {
        geminiSse(res, [frame([{ text: 'Cut' }])]);
      }
    });
    const errored = parseSse((await send(gw, { messages: [{ role: 'user', content: 'error' }] })).text);
    assert.equal(contentOf(errored), 'Partial');
    const envelope = errored.chunks.at(-1) as { error: { code: string; request_id: string } };
    assert.equal(envelope.error.code, 'upstream_error');
    assert.match(envelope.error.request_id, /^req_/);
    const cut = parseSse((await send(gw, ask)).text);
    assert.equal(contentOf(cut), 'Cut');
    assert.equal((cut.chunks.at(-1) as { error: { code: string } }).error.code, 'upstream_error');
    assert.equal(cut.done, false);
  });

  it('a client disconnect aborts the Gemini request', async () => {
    const { fake, gw } = await setup((_request, res) => geminiSse(res, [frame([{ text: 'Slow' }])], false));
    const controller = new AbortController();
    const response = await postChat(gw.url, { model: 'gemini-2.5-flash', stream: true, ...ask }, {}, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort();
    await within(fake.requests[0]!.aborted, 3000, 'the upstream request to be aborted');
  });
});

describe('gemini upstream: errors', () => {
  const cases: {
    name: string;
    status: number;
    rpc: string;
    message: string;
    details?: unknown[];
    expect: { status: number; code: string; retryAfter?: string };
  }[] = [
    {
      name: '429 RESOURCE_EXHAUSTED with RetryInfo → rate limited with retryDelay as Retry-After',
      status: 429,
      rpc: 'RESOURCE_EXHAUSTED',
      message: 'You exceeded your current quota.',
      details: [
        { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generate_content_requests' }] },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
      ],
      expect: { status: 429, code: 'rate_limit_exceeded', retryAfter: '37' },
    },
    {
      name: '503 UNAVAILABLE → upstream_overloaded',
      status: 503,
      rpc: 'UNAVAILABLE',
      message: 'The model is overloaded.',
      expect: { status: 503, code: 'upstream_overloaded' },
    },
    {
      name: '400 INVALID_ARGUMENT about the token limit → context_length_exceeded',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
      message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).',
      expect: { status: 400, code: 'context_length_exceeded' },
    },
    {
      name: '400 INVALID_ARGUMENT otherwise → invalid_request',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
      message: 'Invalid JSON payload.',
      expect: { status: 400, code: 'invalid_request' },
    },
    {
      name: '400 API_KEY_INVALID → invalid_api_key',
      status: 400,
      rpc: 'INVALID_ARGUMENT',
      message: `API key not valid. Please pass a valid API key. ${API_KEY}`,
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
      expect: { status: 401, code: 'invalid_api_key' },
    },
    {
      name: '401 UNAUTHENTICATED → invalid_api_key',
      status: 401,
      rpc: 'UNAUTHENTICATED',
      message: 'Request had invalid authentication credentials.',
      expect: { status: 401, code: 'invalid_api_key' },
    },
    {
      name: '403 PERMISSION_DENIED → permission_denied',
      status: 403,
      rpc: 'PERMISSION_DENIED',
      message: 'Permission denied.',
      expect: { status: 403, code: 'permission_denied' },
    },
    {
      name: '500 INTERNAL → upstream_error',
      status: 500,
      rpc: 'INTERNAL',
      message: 'An internal error has occurred.',
      expect: { status: 502, code: 'upstream_error' },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, async () => {
      const { gw } = await setup((_request, res) => googleError(res, testCase.status, testCase.rpc, testCase.message, testCase.details));
      const { response, text } = await send(gw, ask);
      assert.equal(response.status, testCase.expect.status);
      const body = JSON.parse(text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, testCase.expect.code);
      if (testCase.expect.retryAfter) assert.equal(response.headers.get('retry-after'), testCase.expect.retryAfter);
    });
  }

  it('an error as the first stream frame is still answered with its HTTP status', async () => {
    const { gw } = await setup((_request, res) => geminiSse(res, [{ error: { code: 503, message: 'Overloaded', status: 'UNAVAILABLE' } }]));
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 503);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'upstream_overloaded');
  });

  it('a 200 that is not an event stream (a proxy’s HTML page) is a 502, never relayed', async () => {
    const { gw } = await setup((_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<html><body>Welcome to the captive portal</body></html>');
    });
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 502);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'upstream_error');
    assert.ok(!text.includes('captive portal'));
  });
});
