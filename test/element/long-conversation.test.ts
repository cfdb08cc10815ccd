import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatMessage } from '../../src/core/types.js';
import { defaultStrings } from '../../src/element/strings.js';
import { IncrementalRenderer } from '../../src/markdown/incremental-renderer.js';
import { loadSanitizer } from '../../src/markdown/sanitizer-loader.js';
import { ChatHarness } from '../support/chat-harness.js';
import { largeDocument } from '../markdown/markdown-corpus.js';
import { SSE_HEADERS, done, finish, role, script, text } from '../support/script.js';

function transcript(count: number, padding = ''): ChatMessage[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `m${index}`,
    role: index % 2 === 0 ? 'user' : 'assistant',
    content:
      index % 2 === 0
        ? `Question ${index}`
        : `## Answer ${index}\n\nSome **bold** text and \`code\` in answer ${index}.\n\n- one\n- two\n${padding}`,
    status: 'complete',
    createdAt: 1_700_000_000_000 + index,
  }));
}

/** What the renderer makes of an answer shown at once, with the element's strings. */
/** The markup of `text` rendered in one go, once its code blocks are highlighted. */
async function rendered(text: string): Promise<string> {
  const container = document.createElement('div');
  const { copy, copied, copyFailed, imageBlocked } = defaultStrings;
  const renderer = new IncrementalRenderer(container, { strings: { copy, copied, copyFailed, imageBlocked } });
  renderer.update(text);
  renderer.finish();
  await renderer.whenHighlighted();
  const markup = container.innerHTML;
  renderer.destroy();
  return markup;
}

/**
 * Markup without what depends on layout: a code block or table that overflows its width
 * becomes a named tab stop, which a detached container never does.
 */
function withoutScrollRegions(markup: string): string {
  return markup.replace(/ tabindex="0" role="region" aria-label="[^"]*"/g, '');
}

async function mount(): Promise<{ el: LlmChat; chat: ChatHarness }> {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint="/x" persist="none" style="height: 400px"></llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

describe('<llm-chat>', () => {
  // Answers with raw HTML wait for the sanitizer's chunk; the references below need it too.
  before(() => loadSanitizer());

  describe('a long transcript shown at once', () => {
    it('has every word in the DOM from the first frame, formats the newest answers first, and ends as if rendered directly', async () => {
      const { el, chat } = await mount();
      const messages = transcript(400);
      el.messages = messages;
      await el.updateComplete;

      const contents = chat.parts('content');
      expect(contents).to.have.length(400);
      // Find-in-page, selection and screen readers have the text before it is formatted.
      for (const [index, content] of contents.entries()) {
        const words = (messages[index]?.content ?? '').match(/[A-Za-z]+ \d+/)?.[0] ?? '';
        expect(content.textContent, `message ${index}`).to.include(words);
      }
      const answers = contents.filter((_, index) => index % 2 === 1);
      // The newest answer, the one in view, is formatted before the first paint.
      expect(answers.at(-1)?.querySelector('h2')?.textContent).to.equal('Answer 399');
      expect(answers[0]?.querySelector('h2')).to.equal(null);

      await waitUntil(() => answers.every((answer) => answer.querySelector('h2')), 'every answer formatted', { timeout: 8000 });
      for (const [index, answer] of answers.entries()) {
        const expected = await rendered(messages[index * 2 + 1]?.content ?? '');
        if (answer.innerHTML !== expected) expect(answer.innerHTML, `answer ${index}`).to.equal(expected);
      }
    });

    it('formats an answer scrolled into view at once, ahead of older ones', async () => {
      const { el, chat } = await mount();
      // Answers long enough that formatting them all takes far longer than a few frames.
      el.messages = transcript(600, `\n${largeDocument(3, 12)}`);
      await el.updateComplete;
      const log = chat.part('log') as HTMLElement;
      const answers = chat.parts('content').filter((_, index) => index % 2 === 1);
      const target = answers[1] as HTMLElement;
      expect(target.querySelector('h2')).to.equal(null);
      let olderWaiting = -1;
      const watch = new MutationObserver(() => {
        if (olderWaiting === -1 && target.querySelector('h2'))
          olderWaiting = answers.slice(20, 280).filter((answer) => !answer.querySelector('h2')).length;
      });
      watch.observe(target, { childList: true });
      // The reader scrolls up (the scroll event stops the transcript from following the bottom).
      log.scrollTop = 0;
      log.dispatchEvent(new Event('scroll'));
      await waitUntil(() => olderWaiting !== -1, 'the answer in view formatted');
      watch.disconnect();
      // Answers between it and the newest ones were still waiting: it did not wait its turn.
      expect(olderWaiting).to.be.greaterThan(0);
    });

    it('renders a long answer shown at once over several frames, ending in the same DOM', async () => {
      const { el, chat } = await mount();
      const long = largeDocument(5, 400);
      el.messages = [
        { id: 'q', role: 'user', content: 'Q', status: 'complete', createdAt: 1 },
        { id: 'a', role: 'assistant', content: long, status: 'complete', createdAt: 2 },
      ];
      await el.updateComplete;
      const content = chat.parts('content')[1] as HTMLElement;
      await nextFrame();
      const partial = content.textContent?.length ?? 0;
      const whole = await rendered(long);
      await waitUntil(() => withoutScrollRegions(content.innerHTML) === whole, 'rendered whole', { timeout: 8000 });
      expect(partial).to.be.lessThan(content.textContent?.length ?? 0);
    });
  });

  describe('older messages, which are not rendered again on every frame', () => {
    it('still show a changed setting, a feedback choice and a new transcript', async () => {
      const el = await fixture<LlmChat>(html`<llm-chat endpoint="/x" persist="none" with-feedback style="height: 400px"></llm-chat>`);
      const chat = new ChatHarness(el);
      el.messages = transcript(40);
      await el.updateComplete;
      const oldest = () => chat.parts('message')[1] as HTMLElement;
      const up = () => oldest().querySelector<HTMLButtonElement>('[part~="feedback-up-button"]');
      expect(up()?.getAttribute('aria-pressed')).to.equal('false');
      up()?.click();
      await el.updateComplete;
      expect(up()?.getAttribute('aria-pressed')).to.equal('true');

      el.strings = { assistant: 'Model' };
      await el.updateComplete;
      expect(oldest().querySelector('.visually-hidden')?.textContent).to.include('Model');

      el.messages = transcript(40).map((message) => ({ ...message, content: message.content.replace('Answer', 'Reply') }));
      await el.updateComplete;
      await waitUntil(() => oldest().querySelector('h2')?.textContent === 'Reply 1', 'the old answer replaced');
    });
  });

  describe('first delta', () => {
    it('renders the first change after a quiet frame without waiting for the next frame', async () => {
      // The delta comes alone, well after the response head and its updates.
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [{ text: role() }, { delayMs: 150, text: text('Hello') }, { delayMs: 60, text: finish() + done() }],
      });
      const { el, chat } = await mount();
      el.endpoint = endpoint.url;
      await el.updateComplete;
      let framePassed = false;
      let shownBeforeFrame: boolean | undefined;
      // Registered before the element reacts to the delta, so it runs first in the next frame.
      el.addEventListener('llm-chat-delta', () => requestAnimationFrame(() => (framePassed = true)), { once: true });
      const watch = new MutationObserver(() => {
        if (shownBeforeFrame === undefined && chat.parts('content').at(-1)?.textContent?.trim() === 'Hello')
          shownBeforeFrame = !framePassed;
      });
      watch.observe(chat.root, { childList: true, subtree: true, characterData: true });
      await chat.ask('Hi');
      await waitUntil(() => shownBeforeFrame !== undefined, 'the first delta shown');
      watch.disconnect();
      expect(shownBeforeFrame).to.equal(true);
      await chat.waitForTurnEnd();
    });
  });
});
