/**
 * The tool loop end to end (issue 9), in Chromium against the built embed: a reload while a
 * tool runs, the whole loop through the gateway to a fake Anthropic upstream (tool
 * definitions, `tool_use` and `tool_result` blocks on the provider's wire), and the mock's
 * deterministic tool turn that the demo shows with no key.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createAnthropicUpstream, createMockUpstream, startGateway } from '../../src/gateway/index.js';
import type { RunningGateway } from '../../src/gateway/index.js';
import { startFakeUpstream, writeSse } from '../gateway/helpers.js';
import { handleScriptRequest } from '../support/script-server.js';
import type { ScriptStep } from '../support/script-server.js';
import { buildEmbed, launchChromium, page, serve } from './browser.js';
import type { TestServer } from './browser.js';

const SSE = { 'Content-Type': 'text/event-stream' };
const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-e2e', model: 'e2e', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;

/** The page's tools: `get_weather` takes as long as `window.toolDelayMs` says and counts its runs. */
const TOOLS_SCRIPT = `<script type="module">
  await customElements.whenDefined('llm-chat');
  window.toolRuns = 0;
  document.querySelector('llm-chat').tools = {
    get_weather: {
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      execute: async ({ city }) => {
        window.toolRuns++;
        await new Promise((resolve) => setTimeout(resolve, window.toolDelayMs ?? 10));
        return { city, celsius: 19, sky: 'clear' };
      },
    },
  };
</script>`;

interface PageMessage {
  role: string;
  status: string;
  content: string;
  toolCalls?: { id: string; name: string; status?: string; result?: string }[];
}

describe('tools end to end', () => {
  let browser: Browser;
  let site: TestServer;
  let embed: Awaited<ReturnType<typeof buildEmbed>>;
  let markup = '';
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    embed = await buildEmbed();
    site = await serve(async (req, res) => {
      if (await handleScriptRequest(req, res)) return;
      if (req.url === '/llm-chat.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(embed.code);
        return;
      }
      // The embed's lazy chunks (the schema validator) sit next to it.
      const asset = /^\/([\w.-]+\.js)$/.exec(req.url ?? '')?.[1];
      const file = asset ? embed.files.get(asset) : undefined;
      if (file !== undefined) {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(file);
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/html' }).end(page(markup + TOOLS_SCRIPT));
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    for (const close of closers.reverse()) await close();
    await site?.close();
    embed?.cleanup();
  });

  async function script(...steps: ScriptStep[]) {
    const response = await fetch(`${site.url}/__script`, { method: 'POST', body: JSON.stringify({ steps }) });
    const { id, url } = (await response.json()) as { id: string; url: string };
    return {
      url,
      requests: async () => (await (await fetch(`${site.url}/__script/${id}/requests`)).json()) as Array<{ body: any }>,
    };
  }

  const messages = (tab: Page) =>
    tab.evaluate(() => (document.querySelector('llm-chat') as unknown as { messages: PageMessage[] }).messages);
  const waitForLast = (tab: Page, status: string) =>
    tab.waitForFunction((s) => (document.querySelector('llm-chat') as any)?.messages?.at(-1)?.status === s, status, { timeout: 15_000 });

  it('a reload while a tool runs restores the call as interrupted, sends nothing by itself, and Retry runs it again', async () => {
    const endpoint = await script(
      {
        headers: SSE,
        pieces: [
          {
            text:
              chunk({ role: 'assistant', content: '' }) +
              chunk({
                tool_calls: [{ index: 0, id: 'call_w', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
              }) +
              chunk({}, 'tool_calls') +
              'data: [DONE]\n\n',
          },
        ],
      },
      { headers: SSE, pieces: [{ text: chunk({ content: 'Clear and 19°C in Oslo.' }) + chunk({}, 'stop') + 'data: [DONE]\n\n' }] },
    );
    markup = `<llm-chat id="tools-reload" endpoint="${endpoint.url}" style="height:500px"></llm-chat><script>window.toolDelayMs = 60000;</script>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Weather in Oslo?');
    await tab.locator('llm-chat textarea').press('Enter');
    await tab.waitForFunction(
      () => (document.querySelector('llm-chat') as any).messages.at(-1)?.toolCalls?.[0]?.status === 'running',
      undefined,
      {
        timeout: 15_000,
      },
    );
    // Give the throttled transcript write time to land, then reload in the middle of the tool.
    await tab.waitForTimeout(700);
    await tab.reload();
    await tab.waitForFunction(() => (document.querySelector('llm-chat') as any)?.messages?.length === 2, undefined, { timeout: 10_000 });
    const restored = await messages(tab);
    assert.equal(restored[1]?.status, 'tool_calls');
    assert.equal(restored[1]?.toolCalls?.[0]?.status, 'interrupted');
    assert.equal(await tab.locator('llm-chat [part~="tool-call"]').getAttribute('data-status'), 'interrupted');
    await tab.waitForTimeout(400);
    assert.equal((await endpoint.requests()).length, 1, 'no follow-up is sent by itself');
    assert.equal(await tab.evaluate(() => (window as any).toolRuns), 0, 'the tool is not re-run by itself');

    await tab.evaluate(() => ((window as any).toolDelayMs = 10));
    await tab.locator('llm-chat [part~="retry-button"]').click();
    await waitForLast(tab, 'complete');
    const after = await messages(tab);
    assert.deepEqual(
      after.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant'],
    );
    assert.equal(after.at(-1)?.content, 'Clear and 19°C in Oslo.');
    assert.equal(await tab.evaluate(() => (window as any).toolRuns), 1);
    const followUp = (await endpoint.requests())[1]?.body.messages.at(-1);
    assert.deepEqual(followUp, { role: 'tool', tool_call_id: 'call_w', content: '{"city":"Oslo","celsius":19,"sky":"clear"}' });
    await tab.close();
  });

  /** A page on its own origin whose element talks to a gateway in front of `upstream`. */
  async function gatewayFor(options: Parameters<typeof startGateway>[0]): Promise<RunningGateway> {
    const gateway = await startGateway({ port: 0, allowedOrigins: [site.url], onLog: () => {}, ...options });
    closers.push(() => gateway.close({ graceMs: 0 }));
    return gateway;
  }

  it('runs the whole loop through the gateway to an Anthropic upstream', async () => {
    const anthropic = await startFakeUpstream((request, res: ServerResponse) => {
      const messagesSent = request.body['messages'] as Array<{ role: string; content: unknown }>;
      const last = messagesSent.at(-1);
      const answered =
        Array.isArray(last?.content) && (last.content as Array<{ type: string }>).some((block) => block.type === 'tool_result');
      const start = {
        event: 'message_start',
        data: { type: 'message_start', message: { id: 'msg_1', model: 'claude-test', usage: { input_tokens: 30, output_tokens: 1 } } },
      };
      const stop = { event: 'message_stop', data: { type: 'message_stop' } };
      if (!answered) {
        writeSse(res, [
          start,
          {
            event: 'content_block_start',
            data: {
              type: 'content_block_start',
              index: 0,
              content_block: { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: {} },
            },
          },
          {
            event: 'content_block_delta',
            data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
          },
          {
            event: 'content_block_delta',
            data: { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Lima"}' } },
          },
          { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
          { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 12 } } },
          stop,
        ]);
        return;
      }
      writeSse(res, [
        start,
        { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
        {
          event: 'content_block_delta',
          data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Lima: clear, 19°C.' } },
        },
        { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
        { event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 6 } } },
        stop,
      ]);
    });
    closers.push(() => anthropic.close());
    const gateway = await gatewayFor({
      upstream: createAnthropicUpstream({ apiKey: 'test-key', baseURL: anthropic.url, defaultModel: 'claude-test' }),
    });
    markup = `<llm-chat endpoint="${gateway.url}/api/chat" persist="none" style="height:500px"></llm-chat>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.locator('llm-chat textarea').fill('Weather in Lima?');
    await tab.locator('llm-chat textarea').press('Enter');
    await waitForLast(tab, 'complete');
    const shown = await messages(tab);
    assert.equal(shown.at(-1)?.content, 'Lima: clear, 19°C.');
    assert.equal(shown[1]?.toolCalls?.[0]?.status, 'done');
    assert.equal(anthropic.requests.length, 2);
    const [first, second] = anthropic.requests;
    assert.deepEqual(
      (first?.body['tools'] as Array<{ name: string }>).map((tool) => tool.name),
      ['get_weather'],
    );
    const secondMessages = second?.body['messages'] as Array<{ role: string; content: unknown }>;
    assert.deepEqual(secondMessages.at(-2), {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Lima' } }],
    });
    const results = (secondMessages.at(-1)?.content as Array<Record<string, unknown>>).filter((block) => block['type'] === 'tool_result');
    assert.deepEqual(results, [{ type: 'tool_result', tool_use_id: 'toolu_9', content: '{"city":"Lima","celsius":19,"sky":"clear"}' }]);
    await tab.close();
  });

  it("the mock's tool turn: the call runs while its text streams, then the answer reads the result back", async () => {
    const gateway = await gatewayFor({ upstream: createMockUpstream({ tokensPerSecond: 60, firstTokenDelayMs: 50 }) });
    markup = `<llm-chat endpoint="${gateway.url}/api/chat" persist="none" style="height:500px"></llm-chat><script>window.toolDelayMs = 400;</script>`;
    const tab = await browser.newPage();
    await tab.goto(site.url);
    await tab.evaluate(() => {
      const el = document.querySelector('llm-chat') as HTMLElement;
      (window as any).seen = [];
      el.addEventListener('llm-chat-tool-call', () => (window as any).seen.push(`call:${(el as any).messages.at(-1).content.length}`));
      el.addEventListener('llm-chat-delta', () => {
        const calls = (el as any).messages.at(-1)?.toolCalls ?? [];
        if (calls[0]?.status === 'running') (window as any).seen.push('delta-while-running');
      });
    });
    await tab.locator('llm-chat textarea').fill('What is the weather in Kyoto?');
    await tab.locator('llm-chat textarea').press('Enter');
    await waitForLast(tab, 'complete');
    const seen = (await tab.evaluate(() => (window as any).seen)) as string[];
    assert.equal(seen[0], 'call:0', 'the call completes before its text');
    assert.ok(seen.includes('delta-while-running'), 'text streamed while the tool ran');
    const shown = await messages(tab);
    assert.deepEqual(
      shown.map((m) => m.role),
      ['user', 'assistant', 'tool', 'assistant'],
    );
    assert.match(shown.at(-1)?.content ?? '', /get_weather/);
    assert.match(shown.at(-1)?.content ?? '', /city: Kyoto/);
    assert.match(shown.at(-1)?.content ?? '', /celsius: 19/);
    await tab.close();
  });
});
