/**
 * The element with each `protocol` (DESIGN.md §4a) against a real HTTP endpoint in Chromium:
 * a whole answer (text, reasoning, a tool call, usage), and every failure of DESIGN.md §5 in
 * the shape that protocol's servers send it, ending in the same states as with `openai`.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatMessage, ChatToolCall } from '../../src/core/types.js';
import { ChatHarness } from '../support/chat-harness.js';
import { AFTER_TOOLS, PROTOCOL_SCRIPTS } from '../support/protocol-scripts.js';
import { TOOL_CALL } from '../support/protocol-wire.js';
import { script } from '../support/script.js';

async function mount(protocol: string, url: string): Promise<{ el: LlmChat; chat: ChatHarness }> {
  const el = await fixture<LlmChat>(html`<llm-chat protocol=${protocol} endpoint=${url} persist="none" with-metrics></llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

describe('<llm-chat>', () => {
  describe('protocols', () => {
    for (const p of PROTOCOL_SCRIPTS) {
      describe(`protocol="${p.protocol}"`, () => {
        it('streams a whole answer: text, reasoning, a tool call (llm-chat-tool-call once) and usage in the metrics', async () => {
          const endpoint = await script(p.answer);
          const { el, chat } = await mount(p.protocol, endpoint.url);
          const calls: ChatToolCall[] = [];
          el.addEventListener('llm-chat-tool-call', (event) => calls.push(event.detail.toolCall));
          const finished = oneEvent(el, 'llm-chat-finish');
          await chat.ask('What is the weather in Paris?');
          const { message } = (await finished).detail as { message: ChatMessage };
          const { expected } = p;
          expect(message.status).to.equal(expected.status);
          expect(message.content).to.equal(expected.content);
          expect(message.error).to.equal(undefined);
          if (expected.reasoning) expect(message.reasoning).to.equal(expected.reasoning);
          if (expected.toolCall) {
            expect(calls.map(({ name, arguments: args }) => ({ name, arguments: args }))).to.deep.equal([
              { name: expected.toolCall.name, arguments: expected.toolCall.arguments },
            ]);
            expect(message.toolCalls?.map((call) => call.id)).to.deep.equal(calls.map((call) => call.id));
          } else {
            expect(calls).to.deep.equal([]);
          }
          if (expected.metrics) {
            expect(message.metrics).to.deep.include(expected.metrics);
            await el.updateComplete;
            expect(chat.lastAssistant()?.querySelector('[part~="metrics"]')?.textContent).to.contain(
              `${expected.metrics.completionTokens} tokens`,
            );
          }
          await el.updateComplete;
          expect(chat.lastAssistant()?.querySelector('[part~="content"]')?.textContent).to.contain('世界 👋🏽');
          const [request] = await endpoint.requests();
          expect(request?.body[p.bodyMark[0]], `request body field ${p.bodyMark[0]}`).to.deep.equal(p.bodyMark[1]);
          expect(request?.headers['idempotency-key']).to.match(/\S/);
        });

        if (p.toolResult) {
          const { toolResult } = p;
          it("runs the tool and sends its result back in the protocol's shape, the follow-up starting with the first request", async () => {
            const endpoint = await script(p.answer, toolResult.followUp);
            const { el } = await mount(p.protocol, endpoint.url);
            el.tools = {
              get_weather: {
                description: 'Current weather',
                parameters: { type: 'object', properties: { city: { type: 'string' } } },
                execute: () => ({ celsius: 21 }),
              },
            };
            await el.send('What is the weather in Paris?');
            const [first, second] = await endpoint.requests();
            const messages = (body: any): unknown[] => body.messages;
            expect(messages(second?.body).slice(0, messages(first?.body).length)).to.deep.equal(messages(first?.body));
            expect(messages(second?.body).at(-1)).to.deep.include(toolResult.last as object);
            expect(second?.body.tools !== undefined, 'tool definitions sent').to.equal(toolResult.sendsTools);
            expect(el.messages.at(-1)).to.deep.include({ role: 'assistant', status: 'complete', content: AFTER_TOOLS });
            // Ollama's calls carry no id: the one the element made up pairs the result.
            const callId = el.messages.find((m) => m.toolCalls?.length)?.toolCalls?.[0]?.id;
            if (p.protocol === 'ndjson') expect(callId).to.match(/^call_\w+$/);
            else expect(callId).to.equal(TOOL_CALL.id);
            expect(el.messages.find((m) => m.role === 'tool')).to.deep.include({ toolCallId: callId, content: '{"celsius":21}' });
          });
        }

        it('waits out a 429 with a visible countdown, then retries with the same key', async () => {
          const endpoint = await script(p.rateLimited, p.answer);
          const { el, chat } = await mount(p.protocol, endpoint.url);
          const retry = oneEvent(el, 'llm-chat-retry');
          await chat.ask('Hi');
          expect((await retry).detail.error.kind).to.equal('rate_limited');
          await chat.waitForStatus('retrying');
          await waitUntil(() => /retrying in [12] s/.test(chat.statusText()), `countdown (${chat.statusText()})`);
          expect(await chat.waitForTurnEnd()).to.equal(p.expected.status);
          const requests = await endpoint.requests();
          expect(requests.length).to.equal(2);
          expect(requests[1]?.headers['idempotency-key']).to.equal(requests[0]?.headers['idempotency-key']);
        });

        for (const failure of p.failures) {
          it(`${failure.name} → ${failure.status} (${failure.kind})`, async () => {
            const endpoint = await script(failure.step, p.answer);
            const { el, chat } = await mount(p.protocol, endpoint.url);
            el.maxRetries = 0;
            const finished = oneEvent(el, 'llm-chat-finish');
            await chat.ask('Question');
            const { message } = (await finished).detail as { message: ChatMessage };
            expect(message.status).to.equal(failure.status);
            expect(message.error?.kind).to.equal(failure.kind);
            if (failure.content !== undefined) expect(message.content).to.equal(failure.content);
            await el.updateComplete;
            expect(el.status).to.equal('error');
            if (failure.status === 'error') expect(chat.input.value, 'the question is back in the composer').to.equal('Question');
            else expect(chat.part('continue-button')).to.exist;
            expect((await endpoint.requests()).length).to.equal(1);
          });
        }
      });
    }

    it('an unknown protocol is a clear error naming every known protocol, and keeps the text', async () => {
      const endpoint = await script(PROTOCOL_SCRIPTS[0]!.answer);
      const { el, chat } = await mount('grpc', endpoint.url);
      const logged: string[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => logged.push(args.join(' '));
      try {
        await chat.ask('Hello?');
        await waitUntil(() => el.status === 'error', `status error (is ${el.status})`);
      } finally {
        console.error = original;
      }
      expect(logged.join('\n')).to.contain('Known protocols: ai-sdk, anthropic, ndjson, openai, text.');
      expect(chat.input.value).to.equal('Hello?');
      expect((await endpoint.requests()).length).to.equal(0);
    });
  });
});
