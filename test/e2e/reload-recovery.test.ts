/**
 * Nothing lost (DESIGN.md §6), with real reloads: web-test-runner cannot reload its own page,
 * so these drive the system Chromium through playwright-core against the built bundle and a
 * scripted endpoint that records what it received.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { handleScriptRequest } from '../support/script-server.js';
import type { ScriptStep } from '../support/script-server.js';
import { buildEmbed, launchChromium, page, serve } from './browser.js';
import type { TestServer } from './browser.js';

const SSE = { 'Content-Type': 'text/event-stream' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-e2e', model: 'e2e', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** Text with multibyte characters, sent in pieces that cut through one of them. */
const PARTS = ['Recovery ', 'keeps **every** ', 'character: é, 世界, 👋🏽', ' and `code`'];
const SENT = PARTS.join('');

interface PageMessage {
  role: string;
  status: string;
  content: string;
  error?: { kind: string; phase: string };
  regenerations?: number;
}

describe('reload recovery', () => {
  let browser: Browser;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  let markup = '';

  before(async () => {
    embed = await buildEmbed();
    site = await serve(async (req, res) => {
      if (await handleScriptRequest(req, res)) return;
      if (req.url === '/llm-chat.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(embed.code);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(markup));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    embed?.cleanup();
  });

  async function script(...steps: ScriptStep[]) {
    const response = await fetch(`${site.url}/__script`, { method: 'POST', body: JSON.stringify({ steps }) });
    const { id, url } = (await response.json()) as { id: string; url: string };
    return {
      url,
      requests: async () =>
        (await (await fetch(`${site.url}/__script/${id}/requests`)).json()) as Array<{ body: any; headers: Record<string, string> }>,
    };
  }

  const messages = (tab: Page) =>
    tab.evaluate(() => (document.querySelector('llm-chat') as unknown as { messages: PageMessage[] }).messages);

  it('a reload mid-stream shows every character that arrived as interrupted, sends nothing, restores the draft; Continue carries on', async () => {
    // Pieces are split inside the 4-byte emoji, then the stream pauses (the "fault" is the reload).
    const bytes = Buffer.from(PARTS.map((p) => chunk({ content: p })).join(''));
    const cut = bytes.indexOf(Buffer.from('👋')) + 2;
    const endpoint = await script(
      {
        headers: SSE,
        pieces: [
          { text: chunk({ role: 'assistant', content: '' }) },
          { bytes: [...bytes.subarray(0, cut)] },
          { delayMs: 40, bytes: [...bytes.subarray(cut)] },
        ],
        end: 'hang',
      },
      { headers: SSE, pieces: [{ text: chunk({ content: ' and `code`, continued.' }) + chunk({}, 'stop') + 'data: [DONE]\n\n' }] },
    );
    markup = `<llm-chat id="recovery" endpoint="${endpoint.url}" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    const input = tab.locator('llm-chat textarea');
    await input.fill('Tell me everything');
    await input.press('Enter');
    await tab.waitForFunction((sent) => (document.querySelector('llm-chat') as any).messages.at(-1)?.content === sent, SENT, {
      timeout: 10_000,
    });
    await input.fill('a draft I have not sent');
    await tab.waitForTimeout(400); // the draft lands within ~300 ms of the last keystroke

    await tab.reload();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages?.length === 2, undefined, { timeout: 10_000 });
    const restored = await messages(tab);
    assert.equal(restored[0]?.content, 'Tell me everything');
    assert.equal(restored[1]?.status, 'interrupted');
    assert.equal(restored[1]?.content, SENT, 'character-exact: what the server sent before the fault');
    assert.deepEqual({ kind: restored[1]?.error?.kind, phase: restored[1]?.error?.phase }, { kind: 'network_error', phase: 'mid_stream' });
    assert.equal(await tab.locator('llm-chat [part~="retry-button"]').count(), 1);
    assert.equal(await tab.locator('llm-chat [part~="continue-button"]').count(), 1);
    assert.equal(await input.inputValue(), 'a draft I have not sent');
    const caret = await input.evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.selectionEnd, el.value.length]);
    assert.deepEqual(caret, [23, 23, 23]);
    assert.equal(await tab.locator('llm-chat').getAttribute('status'), 'idle');
    await tab.waitForTimeout(300);
    assert.equal((await endpoint.requests()).length, 1, 'nothing is sent by itself after the reload');

    await tab.locator('llm-chat [part~="continue-button"]').click();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status === 'complete', undefined, {
      timeout: 10_000,
    });
    const continued = await messages(tab);
    assert.equal(continued[1]?.content, `${SENT}, continued.`, 'the repeated overlap " and `code`" is dropped');
    const requests = await endpoint.requests();
    assert.equal(requests.length, 2);
    assert.equal(requests[1]?.body.continue, true);
    assert.deepEqual(requests[1]?.body.messages.at(-1), { role: 'assistant', content: SENT });
    await tab.close();
  });

  it('after the server dies mid-stream, the text is exactly what arrived; Retry regenerates it visibly', async () => {
    const endpoint = await script(
      {
        headers: SSE,
        // The pause lets the text reach the page before the reset: a reset can discard bytes
        // still in flight, and on a loaded machine 60 ms was not always enough.
        pieces: [{ text: chunk({ role: 'assistant', content: '' }) + PARTS.map((p) => chunk({ content: p })).join('') }, { delayMs: 400 }],
        end: 'reset',
      },
      { headers: SSE, pieces: [{ text: chunk({ content: 'A fresh answer.' }) + chunk({}, 'stop') + 'data: [DONE]\n\n' }] },
    );
    markup = `<llm-chat id="killed" endpoint="${endpoint.url}" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Question');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status === 'interrupted', undefined, {
      timeout: 10_000,
    });
    assert.equal((await messages(tab))[1]?.content, SENT);
    // A reload after the failure keeps it too.
    await tab.reload();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages?.length === 2, undefined, { timeout: 10_000 });
    assert.equal((await messages(tab))[1]?.content, SENT);
    await tab.locator('llm-chat [part~="retry-button"]').click();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status === 'complete', undefined, {
      timeout: 10_000,
    });
    const after = await messages(tab);
    assert.equal(after.length, 2);
    assert.equal(after[1]?.content, 'A fresh answer.');
    assert.equal(after[1]?.regenerations, 1);
    assert.match(await tab.locator('llm-chat .regenerated').innerText(), /Regenerated/);
    const requests = await endpoint.requests();
    assert.deepEqual(requests[1]?.body.messages, [{ role: 'user', content: 'Question' }]);
    await tab.close();
  });

  it('persist="none" writes nothing to any storage', async () => {
    const endpoint = await script({ headers: SSE, pieces: [{ text: chunk({ content: 'hi' }) + chunk({}, 'stop') + 'data: [DONE]\n\n' }] });
    markup = `<llm-chat id="nothing" persist="none" endpoint="${endpoint.url}"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Question');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.status === 'complete');
    await tab.locator('llm-chat textarea').fill('draft');
    await tab.waitForTimeout(400);
    const stored = await tab.evaluate(() => [sessionStorage.length, localStorage.length]);
    assert.deepEqual(stored, [0, 0]);
    await tab.reload();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages !== undefined);
    assert.equal((await messages(tab)).length, 0);
    await tab.close();
  });

  it('two tabs on the same key (persist="local") lose no writes and duplicate no messages', async () => {
    const answer = (text: string) => ({
      headers: SSE,
      pieces: [{ text: chunk({ content: text }) + chunk({}, 'stop') + 'data: [DONE]\n\n' }],
    });
    const endpoint = await script(answer('First answer.'), answer('Second answer.'));
    markup = `<llm-chat persist="local" persist-key="shared" endpoint="${endpoint.url}"></llm-chat>`;
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(site.url);
    await b.goto(site.url);
    await a.locator('llm-chat textarea').fill('From tab A');
    await a.locator('llm-chat textarea').press('Enter');
    await b.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.content === 'First answer.', undefined, {
      timeout: 10_000,
    });
    await b.locator('llm-chat textarea').fill('From tab B');
    await b.locator('llm-chat textarea').press('Enter');
    await a.waitForFunction(() => (document.querySelector('llm-chat') as any).messages.at(-1)?.content === 'Second answer.', undefined, {
      timeout: 10_000,
    });
    const expected = ['From tab A', 'First answer.', 'From tab B', 'Second answer.'];
    assert.deepEqual(
      (await messages(a)).map((m) => m.content),
      expected,
    );
    assert.deepEqual(
      (await messages(b)).map((m) => m.content),
      expected,
    );
    // The second request carried the first exchange as history: B saw A's messages.
    const requests = await endpoint.requests();
    assert.deepEqual(
      requests[1]?.body.messages.map((m: { content: string }) => m.content),
      ['From tab A', 'First answer.', 'From tab B'],
    );
    await a.reload();
    await a.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages?.length === 4, undefined, { timeout: 10_000 });
    assert.deepEqual(
      (await messages(a)).map((m) => m.content),
      expected,
    );
    await context.close();
  });
});
