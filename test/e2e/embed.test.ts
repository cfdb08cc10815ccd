/**
 * Issue 2's acceptance, end to end: a static page on one origin that loads only the built
 * dist/llm-chat.js and holds `<llm-chat endpoint="http://127.0.0.1:PORT/api/chat">` streams a
 * markdown answer from the gateway (Node adapter) on another origin, through CORS.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { startGateway } from '../../src/gateway/index.js';
import type { RunningGateway } from '../../src/gateway/index.js';
import { buildEmbed, launchChromium, page, serve } from './browser.js';
import type { TestServer } from './browser.js';

describe('embed bundle against the gateway', () => {
  let browser: Browser;
  let gateway: RunningGateway;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  const logs: Array<Record<string, unknown>> = [];

  /** llm-chat.js and the chunks beside it (the syntax highlighter among them), by URL. */
  function embedFile(url: string | undefined): string | undefined {
    const name = /^\/([\w.-]+\.js)$/.exec(url ?? '')?.[1];
    return name === undefined ? undefined : embed.files.get(name);
  }

  before(async () => {
    embed = await buildEmbed();
    site = await serve((req, res) => {
      const script = embedFile(req.url);
      if (script !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
        return;
      }
      const markup = `<llm-chat endpoint="${gateway.url}/api/chat" persist="none" with-metrics style="height:500px"></llm-chat>`;
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(markup));
    });
    gateway = await startGateway({ port: 0, allowedOrigins: [site.url], onLog: (entry) => logs.push({ ...entry }) });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await gateway?.close({ graceMs: 0 });
    await site?.close();
    embed?.cleanup();
  });

  it('streams a markdown answer from the mock through CORS and records TTFT', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Show me a table and some code');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => document.querySelector('llm-chat')?.getAttribute('status') === 'streaming', undefined, {
      timeout: 10_000,
    });
    await tab.waitForFunction(
      () => {
        const el = document.querySelector('llm-chat') as unknown as { messages: Array<{ status: string }> };
        return el.messages.at(-1)?.status === 'complete';
      },
      undefined,
      { timeout: 30_000 },
    );
    const last = await tab.evaluate(() =>
      (document.querySelector('llm-chat') as unknown as { messages: Array<Record<string, any>> }).messages.at(-1),
    );
    assert.ok(last, 'an answer');
    assert.ok(String(last['content']).length > 100, 'a real answer');
    assert.equal(typeof last['metrics'].ttftMs, 'number');
    assert.equal(last['metrics'].attempts, 1);
    assert.match(String(last['metrics'].requestId), /\S/);
    // The answer was rendered as markdown inside the shadow root, with the metrics line.
    const blocks = await tab.locator('llm-chat [part~="content"] :is(p, pre, table, ul, ol, h1, h2, h3, blockquote)').count();
    assert.ok(blocks > 1, 'markdown blocks rendered');
    assert.match(await tab.locator('llm-chat [part~="metrics"]').innerText(), /TTFT \d+ ms/);
    assert.deepEqual(errors, []);
    // The gateway logged the request without content.
    const entry = logs.find((e) => e['status'] === 200);
    assert.ok(entry, 'a log line for the request');
    assert.equal(JSON.stringify(entry).includes('Show me a table'), false);
    await tab.close();
  });

  it('works under a strict CSP with Trusted Types enforced, with only the policies the README names', async () => {
    const allowed = await startGateway({ port: 0, allowedOrigins: ['*'], onLog: () => undefined });
    const strict = await serve((req, res) => {
      const script = embedFile(req.url);
      if (script !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
        return;
      }
      const csp = [
        "default-src 'self'",
        `connect-src ${allowed.url}`,
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "require-trusted-types-for 'script'",
        'trusted-types llm-chat lit-html',
      ].join('; ');
      res
        .writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': csp })
        .end(page(`<llm-chat endpoint="${allowed.url}/api/chat" persist="none"></llm-chat>`));
    });
    const tab = await browser.newPage();
    const violations: string[] = [];
    tab.on('console', (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) violations.push(message.text());
    });
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(strict.url);
    // A question whose mock answer has a code block, a list and inline code.
    await tab.locator('llm-chat textarea').fill('Write a python retry loop');
    await tab.locator('llm-chat textarea').press('Enter');
    // Polled from here: waitForFunction compiles its predicate in the page, which the page's
    // own Trusted Types policy (rightly) forbids.
    const started = Date.now();
    let status = '';
    while (status !== 'complete' && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await tab.evaluate(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status ?? '');
    }
    assert.equal(status, 'complete', `violations: ${violations.join('\n')}\nerrors: ${errors.join('\n')}`);
    const rendered = await tab.locator('llm-chat [part~="content"] :is(p, pre, table, ul, ol, h1, h2, h3, blockquote)').count();
    assert.ok(rendered > 1, 'markdown rendered');
    // The python block is highlighted by the lazily loaded chunk, colored by its constructed
    // stylesheet: no inline style, so no violation under style-src 'self'.
    let highlighted = 0;
    while (highlighted === 0 && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      highlighted = await tab.evaluate(
        () => document.querySelector('llm-chat')?.shadowRoot?.querySelectorAll('pre code .hl-keyword').length ?? 0,
      );
    }
    assert.ok(highlighted > 0, 'the code is highlighted');
    const color = await tab.evaluate(() => {
      const keyword = document.querySelector('llm-chat')?.shadowRoot?.querySelector('.hl-keyword');
      return keyword ? getComputedStyle(keyword).color : '';
    });
    assert.match(color, /^rgb\((207, 34, 46|255, 123, 114)\)$/);
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
    await tab.close();
    await allowed.close({ graceMs: 0 });
    await strict.close();
  });

  it('a page from an origin that is not allowed gets no answer and a clear error', async () => {
    const stranger = await serve((req, res) => {
      const script = embedFile(req.url);
      if (script !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(page(`<llm-chat endpoint="${gateway.url}/api/chat" persist="none" max-retries="0"></llm-chat>`));
    });
    const tab = await browser.newPage();
    await tab.goto(stranger.url);
    await tab.locator('llm-chat textarea').fill('hello');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => document.querySelector('llm-chat')?.getAttribute('status') === 'error', undefined, { timeout: 10_000 });
    assert.equal(await tab.locator('llm-chat textarea').inputValue(), 'hello', 'the text is back in the composer');
    await tab.close();
    await stranger.close();
  });
});
