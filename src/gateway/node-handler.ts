import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ChatHandler } from './chat-handler-options.js';
import { isGatewayPath } from '../wire/routes.js';
import { createStaticFileHandler } from './static-files.js';
import { directBodyOf } from './stream-response.js';
import type { DirectBody } from './stream-response.js';

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  /** Directory served at `/` for GET and HEAD requests outside the API paths. */
  staticDir?: string;
}

/** A `node:http` request listener. */
export type NodeRequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Adapts a Web-standard {@link ChatHandler} to `node:http` (and Connect-style middleware such
 * as Vite's): builds a `Request` whose body streams from the socket and whose `signal`
 * aborts when the client disconnects before the response ended; passes the socket's remote
 * address for client identity; streams the `Response` body with backpressure (waits for
 * `drain`) and flushes headers at once, so a client sees the status before the first token.
 * A gateway stream body is written directly (see `directBodyOf`), any other body is read.
 * A response body that errors (the mock's `reset-mid-stream`) resets the TCP connection,
 * so the client sees a real reset rather than a clean end.
 *
 * @param handler - The Web handler, usually from `createChatHandler`.
 * @param options - Optional static directory.
 * @returns A request listener for `http.createServer`.
 */
export function createNodeHandler(handler: ChatHandler, options: NodeHandlerOptions = {}): NodeRequestListener {
  const serveStatic = options.staticDir ? createStaticFileHandler(options.staticDir) : undefined;

  return (req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (serveStatic && !isGatewayPath(path) && (await serveStatic(req, res))) return;
      await respond(handler, req, res);
    })().catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'Internal gateway error.', type: 'server_error', code: 'internal_error' } }));
      } else {
        res.destroy();
      }
    });
  };
}

async function respond(handler: ChatHandler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const abort = new AbortController();
  res.once('close', () => {
    // 'close' also fires after a normal end; only an unfinished response means the client left.
    if (!res.writableFinished) abort.abort(new Error('The client disconnected.'));
  });

  const headers = new Headers();
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    headers.append(req.rawHeaders[index] as string, req.rawHeaders[index + 1] as string);
  }
  const host = req.headers.host && /^[\w.:[\]-]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(`http://${host}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    body: hasBody ? bodyStream(req) : undefined,
    signal: abort.signal,
    // Required by Node's fetch for a streamed request body.
    ...(hasBody ? { duplex: 'half' } : {}),
  } as RequestInit);

  const response = await handler(request, { remoteAddress: req.socket.remoteAddress });
  if (res.destroyed) {
    await response.body?.cancel().catch(() => {});
    return;
  }

  const outgoing: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') outgoing[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) outgoing['set-cookie'] = cookies;
  // The handler may have stopped reading an oversized upload; don't keep the connection to
  // drain the rest of it.
  if (hasBody && !req.complete) outgoing['connection'] = 'close';
  res.writeHead(response.status, outgoing);

  if (!response.body || req.method === 'HEAD') {
    res.end();
    await response.body?.cancel().catch(() => {});
    return;
  }
  res.flushHeaders();

  const direct = directBodyOf(response.body);
  if (direct) {
    await pipeDirect(direct, req, res);
    return;
  }
  const reader = response.body.getReader();
  const stop = (): void => {
    reader.cancel().catch(() => {});
  };
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } catch {
    resetConnection(res.socket ?? req.socket);
  } finally {
    res.off('close', stop);
  }
}

/**
 * Writes a gateway stream body straight to the socket: no Web stream read, and so no promise
 * and no extra buffer object per chunk. Resolves when the response is over.
 */
function pipeDirect(body: DirectBody, req: IncomingMessage, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    res.once('close', () => {
      // After a normal end this is a no-op; otherwise the client left.
      body.cancel();
      resolve();
    });
    body.pipe({
      write: (bytes) => !res.destroyed && res.write(bytes),
      onDrain: (listener) => res.once('drain', listener),
      end: () => res.end(),
      reset: () => resetConnection(res.socket ?? req.socket),
    });
  });
}

/** The request body as a Web stream that pauses the socket when the consumer falls behind. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          if (cancelled) return;
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        req.once('end', () => {
          if (!cancelled) controller.close();
        });
        req.once('error', (error) => {
          if (!cancelled) controller.error(error);
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        // Stop reading without destroying the socket: the error response still has to go out.
        cancelled = true;
        req.pause();
      },
    },
    { highWaterMark: 65_536, size: (chunk) => chunk.byteLength },
  );
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

/** Ends the connection with a TCP RST, so the client sees a reset and not a clean close. */
function resetConnection(socket: Socket | null): void {
  if (!socket || socket.destroyed) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
