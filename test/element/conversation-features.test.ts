import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import { ChatHarness } from '../support/chat-harness.js';
import { SSE_HEADERS, chunk, done, finish, role, script, stream, text } from '../support/script.js';
import type { ScriptStep } from '../support/script.js';

async function mount(endpoint: string, extra = html``) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint} persist="none" style="height: 300px">${extra}</llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

/** Deltas with gaps, so the stream is observable while it runs. */
const slow = (parts: string[], gapMs = 60, extraPieces: string[] = []): ScriptStep => ({
  headers: SSE_HEADERS,
  pieces: [
    { text: role() },
    ...extraPieces.map((piece) => ({ delayMs: gapMs, text: piece })),
    ...parts.map((part) => ({ delayMs: gapMs, text: text(part) })),
    { delayMs: gapMs, text: finish() + done() },
  ],
});

const focused = (el: LlmChat) => el.shadowRoot?.activeElement;

describe('<llm-chat>', () => {
  describe('edit and resend', () => {
    it('edits the last question in place: Escape cancels, Enter sends it and replaces the old answer', async () => {
      const endpoint = await script(stream(['First answer.']), stream(['Second answer.']));
      const { el, chat } = await mount(endpoint.url);
      await el.send('What is 2+2?');
      await el.updateComplete;
      expect(chat.parts('edit-button')).to.have.length(1);
      chat.click('edit-button');
      await el.updateComplete;
      const editor = chat.root.querySelector<HTMLTextAreaElement>('.edit-input');
      expect(editor?.value).to.equal('What is 2+2?');
      expect(focused(el)).to.equal(editor);
      editor?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true, cancelable: true }));
      await el.updateComplete;
      expect(chat.root.querySelector('.edit-input')).to.equal(null);
      expect(focused(el)).to.equal(chat.part('edit-button'));
      expect(await endpoint.requests()).to.have.length(1);

      chat.click('edit-button');
      await el.updateComplete;
      const again = chat.root.querySelector<HTMLTextAreaElement>('.edit-input') as HTMLTextAreaElement;
      again.value = 'What is 3+3?';
      again.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
      again.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true, cancelable: true }));
      const finished = await oneEvent(el, 'llm-chat-finish');
      await el.updateComplete;
      expect(finished.detail.message.content).to.equal('Second answer.');
      expect(chat.messages().map((m) => m.text)).to.deep.equal(['What is 3+3?', 'Second answer.']);
      const [, second] = await endpoint.requests();
      expect(second?.body.messages).to.deep.equal([{ role: 'user', content: 'What is 3+3?' }]);
      expect(focused(el)).to.equal(chat.input);
    });

    it('offers Edit only on the last question, and not while an answer streams', async () => {
      const endpoint = await script(stream(['One.']), slow(['Two', ' streams.']));
      const { el, chat } = await mount(endpoint.url);
      await el.send('First');
      const second = el.send('Second');
      await waitUntil(() => el.status === 'streaming', 'streaming');
      await el.updateComplete;
      expect(chat.parts('edit-button')).to.have.length(0);
      await second;
      await el.updateComplete;
      const users = chat.parts('message--user');
      expect(users[0]?.querySelector('[part~="edit-button"]')).to.equal(null);
      expect(users[1]?.querySelector('[part~="edit-button"]')).to.exist;
    });
  });

  describe('answer actions', () => {
    it('copies a whole answer as markdown', async () => {
      const endpoint = await script(stream(['# Title\n\n', 'Some **bold** text.']));
      const { el, chat } = await mount(endpoint.url);
      await el.send('Hi');
      await el.updateComplete;
      let copied = '';
      const original = navigator.clipboard.writeText;
      navigator.clipboard.writeText = async (value: string) => void (copied = value);
      try {
        chat.click('copy-message-button');
        await waitUntil(() => chat.part('copy-message-button')?.textContent?.trim() === 'Copied', 'feedback on the button');
      } finally {
        navigator.clipboard.writeText = original;
      }
      expect(copied).to.equal('# Title\n\nSome **bold** text.');
    });

    it('rates answers with with-feedback: aria-pressed, an event, kept on the message, taken back on a second click', async () => {
      const endpoint = await script(stream(['An answer.']));
      const { el, chat } = await mount(endpoint.url);
      await el.send('Hi');
      await el.updateComplete;
      expect(chat.part('feedback-up-button')).to.equal(null);
      el.withFeedback = true;
      await el.updateComplete;
      const up = chat.part('feedback-up-button') as HTMLElement;
      expect(up.getAttribute('aria-pressed')).to.equal('false');
      expect(up.getAttribute('aria-label')).to.equal('Good answer');
      const rated = oneEvent(el, 'llm-chat-feedback');
      up.click();
      const event = await rated;
      const answerId = el.messages[1]?.id;
      expect(event.detail).to.deep.equal({ messageId: answerId, value: 'up' });
      await el.updateComplete;
      expect(chat.part('feedback-up-button')?.getAttribute('aria-pressed')).to.equal('true');
      expect(chat.part('feedback-down-button')?.getAttribute('aria-pressed')).to.equal('false');
      expect(el.messages[1]?.feedback).to.equal('up');
      const undone = oneEvent(el, 'llm-chat-feedback');
      chat.click('feedback-up-button');
      expect((await undone).detail.value).to.equal(null);
      expect(el.messages[1]?.feedback).to.equal(undefined);
    });
  });

  describe('starter prompts', () => {
    it('shows suggestions while the transcript is empty; a click sends one', async () => {
      const endpoint = await script(stream(['Sure.']));
      const { el, chat } = await mount(endpoint.url);
      el.suggestions = ['Explain backoff', 'Write a haiku'];
      await el.updateComplete;
      expect(chat.parts('suggestion').map((b) => b.textContent?.trim())).to.deep.equal(['Explain backoff', 'Write a haiku']);
      chat.parts('suggestion')[1]?.click();
      await chat.waitForTurnEnd();
      expect(chat.messages().map((m) => m.text)).to.deep.equal(['Write a haiku', 'Sure.']);
      expect(chat.parts('suggestion')).to.have.length(0);
    });

    it('lets the empty slot win when the page uses it', async () => {
      const { el, chat } = await mount('/x', html`<p slot="empty">Custom welcome</p>`);
      el.suggestions = ['Explain backoff'];
      await el.updateComplete;
      const slot = chat.root.querySelector<HTMLSlotElement>('slot[name="empty"]');
      expect(slot?.assignedElements().map((e) => e.textContent)).to.deep.equal(['Custom welcome']);
      // The suggestions are the slot's fallback: not rendered while something is slotted.
      expect(chat.parts('suggestion').every((button) => button.getClientRects().length === 0)).to.equal(true);
    });
  });

  describe('jump to latest', () => {
    it('appears when the reader scrolls up while an answer streams, and brings them back', async () => {
      const lines = Array.from({ length: 40 }, (_, i) => `Line ${i} of a long answer.\n\n`);
      const endpoint = await script(slow(lines, 40));
      const { el, chat } = await mount(endpoint.url);
      const turn = el.send('Long please');
      const log = chat.part('log') as HTMLElement;
      await waitUntil(() => log.scrollHeight > log.clientHeight * 2, 'the answer overflows');
      expect(chat.part('jump-to-latest-button')).to.equal(null);
      log.scrollTop = 0;
      log.dispatchEvent(new Event('scroll'));
      await waitUntil(() => chat.part('jump-to-latest-button') !== null, 'the button');
      chat.click('jump-to-latest-button');
      await el.updateComplete;
      await waitUntil(() => log.scrollHeight - log.scrollTop - log.clientHeight < 40, 'back at the bottom');
      await el.updateComplete;
      expect(chat.part('jump-to-latest-button')).to.equal(null);
      await turn;
    });
  });

  describe('reasoning', () => {
    it('shows "Thinking… N s" collapsed while the model reasons, then "Thought for N s", never in the live region', async () => {
      const reasoning = Array.from({ length: 8 }, (_, i) => chunk({ reasoning_content: `step ${i}. ` }));
      const endpoint = await script(slow(['The answer.'], 150, reasoning));
      const { el, chat } = await mount(endpoint.url);
      const spoken: string[] = [];
      const observer = new MutationObserver(() => spoken.push(chat.spokenStatus()));
      observer.observe(chat.part('status') as HTMLElement, { childList: true, subtree: true, characterData: true });
      const turn = el.send('Think');
      await waitUntil(
        () => /^Thinking… \d+ s$/.test(chat.part('reasoning')?.querySelector('summary')?.textContent?.trim() ?? ''),
        'thinking',
      );
      const details = chat.part('reasoning') as HTMLDetailsElement;
      expect(details.open).to.equal(false);
      await turn;
      await el.updateComplete;
      observer.disconnect();
      expect(chat.part('reasoning')?.querySelector('summary')?.textContent?.trim()).to.match(/^Thought for \d+ s$/);
      expect(el.messages[1]?.metrics?.reasoningMs).to.be.greaterThan(800);
      expect(spoken.some((line) => line.includes('step'))).to.equal(false);
    });
  });
});
