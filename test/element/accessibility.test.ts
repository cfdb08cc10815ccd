import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatTools } from '../../src/core/tool-runner.js';
import { ChatHarness } from '../support/chat-harness.js';
import { SSE_HEADERS, chunk, done, errorResponse, finish, role, script, stream, text } from '../support/script.js';
import type { ScriptStep } from '../support/script.js';

async function mount(endpoint: string) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint} persist="none" with-feedback style="height: 420px"></llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

const slow = (parts: string[], gapMs: number, before: string[] = []): ScriptStep => ({
  headers: SSE_HEADERS,
  pieces: [
    { text: role() },
    ...before.map((piece) => ({ delayMs: gapMs, text: piece })),
    ...parts.map((part) => ({ delayMs: gapMs, text: text(part) })),
    { delayMs: gapMs, text: finish() + done() },
  ],
});

/** Each state of DESIGN.md §8's list: brings a fresh chat into it and returns it there. */
const states: Record<string, () => Promise<{ el: LlmChat; chat: ChatHarness; end: () => Promise<unknown> }>> = {
  async idle() {
    const { el, chat } = await mount((await script(stream(['Hello **world**.\n\n```js\nlet a = 1;\n```\n']))).url);
    await el.send('Hi');
    await el.updateComplete;
    return { el, chat, end: async () => {} };
  },
  async streaming() {
    const { el, chat } = await mount((await script(slow(['Streaming ', 'a ', 'longer ', 'answer ', 'now.'], 300))).url);
    const turn = el.send('Hi');
    await waitUntil(() => el.status === 'streaming' && (el.messages[1]?.content ?? '') !== '', 'streaming');
    await el.updateComplete;
    return { el, chat, end: () => turn };
  },
  async retrying() {
    const endpoint = await script(
      errorResponse(429, { code: 'rate_limit_exceeded', type: 'rate_limit_error' }, { 'Retry-After': '30' }),
      stream(['ok']),
    );
    const { el, chat } = await mount(endpoint.url);
    const turn = el.send('Hi');
    await waitUntil(() => el.status === 'retrying', 'retrying');
    await el.updateComplete;
    return { el, chat, end: () => (el.stop(), turn) };
  },
  async error() {
    const { el, chat } = await mount((await script(errorResponse(401, { code: 'invalid_api_key', type: 'authentication_error' }))).url);
    await el.send('Hi');
    await el.updateComplete;
    return { el, chat, end: async () => {} };
  },
  async interrupted() {
    const endpoint = await script({
      headers: SSE_HEADERS,
      pieces: [{ text: role() + text('Half an answer') }, { delayMs: 80 }],
      end: 'reset',
    });
    const { el, chat } = await mount(endpoint.url);
    await el.send('Hi');
    await el.updateComplete;
    return { el, chat, end: async () => {} };
  },
  async 'tool-running'() {
    const endpoint = await script({
      headers: SSE_HEADERS,
      pieces: [
        {
          text:
            role() +
            chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'wait', arguments: '{}' } }] }) +
            finish('tool_calls') +
            done(),
        },
      ],
    });
    const { el, chat } = await mount(endpoint.url);
    el.tools = {
      wait: { description: 'Waits', execute: (_args, { signal }) => new Promise((resolve) => signal.addEventListener('abort', resolve)) },
    } satisfies ChatTools;
    const turn = el.send('Hi');
    await waitUntil(() => chat.parts('tool-call')[0]?.dataset['status'] === 'running', 'tool running');
    return { el, chat, end: () => (el.stop(), turn) };
  },
  async editing() {
    const { el, chat } = await mount((await script(stream(['An answer.']))).url);
    await el.send('A question');
    await el.updateComplete;
    chat.click('edit-button');
    await el.updateComplete;
    return { el, chat, end: async () => {} };
  },
  async reasoning() {
    const reasoning = Array.from({ length: 10 }, (_, i) => chunk({ reasoning_content: `step ${i}. ` }));
    const { el, chat } = await mount((await script(slow(['Done.'], 200, reasoning))).url);
    const turn = el.send('Think');
    await waitUntil(() => chat.part('reasoning') !== null, 'reasoning');
    await el.updateComplete;
    return { el, chat, end: () => turn };
  },
};

describe('<llm-chat>', () => {
  describe('accessibility in every state', () => {
    after(async () => {
      await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    });

    for (const scheme of ['light', 'dark'] as const) {
      for (const [name, enter] of Object.entries(states)) {
        it(`axe finds nothing serious in the ${name} state (${scheme})`, async () => {
          await emulateMedia({ colorScheme: scheme });
          const { el, end } = await enter();
          await expect(el).to.be.accessible();
          await end();
        });
      }
    }

    it('says one thing when an answer starts and one when it ends, never two within 1.5 s', async () => {
      const parts = Array.from({ length: 30 }, (_, i) => `word${i} `);
      const { el, chat } = await mount((await script(slow(parts, 80))).url);
      const said: Array<[string, number]> = [];
      const observer = new MutationObserver(() => {
        const now = chat.spokenStatus();
        if (now !== said.at(-1)?.[0]) said.push([now, performance.now()]);
      });
      observer.observe(chat.part('status') as HTMLElement, { childList: true, subtree: true, characterData: true });
      await el.send('Count');
      await waitUntil(() => chat.spokenStatus() === 'Answer complete.', 'the end is said', { timeout: 5000 });
      observer.disconnect();
      expect(said.map(([line]) => line)).to.deep.equal(['Responding…', 'Answer complete.']);
      expect((said[1]?.[1] ?? 0) - (said[0]?.[1] ?? 0)).to.be.at.least(1400);
      // The visible line moved on (Connecting…, Responding…): only the spoken one is paced.
      expect(chat.statusText()).to.equal('Answer complete.');
    });

    it('moves focus where the user expects after send, stop, retry and clear', async () => {
      const endpoint = await script(slow(['a', 'b', 'c', 'd', 'e', 'f'], 150), stream(['Again.']));
      const { el, chat } = await mount(endpoint.url);
      await chat.type('Question');
      chat.click('send-button');
      await el.updateComplete;
      expect(el.shadowRoot?.activeElement).to.equal(chat.input);
      await waitUntil(() => (el.messages[1]?.content ?? '') !== '', 'streaming');
      await new Promise((resolve) => setTimeout(resolve, 550)); // past the double-click guard
      chat.input.blur();
      chat.click('stop-button');
      await el.updateComplete;
      expect(el.shadowRoot?.activeElement).to.equal(chat.input);
      await waitUntil(() => chat.part('retry-button') !== null, 'retry offered');
      chat.click('retry-button');
      await el.updateComplete;
      expect(el.shadowRoot?.activeElement).to.equal(chat.input);
      await chat.waitForTurnEnd();
      chat.part('copy-message-button')?.focus();
      el.clear();
      await el.updateComplete;
      await el.updateComplete;
      expect(el.shadowRoot?.activeElement).to.equal(chat.input);
    });

    it('shows a visible focus ring on every control reached with Tab', async () => {
      const { el, chat } = await mount((await script(stream(['An answer.']))).url);
      await el.send('A question');
      await el.updateComplete;
      chat.input.value = 'draft';
      chat.input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      await el.updateComplete;
      (chat.part('log') as HTMLElement).focus();
      const seen: string[] = [];
      for (let i = 0; i < 10; i++) {
        const active = el.shadowRoot?.activeElement as HTMLElement | null;
        if (!active) break;
        const style = getComputedStyle(active);
        const ring = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2;
        seen.push(`${active.getAttribute('part') ?? active.className}:${ring}`);
        expect(ring, `focus ring on ${active.outerHTML.slice(0, 80)}`).to.equal(true);
        await sendKeys({ press: 'Tab' });
      }
      expect(seen.length).to.be.greaterThan(4);
    });

    it('stops the typing animation when the reader prefers reduced motion', async () => {
      await emulateMedia({ reducedMotion: 'reduce' });
      const { el, chat } = await mount((await script({ ...stream(['late']), delayMs: 400 })).url);
      const turn = el.send('Hi');
      await waitUntil(() => chat.root.querySelector('.typing span') !== null, 'typing indicator');
      expect(getComputedStyle(chat.root.querySelector('.typing span') as Element).animationName).to.equal('none');
      await turn;
      await emulateMedia({ reducedMotion: 'no-preference' });
    });

    it('lays out right-to-left pages mirrored, and each message takes its own direction', async () => {
      const { el, chat } = await mount((await script(stream(['مرحبا بك — hello.']))).url);
      el.setAttribute('dir', 'rtl');
      await el.send('سؤال');
      await el.updateComplete;
      const log = (chat.part('log') as HTMLElement).getBoundingClientRect();
      const question = (chat.parts('message--user')[0] as HTMLElement).getBoundingClientRect();
      // The question sits at the end of the line: on the left in a right-to-left page.
      expect(question.left - log.left).to.be.lessThan(log.right - question.right);
      for (const content of chat.parts('content')) expect(content.getAttribute('dir')).to.equal('auto');
      expect(chat.input.getAttribute('dir')).to.equal('auto');
    });
  });
});
