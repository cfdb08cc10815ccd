import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createChatHandler } from './chat-handler.js';
import type { ChatHandler, ChatHandlerOptions } from './chat-handler.js';
import { createNodeHandler } from './node-handler.js';
import { GATEWAY_DEFAULTS } from './defaults.js';

/** Options of {@link startGateway}: the handler's options plus where to listen. */
export interface StartGatewayOptions extends ChatHandlerOptions {
  /** @defaultValue `'127.0.0.1'` */
  host?: string;
  /**
   * Port; 0 picks a free one.
   * @defaultValue 8787
   */
  port?: number;
  /** Directory served at `/` (optional). */
  staticDir?: string;
  /**
   * Connections queued by the kernel before they are accepted.
   * @defaultValue 4096
   */
  backlog?: number;
  /** A ready-made handler; when given, the handler options above are ignored. */
  handler?: ChatHandler;
}

/** Options of {@link RunningGateway.close}. */
export interface CloseOptions {
  /**
   * How long running streams may continue before their connections are cut.
   * @defaultValue 5000
   */
  graceMs?: number;
}

/** A listening gateway. */
export interface RunningGateway {
  /** Base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  port: number;
  host: string;
  server: Server;
  /**
   * Stops accepting connections, closes idle keep-alive connections at once, lets running
   * streams finish within `graceMs`, then cuts the rest (which aborts their upstream calls).
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Starts the gateway on `node:http`.
 *
 * @param options - Handler options, host, port, static directory.
 * @returns The running gateway once it listens.
 */
export async function startGateway(options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const handler = options.handler ?? createChatHandler(options);
  const server = createServer(
    { noDelay: true, keepAlive: true },
    createNodeHandler(handler, options.staticDir ? { staticDir: options.staticDir } : {}),
  );
  const host = options.host ?? GATEWAY_DEFAULTS.host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? GATEWAY_DEFAULTS.port, host, backlog: options.backlog ?? GATEWAY_DEFAULTS.listenBacklog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    server,
    close({ graceMs = 5000 }: CloseOptions = {}) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
        if (graceMs <= 0) server.closeAllConnections();
      });
      return closing;
    },
  };
}
