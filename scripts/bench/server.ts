/**
 * The benchmark's HTTP server on 127.0.0.1: the subjects' pages and scripts, the built embed
 * under a sub-path (so its lazily loaded chunks must resolve relative to its own URL), and
 * the streaming endpoints, which send an answer as a real chunked HTTP response — either paced
 * (a fixed number of deltas per second, as a model streams) or as a firehose (the whole
 * answer written at once, as a proxy that buffered the stream delivers it).
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { cutDeltas } from './answer.js';

/** How an answer is sent. */
export type StreamMode = 'paced' | 'firehose';

/** Wire formats: OpenAI Chat Completions (llm-chat, the naive pages) and deep-chat's own `{text}` events. */
export type WireFormat = 'openai' | 'deep-chat';

export interface BenchServerOptions {
  /** Directory of the built embed, served at `/embed/`. */
  embedDir: string;
  /** Scripts served at the root (`/probe.js`, `/naive.js`, `/deep-chat.js`), by name. */
  scripts: Record<string, string>;
  /** The page at `/page/<name>?<query>`, or `undefined` for none. */
  page(name: string, query: URLSearchParams): string | undefined;
  /** Characters per delta. */
  deltaSize: number;
  /** Deltas per second in paced mode. */
  deltasPerSecond: number;
}

export interface BenchServer {
  url: string;
  /** Makes an answer available to the streaming endpoints as `?answer=<id>`. */
  setAnswer(id: string, text: string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

/** Strict CSP for the llm-chat page: the element must run under Trusted Types, as on a locked-down site. */
export const STRICT_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "require-trusted-types-for 'script'",
  'trusted-types llm-chat lit-html',
].join('; ');

/** Page styles shared by every subject: the chat fills the viewport and its transcript scrolls. */
const PAGE_CSS = `html,body{margin:0;height:100%;font:15px system-ui,sans-serif}
llm-chat{display:block;height:100vh}
#naive-log{height:100vh;overflow-y:auto;padding:12px;box-sizing:border-box}
#naive-log>div{margin:0 0 12px}
#naive-log pre{overflow-x:auto}
`;

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const answers = new Map<string, string>();
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    if (request.method === 'POST' && path.startsWith('/api/')) {
      const format: WireFormat = path === '/api/deep-chat' ? 'deep-chat' : 'openai';
      const answer = answers.get(url.searchParams.get('answer') ?? '');
      // The request body is read to its end before answering, as a real backend does.
      for await (const _ of request) void _;
      if (answer === undefined) {
        response.writeHead(404).end();
        return;
      }
      const mode: StreamMode = url.searchParams.get('mode') === 'firehose' ? 'firehose' : 'paced';
      await stream(response, encodeEvents(answer, format, options.deltaSize), mode, options.deltasPerSecond);
      return;
    }
    if (path === '/bench.css') return send(response, 'text/css; charset=utf-8', PAGE_CSS);
    if (path.startsWith('/page/')) {
      const page = options.page(path.slice('/page/'.length), url.searchParams);
      if (page === undefined) return void response.writeHead(404).end();
      const headers: Record<string, string> = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' };
      if (path === '/page/llm-chat') headers['content-security-policy'] = STRICT_CSP;
      response.writeHead(200, headers).end(page);
      return;
    }
    const script = options.scripts[path.slice(1)];
    if (script !== undefined) return send(response, TYPES['.js'] as string, script);
    if (path.startsWith('/embed/')) {
      const file = normalize(path.slice('/embed/'.length));
      if (file.startsWith('..')) return void response.writeHead(404).end();
      try {
        const body = await readFile(join(options.embedDir, file));
        return send(response, TYPES[extname(file)] ?? 'application/octet-stream', body);
      } catch {
        return void response.writeHead(404).end();
      }
    }
    if (path === '/favicon.ico') return void response.writeHead(204).end();
    response.writeHead(404).end();
  };

  const server = createServer((request, response) => {
    request.socket.setNoDelay(true);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setAnswer: (id, text) => answers.set(id, text),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, type: string, body: string | Buffer): void {
  response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}

/** The answer as SSE events of `deltaSize` characters each, with the format's own ending. */
function encodeEvents(answer: string, format: WireFormat, deltaSize: number): string[] {
  const deltas = cutDeltas(answer, deltaSize);
  if (format === 'deep-chat') return deltas.map((text) => `data: ${JSON.stringify({ text })}\n\n`);
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'bench', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return [
    ...deltas.map((content, index) => chunk(index === 0 ? { role: 'assistant', content } : { content })),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
}

/**
 * Writes the events. Paced: the first event goes out with the response head (so Resource
 * Timing's `responseStart` is the first delta's arrival), then every due event on a 1 ms
 * timer, several in one write when the timer ran late. Firehose: everything in one write.
 */
async function stream(response: ServerResponse, events: string[], mode: StreamMode, perSecond: number): Promise<void> {
  response.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    'x-request-id': 'bench',
  });
  if (mode === 'firehose') {
    response.end(events.join(''));
    return;
  }
  const start = performance.now();
  let sent = 0;
  while (sent < events.length) {
    if (response.destroyed) return;
    const due = Math.min(events.length, Math.floor(((performance.now() - start) * perSecond) / 1000) + 1);
    if (due > sent) {
      response.write(events.slice(sent, due).join(''));
      sent = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  response.end();
}
