import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { createAnthropicUpstream } from '../../src/gateway/index.js';
import {
  contentOf,
  finishReasonOf,
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

const API_KEY = 'sk-ant-test-SECRET-0011223344';
const seen: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
  for (const text of seen) assert.ok(!text.includes(API_KEY), `leak in: ${text.slice(0, 200)}`);
});

async function setup(
  respond: (request: RecordedRequest, res: ServerResponse) => void | Promise<void>,
  gatewayOptions: Parameters<typeof startTestGateway>[0] = {},
): Promise<{ fake: FakeUpstream; gw: TestGateway }> {
  const fake = await startFakeUpstream(respond);
  const gw = await startTestGateway({
    upstream: createAnthropicUpstream({ baseURL: fake.url, apiKey: API_KEY, defaultModel: 'claude-test' }),
    onLog: (entry) => seen.push(JSON.stringify(entry)),
    ...gatewayOptions,
  });
  cleanups.push(
    () => gw.close(),
    () => fake.close(),
  );
  return { fake, gw };
}

async function send(gw: TestGateway, body: Record<string, unknown>): Promise<{ response: Response; text: string }> {
  const response = await postChat(gw.url, { model: 'claude-test', stream: true, stream_options: { include_usage: true }, ...body });
  const text = await response.text();
  seen.push(text, JSON.stringify([...response.headers]));
  return { response, text };
}

const ask = { messages: [{ role: 'user', content: 'hi' }] };

/** A typical Anthropic stream: thinking, text, a tool call, usage, stop reason. */
function fullStream(res: ServerResponse, stopReason = 'tool_use'): void {
  writeSse(res, [
    {
      event: 'message_start',
      data: {
        type: 'message_start',
        message: {
          id: 'msg_01ABC',
          type: 'message',
          role: 'assistant',
          model: 'claude-test-20250101',
          content: [],
          stop_reason: null,
          usage: { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 8, output_tokens: 1 },
        },
      },
    },
    { event: 'ping', data: { type: 'ping' } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } } },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Consider the weather.' } },
    },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'abc' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
    { event: 'content_block_start', data: { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Let me ' } } },
    { event: 'content_block_delta', data: { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'check.' } } },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 1 } },
    {
      event: 'content_block_start',
      data: { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
    },
    {
      event: 'content_block_delta',
      data: { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
    },
    { event: 'content_block_stop', data: { type: 'content_block_stop', index: 2 } },
    {
      event: 'message_delta',
      data: { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 42 } },
    },
    { event: 'message_stop', data: { type: 'message_stop' } },
  ]);
}

describe('anthropic upstream: request translation', () => {
  it('sends system at top level, x-api-key, anthropic-version, max_tokens from the cap, tools translated', async () => {
    const { fake, gw } = await setup((_request, res) => fullStream(res, 'end_turn'), { maxTokens: 321 });
    await send(gw, {
      temperature: 1.7,
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
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [{ id: 'toolu_00', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'toolu_00', content: '18°C' },
        { role: 'user', content: 'And tomorrow?' },
      ],
    });
    const recorded = fake.requests[0];
    assert.equal(recorded?.url, '/v1/messages');
    assert.equal(recorded?.headers['x-api-key'], API_KEY);
    assert.equal(recorded?.headers['anthropic-version'], '2023-06-01');
    assert.equal(recorded?.headers['authorization'], undefined);
    assert.deepEqual(recorded?.body, {
      model: 'claude-test',
      max_tokens: 321,
      stream: true,
      system: 'Be brief.',
      temperature: 1,
      stop_sequences: ['END'],
      tools: [{ name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_00', name: 'get_weather', input: { city: 'Paris' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_00', content: '18°C' },
            { type: 'text', text: 'And tomorrow?' },
          ],
        },
      ],
    });
  });

  it('continue: true → assistant prefill with trailing whitespace trimmed', async () => {
    const { fake, gw } = await setup((_request, res) => fullStream(res, 'end_turn'));
    await send(gw, {
      continue: true,
      messages: [
        { role: 'user', content: 'Write a poem' },
        { role: 'assistant', content: 'Roses are red,\n\n' },
      ],
    });
    const body = fake.requests[0]?.body ?? {};
    assert.deepEqual(body['messages'], [
      { role: 'user', content: [{ type: 'text', text: 'Write a poem' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Roses are red,' }] },
    ]);
    assert.equal('continue' in body, false);
  });
});

describe('anthropic upstream: stream translation', () => {
  it('translates thinking, text, tool_use fragments, usage and stop_reason into OpenAI chunks', async () => {
    const { gw } = await setup((_request, res) => fullStream(res));
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 200);
    const sse = parseSse(text);
    const deltas = sse.chunks.map((chunk) => (chunk['choices'] as { delta: Record<string, unknown> }[])[0]?.delta ?? {});
    assert.equal(deltas[0]?.['role'], 'assistant');
    assert.equal(deltas.map((delta) => delta['reasoning_content'] ?? '').join(''), 'Consider the weather.');
    assert.equal(contentOf(sse), 'Let me check.');
    const toolFragments = deltas.flatMap(
      (delta) =>
        (delta['tool_calls'] as { index: number; id?: string; function: { name?: string; arguments?: string } }[] | undefined) ?? [],
    );
    assert.equal(toolFragments[0]?.id, 'toolu_01');
    assert.equal(toolFragments[0]?.function.name, 'get_weather');
    assert.ok(toolFragments.every((fragment) => fragment.index === 0));
    assert.deepEqual(JSON.parse(toolFragments.map((fragment) => fragment.function.arguments ?? '').join('')), { city: 'Paris' });
    assert.equal(finishReasonOf(sse), 'tool_calls');
    assert.deepEqual(usageOf(sse), {
      prompt_tokens: 120,
      completion_tokens: 42,
      total_tokens: 162,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 8 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    assert.match(String(sse.chunks[0]?.['id']), /^chatcmpl-msg_01ABC/);
    assert.equal(sse.chunks[0]?.['model'], 'claude-test-20250101');
    assert.equal(sse.done, true);
    const log = await gw.logOf(response);
    assert.equal(log.provider, 'anthropic');
    assert.equal(log.cached_tokens, 100);
    assert.equal(log.finish_reason, 'tool_calls');
    assert.equal(log.upstream_request_id, null);
  });

  it('maps stop reasons: max_tokens → length, refusal → content_filter, end_turn → stop', async () => {
    for (const [stop, finish] of [
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
    ] as const) {
      const { gw } = await setup((_request, res) => fullStream(res, stop));
      assert.equal(finishReasonOf(parseSse((await send(gw, ask)).text)), finish, stop);
    }
  });

  it('turns event: error (overloaded) into an in-band envelope and closes', async () => {
    const { gw } = await setup((_request, res) =>
      writeSse(res, [
        {
          event: 'message_start',
          data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 3, output_tokens: 1 } } },
        },
        { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
        { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Partial' } } },
        { event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } },
      ]),
    );
    const { response, text } = await send(gw, ask);
    const sse = parseSse(text);
    assert.equal(contentOf(sse), 'Partial');
    const { error } = sse.chunks.at(-1) as { error: Record<string, unknown> };
    assert.equal(error['type'], 'overloaded_error');
    assert.equal(error['code'], 'upstream_overloaded');
    assert.equal(error['request_id'], response.headers.get('x-request-id'));
    assert.equal(sse.done, false);
  });

  it('reports an in-band error when the stream ends without message_stop or stop_reason', async () => {
    const { gw } = await setup((_request, res) =>
      writeSse(res, [
        {
          event: 'message_start',
          data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 3, output_tokens: 1 } } },
        },
        { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Cut' } } },
      ]),
    );
    const sse = parseSse((await send(gw, ask)).text);
    assert.equal(contentOf(sse), 'Cut');
    assert.equal((sse.chunks.at(-1) as { error: { code: string } }).error.code, 'upstream_error');
  });

  it('aborts the Anthropic request when the client disconnects', async () => {
    const { fake, gw } = await setup((_request, res) =>
      writeSse(
        res,
        [
          {
            event: 'message_start',
            data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 3, output_tokens: 1 } } },
          },
          { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Going' } } },
        ],
        false,
      ),
    );
    const controller = new AbortController();
    const response = await postChat(gw.url, { model: 'claude-test', stream: true, ...ask }, {}, { signal: controller.signal });
    await readUntil(response, (text) => text.includes('Going'));
    controller.abort();
    await within(fake.requests[0]?.aborted ?? Promise.reject(new Error('no request')), 2000, 'the upstream to see the disconnect');
  });
});

describe('anthropic upstream: HTTP errors', () => {
  const cases: [number, Record<string, unknown>, Record<string, string>, number, string, string | null][] = [
    [529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, {}, 503, 'upstream_overloaded', '2'],
    [
      429,
      { type: 'error', error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' } },
      { 'retry-after': '17' },
      429,
      'rate_limit_exceeded',
      '17',
    ],
    [
      401,
      { type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${API_KEY}` } },
      {},
      401,
      'invalid_api_key',
      null,
    ],
    [
      400,
      { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } },
      {},
      400,
      'context_length_exceeded',
      null,
    ],
    [
      400,
      { type: 'error', error: { type: 'billing_error', message: 'Your credit balance is too low' } },
      {},
      402,
      'insufficient_quota',
      null,
    ],
    [500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } }, {}, 502, 'upstream_error', null],
  ];
  for (const [status, body, headers, expectedStatus, code, retryAfter] of cases) {
    it(`${status} ${String((body['error'] as { type: string }).type)} → ${expectedStatus} ${code}`, async () => {
      const { gw } = await setup((_request, res) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_anthropic_1', ...headers });
        res.end(JSON.stringify(body));
      });
      const { response, text } = await send(gw, ask);
      assert.equal(response.status, expectedStatus);
      assert.equal(response.headers.get('retry-after'), retryAfter);
      const { error } = JSON.parse(text) as { error: Record<string, unknown> };
      assert.equal(error['code'], code);
      assert.equal(error['request_id'], response.headers.get('x-request-id'));
      const log = await gw.logOf(response);
      assert.equal(log.upstream_request_id, 'req_anthropic_1');
    });
  }

  it('a 200 that is not an event stream (a proxy’s HTML page) is a 502 that keeps the provider request id, never relayed', async () => {
    const { gw } = await setup((_request, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html', 'request-id': 'req_anthropic_html' });
      res.end('<html><body>Welcome to the captive portal</body></html>');
    });
    const { response, text } = await send(gw, ask);
    assert.equal(response.status, 502);
    assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, 'upstream_error');
    assert.ok(!text.includes('captive portal'));
    assert.equal((await gw.logOf(response)).upstream_request_id, 'req_anthropic_html');
  });
});
