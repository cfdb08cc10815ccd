import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createChatHandler, createMockUpstream, createNodeHandler } from '../../src/gateway/index.js';
import { FAST_MOCK, chatBody, contentOf, parseSse, startTestGateway } from './helpers.js';
import type { TestGateway } from './helpers.js';

let dir: string;
let gw: TestGateway;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'llm-chat-static-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>demo</title>');
  await writeFile(join(dir, 'app.js'), 'console.log(1);');
  await writeFile(join(dir, '.env'), 'LLM_API_KEY=secret');
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'index.html'), 'sub page');
  gw = await startTestGateway({ staticDir: dir });
});
after(async () => {
  await gw.close();
  await rm(dir, { recursive: true, force: true });
});

/** A raw request, so paths like `/../x` reach the server unnormalized. */
function rawGet(path: string, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const { port } = new URL(gw.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => (body += text));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('node adapter: static files', () => {
  it('serves files and index.html with content types, and HEAD without a body', async () => {
    const index = await rawGet('/');
    assert.equal(index.status, 200);
    assert.equal(index.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(index.body, /<title>demo/);
    const script = await rawGet('/app.js');
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await rawGet('/sub/')).body, 'sub page');
    const head = await rawGet('/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '15');
    assert.equal(head.body, '');
  });

  it('refuses traversal, encoded traversal and dotfiles', async () => {
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/sub/%2e%2e%2f%2e%2e%2fpackage.json', '/.env', '/%2eenv']) {
      const response = await rawGet(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(response.body, /secret|"name"/, path);
    }
  });

  it('still routes the API paths to the handler', async () => {
    const health = await rawGet('/healthz');
    assert.equal(health.status, 200);
    assert.match(health.body, /"status":"ok"/);
  });
});

describe('node adapter: as middleware', () => {
  it('works mounted in a plain http server and streams with backpressure to a slow reader', async () => {
    const listener = createNodeHandler(
      createChatHandler({
        upstream: createMockUpstream({ ...FAST_MOCK, answers: ['word '.repeat(4000)] }),
        maxTokens: 10_000,
        onLog: () => {},
      }),
    );
    let drains = 0;
    const server = createServer((req, res) => {
      res.on('drain', () => (drains += 1));
      listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const text = await new Promise<string>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path: '/api/chat', method: 'POST', headers: { 'content-type': 'application/json' } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            // Read slowly: pause after every chunk so the server has to wait for drain.
            res.on('data', (chunk: string) => {
              body += chunk;
              res.pause();
              setImmediate(() => res.resume());
            });
            res.on('end', () => resolve(body));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(JSON.stringify(chatBody('x')));
      });
      const sse = parseSse(text);
      // Compare sizes first so a failure doesn't print 100 KB.
      assert.equal(contentOf(sse).length, 20_000);
      assert.ok(contentOf(sse) === 'word '.repeat(4000));
      assert.equal(sse.done, true);
      assert.ok(drains > 0, 'the adapter waited for drain at least once');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
