/**
 * Regenerates the README's screenshots from the real demo (`npm run screenshots`): Vite serves
 * demo/ with the gateway and the mock model, headless Chromium (Debian's, through
 * test/support/chromium.ts) drives it, and each picture is one state of the chat.
 *
 * Writes docs/screenshots/{light,dark,retrying,tool-call}.png.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { createServer } from 'vite';
import { launchChromium } from '../test/support/chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = resolve(root, 'docs/screenshots');

interface Chat extends HTMLElement {
  clear(): void;
  send(text: string): Promise<boolean>;
  status: string;
  maxRetries: number;
  headers: Record<string, string>;
  withFeedback: boolean;
  messages: unknown[];
}

Object.assign(process.env, { LLM_PROVIDER: 'mock', LLM_MOCK_TPS: '400', LLM_RATE_LIMIT: '0' });
const server = await createServer({
  configFile: resolve(root, 'vite.config.ts'),
  logLevel: 'error',
  server: { port: 0, host: '127.0.0.1' },
});
await server.listen();
const url = `http://127.0.0.1:${(server.httpServer?.address() as AddressInfo).port}/`;
const browser = await launchChromium();
await mkdir(out, { recursive: true });

/** Opens the demo in a scheme, with the chats cleared. */
async function open(colorScheme: 'light' | 'dark'): Promise<Page> {
  const page = await browser.newPage({ colorScheme, viewport: { width: 1200, height: 900 }, deviceScaleFactor: 1 });
  await page.goto(url);
  await page.waitForFunction(() => customElements.get('llm-chat') !== undefined);
  await page.evaluate(() => {
    for (const chat of document.querySelectorAll('llm-chat')) (chat as unknown as Chat).clear();
  });
  return page;
}

async function answered(page: Page, scheme: 'light' | 'dark'): Promise<void> {
  await page.evaluate(async () => {
    const chat = document.querySelector('#main-chat') as unknown as Chat;
    chat.withFeedback = true;
    await chat.send('Write a Python retry loop with exponential backoff');
  });
  await page.locator('#main-chat').screenshot({ path: resolve(out, `${scheme}.png`) });
}

try {
  for (const scheme of ['light', 'dark'] as const) {
    const page = await open(scheme);
    await answered(page, scheme);
    await page.close();
  }

  const retrying = await open('light');
  await retrying.evaluate(async () => {
    const chat = document.querySelector('#main-chat') as unknown as Chat;
    await chat.send('Show me a table of HTTP status codes');
    chat.maxRetries = 1;
    chat.headers = { 'X-Mock-Scenario': 'rate-limit' };
    void chat.send('Explain exponential backoff');
  });
  await retrying.waitForFunction(() => (document.querySelector('#main-chat') as unknown as Chat).status === 'retrying');
  await retrying.locator('#main-chat').screenshot({ path: resolve(out, 'retrying.png') });
  await retrying.close();

  const tools = await open('light');
  await tools.evaluate(() => void (document.querySelector('#tools-chat') as unknown as Chat).send("What's the weather in Kyoto?"));
  // The call has run and the answer that uses its result is complete; the row is opened to show both.
  await tools.waitForFunction(
    () =>
      (document.querySelector('#tools-chat') as unknown as Chat).status === 'idle' &&
      (document.querySelector('#tools-chat') as unknown as Chat).messages.length === 4,
    undefined,
    {
      timeout: 20_000,
    },
  );
  await tools.evaluate(() => {
    const row = document.querySelector('#tools-chat')?.shadowRoot?.querySelector('[part~="tool-call"]') as HTMLDetailsElement | null;
    if (row) row.open = true;
  });
  await tools.locator('#tools-chat').screenshot({ path: resolve(out, 'tool-call.png') });
  await tools.close();
  console.log(`Wrote light.png, dark.png, retrying.png and tool-call.png to ${out}`);
} finally {
  await browser.close();
  await server.close();
}
