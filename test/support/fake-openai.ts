/**
 * A fake OpenAI-compatible provider (`POST /v1/chat/completions`, streaming) at a realistic
 * pace, for multi-instance tests and the load script: the first token after `firstTokenMs`,
 * then one token every `1000 / tokensPerSecond` ms, then a finish chunk, a usage chunk and
 * `[DONE]`. The answer is a deterministic function of the last user message
 * ({@link fakeAnswer}), with multibyte characters in it, so a client can verify every
 * character it received. It counts requests, finished streams and aborts (also at `GET /stats`).
 */
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Options of {@link startFakeOpenAI}. */
export interface FakeOpenAIOptions {
  /** @defaultValue 200 */
  firstTokenMs?: number;
  /** @defaultValue 50 */
  tokensPerSecond?: number;
  /** Tokens per answer (a request's `max_tokens` lowers it). @defaultValue 300 */
  tokens?: number;
  /** @defaultValue 0 (a free port) */
  port?: number;
}

/** A running fake provider. */
export interface FakeOpenAI {
  /** Base URL including `/v1`, as `LLM_BASE_URL` wants it. */
  baseURL: string;
  stats: { requests: number; completed: number; aborted: number; open: number };
  /** Resolves when the next stream is aborted by its client (the gateway). */
  nextAbort(): Promise<void>;
  close(): Promise<void>;
}

const WORDS = ['alpha', 'beta', 'gamma', 'délta', 'ε', '日本', 'zeta', '🙂', 'theta', 'iota'];

/**
 * The answer the fake provider streams for `seed` (the last user message).
 *
 * @param seed - The prompt.
 * @param tokens - Number of tokens.
 * @returns The tokens; their concatenation is the answer.
 */
export function fakeAnswer(seed: string, tokens: number): string[] {
  let hash = 2166136261;
  for (let index = 0; index < seed.length; index += 1) hash = Math.imul(hash ^ seed.charCodeAt(index), 16777619) >>> 0;
  const out: string[] = [];
  for (let index = 0; index < tokens; index += 1) {
    hash = Math.imul(hash ^ index, 16777619) >>> 0;
    out.push(`${WORDS[hash % WORDS.length]}${index % 17 === 16 ? '\n' : ' '}`);
  }
  return out;
}

/**
 * Starts the fake provider on 127.0.0.1.
 *
 * @param options - Pace and length.
 * @returns The running provider.
 */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const firstTokenMs = options.firstTokenMs ?? 200;
  const intervalMs = 1000 / (options.tokensPerSecond ?? 50);
  const stats = { requests: 0, completed: 0, aborted: 0, open: 0 };
  let abortWaiters: (() => void)[] = [];

  const server: Server = createServer({ keepAlive: true, noDelay: true }, (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/stats') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(stats));
        return;
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end('{"error":{"message":"not found","type":"invalid_request_error","code":null}}');
        return;
      }
      let body: { messages?: { role: string; content: string }[]; max_tokens?: number; model?: string } = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as typeof body;
      } catch {
        res.writeHead(400).end();
        return;
      }
      stream(res, body);
    });
  });

  function stream(
    res: ServerResponse,
    body: { messages?: { role: string; content: string }[]; max_tokens?: number; model?: string },
  ): void {
    stats.requests += 1;
    stats.open += 1;
    const seed = [...(body.messages ?? [])].reverse().find((message) => message.role === 'user')?.content ?? '';
    const tokens = fakeAnswer(seed, Math.min(options.tokens ?? 300, body.max_tokens ?? Infinity));
    const id = `chatcmpl-fake${stats.requests}`;
    const model = body.model ?? 'fake-model';
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': `fake-${stats.requests}` });
    res.write(chunk({ role: 'assistant', content: '' }));
    let sent = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    res.on('close', () => {
      clearTimeout(timer);
      stats.open -= 1;
      if (!done) {
        stats.aborted += 1;
        const waiters = abortWaiters;
        abortWaiters = [];
        for (const wake of waiters) wake();
      }
    });
    const next = (): void => {
      if (sent < tokens.length) {
        res.write(chunk({ content: tokens[sent] }));
        sent += 1;
        timer = setTimeout(next, intervalMs);
        return;
      }
      res.write(chunk({}, 'stop'));
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [], usage: { prompt_tokens: 10, completion_tokens: tokens.length, total_tokens: tokens.length + 10 } })}\n\n`,
      );
      res.write('data: [DONE]\n\n');
      done = true;
      stats.completed += 1;
      res.end();
    };
    timer = setTimeout(next, firstTokenMs);
  }

  // A backlog for a thousand connections arriving at once (Node's default, 511, drops SYNs,
  // and the retransmit delays would be measured as provider latency).
  await new Promise<void>((resolve) => server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    stats,
    nextAbort: () => new Promise<void>((resolve) => abortWaiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
