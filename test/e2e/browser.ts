/**
 * End-to-end helpers: the system Chromium through playwright-core (never a downloaded
 * browser), the real embed bundle built by Vite, and small servers on 127.0.0.1.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

export { CHROMIUM_ARGS, launchChromium } from '../support/chromium.js';

/**
 * Builds dist/llm-chat.js exactly as `npm run build` does, into a temporary directory.
 * `files` holds every emitted script by name, the lazy chunks next to the embed included.
 */
export async function buildEmbed(): Promise<{ dir: string; code: string; files: Map<string, string>; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-chat-embed-'));
  await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir: dir, emptyOutDir: true, sourcemap: false } });
  const code = readFileSync(join(dir, 'llm-chat.js'), 'utf8');
  const files = new Map(
    readdirSync(dir)
      .filter((name) => name.endsWith('.js'))
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')] as const),
  );
  return { dir, code, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with an ephemeral port; connections are cut on close. */
export async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const server = createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page that loads only the embed bundle and holds the given markup. */
export function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>llm-chat e2e</title>
<link rel="icon" href="/favicon.ico"><script type="module" src="/llm-chat.js"></script></head>
<body>${body}</body></html>`;
}
