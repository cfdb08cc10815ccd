/**
 * Protocols other than `openai` are lazy (DESIGN.md §4a, issue 8): the embed build writes one
 * chunk per adapter beside dist/llm-chat.js, llm-chat.js holds none of their code, and a page
 * that sets `protocol` downloads exactly that chunk, resolved against the embed's own URL, not
 * the page's. A page that sets none downloads no chunk at all.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { buildEmbed, launchChromium, serve } from './browser.js';
import type { TestServer } from './browser.js';

/** A string only each adapter's code contains. */
const MARKERS: Record<string, string> = {
  'ai-sdk': 'tool-input-available',
  anthropic: 'content_block_delta',
  ndjson: 'num_predict',
  text: 'x-markdown',
};

const EMBED_PATH = '/static/vendor/llm-chat/';

describe('lazily loaded protocol adapters in the embed build', () => {
  let browser: Browser;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  const fetched: string[] = [];
  const chatBodies: unknown[] = [];

  before(async () => {
    embed = await buildEmbed();
    site = await serve(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      fetched.push(url.pathname);
      if (url.pathname.startsWith(EMBED_PATH)) {
        const file = url.pathname.slice(EMBED_PATH.length);
        if (!/^[\w.-]+\.js$/.test(file) || !readdirSync(embed.dir).includes(file)) return void res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(join(embed.dir, file)));
        return;
      }
      if (url.pathname === '/api/ollama') {
        let body = '';
        for await (const chunk of req) body += chunk;
        chatBodies.push(JSON.parse(body));
        const line = (value: object) => `${JSON.stringify(value)}\n`;
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        res.write(line({ model: 'llama-e2e', message: { role: 'assistant', content: 'Loaded ' }, done: false }));
        res.end(
          line({ model: 'llama-e2e', message: { role: 'assistant', content: 'lazily.' }, done: true, done_reason: 'stop', eval_count: 2 }),
        );
        return;
      }
      const protocol = url.searchParams.get('protocol');
      const markup = `<llm-chat ${protocol ? `protocol="${protocol}"` : ''} endpoint="/api/ollama" persist="none"></llm-chat>`;
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>chunks</title><link rel="icon" href="data:,">` +
            `<script type="module" src="${EMBED_PATH}llm-chat.js"></script></head><body>${markup}</body></html>`,
        );
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    embed?.cleanup();
  });

  it('writes one chunk per adapter beside llm-chat.js, and llm-chat.js holds none of their code', () => {
    const files = readdirSync(embed.dir).filter((file) => file.endsWith('.js'));
    for (const [name, marker] of Object.entries(MARKERS)) {
      const chunks = files.filter((file) => file.startsWith(`${name}-adapter-`));
      assert.equal(chunks.length, 1, `one chunk for ${name}: ${files.join(', ')}`);
      assert.ok(readFileSync(join(embed.dir, chunks[0] as string), 'utf8').includes(marker), `${name}'s code is in its chunk`);
      assert.equal(embed.code.includes(marker), false, `llm-chat.js holds no ${name} code`);
    }
    // The entry imports no chunk: pages that never set `protocol` load one file.
    assert.doesNotMatch(embed.code, /(?:^|[;}])\s*import\s*(?:[\w{},\s*]+from\s*)?["'`]\.\//);
  });

  it('a page with protocol="ndjson" on another path fetches that one chunk next to the embed and chats', async () => {
    fetched.length = 0;
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`${site.url}/app/pages/chat.html?protocol=ndjson`);
    await tab.locator('llm-chat textarea').fill('Hello');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages.at(-1)?.status === 'complete', undefined, {
      timeout: 15_000,
    });
    const last = await tab.evaluate(() => (document.querySelector('llm-chat') as any).messages.at(-1));
    assert.equal(last.content, 'Loaded lazily.');
    assert.equal(last.metrics.model, 'llama-e2e');
    const chunks = fetched.filter((path) => /-adapter-/.test(path));
    assert.equal(chunks.length, 1, `fetched: ${fetched.join(', ')}`);
    assert.match(chunks[0] as string, new RegExp(`^${EMBED_PATH}ndjson-adapter-[\\w-]+\\.js$`));
    assert.equal(fetched.filter((path) => path.startsWith('/app/') && path.endsWith('.js')).length, 0, 'nothing resolved against the page');
    assert.deepEqual((chatBodies.at(-1) as { messages: unknown[] }).messages, [{ role: 'user', content: 'Hello' }]);
    assert.deepEqual(errors, []);
    await tab.close();
  });

  it('a page without a protocol fetches no adapter chunk', async () => {
    fetched.length = 0;
    const tab = await browser.newPage();
    await tab.goto(`${site.url}/app/pages/chat.html`);
    await tab.waitForFunction(() => customElements.get('llm-chat') !== undefined);
    await tab.evaluate(() => (document.querySelector('llm-chat') as any).updateComplete);
    assert.deepEqual(
      fetched.filter((path) => path.endsWith('.js')),
      [`${EMBED_PATH}llm-chat.js`],
    );
    await tab.close();
  });
});
