import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ByteSource } from './byte-source.js';
import { unreachable } from './upstream-transport.js';
import type { UpstreamHttpRequest, UpstreamHttpResponse, UpstreamTransport } from './upstream-transport.js';

/** Options of {@link createNodeTransport}. */
export interface NodeTransportOptions {
  /**
   * How long an idle connection is kept for the next call (shorter when the provider's
   * `Keep-Alive: timeout=` says so).
   * @defaultValue 30000
   */
  idleMs?: number;
  /**
   * Idle connections kept per provider host.
   * @defaultValue 1024
   */
  maxIdle?: number;
}

/** Socket errors that mean a kept-alive connection was closed by the provider while idle. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * The gateway's transport in Node: `node:http`/`node:https` with a keep-alive pool per
 * protocol, so that a call reuses a warm connection (no TCP or TLS handshake) and the body
 * is read as plain buffers, without the Web stream machinery of `fetch` (a promise and
 * several objects per network read, which at a thousand streams cost more CPU than the rest
 * of the relay). A call that fails on a reused connection before any response (the provider
 * closed it while idle, a race every keep-alive client has) is sent once more on a new one;
 * nothing has reached the provider's model then.
 *
 * @param options - Pool settings.
 * @returns The transport.
 */
export function createNodeTransport(options: NodeTransportOptions = {}): UpstreamTransport {
  const pool = { keepAlive: true, timeout: options.idleMs ?? 30_000, maxFreeSockets: options.maxIdle ?? 1024, scheduling: 'lifo' as const };
  const agents = { http: new HttpAgent(pool), https: new HttpsAgent(pool) };
  return (url, request) => send(new URL(url), request, agents, true);
}

function send(
  url: URL,
  request: UpstreamHttpRequest,
  agents: { http: HttpAgent; https: HttpsAgent },
  mayRetry: boolean,
): Promise<UpstreamHttpResponse> {
  const { signal } = request;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(url, {
      method: request.method,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      agent: secure ? agents.https : agents.http,
    });
    let answered = false;
    const onAbort = (): void => {
      req.destroy();
      if (!answered) reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const forget = (): void => signal.removeEventListener('abort', onAbort);
    req.once('response', (res: IncomingMessage) => {
      answered = true;
      res.once('close', forget);
      resolve(toResponse(req, res));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      forget();
      if (mayRetry && req.reusedSocket && !signal.aborted && STALE_SOCKET.has(error.code ?? '')) {
        send(url, request, agents, false).then(resolve, reject);
        return;
      }
      reject(unreachable(error, signal));
    });
    req.end(request.body);
  });
}

function toResponse(req: ClientRequest, res: IncomingMessage): UpstreamHttpResponse {
  const headers = new Headers();
  for (let index = 0; index + 1 < res.rawHeaders.length; index += 2) headers.append(res.rawHeaders[index]!, res.rawHeaders[index + 1]!);
  // Errors after the response started arrive through the body source; never unhandled.
  res.on('error', () => {});
  const status = res.statusCode ?? 0;
  return {
    status,
    ok: status >= 200 && status < 300,
    headers,
    body: byteSourceFromResponse(req, res),
    text: (limit) => readText(req, res, limit),
    cancel: () => req.destroy(),
  };
}

function byteSourceFromResponse(req: ClientRequest, res: IncomingMessage): ByteSource {
  let stopped = false;
  return {
    start(sink) {
      res.on('data', (chunk: Buffer) => {
        if (!stopped) sink.data(chunk);
      });
      res.once('end', () => {
        if (stopped) return;
        stopped = true;
        sink.end();
      });
      const fail = (error: unknown): void => {
        if (stopped) return;
        stopped = true;
        sink.error(error);
      };
      res.once('error', fail);
      res.once('close', () => {
        if (!res.complete) fail(new Error('The provider closed the connection before the end of the answer.'));
      });
    },
    pause: () => void res.pause(),
    resume: () => void res.resume(),
    cancel() {
      stopped = true;
      req.destroy();
    },
    drain() {
      // `end` is still reported (the data listener discards): the connection returns to the pool.
      res.removeAllListeners('data');
      res.on('data', () => {});
      res.resume();
    },
  };
}

function readText(req: ClientRequest, res: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = (): void => resolve(Buffer.concat(parts).toString('utf8'));
    res.on('data', (chunk: Buffer) => {
      parts.push(chunk);
      size += chunk.length;
      if (size >= limit) {
        req.destroy();
        done();
      }
    });
    res.once('end', done);
    res.once('close', done);
  });
}
