import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatTools } from '../../src/core/tool-runner.js';
import { ChatHarness } from '../support/chat-harness.js';
import { SSE_HEADERS, chunk, done, finish, role, script, stream, text } from '../support/script.js';
import type { ScriptStep } from '../support/script.js';

/** An answer that calls tools (whole calls, as `[name, arguments]`), then streams `after` text slowly. */
function callsThenText(calls: Array<[string, string]>, after: string[] = [], gapMs = 80): ScriptStep {
  const toolChunks = calls
    .map(([name, args], index) =>
      chunk({ tool_calls: [{ index, id: `call_${index + 1}`, type: 'function', function: { name, arguments: args } }] }),
    )
    .join('');
  return {
    headers: SSE_HEADERS,
    pieces: [
      { text: role() + toolChunks },
      ...after.map((part) => ({ delayMs: gapMs, text: text(part) })),
      { delayMs: gapMs, text: finish('tool_calls') + done() },
    ],
  };
}

async function mount(endpoint: string, tools: ChatTools, attributes: { maxToolRounds?: number; toolTimeout?: number } = {}) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint} persist="none" style="height: 500px"></llm-chat>`);
  el.tools = tools;
  if (attributes.maxToolRounds !== undefined) el.maxToolRounds = attributes.maxToolRounds;
  if (attributes.toolTimeout !== undefined) el.toolTimeout = attributes.toolTimeout;
  await el.updateComplete;
  return { el, chat: new ChatHarness(el) };
}

const weather: ChatTools = {
  get_weather: {
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    execute: async (args) => ({ city: (args as { city: string }).city, celsius: 21 }),
  },
};

describe('<llm-chat>', () => {
  describe('tools', () => {
    it('runs tools in parallel while text still streams, then sends the results back and shows the final answer', async () => {
      const times: Record<string, number> = {};
      const tools: ChatTools = {
        get_weather: {
          ...weather['get_weather'],
          execute: async (args) => {
            times['weather'] = performance.now();
            await new Promise((resolve) => setTimeout(resolve, 50));
            return { celsius: 21, city: (args as { city: string }).city };
          },
        },
        get_time: { execute: () => ((times['time'] = performance.now()), '12:00') },
      };
      const endpoint = await script(
        callsThenText(
          [
            ['get_weather', '{"city":"Oslo"}'],
            ['get_time', '{}'],
          ],
          ['Checking ', 'both ', 'for ', 'you…'],
          // Far enough apart that even a loaded machine reads them as separate chunks.
          200,
        ),
        stream(['Oslo is 21°C at 12:00.']),
      );
      const { el, chat } = await mount(endpoint.url, tools);
      const deltas: number[] = [];
      el.addEventListener('llm-chat-delta', () => deltas.push(performance.now()));
      const finishes: string[] = [];
      el.addEventListener('llm-chat-finish', (event) => finishes.push(event.detail.message.status));
      expect(await el.send('Weather and time in Oslo?')).to.equal(true);
      // Both tools began before the last delta of the first answer arrived.
      const lastDeltaOfFirstAnswer = deltas[3] as number;
      expect(times['weather']).to.be.lessThan(lastDeltaOfFirstAnswer);
      expect(times['time']).to.be.lessThan(lastDeltaOfFirstAnswer);
      expect(finishes).to.deep.equal(['tool_calls', 'complete']);
      expect(chat.messages().map((m) => m.text)).to.deep.equal([
        'Weather and time in Oslo?',
        'Checking both for you…',
        'Oslo is 21°C at 12:00.',
      ]);
      const rows = chat.parts('tool-call');
      expect(rows.map((row) => row.dataset['status'])).to.deep.equal(['done', 'done']);
      expect(rows[0]?.querySelector('.tool-name')?.textContent).to.equal('get_weather');
      expect(rows[0]?.querySelector('.tool-result')?.textContent).to.contain('"celsius": 21');
      expect(el.status).to.equal('idle');
    });

    it('sends the assistant tool_calls and tool messages with ids, its messages starting with the previous request', async () => {
      const endpoint = await script(callsThenText([['get_weather', '{"city":"Rome"}']]), stream(['Sunny.']));
      const { el } = await mount(endpoint.url, weather);
      el.system = 'Be brief.';
      await el.send('Weather in Rome?');
      const [first, second] = await endpoint.requests();
      expect(first?.body.tools).to.deep.equal([
        {
          type: 'function',
          function: { name: 'get_weather', description: 'Current weather for a city', parameters: weather['get_weather']?.parameters },
        },
      ]);
      const before = first?.body.messages as unknown[];
      const after = second?.body.messages as unknown[];
      expect(after.slice(0, before.length)).to.deep.equal(before);
      expect(after.slice(before.length)).to.deep.equal([
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"city":"Rome","celsius":21}' },
      ]);
      expect(second?.headers['idempotency-key']).not.to.equal(first?.headers['idempotency-key']);
    });

    it('sends invalid JSON and schema failures back as error results without running the tool', async () => {
      let runs = 0;
      const tools: ChatTools = { get_weather: { ...weather['get_weather'], execute: () => ++runs } };
      const endpoint = await script(
        callsThenText([
          ['get_weather', '{"city":'],
          ['get_weather', '{"city":42}'],
        ]),
        stream(['Sorry.']),
      );
      const { el, chat } = await mount(endpoint.url, tools);
      await el.send('Weather?');
      expect(runs).to.equal(0);
      const results = ((await endpoint.requests())[1]?.body.messages as Array<{ role: string; content: string }>).filter(
        (m) => m.role === 'tool',
      );
      expect(JSON.parse(results[0]?.content ?? '{}').error).to.match(/not valid JSON/);
      expect(JSON.parse(results[1]?.content ?? '{}').error).to.match(/schema.*city/);
      expect(chat.parts('tool-call').map((row) => row.dataset['status'])).to.deep.equal(['error', 'error']);
    });

    it('max-tool-rounds ends the turn clearly, and nothing more is sent', async () => {
      const endpoint = await script(
        callsThenText([['get_weather', '{"city":"Oslo"}']]),
        callsThenText([['get_weather', '{"city":"Bergen"}']]),
      );
      const { el, chat } = await mount(endpoint.url, weather, { maxToolRounds: 1 });
      await el.send('Loop');
      expect(await endpoint.requests()).to.have.length(2);
      const lastAnswer = chat.lastAssistant();
      expect(lastAnswer?.dataset['status']).to.equal('tool_calls');
      expect(lastAnswer?.querySelector('[part~="error"]')?.getAttribute('data-kind')).to.equal('tool_limit');
      await waitUntil(() => chat.alertText().includes('tool loop reached its limit'), 'alert');
      expect(lastAnswer?.querySelector('[part~="tool-call"]')?.getAttribute('data-status')).to.equal('cancelled');
    });

    it('tool-timeout aborts the tool and ends the turn clearly', async () => {
      let aborted = false;
      const tools: ChatTools = {
        slow: {
          execute: (_args, { signal }) =>
            new Promise((_, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))))),
        },
      };
      const endpoint = await script(callsThenText([['slow', '{}']]), stream(['never']));
      const { el, chat } = await mount(endpoint.url, tools, { toolTimeout: 300 });
      await el.send('Go');
      expect(aborted).to.equal(true);
      expect(await endpoint.requests()).to.have.length(1);
      expect(chat.lastAssistant()?.querySelector('[part~="error"]')?.textContent).to.contain('The tool loop reached its limit');
      expect(el.messages.filter((m) => m.role === 'assistant').at(-1)?.error).to.deep.include({ kind: 'tool_limit', code: 'tool_timeout' });
    });

    it('Stop aborts a running tool and sends nothing more; the row says cancelled and Retry runs it again', async () => {
      let signal: AbortSignal | undefined;
      let runs = 0;
      const tools: ChatTools = {
        wait: { execute: (_args, context) => (runs++, (signal = context.signal), runs === 1 ? new Promise(() => {}) : 'ok') },
      };
      const endpoint = await script(callsThenText([['wait', '{}']]), stream(['After the retry.']));
      const { el, chat } = await mount(endpoint.url, tools);
      const turn = el.send('Go');
      await waitUntil(() => chat.parts('tool-call')[0]?.dataset['status'] === 'running', 'running row');
      await waitUntil(() => chat.statusText() === 'Running wait…', 'status line');
      await new Promise((resolve) => setTimeout(resolve, 550)); // past the double-click guard
      chat.click('stop-button');
      await turn;
      await el.updateComplete;
      expect(signal?.aborted).to.equal(true);
      expect(await endpoint.requests()).to.have.length(1);
      expect(chat.parts('tool-call')[0]?.dataset['status']).to.equal('cancelled');
      chat.click('retry-button');
      await waitUntil(() => chat.lastAssistant()?.textContent?.includes('After the retry.'), 'follow-up after retry');
      expect(runs).to.equal(2);
      expect(await endpoint.requests()).to.have.length(2);
    });

    it('takes results for page-handled tools through addToolResult', async () => {
      const endpoint = await script(callsThenText([['pick_color', '{}']]), stream(['Blue it is.']));
      const { el, chat } = await mount(endpoint.url, { pick_color: { description: 'Ask the user for a color' } });
      const turn = el.send('Pick a color');
      const event = await oneEvent(el, 'llm-chat-tool-call');
      expect(event.detail.toolCall).to.deep.equal({ id: 'call_1', name: 'pick_color', arguments: '{}' });
      await waitUntil(() => chat.parts('tool-call')[0]?.dataset['status'] === 'running', 'waiting for the page');
      expect(el.addToolResult('call_1', { color: 'blue' })).to.equal(true);
      await turn;
      const messages = (await endpoint.requests())[1]?.body.messages as unknown[];
      expect(messages.at(-1)).to.deep.equal({ role: 'tool', tool_call_id: 'call_1', content: '{"color":"blue"}' });
      expect(chat.lastAssistant()?.textContent).to.contain('Blue it is.');
    });

    it('says which tool runs and when it is done, once each, never the argument stream', async () => {
      const tools: ChatTools = {
        get_weather: {
          ...weather['get_weather'],
          execute: async () => (await new Promise((resolve) => setTimeout(resolve, 300)), 'sunny'),
        },
      };
      const endpoint = await script(callsThenText([['get_weather', '{"city":"Oslo"}']]), { ...stream(['Sunny.']), delayMs: 200 });
      const { el, chat } = await mount(endpoint.url, tools);
      const said: string[] = [];
      const region = chat.part('status') as HTMLElement;
      const times: number[] = [];
      const observer = new MutationObserver(() => {
        const now = chat.spokenStatus();
        if (now !== said.at(-1)) (said.push(now), times.push(performance.now()));
      });
      observer.observe(region, { childList: true, subtree: true, characterData: true });
      await el.send('Weather in Oslo?');
      await waitUntil(() => chat.spokenStatus() === 'Answer complete.', 'the end is said', { timeout: 8000 });
      observer.disconnect();
      // One at the start, once when the tool starts and ends, one at the end: never the arguments.
      expect(said).to.deep.equal(['Responding…', 'Running get_weather…', 'get_weather done.', 'Answer complete.']);
      // Never two announcements within 1.5 s.
      for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).to.be.at.least(1400);
    });
  });
});
