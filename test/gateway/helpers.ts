/**
 * Shared test helpers for the gateway suite: a gateway on an ephemeral loopback port with
 * its log lines captured, fake provider servers speaking real wire formats, and SSE parsing.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockUpstream, startGateway } from '../../src/gateway/index.js';
import type { GatewayLogEntry, MockUpstreamOptions, RunningGateway, StartGatewayOptions } from '../../src/gateway/index.js';

/** A gateway for one test, with its log lines. */
export interface TestGateway {
  url: string;
  gateway: RunningGateway;
  logs: GatewayLogEntry[];
  /**
   * Resolves with the first log line (already written or still to come) that matches.
   * Log lines are written when a request ends, which may be just before or after the client
   * has read the last byte.
   */
  waitForLog(predicate: (entry: GatewayLogEntry) => boolean, timeoutMs?: number): Promise<GatewayLogEntry>;
  /** The log line of the response with this `X-Request-ID`. */
  logOf(response: Response): Promise<GatewayLogEntry>;
  close(): Promise<void>;
}

/** Mock options that stream as fast as possible. */
export const FAST_MOCK: MockUpstreamOptions = {
  tokensPerSecond: Infinity,
  firstTokenDelayMs: 0,
  slowFirstTokenDelayMs: 300,
  keepaliveScenarioMs: 650,
};

/**
 * Starts a gateway on 127.0.0.1 with a fast mock upstream unless `options.upstream` is
 * given, and captures log lines instead of printing them.
 */
export async function startTestGateway(options: StartGatewayOptions = {}): Promise<TestGateway> {
  const logs: GatewayLogEntry[] = [];
  let waiters: { predicate: (entry: GatewayLogEntry) => boolean; resolve: (entry: GatewayLogEntry) => void }[] = [];
  const gateway = await startGateway({
    upstream: createMockUpstream(FAST_MOCK),
    rateLimit: 0,
    maxConcurrent: 0,
    // Most tests are about one connection: its disconnect should end the generation at once,
    // as it did before streams became resumable. Resume tests set their own grace period.
    resumeGraceMs: 0,
    ...options,
    host: '127.0.0.1',
    port: 0,
    onLog: (entry) => {
      logs.push(entry);
      options.onLog?.(entry);
      const matched = waiters.filter((waiter) => waiter.predicate(entry));
      waiters = waiters.filter((waiter) => !matched.includes(waiter));
      for (const waiter of matched) waiter.resolve(entry);
    },
  });
  const waitForLog = (predicate: (entry: GatewayLogEntry) => boolean, timeoutMs = 3000): Promise<GatewayLogEntry> => {
    const existing = logs.find(predicate);
    if (existing) return Promise.resolve(existing);
    return within(new Promise<GatewayLogEntry>((resolve) => waiters.push({ predicate, resolve })), timeoutMs, 'a log line');
  };
  return {
    url: gateway.url,
    gateway,
    logs,
    waitForLog,
    logOf: (response) => {
      const id = response.headers.get('x-request-id');
      return waitForLog((entry) => entry.request_id === id);
    },
    close: () => gateway.close({ graceMs: 0 }),
  };
}

/** A chat request body with one user message. */
export function chatBody(content = 'Hello there', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    model: 'mock-1',
    messages: [{ role: 'user', content }],
    stream: true,
    stream_options: { include_usage: true },
    ...extra,
  };
}

/** POSTs a JSON body to the gateway's chat endpoint. */
export function postChat(url: string, body: unknown, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return fetch(`${url}/api/chat`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** A parsed SSE body. */
export interface ParsedSse {
  /** Parsed JSON of every `data:` line except `[DONE]` and unparseable ones. */
  chunks: Record<string, unknown>[];
  /** Raw `data:` payloads in order, including `[DONE]` and malformed ones. */
  data: string[];
  /** Comment lines (without the leading colon). */
  comments: string[];
  /** The `id:` of each event that had one, in order. */
  ids: string[];
  done: boolean;
  raw: string;
}

/** Splits SSE text into data payloads and comments (enough for what the gateway writes). */
export function parseSse(raw: string): ParsedSse {
  const parsed: ParsedSse = { chunks: [], data: [], comments: [], ids: [], done: false, raw };
  for (const block of raw.split(/\r?\n\r?\n/)) {
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) parsed.comments.push(line.slice(1).trim());
      else if (line.startsWith('id:')) parsed.ids.push(line.slice(3).trim());
      else if (line.startsWith('data:')) {
        const data = line.slice(5).trim();
        parsed.data.push(data);
        if (data === '[DONE]') parsed.done = true;
        else {
          try {
            parsed.chunks.push(JSON.parse(data) as Record<string, unknown>);
          } catch {
            // Kept in `data` only.
          }
        }
      }
    }
  }
  return parsed;
}

/** Reads a whole SSE response. */
export async function readSseResponse(response: Response): Promise<ParsedSse> {
  return parseSse(await response.text());
}

/** Concatenated `delta.content` of all chunks. */
export function contentOf(sse: ParsedSse): string {
  return sse.chunks
    .map((chunk) => {
      const choices = chunk['choices'] as { delta?: { content?: string | null } }[] | undefined;
      return choices?.[0]?.delta?.content ?? '';
    })
    .join('');
}

/** The finish_reason seen in the stream, if any. */
export function finishReasonOf(sse: ParsedSse): string | undefined {
  for (const chunk of sse.chunks) {
    const choices = chunk['choices'] as { finish_reason?: string | null }[] | undefined;
    const reason = choices?.[0]?.finish_reason;
    if (reason) return reason;
  }
  return undefined;
}

/** The usage object of the stream's usage chunk, if any. */
export function usageOf(sse: ParsedSse): Record<string, unknown> | undefined {
  return sse.chunks.find((chunk) => chunk['usage'])?.['usage'] as Record<string, unknown> | undefined;
}

/** Reads a response body until `predicate` holds for the text so far, then returns it. */
export async function readUntil(response: Response, predicate: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!predicate(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

/** One request received by a fake upstream. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  /** Resolves when the connection closed before the response ended (the client went away). */
  aborted: Promise<void>;
}

/** A fake provider server. */
export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * Starts a fake provider on 127.0.0.1. `respond` gets the parsed JSON body and writes
 * whatever the test needs (real OpenAI/Anthropic formats, errors, stalls).
 */
export async function startFakeUpstream(
  respond: (request: RecordedRequest, res: ServerResponse) => void | Promise<void>,
): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const aborted = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) resolve();
        });
      });
      const recorded: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, aborted };
      requests.push(recorded);
      void Promise.resolve(respond(recorded, res)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes SSE events (`data:` payloads, objects are JSON-encoded) and optionally ends. */
export function writeSse(
  res: ServerResponse,
  events: (string | Record<string, unknown> | { event: string; data: Record<string, unknown> })[],
  end = true,
): void {
  if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'text/event-stream', 'x-request-id': 'upstream-req-1' });
  for (const event of events) {
    if (typeof event === 'string') res.write(event);
    else if ('event' in event && typeof event['event'] === 'string' && 'data' in event) {
      res.write(`event: ${event['event']}\ndata: ${JSON.stringify(event['data'])}\n\n`);
    } else res.write(`data: ${JSON.stringify(event)}\n\n`);
  }
  if (end) res.end();
}

/** An OpenAI chunk with one choice. */
export function openaiChunk(
  delta: Record<string, unknown>,
  finishReason: string | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'chatcmpl-upstream1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gpt-test',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  };
}

/** Waits `ms` milliseconds (integration tests only; unit logic uses injected clocks). */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects if `promise` does not settle within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * POSTs like a client retrying with the same Idempotency-Key: while the gateway still sees the
 * first attempt's connection (it notices a drop within milliseconds, but a loaded machine may
 * take longer), it answers 429 `idempotency_key_in_use`; wait and send again.
 */
export async function postRetry(url: string, body: unknown, headers: Record<string, string>, timeoutMs = 3000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await postChat(url, body, headers);
    if (response.status !== 429 || Date.now() > deadline) return response;
    const code = ((await response.clone().json()) as { error?: { code?: string } }).error?.code;
    if (code !== 'idempotency_key_in_use') return response;
    await response.body?.cancel();
    await delay(100);
  }
}
