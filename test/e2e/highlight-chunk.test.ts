/**
 * Syntax highlighting is a chunk beside the embed (issue 13): llm-chat.js holds none of
 * highlight.js; a page whose answers have no code in a highlighted language never fetches it;
 * the first code block fetches it once, resolved against the embed's URL, and everything runs
 * under a strict CSP with Trusted Types without a violation; a page that cannot fetch it (offline)
 * shows the code plain and carries on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildEmbed, launchChromium, serve } from './browser.js';
import type { TestServer } from './browser.js';

const EMBED_PATH = '/static/llm-chat/';
const fence = '```';

/** The answer to each question. */
const ANSWERS: Record<string, string> = {
  plain:
    'No code here: `inline code`, a table and two fences that are not highlighted.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n' +
    `${fence}\njust text\n${fence}\n\n${fence}text\nmore text\n${fence}\n`,
  code: `Two blocks:\n\n${fence}ts\nexport const answer: number = 42; // the answer\n${fence}\n\n${fence}python\ndef f(x):\n    return x * 2\n${fence}\n`,
};

function sse(content: string): string {
  const data = (value: object) => `data: ${JSON.stringify(value)}\n\n`;
  const pieces = content.match(/[\s\S]{1,12}/g) ?? [];
  return (
    pieces.map((piece) => data({ choices: [{ index: 0, delta: { content: piece } }] })).join('') +
    data({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }) +
    'data: [DONE]\n\n'
  );
}

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "require-trusted-types-for 'script'",
  'trusted-types llm-chat lit-html',
].join('; ');

/** Polls in Node: the page's Trusted Types policy forbids the predicates waitForFunction compiles. */
async function poll<T>(page: Page, read: () => T, until: (value: T) => boolean, what: string): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = (await page.evaluate(read)) as T;
    if (until(value)) return value;
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Chat {
  messages: Array<{ status: string }>;
  shadowRoot: ShadowRoot;
}

describe('the highlighter chunk in the embed build', { timeout: 120_000 }, () => {
  let browser: Browser;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  const fetched: string[] = [];
  /** While set, the highlighter chunk answers 404, as if the network were gone. */
  let offline = false;

  before(async () => {
    embed = await buildEmbed();
    site = await serve(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      fetched.push(url.pathname);
      if (url.pathname.startsWith(EMBED_PATH)) {
        const name = url.pathname.slice(EMBED_PATH.length);
        const script = embed.files.get(name);
        if (script === undefined || (offline && name.startsWith('highlight-engine-'))) return void res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
        return;
      }
      if (url.pathname === '/api/chat') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const question = (JSON.parse(body) as { messages: Array<{ content: string }> }).messages.at(-1)?.content ?? '';
        res.writeHead(200, { 'Content-Type': 'text/event-stream' }).end(sse(ANSWERS[question] ?? 'Unknown question.'));
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/html', 'Content-Security-Policy': CSP })
        .end(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>highlight</title><link rel="icon" href="/favicon.ico">` +
            `<script type="module" src="${EMBED_PATH}llm-chat.js"></script></head>` +
            '<body><llm-chat endpoint="/api/chat" persist="none"></llm-chat></body></html>',
        );
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    embed?.cleanup();
  });

  async function open(path: string) {
    // A context of its own per page: nothing comes from another test's HTTP cache.
    const page = await (await browser.newContext()).newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) problems.push(message.text());
    });
    await page.goto(`${site.url}${path}`);
    await poll(page, () => customElements.get('llm-chat') !== undefined, Boolean, 'the element');
    return { page, problems };
  }

  async function ask(page: Page, question: string, answers: number): Promise<void> {
    await page.locator('llm-chat textarea').fill(question);
    await page.locator('llm-chat textarea').press('Enter');
    await poll(
      page,
      () => (document.querySelector('llm-chat') as unknown as Chat).messages.filter((m) => m.status === 'complete').length,
      (count) => count >= answers * 2,
      'the answer',
    );
  }

  const highlightChunks = () => fetched.filter((path) => /highlight-engine-[\w-]+\.js$/.test(path));
  const tokens = () =>
    (document.querySelector('llm-chat') as unknown as Chat).shadowRoot.querySelectorAll('pre code [class^="hl-"]').length;

  it('writes the highlighter as one chunk beside llm-chat.js, which holds none of it', () => {
    const chunks = [...embed.files.keys()].filter((name) => name.startsWith('highlight-engine-'));
    assert.equal(chunks.length, 1, [...embed.files.keys()].join(', '));
    const chunk = embed.files.get(chunks[0] as string) ?? '';
    // A message only highlight.js's core has, and a keyword list only its grammars have.
    for (const marker of ['Unknown language', 'shellsession', 'instanceof']) assert.ok(chunk.includes(marker), marker);
    assert.equal(embed.code.includes('Unknown language'), false, 'llm-chat.js holds no highlight.js');
  });

  it('a chat whose answers have no highlighted code never fetches it', async () => {
    fetched.length = 0;
    const { page, problems } = await open('/app/chat.html');
    await ask(page, 'plain', 1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(highlightChunks(), []);
    assert.equal(await page.evaluate(tokens), 0);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('the first code block fetches it once, beside the embed, and every block is highlighted without a violation', async () => {
    fetched.length = 0;
    const { page, problems } = await open('/app/chat.html');
    await ask(page, 'code', 1);
    const first = await poll(page, tokens, (count) => count >= 6, 'highlighted code');
    await ask(page, 'code', 2);
    await poll(page, tokens, (count) => count >= first * 2, 'the second answer highlighted');
    assert.deepEqual(
      highlightChunks().map((path) => path.slice(0, EMBED_PATH.length)),
      [EMBED_PATH],
    );
    const color = await page.evaluate(() => {
      const keyword = (document.querySelector('llm-chat') as unknown as Chat).shadowRoot.querySelector('.hl-keyword');
      return keyword ? getComputedStyle(keyword).color : '';
    });
    assert.match(color, /^rgb\((207, 34, 46|255, 123, 114)\)$/);
    assert.deepEqual(problems, []);
    await page.context().close();
  });

  it('offline, code stays plain and the chat carries on', async () => {
    fetched.length = 0;
    offline = true;
    const { page, problems } = await open('/app/offline.html');
    await ask(page, 'code', 1);
    await ask(page, 'code', 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The chunk was asked for (later blocks ask again; Chromium answers from its module map).
    assert.ok(highlightChunks().length >= 1);
    assert.equal(await page.evaluate(tokens), 0);
    const code = await page.evaluate(() =>
      Array.from(
        (document.querySelector('llm-chat') as unknown as Chat).shadowRoot.querySelectorAll('pre code'),
        (element) => element.textContent,
      ),
    );
    assert.deepEqual(code.slice(0, 2), ['export const answer: number = 42; // the answer\n', 'def f(x):\n    return x * 2\n']);
    assert.deepEqual(
      problems.filter((problem) => !problem.includes('highlight-engine')),
      [],
    );
    offline = false;
    await page.context().close();
  });
});
