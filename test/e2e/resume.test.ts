/**
 * Resumable streams from the element's side (issue 11, DESIGN.md §4b), in Chromium against
 * the built embed and a real gateway on loopback: a connection cut mid-answer (a TCP proxy
 * between the page and the gateway drops the socket) is picked up to the exact full text; a
 * reload mid-stream picks the answer up where it was; Stop still stops the provider at once;
 * a resume of someone else's stream is refused.
 */
import assert from 'node:assert/strict';
import { createServer, connect } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createMockUpstream, createOpenAICompatibleUpstream, startGateway } from '../../src/gateway/index.js';
import type { RunningGateway } from '../../src/gateway/index.js';
import { pickMockAnswer } from '../../src/gateway/mock-answers.js';
import { startFakeOpenAI } from '../support/fake-openai.js';
import { buildEmbed, launchChromium, page, serve } from './browser.js';
import type { TestServer } from './browser.js';

const QUESTION = 'Explain exponential backoff please';

/** A TCP proxy to `target` whose connections can all be cut at once, like a network blip. */
async function startCuttableProxy(target: string): Promise<{ url: string; cut(): number; close(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      const count = pairs.size;
      for (const [client, upstream] of [...pairs]) {
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) (client.destroy(), upstream.destroy());
        server.close(() => resolve());
      }),
  };
}

interface PageMessage {
  role: string;
  status: string;
  content: string;
  metrics?: { attempts: number; resumes?: number };
  resumeFrom?: { streamId: string; lastEventId?: string };
}

describe('resumable streams in the element', () => {
  let browser: Browser;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  let markup = '';
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    embed = await buildEmbed();
    site = await serve((req, res) => {
      const asset = /^\/([\w.-]+\.js)$/.exec(req.url ?? '')?.[1];
      const file = asset ? embed.files.get(asset) : undefined;
      if (file !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(file);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(markup));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers.reverse()) await close();
    await site?.close();
    embed?.cleanup();
  });

  async function gateway(options: Parameters<typeof startGateway>[0]): Promise<RunningGateway> {
    const running = await startGateway({ port: 0, allowedOrigins: [site.url], onLog: () => {}, ...options });
    closers.push(() => running.close({ graceMs: 0 }));
    return running;
  }

  const messages = (tab: Page) =>
    tab.evaluate(() => (document.querySelector('llm-chat') as unknown as { messages: PageMessage[] }).messages);
  const contentLength = (tab: Page) => tab.evaluate(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.content.length ?? 0);

  it('a connection cut mid-answer is picked up again: exactly the full text, one request', async () => {
    const running = await gateway({ upstream: createMockUpstream({ tokensPerSecond: 60, firstTokenDelayMs: 50 }) });
    const proxy = await startCuttableProxy(running.url);
    closers.push(() => proxy.close());
    markup = `<llm-chat endpoint="${proxy.url}/api/chat" persist="none" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    const statuses: string[] = [];
    await tab.exposeFunction('recordStatus', (status: string) => statuses.push(status));
    await tab.goto(site.url);
    await tab.evaluate(() => {
      const el = document.querySelector('llm-chat') as HTMLElement;
      new MutationObserver(() => (window as any).recordStatus(el.getAttribute('status'))).observe(el, {
        attributes: true,
        attributeFilter: ['status'],
      });
    });
    await tab.locator('llm-chat textarea').fill(QUESTION);
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => ((document.querySelector('llm-chat') as any).messages.at(-1)?.content.length ?? 0) > 60);
    assert.ok(proxy.cut() >= 1, 'the answer was flowing through the proxy');
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status === 'complete', undefined, {
      timeout: 20_000,
    });
    const answer = (await messages(tab)).at(-1);
    assert.equal(answer?.content, pickMockAnswer(QUESTION), 'not one character lost or doubled');
    assert.equal(answer?.metrics?.attempts, 1);
    assert.ok((answer?.metrics?.resumes ?? 0) >= 1);
    assert.ok(statuses.includes('reconnecting'), `status went through reconnecting (${statuses.join(', ')})`);
    await tab.close();
  });

  it('a reload mid-stream picks the answer up where it was', async () => {
    const running = await gateway({ upstream: createMockUpstream({ tokensPerSecond: 40, firstTokenDelayMs: 50 }) });
    markup = `<llm-chat id="resume-reload" endpoint="${running.url}/api/chat" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill(QUESTION);
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => ((document.querySelector('llm-chat') as any).messages.at(-1)?.content.length ?? 0) > 80);
    // Let the throttled write of the partial (and its stream position) land, then reload.
    await tab.waitForTimeout(600);
    const before = await contentLength(tab);
    await tab.reload();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages?.at(-1)?.status === 'complete', undefined, {
      timeout: 20_000,
    });
    const answer = (await messages(tab)).at(-1);
    assert.ok(before < (answer?.content.length ?? 0));
    assert.equal(answer?.content, pickMockAnswer(QUESTION));
    assert.equal(answer?.resumeFrom, undefined);
    // Picked up, not asked again.
    assert.ok((answer?.metrics?.resumes ?? 0) >= 1);
    assert.equal(answer?.metrics?.attempts, 1);
    await tab.close();
  });

  it('Stop still stops the provider request at once, whatever the grace period', async () => {
    const provider = await startFakeOpenAI({ firstTokenMs: 50, tokensPerSecond: 20, tokens: 400 });
    closers.push(() => provider.close());
    const running = await gateway({
      upstream: createOpenAICompatibleUpstream({ baseURL: provider.baseURL, apiKey: 'test', defaultModel: 'fake' }),
      resumeGraceMs: 60_000,
    });
    markup = `<llm-chat endpoint="${running.url}/api/chat" persist="none" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Count slowly');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => ((document.querySelector('llm-chat') as any).messages.at(-1)?.content.length ?? 0) > 10);
    await tab.waitForTimeout(600); // past the double-click guard
    const aborted = provider.nextAbort();
    const stoppedAt = Date.now();
    await tab.locator('llm-chat [part~="stop-button"]').click();
    await Promise.race([aborted, new Promise((_, reject) => setTimeout(() => reject(new Error('the provider kept generating')), 3000))]);
    assert.ok(Date.now() - stoppedAt < 3000);
    assert.equal((await messages(tab)).at(-1)?.status, 'stopped');
    await tab.close();
  });

  it("refuses a resume of someone else's stream", async () => {
    const running = await gateway({ upstream: createMockUpstream({ tokensPerSecond: 30, firstTokenDelayMs: 50 }), trustProxy: true });
    markup = `<llm-chat endpoint="${running.url}/api/chat" persist="none" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.evaluate(() => ((document.querySelector('llm-chat') as any).headers = { 'X-Forwarded-For': '198.51.100.1' }));
    await tab.locator('llm-chat textarea').fill(QUESTION);
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.resumeFrom?.lastEventId !== undefined);
    const streamId = (await messages(tab)).at(-1)?.resumeFrom?.streamId as string;
    const statusFor = (client: string) =>
      tab.evaluate(
        async ([url, forwarded]) => (await fetch(url as string, { headers: { 'X-Forwarded-For': forwarded as string } })).status,
        [`${running.url}/api/chat/streams/${encodeURIComponent(streamId)}`, client],
      );
    assert.equal(await statusFor('198.51.100.2'), 404, 'another client gets nothing');
    assert.equal(await statusFor('198.51.100.1'), 200, 'the client that started it may');
    await tab.close();
  });
});
