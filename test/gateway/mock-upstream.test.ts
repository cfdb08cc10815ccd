import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { MOCK_SCENARIOS, MOCK_SCENARIO_DESCRIPTIONS, createMockUpstream } from '../../src/gateway/index.js';
import { MOCK_ANSWERS, pickMockAnswer, splitTokens } from '../../src/gateway/mock-answers.js';
import type { MockScenario } from '../../src/gateway/index.js';
import {
  FAST_MOCK,
  chatBody,
  contentOf,
  delay,
  finishReasonOf,
  postChat,
  readSseResponse,
  startTestGateway,
  usageOf,
  within,
} from './helpers.js';
import type { ParsedSse, TestGateway } from './helpers.js';

const QUESTION = 'Explain exponential backoff please';
const ANSWER = pickMockAnswer(QUESTION);

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway({ keepAliveMs: 50 });
});
after(() => gw.close());

function scenario(name: MockScenario, headers: Record<string, string> = {}, body = chatBody(QUESTION)): Promise<Response> {
  return postChat(gw.url, body, { 'X-Mock-Scenario': name, ...headers });
}

/** Reads a stream for `ms`, then aborts; returns what arrived. */
async function readFor(response: Response, ms: number, controller: AbortController): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = delay(ms).then(() => 'timeout' as const);
  for (;;) {
    const next = await Promise.race([reader.read(), deadline]);
    if (next === 'timeout') break;
    if (next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  controller.abort();
  await reader.cancel().catch(() => {});
  return text;
}

const tested = new Set<MockScenario>();

describe('mock upstream scenarios', () => {
  const errorCases: [MockScenario, number, string | null, string, string | null][] = [
    // name, status, code, type, Retry-After
    ['rate-limit', 429, 'rate_limit_exceeded', 'rate_limit_error', '2'],
    ['rate-limit-long', 429, 'rate_limit_exceeded', 'rate_limit_error', '120'],
    ['backend-busy', 429, 'backend_busy', 'rate_limit_error', '2'],
    ['concurrency', 429, 'concurrency_exceeded', 'rate_limit_error', '1'],
    ['quota', 429, 'insufficient_quota', 'insufficient_quota', null],
    ['quota-402', 402, 'insufficient_quota', 'insufficient_quota', null],
    ['auth', 401, 'invalid_api_key', 'authentication_error', null],
    ['forbidden', 403, 'permission_denied', 'permission_error', null],
    ['payload-too-large', 413, 'payload_too_large', 'invalid_request_error', null],
    ['unprocessable', 422, 'invalid_request', 'invalid_request_error', null],
    ['context-length', 400, 'context_length_exceeded', 'invalid_request_error', null],
    ['content-filter', 400, 'content_filter', 'invalid_request_error', null],
    ['server-error', 500, 'server_error', 'server_error', null],
    ['bad-gateway', 502, 'upstream_error', 'server_error', null],
    ['unavailable', 503, 'service_unavailable', 'server_error', '3'],
    ['gateway-timeout', 504, 'upstream_timeout', 'timeout_error', null],
    ['overloaded', 529, 'overloaded', 'overloaded_error', null],
  ];
  for (const [name, status, code, type, retryAfter] of errorCases) {
    tested.add(name);
    it(`${name} → ${status} ${code}`, async () => {
      const response = await scenario(name);
      assert.equal(response.status, status);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(response.headers.get('retry-after'), retryAfter);
      const requestId = response.headers.get('x-request-id');
      assert.match(requestId ?? '', /^req_[0-9a-f]{32}$/);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      assert.equal(error['code'], code);
      assert.equal(error['type'], type);
      assert.equal(error['request_id'], requestId);
      assert.equal(error['retry_after'], retryAfter === null ? null : Number(retryAfter));
      assert.equal(typeof error['message'], 'string');
    });
  }

  tested.add('html-error');
  it('html-error → 502 text/html proxy page', async () => {
    const response = await scenario('html-error');
    assert.equal(response.status, 502);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.ok(response.headers.get('x-request-id'));
    assert.match(await response.text(), /<h1>502 Bad Gateway<\/h1>/);
  });

  tested.add('not-sse');
  it('not-sse → 200 application/json chat.completion', async () => {
    const response = await scenario('not-sse');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const completion = (await response.json()) as { object: string; choices: { message: { content: string } }[] };
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.choices[0]?.message.content, ANSWER);
  });

  tested.add('no-content');
  it('no-content → 204 with an empty body', async () => {
    const response = await scenario('no-content');
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
  });

  tested.add('ok');
  it('ok → role chunk, the answer, stop, usage, [DONE]', async () => {
    const response = await scenario('ok');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const sse = await readSseResponse(response);
    const first = sse.chunks[0] as { id: string; choices: { delta: { role?: string } }[] };
    assert.equal(first.choices[0]?.delta.role, 'assistant');
    assert.match(first.id, /^chatcmpl-/);
    assert.equal(contentOf(sse), ANSWER);
    assert.equal(finishReasonOf(sse), 'stop');
    const usage = usageOf(sse) as { completion_tokens: number; prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    assert.equal(usage.completion_tokens, splitTokens(ANSWER).length);
    assert.ok(usage.prompt_tokens > 0);
    assert.equal(usage.prompt_tokens_details.cached_tokens, 0);
    assert.equal(sse.data.at(-1), '[DONE]');
  });

  tested.add('slow-first-token');
  it('slow-first-token → keep-alive pings before the first token', async () => {
    const sse = await readSseResponse(await scenario('slow-first-token'));
    const firstContent = sse.raw.indexOf('"content":"', sse.raw.indexOf('"content":""') + 1);
    const firstPing = sse.raw.indexOf(': ping');
    assert.ok(firstPing > 0 && firstPing < firstContent, 'a ping precedes the first token');
    assert.equal(contentOf(sse), ANSWER);
  });

  tested.add('error-before-token');
  it('error-before-token → 200 SSE, then an in-band server_error, no content', async () => {
    const response = await scenario('error-before-token');
    assert.equal(response.status, 200);
    const sse = await readSseResponse(response);
    assert.equal(contentOf(sse), '');
    const last = sse.chunks.at(-1) as { error: Record<string, unknown> };
    assert.equal(last.error['type'], 'server_error');
    assert.equal(last.error['request_id'], response.headers.get('x-request-id'));
    assert.equal(sse.done, false);
  });

  tested.add('error-mid-stream');
  it('error-mid-stream → tokens, then an in-band error and close', async () => {
    const sse = await readSseResponse(await scenario('error-mid-stream'));
    assert.ok(contentOf(sse).length > 0);
    assert.ok(ANSWER.startsWith(contentOf(sse)));
    assert.ok((sse.chunks.at(-1) as { error?: unknown }).error);
    assert.equal(finishReasonOf(sse), undefined);
    assert.equal(sse.done, false);
  });

  tested.add('eof-mid-stream');
  it('eof-mid-stream → tokens, then a clean close without finish_reason or [DONE]', async () => {
    const sse = await readSseResponse(await scenario('eof-mid-stream'));
    assert.ok(contentOf(sse).length > 0);
    assert.equal(finishReasonOf(sse), undefined);
    assert.equal(sse.done, false);
    assert.ok(sse.chunks.every((chunk) => !('error' in chunk)));
  });

  tested.add('reset-mid-stream');
  it('reset-mid-stream → a real TCP connection reset through the Node adapter', async () => {
    const { port } = new URL(gw.url);
    const body = JSON.stringify(chatBody(QUESTION));
    const outcome = await within(
      new Promise<{ received: string; error: NodeJS.ErrnoException | undefined }>((resolve) => {
        let received = '';
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/api/chat',
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-mock-scenario': 'reset-mid-stream' },
          },
          (res) => {
            res.setEncoding('utf8');
            res.on('data', (text: string) => (received += text));
            res.on('error', (error: NodeJS.ErrnoException) => resolve({ received, error }));
            res.on('end', () => resolve({ received, error: undefined }));
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => resolve({ received, error }));
        req.end(body);
      }),
      5000,
      'the reset',
    );
    assert.match(outcome.received, /"content":"/, 'some tokens arrived first');
    assert.ok(outcome.error, 'the response failed instead of ending cleanly');
    assert.match(String(outcome.error.code ?? outcome.error.message), /ECONNRESET|aborted/);
  });

  tested.add('malformed-chunk');
  it('malformed-chunk → a `data: {not json` line, then the rest of the answer', async () => {
    const sse = await readSseResponse(await scenario('malformed-chunk'));
    assert.ok(sse.data.includes('{not json'));
    assert.equal(contentOf(sse), ANSWER);
    assert.equal(finishReasonOf(sse), 'stop');
    assert.equal(sse.done, true);
  });

  tested.add('truncated');
  it('truncated → part of the answer, finish_reason length', async () => {
    const sse = await readSseResponse(await scenario('truncated'));
    assert.equal(finishReasonOf(sse), 'length');
    assert.ok(contentOf(sse).length > 0 && contentOf(sse).length < ANSWER.length);
    assert.ok(ANSWER.startsWith(contentOf(sse)));
    assert.equal(sse.done, true);
  });

  tested.add('filtered');
  it('filtered → some text, finish_reason content_filter', async () => {
    const sse = await readSseResponse(await scenario('filtered'));
    assert.equal(finishReasonOf(sse), 'content_filter');
    assert.ok(contentOf(sse).length > 0);
  });

  tested.add('refusal');
  it('refusal → delta.refusal text, finish_reason stop, no content', async () => {
    const sse = await readSseResponse(await scenario('refusal'));
    const refusal = sse.chunks
      .map((chunk) => (chunk['choices'] as { delta?: { refusal?: string } }[] | undefined)?.[0]?.delta?.refusal ?? '')
      .join('');
    assert.match(refusal, /can't help/);
    assert.equal(contentOf(sse), '');
    assert.equal(finishReasonOf(sse), 'stop');
  });

  tested.add('tool-calls');
  it('tool-calls → two calls streamed as fragments by index, finish_reason tool_calls', async () => {
    const sse = await readSseResponse(await scenario('tool-calls'));
    const calls: { id: string; name: string; arguments: string }[] = [];
    let fragments = 0;
    for (const chunk of sse.chunks) {
      const deltas =
        (
          chunk['choices'] as
            { delta?: { tool_calls?: { index: number; id?: string; function?: { name?: string; arguments?: string } }[] } }[] | undefined
        )?.[0]?.delta?.tool_calls ?? [];
      for (const fragment of deltas) {
        fragments += 1;
        const call = (calls[fragment.index] ??= { id: '', name: '', arguments: '' });
        call.id ||= fragment.id ?? '';
        call.name += fragment.function?.name ?? '';
        call.arguments += fragment.function?.arguments ?? '';
      }
    }
    assert.equal(calls.length, 2);
    assert.ok(fragments > 4, 'arguments arrive in several fragments');
    assert.deepEqual(
      calls.map((call) => call.name),
      ['get_weather', 'get_local_time'],
    );
    assert.deepEqual(JSON.parse(calls[0]?.arguments ?? ''), { city: 'Paris', unit: 'celsius' });
    assert.ok(calls.every((call) => call.id.startsWith('call_')));
    assert.equal(finishReasonOf(sse), 'tool_calls');
  });

  tested.add('reasoning');
  it('reasoning → reasoning_content deltas, then the answer', async () => {
    const sse = await readSseResponse(await scenario('reasoning'));
    const deltas = sse.chunks.map((chunk) => (chunk['choices'] as { delta?: Record<string, string> }[] | undefined)?.[0]?.delta ?? {});
    const lastReasoning = deltas.findLastIndex((delta) => typeof delta['reasoning_content'] === 'string');
    const firstContent = deltas.findIndex((delta) => typeof delta['content'] === 'string' && delta['content'] !== '');
    assert.ok(lastReasoning > 0 && lastReasoning < firstContent);
    assert.equal(contentOf(sse), ANSWER);
  });

  tested.add('stall');
  it('stall → headers, then only keep-alive comments', async () => {
    const controller = new AbortController();
    const response = await scenario('stall', {}, chatBody(QUESTION));
    assert.equal(response.status, 200);
    const text = await readFor(response, 300, controller);
    assert.ok((text.match(/: ping/g) ?? []).length >= 2, `pings arrive (got ${JSON.stringify(text)})`);
    assert.doesNotMatch(text, /data:/);
  });

  tested.add('stall-silent');
  it('stall-silent → headers, then no bytes at all', async () => {
    const controller = new AbortController();
    const response = await postChat(gw.url, chatBody(QUESTION), { 'X-Mock-Scenario': 'stall-silent' }, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.equal(await readFor(response, 300, controller), '');
  });

  tested.add('stall-mid-stream');
  it('stall-mid-stream → tokens, then silence (no keep-alives either)', async () => {
    const controller = new AbortController();
    const response = await postChat(gw.url, chatBody(QUESTION), { 'X-Mock-Scenario': 'stall-mid-stream' }, { signal: controller.signal });
    const text = await readFor(response, 300, controller);
    assert.match(text, /"content":"\S/);
    assert.doesNotMatch(text, /: ping|finish_reason":"|\[DONE\]/);
  });

  tested.add('keepalive');
  it('keepalive → `: ping` every 200 ms before the first token', async () => {
    const sse = await readSseResponse(await scenario('keepalive'));
    const beforeContent = sse.raw.slice(0, sse.raw.indexOf('"content":"', sse.raw.indexOf('"content":""') + 1));
    assert.ok((beforeContent.match(/: ping/g) ?? []).length >= 3);
    assert.equal(contentOf(sse), ANSWER);
  });

  tested.add('flaky');
  it('flaky → the first N requests with one Idempotency-Key get 503, then ok', async () => {
    const headers = { 'Idempotency-Key': 'flaky-key-1', 'X-Mock-Fail-Times': '2' };
    const first = await scenario('flaky', headers);
    assert.equal(first.status, 503);
    assert.equal(first.headers.get('retry-after'), '1');
    await first.body?.cancel();
    const second = await scenario('flaky', headers);
    assert.equal(second.status, 503);
    await second.body?.cancel();
    const third = await scenario('flaky', headers);
    assert.equal(third.status, 200);
    assert.equal(contentOf(await readSseResponse(third)), ANSWER);
    const otherKey = await scenario('flaky', { 'Idempotency-Key': 'flaky-key-2' });
    assert.equal(otherKey.status, 503, 'counts are per key (default N = 1)');
    await otherKey.body?.cancel();
  });

  it('covers every exported scenario, each with a description', () => {
    assert.deepEqual([...tested].sort(), [...MOCK_SCENARIOS].sort());
    for (const name of MOCK_SCENARIOS) assert.ok(MOCK_SCENARIO_DESCRIPTIONS[name].length > 10);
  });
});

describe('mock upstream selection and content', () => {
  it('selects a scenario from a last user message starting with /scenario', async () => {
    const response = await postChat(gw.url, chatBody('/scenario rate-limit why?'));
    assert.equal(response.status, 429);
    await response.body?.cancel();
    const earlier = await postChat(gw.url, {
      ...chatBody(),
      messages: [
        { role: 'user', content: '/scenario auth' },
        { role: 'assistant', content: 'x' },
        { role: 'user', content: QUESTION },
      ],
    });
    assert.equal(earlier.status, 200, 'only the last user message counts');
    await earlier.body?.cancel();
  });

  it('rejects an unknown scenario name with 400 listing the known ones', async () => {
    const response = await postChat(gw.url, chatBody(QUESTION), { 'X-Mock-Scenario': 'nope' });
    assert.equal(response.status, 400);
    const { error } = (await response.json()) as { error: { message: string } };
    assert.match(error.message, /Unknown mock scenario "nope".*rate-limit/);
  });

  it('is deterministic per question and varied across questions', async () => {
    const questions = ['a', 'b', 'What is Rust?', 'SQL please', 'Show me CSS', 'Tell me about Go', 'Quote something', 'pandas?'];
    const first = await Promise.all(questions.map(async (q) => contentOf(await readSseResponse(await postChat(gw.url, chatBody(q))))));
    const again = contentOf(await readSseResponse(await postChat(gw.url, chatBody(questions[2]))));
    assert.equal(again, first[2]);
    assert.ok(new Set(first).size >= 4, 'several different answers');
    const all = MOCK_ANSWERS.join('\n');
    for (const feature of [/^\|.*\|$/m, /```ts/, /```python/, /```sql/, /```rust/, /^#{2,3} /m, /^> /m, /^\d+\. /m, /^- /m]) {
      assert.match(all, feature, `the corpus has ${String(feature)}`);
    }
  });

  it('honours max_tokens with finish_reason length', async () => {
    const sse = await readSseResponse(await postChat(gw.url, chatBody(QUESTION, { max_tokens: 5 })));
    assert.equal(finishReasonOf(sse), 'length');
    assert.equal(contentOf(sse), splitTokens(ANSWER).slice(0, 5).join(''));
    assert.equal((usageOf(sse) as { completion_tokens: number }).completion_tokens, 5);
  });

  it('continue: true streams exactly the rest of the interrupted answer', async () => {
    const partial = splitTokens(ANSWER).slice(0, 17).join('');
    const sse = await readSseResponse(
      await postChat(gw.url, {
        ...chatBody(),
        continue: true,
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'assistant', content: partial },
        ],
      }),
    );
    assert.equal(partial + contentOf(sse), ANSWER);
    assert.equal(finishReasonOf(sse), 'stop');
  });

  it('continue after a /scenario failure finishes the answer (message scenarios do not apply)', async () => {
    const truncated = contentOf(await readSseResponse(await postChat(gw.url, chatBody(`/scenario truncated ${QUESTION}`))));
    const sse = await readSseResponse(
      await postChat(gw.url, {
        ...chatBody(),
        continue: true,
        messages: [
          { role: 'user', content: `/scenario truncated ${QUESTION}` },
          { role: 'assistant', content: truncated },
        ],
      }),
    );
    assert.equal(truncated + contentOf(sse), pickMockAnswer(QUESTION));
  });

  it('reports cached prompt tokens for a long stable prefix', async () => {
    const system = 'You are a careful assistant. '.repeat(200);
    const sse = await readSseResponse(
      await postChat(gw.url, {
        ...chatBody(),
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: QUESTION },
        ],
      }),
    );
    const usage = usageOf(sse) as { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
    assert.ok(usage.prompt_tokens_details.cached_tokens >= 1024);
    assert.equal(usage.prompt_tokens_details.cached_tokens % 128, 0);
    assert.ok(usage.prompt_tokens_details.cached_tokens < usage.prompt_tokens);
  });

  it('streams at the configured pace', async () => {
    const paced = await startTestGateway({
      upstream: createMockUpstream({ ...FAST_MOCK, tokensPerSecond: 50, answers: ['one two three four five six seven eight nine ten'] }),
    });
    try {
      const started = Date.now();
      const sse: ParsedSse = await readSseResponse(await postChat(paced.url, chatBody('x')));
      const elapsed = Date.now() - started;
      assert.equal(contentOf(sse), 'one two three four five six seven eight nine ten');
      // 10 tokens at 50/s: 9 intervals of 20 ms between the first and the last.
      assert.ok(elapsed >= 170, `took ${elapsed} ms`);
      assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    } finally {
      await paced.close();
    }
  });
});

describe("the mock's tool turn", () => {
  const tools = [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    },
  ];

  it('calls a declared tool the question names, arguments first, then text, finishing tool_calls', async () => {
    const response = await postChat(gw.url, chatBody('What is the weather in Buenos Aires?', { tools }));
    const sse = await readSseResponse(response);
    const deltas = sse.chunks.flatMap((chunk) => {
      const delta = (chunk['choices'] as Array<{ delta?: Record<string, unknown> }>)[0]?.delta;
      return delta ? [delta] : [];
    });
    const fragments = deltas.flatMap(
      (delta) => (delta['tool_calls'] as Array<{ id?: string; function: { name?: string; arguments?: string } }>) ?? [],
    );
    assert.equal(fragments[0]?.function.name, 'get_weather');
    assert.match(fragments[0]?.id ?? '', /^call_mock_get_weather/);
    assert.deepEqual(JSON.parse(fragments.map((fragment) => fragment.function.arguments ?? '').join('')), { city: 'Buenos Aires' });
    const firstText = deltas.findIndex((delta) => typeof delta['content'] === 'string' && delta['content'] !== '');
    const lastFragment = deltas.findLastIndex((delta) => Array.isArray(delta['tool_calls']));
    assert.ok(lastFragment < firstText, 'the call is complete before the text starts');
    assert.match(contentOf(sse), /get_weather/);
    assert.equal(finishReasonOf(sse), 'tool_calls');
  });

  it('answers from the tool results it is sent', async () => {
    const body = chatBody('', { tools });
    body['messages'] = [
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"city":"Oslo","celsius":4}' },
    ];
    const sse = await readSseResponse(await postChat(gw.url, body));
    assert.match(contentOf(sse), /get_weather/);
    assert.match(contentOf(sse), /celsius: 4/);
    assert.equal(finishReasonOf(sse), 'stop');
  });

  it('answers normally when no declared tool is named', async () => {
    const sse = await readSseResponse(await postChat(gw.url, chatBody(QUESTION, { tools })));
    assert.equal(contentOf(sse), ANSWER);
  });
});
