/**
 * Issue 14's warm start: the first request after a start must cost no more than later ones.
 * V8 compiles a function the first time it runs, and Node loads parts of itself on first use
 * (the Web `Request` classes, Web Crypto): on a fresh process the first chat request paid for
 * all of that, tens of milliseconds added to its first token. So before the gateway reports
 * ready it serves one chat to itself — a throwaway handler behind the Node adapter on a
 * loopback port, relaying from a two-token OpenAI-compatible answer served by the same
 * throwaway server through the keep-alive transport — and every stage a real stream goes
 * through has run once. Nothing reaches the configured provider, no log line is written, and
 * the shared state store is not touched.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatHandler } from './chat-handler.js';
import { createNodeHandler } from './node-handler.js';
import { createNodeTransport } from './node-upstream-transport.js';
import { createOpenAICompatibleUpstream } from './openai-compatible-upstream.js';

const MODEL = 'warm-up';
const PROVIDER_PATH = '/provider/chat/completions';

function chunk(delta: Record<string, unknown>, finish: string | null): string {
  const body = {
    id: 'chatcmpl-warm-up',
    object: 'chat.completion.chunk',
    created: 0,
    model: MODEL,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/** The provider's side: a short streamed answer in the OpenAI shape, usage included. */
const ANSWER = [
  chunk({ role: 'assistant', content: 'warm' }, null),
  chunk({ content: ' up' }, null),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-warm-up', object: 'chat.completion.chunk', created: 0, model: MODEL, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } })}\n\n`,
  'data: [DONE]\n\n',
].join('');

/**
 * Runs one streamed chat through a throwaway gateway in this process. Best effort: it resolves
 * (never rejects) within `timeoutMs`, warm or not.
 *
 * @param timeoutMs - Upper bound.
 * @returns When done.
 */
export async function warmUpGateway(timeoutMs = 5000): Promise<void> {
  let gateway: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer({ keepAlive: true }, (req, res) => {
    if (req.url === PROVIDER_PATH) {
      req.resume();
      req.once('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(ANSWER);
      });
      return;
    }
    gateway?.(req, res);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    gateway = createNodeHandler(
      createChatHandler({
        upstream: createOpenAICompatibleUpstream({
          baseURL: `${base}/provider`,
          apiKey: 'warm-up',
          defaultModel: MODEL,
          transport: createNodeTransport({ maxIdle: 1 }),
        }),
        onLog: () => {},
        rateLimit: 0,
        maxConcurrent: 0,
        resumeGraceMs: 0,
        streamRetentionMs: 0,
        clientIdSalt: 'warm-up',
      }),
    );
    await withTimeout(readChat(`${base}/api/chat`), timeoutMs);
  } catch {
    // Cold is slower, not broken.
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

function readChat(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'warm up' }], stream: true, max_tokens: 2 });
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.once('end', resolve);
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
