import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { describe, it } from 'node:test';
import { createChatHandler, createMockUpstream } from '../../src/gateway/index.js';
import { pickMockAnswer } from '../../src/gateway/mock-answers.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest } from '../../src/gateway/index.js';
import {
  FAST_MOCK,
  chatBody,
  contentOf,
  finishReasonOf,
  parseSse,
  postChat,
  readSseResponse,
  readUntil,
  startTestGateway,
  usageOf,
  within,
} from './helpers.js';

/** Wraps the fast mock and records what reached the upstream. */
function recordingUpstream(defaultModel = 'mock-1'): Upstream & { requests: UpstreamRequest[]; contexts: UpstreamContext[] } {
  const mock = createMockUpstream({ ...FAST_MOCK, model: defaultModel });
  const requests: UpstreamRequest[] = [];
  const contexts: UpstreamContext[] = [];
  return {
    provider: 'recording',
    defaultModel,
    requests,
    contexts,
    chat(request, context) {
      requests.push(request);
      contexts.push(context);
      return mock.chat(request, context);
    },
  };
}

async function errorOf(response: Response): Promise<Record<string, unknown>> {
  return ((await response.json()) as { error: Record<string, unknown> }).error;
}

describe('routes', () => {
  it('serves /healthz, 404 for unknown paths, 405 for GET on the chat path, and both chat paths', async () => {
    const gw = await startTestGateway();
    try {
      const health = await fetch(`${gw.url}/healthz`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok', provider: 'mock' });
      assert.ok(health.headers.get('x-request-id'));

      const missing = await fetch(`${gw.url}/nope`);
      assert.equal(missing.status, 404);
      assert.equal((await errorOf(missing))['code'], 'not_found');

      const get = await fetch(`${gw.url}/api/chat`);
      assert.equal(get.status, 405);
      assert.equal(get.headers.get('allow'), 'POST, OPTIONS');
      await get.body?.cancel();

      const openaiPath = await fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(chatBody('hi')),
      });
      assert.equal(openaiPath.status, 200);
      assert.equal(contentOf(await readSseResponse(openaiPath)), pickMockAnswer('hi'));
    } finally {
      await gw.close();
    }
  });

  it('sets the contract headers on streams and errors', async () => {
    const gw = await startTestGateway();
    try {
      for (const response of [
        await postChat(gw.url, chatBody()),
        await postChat(gw.url, chatBody(), { 'X-Mock-Scenario': 'unavailable' }),
      ]) {
        assert.equal(response.headers.get('cache-control'), 'no-cache, no-transform');
        assert.equal(response.headers.get('x-accel-buffering'), 'no');
        assert.equal(
          response.headers.get('access-control-expose-headers'),
          'X-Request-ID, Retry-After, retry-after-ms, X-Context-Trimmed, X-Stream-ID',
        );
        assert.match(response.headers.get('x-request-id') ?? '', /^req_/);
        await response.body?.cancel();
      }
    } finally {
      await gw.close();
    }
  });

  it('works as a plain Web handler without any server (Request in, Response out)', async () => {
    const handler = createChatHandler({ upstream: createMockUpstream(FAST_MOCK), onLog: () => {} });
    const ok = await handler(new Request('http://gateway.test/api/chat', { method: 'POST', body: JSON.stringify(chatBody('hi')) }));
    assert.equal(contentOf(parseSse(await ok.text())), pickMockAnswer('hi'));

    // In a Web runtime, reset-mid-stream errors the body stream.
    const reset = await handler(
      new Request('http://gateway.test/api/chat', {
        method: 'POST',
        headers: { 'X-Mock-Scenario': 'reset-mid-stream' },
        body: JSON.stringify(chatBody('hi')),
      }),
    );
    await assert.rejects(reset.text());
  });
});

describe('CORS', () => {
  const allowed = 'https://app.example.com';

  it('answers preflights for allowed origins and refuses others', async () => {
    const gw = await startTestGateway({ allowedOrigins: [allowed] });
    try {
      const ok = await fetch(`${gw.url}/api/chat`, {
        method: 'OPTIONS',
        headers: {
          Origin: allowed,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type, idempotency-key, x-csrf-token',
        },
      });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), allowed);
      assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/);
      assert.equal(ok.headers.get('access-control-allow-headers'), 'content-type, idempotency-key, x-csrf-token');
      assert.match(ok.headers.get('vary') ?? '', /Origin/);

      const evil = await fetch(`${gw.url}/api/chat`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(evil.status, 403);
      assert.equal(evil.headers.get('access-control-allow-origin'), null);
      await evil.body?.cancel();
    } finally {
      await gw.close();
    }
  });

  it('puts CORS headers on streams and on error responses, and refuses unlisted origins with 403', async () => {
    const gw = await startTestGateway({ allowedOrigins: [allowed] });
    try {
      const stream = await postChat(gw.url, chatBody(), { Origin: allowed });
      assert.equal(stream.headers.get('access-control-allow-origin'), allowed);
      assert.equal(stream.headers.get('access-control-allow-credentials'), 'true');
      await stream.body?.cancel();

      const limited = await postChat(gw.url, chatBody(), { Origin: allowed, 'X-Mock-Scenario': 'rate-limit' });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('access-control-allow-origin'), allowed);
      assert.equal(
        limited.headers.get('access-control-expose-headers'),
        'X-Request-ID, Retry-After, retry-after-ms, X-Context-Trimmed, X-Stream-ID',
      );
      assert.equal(limited.headers.get('retry-after'), '2');
      await limited.body?.cancel();

      const evil = await postChat(gw.url, chatBody(), { Origin: 'https://evil.example' });
      assert.equal(evil.status, 403);
      const error = await errorOf(evil);
      assert.equal(error['code'], 'permission_denied');
      assert.match(String(error['message']), /ALLOWED_ORIGINS/);
      assert.equal(gw.logs.length, 2, 'the refused request never reached the upstream');

      for (const origin of [gw.url, gw.url.replace('http:', 'https:')]) {
        // Same host; the scheme may differ behind a TLS-terminating proxy.
        const sameOrigin = await postChat(gw.url, chatBody(), { Origin: origin });
        assert.equal(sameOrigin.status, 200, origin);
        await sameOrigin.body?.cancel();
      }
      const proxied = await postChat(gw.url, chatBody(), { Origin: 'https://chat.example.org', 'X-Forwarded-Host': 'chat.example.org' });
      assert.equal(proxied.status, 200);
      await proxied.body?.cancel();
    } finally {
      await gw.close();
    }
  });

  it('allows any origin with "*"', async () => {
    const gw = await startTestGateway({ allowedOrigins: ['*'] });
    try {
      const response = await postChat(gw.url, chatBody(), { Origin: 'https://anything.example' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), 'https://anything.example');
      assert.equal(response.headers.get('access-control-allow-credentials'), null, 'no credentials for the wildcard');
      await response.body?.cancel();
    } finally {
      await gw.close();
    }
  });
});

describe('limits', () => {
  it('refuses a declared oversized body with 413 before reading it', async () => {
    const gw = await startTestGateway({ maxBodyBytes: 2000 });
    try {
      const response = await postChat(gw.url, chatBody('x'.repeat(3000)));
      assert.equal(response.status, 413);
      assert.equal((await errorOf(response))['code'], 'payload_too_large');
    } finally {
      await gw.close();
    }
  });

  it('cuts off a chunked body as soon as it passes the limit, without waiting for its end', async () => {
    const gw = await startTestGateway({ maxBodyBytes: 2000 });
    try {
      const { port } = new URL(gw.url);
      const status = await within(
        new Promise<number>((resolve, reject) => {
          const req = httpRequest(
            { host: '127.0.0.1', port, path: '/api/chat', method: 'POST', headers: { 'content-type': 'application/json' } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
              req.destroy();
            },
          );
          req.on('error', reject);
          // Chunked upload that passes the limit and then never ends.
          req.write(`{"messages":[{"role":"user","content":"${'y'.repeat(1500)}`);
          req.write('z'.repeat(1500));
        }),
        3000,
        'the 413',
      );
      assert.equal(status, 413);
    } finally {
      await gw.close();
    }
  });

  it('validates messages: count, length, roles, content, continue', async () => {
    const gw = await startTestGateway({ maxMessages: 3, maxMessageChars: 100 });
    try {
      const cases: [unknown, RegExp, string | null][] = [
        [{ messages: Array.from({ length: 4 }, () => ({ role: 'user', content: 'hi' })) }, /Too many messages: 4.*at most 3/, 'messages'],
        [{ messages: [{ role: 'user', content: 'x'.repeat(101) }] }, /101 characters.*at most 100/, 'messages[0].content'],
        [
          { messages: [{ role: 'wizard', content: 'hi' }] },
          /messages\[0\]\.role must be one of system, user, assistant, tool/,
          'messages[0].role',
        ],
        [{ messages: [{ role: 'user' }] }, /content must be a string/, 'messages[0].content'],
        [{ messages: [] }, /non-empty array/, 'messages'],
        [{ messages: [{ role: 'user', content: 'hi' }], continue: true }, /partial assistant answer as the last message/, 'continue'],
        [{ messages: [{ role: 'user', content: 'hi' }], max_tokens: 0 }, /positive integer/, 'max_tokens'],
        [{ messages: [{ role: 'user', content: 'hi' }], temperature: 3 }, /between 0 and 2/, 'temperature'],
        [{ messages: [{ role: 'user', content: 'hi' }], n: 2 }, /`n` must be 1/, 'n'],
        [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, /only text parts/, 'messages[0].content'],
        ['{not json', /not valid JSON/, null],
        ['[1,2]', /must be a JSON object/, null],
        ['', /empty/, null],
      ];
      for (const [body, message, param] of cases) {
        const response = await postChat(gw.url, body);
        assert.equal(response.status, 400, `status for ${JSON.stringify(body).slice(0, 60)}`);
        const error = await errorOf(response);
        assert.equal(error['code'], 'invalid_request');
        assert.equal(error['type'], 'invalid_request_error');
        assert.match(String(error['message']), message);
        assert.equal(error['param'], param);
      }
    } finally {
      await gw.close();
    }
  });

  it('accepts text parts and developer messages, clamps max_tokens, forwards allow-listed fields', async () => {
    const upstream = recordingUpstream();
    const gw = await startTestGateway({ upstream, maxTokens: 100 });
    try {
      const body = {
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Hello ' },
              { type: 'text', text: 'there' },
            ],
          },
        ],
        stream: true,
        max_tokens: 5000,
        top_p: 0.5,
        seed: null,
      };
      await (await postChat(gw.url, body)).text();
      await (await postChat(gw.url, { ...body, max_tokens: undefined })).text();
      await (await postChat(gw.url, { ...body, max_tokens: 7 })).text();
      const [clamped, absent, small] = upstream.requests;
      assert.equal(clamped?.maxTokens, 100);
      assert.equal(absent?.maxTokens, 100);
      assert.equal(small?.maxTokens, 7);
      assert.deepEqual(clamped?.messages, [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ]);
      assert.deepEqual(clamped?.extra, { top_p: 0.5 });
      assert.equal(clamped?.continue, false);
    } finally {
      await gw.close();
    }
  });

  it('refuses an unknown body field with 400 naming it, and keeps continue working', async () => {
    const upstream = recordingUpstream();
    const gw = await startTestGateway({ upstream });
    try {
      const refused = await postChat(gw.url, { messages: [{ role: 'user', content: 'hi' }], stream: true, secret_flag: true });
      assert.equal(refused.status, 400);
      const envelope = (await refused.json()) as { error: { code: string; param: string; message: string } };
      assert.equal(envelope.error.code, 'invalid_request');
      assert.equal(envelope.error.param, 'secret_flag');
      assert.match(envelope.error.message, /Unknown request field `secret_flag`/);
      assert.equal(upstream.requests.length, 0, 'nothing reached the provider');
      const continued = await postChat(gw.url, {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'Partial' },
        ],
        stream: true,
        continue: true,
      });
      assert.equal(continued.status, 200);
      await continued.text();
      assert.equal(upstream.requests[0]?.continue, true);
    } finally {
      await gw.close();
    }
  });

  it('enforces the model allowlist and names the allowed models', async () => {
    const upstream = recordingUpstream('gpt-a');
    const gw = await startTestGateway({ upstream });
    try {
      const refused = await postChat(gw.url, chatBody('hi', { model: 'gpt-expensive' }));
      assert.equal(refused.status, 400);
      const error = await errorOf(refused);
      assert.equal(error['code'], 'model_not_allowed');
      assert.equal(error['param'], 'model');
      assert.match(String(error['message']), /"gpt-expensive" is not allowed.*Allowed: gpt-a/);

      const defaulted = await postChat(gw.url, chatBody('hi', { model: undefined }));
      assert.equal(defaulted.status, 200);
      await defaulted.text();
      assert.equal(upstream.requests.at(-1)?.model, 'gpt-a');
    } finally {
      await gw.close();
    }
  });

  it('rate-limits per client with an exact Retry-After (sliding window)', async () => {
    let now = 1_000_000;
    const gw = await startTestGateway({ rateLimit: 2, now: () => now, trustProxy: true });
    try {
      const send = (ip: string): Promise<Response> => postChat(gw.url, chatBody(), { 'X-Forwarded-For': ip });
      for (const response of [await send('198.51.100.1'), await send('198.51.100.1')]) {
        assert.equal(response.status, 200);
        await response.text();
      }
      now += 20_000;
      const limited = await send('198.51.100.1');
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '40');
      const error = await errorOf(limited);
      assert.equal(error['code'], 'rate_limit_exceeded');
      assert.equal(error['retry_after'], 40);

      const other = await send('198.51.100.2');
      assert.equal(other.status, 200, 'another client has its own budget');
      await other.text();

      now += 40_001;
      const later = await send('198.51.100.1');
      assert.equal(later.status, 200);
      await later.text();
    } finally {
      await gw.close();
    }
  });

  it('caps concurrent streams per client with 429 concurrency_exceeded', async () => {
    const gw = await startTestGateway({ maxConcurrent: 1 });
    try {
      const first = new AbortController();
      const running = await postChat(gw.url, chatBody(), { 'X-Mock-Scenario': 'stall' }, { signal: first.signal });
      assert.equal(running.status, 200);

      const second = await postChat(gw.url, chatBody());
      assert.equal(second.status, 429);
      assert.equal(second.headers.get('retry-after'), '1');
      assert.equal((await errorOf(second))['code'], 'concurrency_exceeded');

      first.abort();
      await gw.logOf(running);
      const third = await postChat(gw.url, chatBody());
      assert.equal(third.status, 200);
      await third.text();
    } finally {
      await gw.close();
    }
  });

  it('never runs two generations for one Idempotency-Key at once', async () => {
    const upstream = recordingUpstream();
    const gw = await startTestGateway({ upstream });
    try {
      const first = new AbortController();
      const key = { 'Idempotency-Key': '9b2c5f0e-retry-me' };
      const running = await postChat(gw.url, chatBody(), { ...key, 'X-Mock-Scenario': 'stall' }, { signal: first.signal });
      assert.equal(running.status, 200);

      const retry = await postChat(gw.url, chatBody(), key);
      assert.equal(retry.status, 429);
      assert.equal(retry.headers.get('retry-after'), '1');
      const error = await errorOf(retry);
      assert.equal(error['code'], 'idempotency_key_in_use');
      assert.equal(upstream.requests.length, 1, 'the retry did not reach the upstream');

      const otherKey = await postChat(gw.url, chatBody(), { 'Idempotency-Key': 'another-key' });
      assert.equal(otherKey.status, 200);
      await otherKey.text();

      first.abort();
      await gw.logOf(running);
      const after = await postChat(gw.url, chatBody(), key);
      assert.equal(after.status, 200, 'the key is free again once its generation ended');
      await after.text();

      const bad = await postChat(gw.url, chatBody(), { 'Idempotency-Key': 'has space' });
      assert.equal(bad.status, 400);
      assert.equal((await errorOf(bad))['param'], 'Idempotency-Key');
    } finally {
      await gw.close();
    }
  });
});

describe('streaming behaviour', () => {
  it('sends : ping while waiting for the first token, and none on a fast stream', async () => {
    const gw = await startTestGateway({
      keepAliveMs: 40,
      upstream: createMockUpstream({ ...FAST_MOCK, firstTokenDelayMs: 250 }),
    });
    const fast = await startTestGateway({ keepAliveMs: 1000 });
    try {
      const slow = await readSseResponse(await postChat(gw.url, chatBody()));
      const firstToken = slow.raw.indexOf('"content":"', slow.raw.indexOf('"content":""') + 1);
      const pings = (slow.raw.slice(0, firstToken).match(/^: ping$/gm) ?? []).length;
      assert.ok(pings >= 3, `got ${pings} pings`);
      assert.equal(contentOf(slow), pickMockAnswer('Hello there'));

      const quick = await readSseResponse(await postChat(fast.url, chatBody()));
      assert.equal(quick.comments.length, 0);
    } finally {
      await gw.close();
      await fast.close();
    }
  });

  it('forwards the usage chunk only when stream_options.include_usage is set', async () => {
    const gw = await startTestGateway();
    try {
      const response = await postChat(gw.url, chatBody('hi', { stream_options: undefined }));
      const without = await readSseResponse(response);
      assert.equal(usageOf(without), undefined);
      assert.ok(without.chunks.every((chunk) => !('usage' in chunk)));
      assert.equal(finishReasonOf(without), 'stop');
      assert.equal(without.done, true);
      const entry = await gw.logOf(response);
      assert.ok((entry.completion_tokens ?? 0) > 0, 'the log still has the usage');
    } finally {
      await gw.close();
    }
  });

  it('answers stream: false with one chat.completion (aggregated), and errors with a status', async () => {
    const gw = await startTestGateway();
    try {
      const response = await postChat(gw.url, chatBody('hi', { stream: false }));
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      const completion = (await response.json()) as {
        object: string;
        choices: { message: { content: string }; finish_reason: string }[];
        usage: { completion_tokens: number };
      };
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.choices[0]?.message.content, pickMockAnswer('hi'));
      assert.equal(completion.choices[0]?.finish_reason, 'stop');
      assert.ok(completion.usage.completion_tokens > 0);

      const tools = (await (await postChat(gw.url, chatBody('hi', { stream: false }), { 'X-Mock-Scenario': 'tool-calls' })).json()) as {
        choices: { message: { content: null; tool_calls: { function: { name: string; arguments: string } }[] }; finish_reason: string }[];
      };
      assert.equal(tools.choices[0]?.finish_reason, 'tool_calls');
      assert.equal(tools.choices[0]?.message.content, null);
      assert.deepEqual(JSON.parse(tools.choices[0]?.message.tool_calls[1]?.function.arguments ?? ''), { timezone: 'Europe/Paris' });

      const failed = await postChat(gw.url, chatBody('hi', { stream: false }), { 'X-Mock-Scenario': 'error-mid-stream' });
      assert.equal(failed.status, 502);
      assert.equal((await errorOf(failed))['code'], 'upstream_error');
    } finally {
      await gw.close();
    }
  });

  it('aborts the upstream as soon as the client disconnects', async () => {
    const upstream = recordingUpstream();
    const gw = await startTestGateway({ upstream });
    try {
      const controller = new AbortController();
      const response = await postChat(gw.url, chatBody(), { 'X-Mock-Scenario': 'stall-mid-stream' }, { signal: controller.signal });
      await readUntil(response, (text) => text.includes('"content":"'));
      const signal = upstream.contexts[0]?.signal;
      assert.equal(signal?.aborted, false);
      controller.abort();
      const entry = await gw.logOf(response);
      assert.equal(signal?.aborted, true);
      assert.equal(entry.client_aborted, true);
      assert.equal(entry.status, 200);
    } finally {
      await gw.close();
    }
  });

  it('gives up on an upstream that does not answer: 504 upstream_timeout', async () => {
    const hanging: Upstream = {
      provider: 'hanging',
      defaultModel: 'm',
      chat: (_request, context) =>
        new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason))),
    };
    const gw = await startTestGateway({ upstream: hanging, upstreamTimeoutMs: 100 });
    try {
      const response = await postChat(gw.url, chatBody('hi', { model: 'm' }));
      assert.equal(response.status, 504);
      assert.equal((await errorOf(response))['code'], 'upstream_timeout');
    } finally {
      await gw.close();
    }
  });

  it('ends a stream whose upstream goes silent with an in-band upstream_timeout', async () => {
    const silent: Upstream = {
      provider: 'silent',
      defaultModel: 'm',
      async chat(_request, context) {
        async function* events(): AsyncGenerator<UpstreamEvent> {
          yield {
            type: 'chunk',
            chunk: {
              id: 'chatcmpl-1',
              object: 'chat.completion.chunk',
              created: 1,
              model: 'm',
              choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }],
            },
          };
          await new Promise((_resolve, reject) => context.signal.addEventListener('abort', () => reject(context.signal.reason)));
        }
        return { type: 'stream', events: events() };
      },
    };
    const gw = await startTestGateway({ upstream: silent, upstreamIdleTimeoutMs: 150 });
    try {
      const sse = await readSseResponse(await postChat(gw.url, chatBody('hi', { model: 'm' })));
      assert.equal(contentOf(sse), 'Hi');
      const last = sse.chunks.at(-1) as { error: { code: string; request_id: string } };
      assert.equal(last.error.code, 'upstream_timeout');
      assert.match(last.error.request_id, /^req_/);
    } finally {
      await gw.close();
    }
  });

  it('turns an unexpected upstream exception into 500 internal_error', async () => {
    const broken: Upstream = { provider: 'broken', defaultModel: 'm', chat: () => Promise.reject(new Error('bug: secret detail')) };
    const gw = await startTestGateway({ upstream: broken });
    try {
      const response = await postChat(gw.url, chatBody('hi', { model: 'm' }));
      assert.equal(response.status, 500);
      const error = await errorOf(response);
      assert.equal(error['code'], 'internal_error');
      assert.doesNotMatch(String(error['message']), /secret detail/);
    } finally {
      await gw.close();
    }
  });
});

describe('log line', () => {
  it('has the required fields, reads X-Retry-Attempt, hashes the client and omits content', async () => {
    const gw = await startTestGateway();
    try {
      const response = await postChat(gw.url, chatBody('hi'), { 'X-Retry-Attempt': '2', 'Idempotency-Key': 'k-123' });
      const sse = await readSseResponse(response);
      const entry = await gw.logOf(response);
      const usage = usageOf(sse) as { prompt_tokens: number; completion_tokens: number };
      assert.equal(entry.msg, 'chat_request');
      assert.equal(entry.level, 'info');
      assert.ok(!Number.isNaN(Date.parse(entry.ts)));
      assert.equal(entry.request_id, response.headers.get('x-request-id'));
      assert.equal(entry.provider, 'mock');
      assert.equal(entry.model, 'mock-1');
      assert.equal(entry.path, '/api/chat');
      assert.equal(entry.status, 200);
      assert.equal(entry.stream, true);
      assert.equal(entry.prompt_tokens, usage.prompt_tokens);
      assert.equal(entry.completion_tokens, usage.completion_tokens);
      assert.equal(entry.cached_tokens, 0);
      assert.equal(typeof entry.ttft_ms, 'number');
      assert.ok((entry.ttft_ms ?? -1) >= 0 && (entry.ttft_ms ?? 0) <= entry.total_latency_ms);
      assert.equal(entry.finish_reason, 'stop');
      assert.equal(entry.error_code, null);
      assert.equal(entry.retries, 2);
      assert.match(entry.client, /^c_[0-9a-f]{16}$/);
      assert.equal(entry.idempotency_key, true);
      assert.equal(entry.client_aborted, false);
      assert.equal('messages' in entry, false);
      assert.equal('output' in entry, false);
      const line = JSON.stringify(entry);
      assert.doesNotMatch(line, /127\.0\.0\.1|k-123/, 'no raw address, no key value');
    } finally {
      await gw.close();
    }
  });

  it('records pre-stream errors and in-band errors with their code', async () => {
    const gw = await startTestGateway();
    try {
      const busyResponse = await postChat(gw.url, chatBody(), { 'X-Mock-Scenario': 'backend-busy' });
      await busyResponse.text();
      const busy = await gw.logOf(busyResponse);
      assert.equal(busy.status, 429);
      assert.equal(busy.error_code, 'backend_busy');
      assert.equal(busy.level, 'warn');

      const midResponse = await postChat(gw.url, chatBody(), { 'X-Mock-Scenario': 'error-mid-stream' });
      await midResponse.text();
      const midStream = await gw.logOf(midResponse);
      assert.equal(midStream.status, 200);
      assert.equal(midStream.error_code, 'server_error');
      assert.equal(midStream.finish_reason, null);
    } finally {
      await gw.close();
    }
  });

  it('includes messages and output only with logContent, and hashes forwarded addresses only with trustProxy', async () => {
    const gw = await startTestGateway({ logContent: true, trustProxy: true });
    try {
      const firstResponse = await postChat(gw.url, chatBody('hi'), { 'X-Forwarded-For': '203.0.113.7' });
      await firstResponse.text();
      const first = await gw.logOf(firstResponse);
      assert.deepEqual(first.messages, [{ role: 'user', content: 'hi' }]);
      assert.equal(first.output, pickMockAnswer('hi'));
      assert.doesNotMatch(JSON.stringify(first), /203\.0\.113\.7/);

      const secondResponse = await postChat(gw.url, chatBody('hi'), { 'X-Forwarded-For': '203.0.113.8' });
      await secondResponse.text();
      const second = await gw.logOf(secondResponse);
      assert.notEqual(first.client, second.client);
    } finally {
      await gw.close();
    }
    const untrusting = await startTestGateway();
    try {
      const responseA = await postChat(untrusting.url, chatBody('hi'), { 'X-Forwarded-For': '203.0.113.7' });
      await responseA.text();
      const a = await untrusting.logOf(responseA);
      const responseB = await postChat(untrusting.url, chatBody('hi'), { 'X-Forwarded-For': '203.0.113.8' });
      await responseB.text();
      const b = await untrusting.logOf(responseB);
      assert.equal(a.client, b.client, 'X-Forwarded-For is ignored without trustProxy');
    } finally {
      await untrusting.close();
    }
  });

  it('counts retries from the OpenAI SDK header too', async () => {
    const gw = await startTestGateway();
    try {
      const response = await postChat(gw.url, chatBody(), { 'X-Stainless-Retry-Count': '1' });
      await response.text();
      assert.equal((await gw.logOf(response)).retries, 1);
    } finally {
      await gw.close();
    }
  });
});
