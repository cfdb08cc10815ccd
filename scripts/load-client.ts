/**
 * The load script's client: opens chat streams over raw `node:http` with a socket pool big
 * enough for every stream at once, measures time to the first content token, and verifies
 * every stream's text exactly against what the fake provider sent (no character lost or
 * repeated; event ids strictly increasing when the gateway numbers them).
 */
import { Agent, request } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';

/** One stream's outcome. */
export interface StreamOutcome {
  status: number;
  /** From the request's start to the first non-empty content delta. */
  firstTokenMs: number | undefined;
  text: string;
  /** `X-Stream-ID`, when the gateway sent one. */
  streamId: string | undefined;
  /** The last `id:` received. */
  lastEventId: string | undefined;
  /** A `[DONE]` arrived. */
  done: boolean;
  /** Event ids that did not increase (a duplicated or reordered event). */
  idProblems: number;
  /** Content deltas received. */
  tokens: number;
  error?: string;
}

/** Options of one stream. */
export interface OpenStreamOptions {
  /** `http://host:port/path`. */
  url: string;
  method?: 'POST' | 'GET';
  body?: unknown;
  headers?: Record<string, string>;
  /** Cut the connection (destroy the socket) once this many content tokens arrived. */
  cutAfterTokens?: number;
  /** Give up after this long. */
  timeoutMs?: number;
}

/** A keep-alive pool with no socket limit, shared by every stream of a run. */
export const clientAgent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 2048 });

/** Closes the pool's idle keep-alive sockets, so a server's socket count can return to its baseline. */
export function closeIdleSockets(): void {
  for (const sockets of Object.values(clientAgent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
}

/**
 * Opens one stream and reads it to its end (or to the cut).
 *
 * @param options - URL, body, headers, cut point and timeout.
 * @returns What arrived.
 */
export function openStream(options: OpenStreamOptions): Promise<StreamOutcome> {
  const started = performance.now();
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    const outcome: StreamOutcome = {
      status: 0,
      firstTokenMs: undefined,
      text: '',
      streamId: undefined,
      lastEventId: undefined,
      done: false,
      idProblems: 0,
      tokens: 0,
    };
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) outcome.error = error;
      resolve(outcome);
    };
    // Both callbacks run later, when `req` exists.
    const timer = setTimeout(() => {
      req.destroy();
      finish('timeout');
    }, options.timeoutMs ?? 120_000);
    const req: ClientRequest = request(
      options.url,
      {
        method: options.method ?? 'POST',
        agent: clientAgent,
        headers: {
          accept: 'text/event-stream',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...options.headers,
        },
      },
      (res: IncomingMessage) => {
        outcome.status = res.statusCode ?? 0;
        const streamId = res.headers['x-stream-id'];
        outcome.streamId = typeof streamId === 'string' ? streamId : undefined;
        res.setEncoding('utf8');
        let pending = '';
        let lastSeq = -1;
        res.on('data', (chunk: string) => {
          pending += chunk;
          let boundary = pending.indexOf('\n\n');
          while (boundary !== -1) {
            const event = pending.slice(0, boundary);
            pending = pending.slice(boundary + 2);
            boundary = pending.indexOf('\n\n');
            for (const line of event.split('\n')) {
              if (line.startsWith('id: ')) {
                outcome.lastEventId = line.slice(4);
                const seq = Number(line.slice(line.lastIndexOf(':') + 1));
                if (!(seq > lastSeq)) outcome.idProblems += 1;
                lastSeq = seq;
              } else if (line.startsWith('data: ')) {
                const data = line.slice(6);
                if (data === '[DONE]') {
                  outcome.done = true;
                  continue;
                }
                const content = (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content;
                if (typeof content === 'string' && content !== '') {
                  outcome.firstTokenMs ??= performance.now() - started;
                  outcome.text += content;
                  outcome.tokens += 1;
                  if (options.cutAfterTokens !== undefined && outcome.tokens >= options.cutAfterTokens) {
                    // Drop the connection the way a network blip does: no stop, no clean end.
                    res.destroy();
                    finish();
                    return;
                  }
                }
              }
            }
          }
        });
        res.on('end', () => finish());
        res.on('error', (error) => finish(error.message));
        res.on('close', () => finish());
      },
    );
    req.on('error', (error) => finish(error.message));
    req.end(payload);
  });
}

/**
 * The p-th percentile (nearest rank) of `values`.
 *
 * @param values - Samples.
 * @param p - 0..100.
 * @returns The percentile, or NaN without samples.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
