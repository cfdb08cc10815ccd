/**
 * `npm run demo` as a person uses it: Vite serves demo/ with the gateway mounted at /api/chat
 * (mock upstream, no key), and the scenario picker makes the mock produce each state. Every
 * scenario is driven through the real gateway and the element, and must end in the state
 * DESIGN.md §5 maps it to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { createServer } from 'vite';
import type { ViteDevServer } from 'vite';
import { MOCK_SCENARIOS } from '../../src/gateway/index.js';
import { launchChromium } from './browser.js';

/** scenario → [final status, error kind]; automatic retries are off unless noted. */
const expected: Record<string, [string, string | undefined]> = {
  ok: ['complete', undefined],
  'slow-first-token': ['complete', undefined],
  'rate-limit': ['error', 'rate_limited'],
  'rate-limit-long': ['error', 'rate_limited'],
  'backend-busy': ['error', 'overloaded'],
  concurrency: ['error', 'rate_limited'],
  quota: ['error', 'quota_exhausted'],
  'quota-402': ['error', 'quota_exhausted'],
  auth: ['error', 'auth_failed'],
  forbidden: ['error', 'forbidden'],
  'payload-too-large': ['error', 'bad_request'],
  unprocessable: ['error', 'bad_request'],
  'context-length': ['error', 'context_too_long'],
  'content-filter': ['filtered', 'filtered'],
  'server-error': ['error', 'server_error'],
  'bad-gateway': ['error', 'server_error'],
  unavailable: ['error', 'overloaded'],
  'gateway-timeout': ['error', 'server_error'],
  overloaded: ['error', 'overloaded'],
  'html-error': ['error', 'server_error'],
  'not-sse': ['error', 'server_error'],
  'no-content': ['error', 'server_error'],
  'error-before-token': ['error', 'server_error'],
  'error-mid-stream': ['interrupted', 'server_error'],
  'eof-mid-stream': ['interrupted', 'network_error'],
  'reset-mid-stream': ['interrupted', 'network_error'],
  'malformed-chunk': ['interrupted', 'server_error'],
  truncated: ['truncated', undefined],
  filtered: ['filtered', 'filtered'],
  refusal: ['filtered', 'filtered'],
  'tool-calls': ['tool_calls', undefined],
  reasoning: ['complete', undefined],
  stall: ['error', 'stalled'],
  'stall-silent': ['error', 'stalled'],
  'stall-mid-stream': ['interrupted', 'stalled'],
  keepalive: ['complete', undefined],
  flaky: ['complete', undefined],
};

type ProtocolOutcome = [status: string, kind: string | undefined, reasoning: boolean, toolCalls: number, usage: boolean];

/** What a protocol with a terminal event, reasoning, tools and usage shows for each scenario. */
const FULL_PROTOCOL: Record<string, ProtocolOutcome> = {
  ok: ['complete', undefined, false, 0, true],
  reasoning: ['complete', undefined, true, 0, true],
  'tool-calls': ['tool_calls', undefined, false, 2, true],
  truncated: ['truncated', undefined, false, 0, true],
  'rate-limit': ['error', 'rate_limited', false, 0, false],
  'error-mid-stream': ['interrupted', 'server_error', false, 0, false],
  'eof-mid-stream': ['interrupted', 'network_error', false, 0, false],
};

/**
 * protocol → scenario → outcome. The text protocol has no reasoning, tools, usage, finish
 * reason or in-band error: its mock tool calls leave an empty answer, a length limit and a
 * clean cut both read as the end (the README says so), and a failure after text is a
 * connection reset.
 */
const PROTOCOL_EXPECTED: Record<string, Record<string, ProtocolOutcome>> = {
  'ai-sdk': FULL_PROTOCOL,
  anthropic: FULL_PROTOCOL,
  ndjson: FULL_PROTOCOL,
  text: {
    ok: ['complete', undefined, false, 0, false],
    reasoning: ['complete', undefined, false, 0, false],
    'tool-calls': ['complete', undefined, false, 0, false],
    truncated: ['complete', undefined, false, 0, false],
    'rate-limit': ['error', 'rate_limited', false, 0, false],
    'error-mid-stream': ['interrupted', 'network_error', false, 0, false],
    'eof-mid-stream': ['complete', undefined, false, 0, false],
  },
};

describe('npm run demo', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let url = '';
  const saved = { ...process.env };

  before(async () => {
    // Fast mock and short keep-alives so the stall scenarios are decided in seconds.
    Object.assign(process.env, { LLM_PROVIDER: 'mock', LLM_MOCK_TPS: '0', LLM_KEEPALIVE_MS: '200', LLM_RATE_LIMIT: '0' });
    server = await createServer({ configFile: 'vite.config.ts', logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    const { port } = server.httpServer?.address() as AddressInfo;
    url = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    process.env = saved;
  });

  it('serves the page; the picker lists every mock scenario', async () => {
    const tab = await browser.newPage();
    await tab.goto(url);
    const options = await tab.locator('#scenario option').evaluateAll((nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
    assert.deepEqual(options, [...MOCK_SCENARIOS]);
    assert.equal(await tab.locator('llm-chat').count(), 3);
    await tab.close();
  });

  it('every scenario ends in the state it maps to', async () => {
    assert.deepEqual(Object.keys(expected).sort(), [...MOCK_SCENARIOS].sort(), 'the table covers every scenario');
    const tab: Page = await browser.newPage();
    await tab.goto(url);
    const results: Record<string, [string, string | undefined]> = {};
    for (const scenario of MOCK_SCENARIOS) {
      const outcome = await tab.evaluate(async (name) => {
        const chat = document.querySelector('#main-chat') as unknown as HTMLElement & {
          clear(): void;
          send(text: string): Promise<boolean>;
          messages: Array<{ status: string; error?: { kind: string } }>;
          headers: Record<string, string>;
          maxRetries: number;
          idleTimeout: number;
          stallTimeout: number;
        };
        const picker = document.querySelector('#scenario') as HTMLSelectElement;
        picker.value = name;
        picker.dispatchEvent(new Event('change'));
        chat.clear();
        chat.maxRetries = name === 'flaky' ? 2 : 0;
        chat.idleTimeout = 1500;
        // The slow scenario holds the first token 20 s: past the "Still waiting…" hint at 15 s,
        // well inside a real deadline.
        chat.stallTimeout = name === 'slow-first-token' ? 60_000 : 2500;
        let hinted = false;
        const status = chat.shadowRoot?.querySelector('[part~="status"]');
        const observer = new MutationObserver(() => {
          if (status?.textContent?.includes('Still waiting')) hinted = true;
        });
        if (status) observer.observe(status, { childList: true, subtree: true, characterData: true });
        await chat.send(`Scenario ${name}`);
        observer.disconnect();
        const last = chat.messages.at(-1);
        if (name === 'slow-first-token' && !hinted) return ['no "Still waiting" hint', undefined] as [string, string | undefined];
        return [last?.status ?? 'none', last?.error?.kind] as [string, string | undefined];
      }, scenario);
      results[scenario] = outcome;
    }
    assert.deepEqual(results, expected);
    await tab.close();
  });

  it('the tools section shows the call running while text streams, then an answer that uses the result', async () => {
    const tab = await browser.newPage();
    await tab.goto(url);
    const outcome = await tab.evaluate(async () => {
      const chat = document.querySelector('#tools-chat') as unknown as HTMLElement & {
        clear(): void;
        send(text: string): Promise<boolean>;
        messages: Array<{ role: string; content: string; toolCalls?: Array<{ name: string; status?: string }> }>;
      };
      chat.clear();
      let streamedWhileRunning = false;
      chat.addEventListener('llm-chat-delta', () => {
        if (chat.messages.at(-1)?.toolCalls?.some((call) => call.status === 'running')) streamedWhileRunning = true;
      });
      await chat.send("What's the weather in Kyoto?");
      return { streamedWhileRunning, messages: chat.messages };
    });
    assert.equal(outcome.streamedWhileRunning, true);
    assert.deepEqual(
      outcome.messages.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant'],
    );
    assert.deepEqual(
      outcome.messages[1]?.toolCalls?.map((call) => [call.name, call.status]),
      [['get_weather', 'done']],
    );
    assert.match(outcome.messages[3]?.content ?? '', /city: Kyoto/);
    await tab.close();
  });

  it('the protocol picker streams answers through the demo endpoint of each protocol, each ending in its state', async () => {
    const tab: Page = await browser.newPage();
    await tab.goto(url);
    const protocols = await tab.locator('#protocol option').evaluateAll((nodes) => nodes.map((n) => (n as HTMLOptionElement).value));
    assert.deepEqual(protocols, ['openai', ...Object.keys(PROTOCOL_EXPECTED)]);
    const results: typeof PROTOCOL_EXPECTED = {};
    for (const [protocol, scenarios] of Object.entries(PROTOCOL_EXPECTED)) {
      results[protocol] = {};
      for (const scenario of Object.keys(scenarios)) {
        const outcome = await tab.evaluate(
          async ([name, scenarioName]) => {
            const chat = document.querySelector('#main-chat') as unknown as HTMLElement & {
              clear(): void;
              send(text: string): Promise<boolean>;
              protocol: string;
              endpoint: string;
              maxRetries: number;
              messages: Array<{
                status: string;
                content: string;
                reasoning?: string;
                toolCalls?: unknown[];
                error?: { kind: string };
                metrics?: { completionTokens?: number };
              }>;
            };
            const protocolPicker = document.querySelector('#protocol') as HTMLSelectElement;
            protocolPicker.value = name;
            protocolPicker.dispatchEvent(new Event('change'));
            const scenarioPicker = document.querySelector('#scenario') as HTMLSelectElement;
            scenarioPicker.value = scenarioName;
            scenarioPicker.dispatchEvent(new Event('change'));
            chat.clear();
            chat.maxRetries = 0;
            await chat.send('Show me a table of HTTP status codes');
            const last = chat.messages.at(-1);
            if (chat.protocol !== name || chat.endpoint !== (name === 'openai' ? '/api/chat' : `/api/demo/${name}`))
              return ['wrong endpoint'];
            if (scenarioName === 'ok' && (last?.content.length ?? 0) < 100) return ['short answer'];
            return [
              last?.status ?? 'none',
              last?.error?.kind,
              (last?.reasoning ?? '').length > 0,
              last?.toolCalls?.length ?? 0,
              last?.metrics?.completionTokens !== undefined,
            ];
          },
          [protocol, scenario] as const,
        );
        results[protocol][scenario] = outcome as ProtocolOutcome;
      }
    }
    assert.deepEqual(results, PROTOCOL_EXPECTED, JSON.stringify(results));
    await tab.close();
  });

  it('the conversation features work on the demo page: starter prompt, feedback, edit and resend, reasoning', async () => {
    const tab = await browser.newPage();
    await tab.goto(url);
    await tab.evaluate(() => (document.querySelector('#main-chat') as unknown as { clear(): void }).clear());
    const chat = tab.locator('#main-chat');
    await chat.locator('[part~="suggestion"]').first().click();
    const lastStatus = () => tab.evaluate(() => (document.querySelector('#main-chat') as any).messages.at(-1)?.status);
    await tab.waitForFunction(() => (document.querySelector('#main-chat') as any).messages.at(-1)?.status === 'complete');
    assert.equal(
      await tab.evaluate(() => (document.querySelector('#main-chat') as any).messages[0].content),
      'Show me a table of HTTP status codes',
    );

    await chat.locator('[part~="feedback-up-button"]').click();
    assert.equal(await chat.locator('[part~="feedback-up-button"]').getAttribute('aria-pressed'), 'true');
    assert.match((await tab.locator('#events li').first().textContent()) ?? '', /llm-chat-feedback value up/);

    await chat.locator('[part~="edit-button"]').click();
    await chat.locator('.edit-input').fill('Write a Python retry loop');
    await chat.locator('.edit-input').press('Enter');
    await tab.waitForFunction(() => {
      const messages = (document.querySelector('#main-chat') as any).messages;
      return messages.length === 2 && messages[0].content === 'Write a Python retry loop' && messages[1].status === 'complete';
    });
    assert.equal(await lastStatus(), 'complete');

    await tab.evaluate(async () => {
      const main = document.querySelector('#main-chat') as any;
      main.headers = { 'X-Mock-Scenario': 'reasoning' };
      await main.send('Think it through');
      main.headers = {};
    });
    assert.match((await chat.locator('[part~="reasoning"] summary').last().textContent()) ?? '', /^Thought for \d+ s$/);
    await tab.close();
  });
});
