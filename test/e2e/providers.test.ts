/**
 * Issue 10's acceptance, end to end: the gateway configured from the environment with
 * `LLM_PROVIDER=gemini` and with `LLM_PROVIDER=bedrock`, each against a local fake of the
 * provider's real wire format (Gemini SSE; Bedrock's binary event stream over HTTP/2 through
 * the AWS SDK), streams a markdown answer to the built `<llm-chat>` embed in Chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { configFromEnv, startGateway } from '../../src/gateway/index.js';
import type { RunningGateway } from '../../src/gateway/index.js';
import { converse, startFakeBedrock, useDummyAwsCredentials, writeBedrockStream } from '../gateway/fake-bedrock.js';
import { startFakeUpstream } from '../gateway/helpers.js';
import type { FakeUpstream } from '../gateway/helpers.js';
import { buildEmbed, launchChromium, page, serve } from './browser.js';
import type { TestServer } from './browser.js';

const PIECES = ['## Provider check\n\n', 'The answer came ', 'through the **gateway**', ':\n\n- streamed\n', '- rendered\n'];
const EXPECTED = PIECES.join('');

describe('gemini and bedrock providers to the element', () => {
  let browser: Browser;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    useDummyAwsCredentials();
    embed = await buildEmbed();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers.reverse()) await close();
    embed?.cleanup();
  });

  /** A page on its own origin holding the element, pointed at a gateway configured from `env`. */
  async function chatThrough(
    env: Record<string, string>,
  ): Promise<{ site: TestServer; gateway: RunningGateway; logs: Record<string, unknown>[] }> {
    const logs: Record<string, unknown>[] = [];
    // The page is served before the gateway exists (the gateway needs the page's origin).
    const endpoint = { url: '' };
    const site = await serve((req, res) => {
      if (req.url === '/llm-chat.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(embed.code);
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(page(`<llm-chat endpoint="${endpoint.url}/api/chat" persist="none" style="height:500px"></llm-chat>`));
    });
    const config = configFromEnv(env);
    const gateway = await startGateway({
      ...config.handler,
      port: 0,
      allowedOrigins: [site.url],
      onLog: (entry) => logs.push({ ...entry }),
    });
    endpoint.url = gateway.url;
    closers.push(
      () => gateway.close({ graceMs: 0 }),
      () => site.close(),
    );
    return { site, gateway, logs };
  }

  async function askInBrowser(siteUrl: string): Promise<Record<string, unknown>> {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(siteUrl);
    await tab.locator('llm-chat textarea').fill('Which provider is this?');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(
      () => {
        const el = document.querySelector('llm-chat') as unknown as { messages: { status: string }[] };
        return ['complete', 'error', 'interrupted'].includes(el.messages.at(-1)?.status ?? '');
      },
      undefined,
      { timeout: 30_000 },
    );
    const last = await tab.evaluate(() =>
      (document.querySelector('llm-chat') as unknown as { messages: Record<string, unknown>[] }).messages.at(-1),
    );
    const rendered = await tab.locator('llm-chat [part~="content"] :is(h2, li, strong)').count();
    assert.ok(rendered >= 4, 'the markdown was rendered (heading, list items, bold)');
    assert.deepEqual(errors, []);
    await tab.close();
    return last as Record<string, unknown>;
  }

  it('LLM_PROVIDER=gemini streams a chat to the element', async () => {
    const fake: FakeUpstream = await startFakeUpstream(async (request, res) => {
      assert.equal(request.headers['x-goog-api-key'], 'AIza-e2e-key');
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      for (const [index, text] of PIECES.entries()) {
        const last = index === PIECES.length - 1;
        const frame = {
          candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0, ...(last ? { finishReason: 'STOP' } : {}) }],
          ...(last ? { usageMetadata: { promptTokenCount: 12, candidatesTokenCount: 20, totalTokenCount: 32 } } : {}),
          modelVersion: 'gemini-2.5-flash',
        };
        res.write(`data: ${JSON.stringify(frame)}\r\n\r\n`);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
      res.end();
    });
    closers.push(() => fake.close());
    const { site, logs } = await chatThrough({
      LLM_PROVIDER: 'gemini',
      LLM_API_KEY: 'AIza-e2e-key',
      LLM_BASE_URL: `${fake.url}/v1beta`,
      LLM_MODEL: 'gemini-2.5-flash',
    });
    const last = await askInBrowser(site.url);
    assert.equal(last['status'], 'complete');
    assert.equal(last['content'], EXPECTED);
    assert.equal(fake.requests[0]?.url, '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    const entry = logs.find((log) => log['status'] === 200);
    assert.equal(entry?.['provider'], 'gemini');
    assert.equal(entry?.['cost_usd'], (12 * 0.3 + 20 * 2.5) / 1e6);
  });

  it('LLM_PROVIDER=bedrock streams a chat to the element through the AWS SDK', async () => {
    const fake = await startFakeBedrock((_request, res) =>
      writeBedrockStream(res, [
        converse.messageStart(),
        ...PIECES.map((text) => converse.text(text)),
        converse.blockStop(0),
        converse.messageStop('end_turn'),
        converse.metadata({ inputTokens: 12, outputTokens: 20, totalTokens: 32 }),
      ]),
    );
    closers.push(() => fake.close());
    const { site, logs } = await chatThrough({
      LLM_PROVIDER: 'bedrock',
      LLM_BASE_URL: fake.url,
      LLM_MODEL: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    });
    const last = await askInBrowser(site.url);
    assert.equal(last['status'], 'complete');
    assert.equal(last['content'], EXPECTED);
    assert.match(decodeURIComponent(fake.requests[0]?.url ?? ''), /^\/model\/anthropic\.claude-3-5-haiku-20241022-v1:0\/converse-stream$/);
    const entry = logs.find((log) => log['status'] === 200);
    assert.equal(entry?.['provider'], 'bedrock');
    assert.equal(entry?.['model'], 'anthropic.claude-3-5-haiku-20241022-v1:0');
  });
});
