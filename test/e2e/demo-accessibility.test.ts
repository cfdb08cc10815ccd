/**
 * The demo page itself, as a visitor with assistive technology meets it: axe-core finds no
 * serious or critical violation in any state of the chats (light and dark), and the main
 * chat's live region says one thing per state, never two within 1.5 s.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createServer } from 'vite';
import type { ViteDevServer } from 'vite';
import { launchChromium } from './browser.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface Chat extends HTMLElement {
  clear(): void;
  send(text: string): Promise<boolean>;
  stop(): void;
  status: string;
  maxRetries: number;
  headers: Record<string, string>;
  messages: Array<{ status: string; toolCalls?: Array<{ status?: string }> }>;
}

describe('demo page accessibility', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let url = '';
  const saved = { ...process.env };

  before(async () => {
    Object.assign(process.env, { LLM_PROVIDER: 'mock', LLM_MOCK_TPS: '40', LLM_RATE_LIMIT: '0' });
    server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    url = `http://127.0.0.1:${(server.httpServer?.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    process.env = saved;
  });

  /** Serious and critical violations, as `rule: target` lines. */
  async function seriousViolations(tab: Page): Promise<string[]> {
    if (!(await tab.evaluate(() => 'axe' in window))) await tab.addScriptTag({ path: AXE_PATH });
    const results = await tab.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<any> } }).axe;
      return axe.run(document, { resultTypes: ['violations'] });
    });
    return (results.violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>)
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${JSON.stringify(node.target)}`));
  }

  /** Puts the main chat into a state by sending with a mock scenario; returns without waiting for the end. */
  async function enter(tab: Page, scenario: string, until: string): Promise<void> {
    await tab.evaluate(
      ([name]) => {
        const chat = document.querySelector('#main-chat') as unknown as Chat;
        chat.clear();
        chat.maxRetries = name === 'rate-limit' ? 2 : 0;
        chat.headers = name === 'ok' ? {} : { 'X-Mock-Scenario': name as string };
        void chat.send(`Scenario ${name}`);
      },
      [scenario],
    );
    await tab.waitForFunction(new Function(`return (${until})(document.querySelector('#main-chat'))`) as () => boolean, undefined, {
      timeout: 15_000,
    });
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violation in any chat state (${scheme})`, async () => {
      const tab = await browser.newPage({ colorScheme: scheme });
      await tab.goto(url);
      await tab.waitForFunction(() => customElements.get('llm-chat') !== undefined);
      const found: Record<string, string[]> = {};
      found['idle'] = await seriousViolations(tab);
      const states: Array<[string, string, string]> = [
        ['streaming', 'slow-first-token', "(chat) => chat.status === 'streaming'"],
        ['retrying', 'rate-limit', "(chat) => chat.status === 'retrying'"],
        ['error', 'auth', "(chat) => chat.messages.at(-1)?.status === 'error'"],
        ['interrupted', 'error-mid-stream', "(chat) => chat.messages.at(-1)?.status === 'interrupted'"],
        ['reasoning', 'reasoning', '(chat) => chat.shadowRoot.querySelector(\'[part~="reasoning"]\') !== null'],
      ];
      for (const [name, scenario, until] of states) {
        await enter(tab, scenario, until);
        found[name] = await seriousViolations(tab);
        await tab.evaluate(() => (document.querySelector('#main-chat') as unknown as Chat).stop());
      }
      // A tool running in the tools section.
      await tab.evaluate(() => {
        const chat = document.querySelector('#tools-chat') as unknown as Chat;
        chat.clear();
        void chat.send('What is the weather in Lisbon?');
      });
      await tab.waitForFunction(() =>
        (document.querySelector('#tools-chat') as unknown as Chat).messages.some((m) => m.toolCalls?.some((c) => c.status === 'running')),
      );
      found['tool-running'] = await seriousViolations(tab);
      await tab.waitForFunction(() => (document.querySelector('#tools-chat') as unknown as Chat).status === 'idle', undefined, {
        timeout: 15_000,
      });
      // Editing the last question.
      await tab.locator('#tools-chat [part~="edit-button"]').click();
      found['editing'] = await seriousViolations(tab);
      assert.deepEqual(found, {
        idle: [],
        streaming: [],
        retrying: [],
        error: [],
        interrupted: [],
        reasoning: [],
        'tool-running': [],
        editing: [],
      });
      await tab.close();
    });
  }

  it("the main chat's live region says one thing per state, never two within 1.5 s", async () => {
    const tab = await browser.newPage();
    await tab.goto(url);
    const said = await tab.evaluate(async () => {
      const chat = document.querySelector('#main-chat') as unknown as Chat;
      chat.clear();
      chat.headers = {};
      // No named helpers in here: the page does not have the bundler's __name.
      const region = chat.shadowRoot?.querySelector('.status-spoken') as Element;
      const lines: Array<[string, number]> = [];
      const observer = new MutationObserver(() => {
        if (region.textContent !== lines.at(-1)?.[0]) lines.push([region.textContent ?? '', performance.now()]);
      });
      observer.observe(chat.shadowRoot?.querySelector('[part~="status"]') as Node, { childList: true, subtree: true, characterData: true });
      await chat.send('Explain exponential backoff');
      const deadline = performance.now() + 5000;
      while (region.textContent !== 'Answer complete.' && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 100));
      observer.disconnect();
      return lines;
    });
    assert.deepEqual(
      said.map(([line]) => line),
      ['Responding…', 'Answer complete.'],
    );
    assert.ok((said[1]?.[1] ?? 0) - (said[0]?.[1] ?? 0) >= 1400);
    await tab.close();
  });
});
