import { expect, fixture, html } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import { ChatHarness } from '../support/chat-harness.js';
import { errorResponse, script, stream } from '../support/script.js';

async function mount(endpoint: string) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint} persist="none"></llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

const trimmed = (parts: string[], left: number) => {
  const step = stream(parts);
  return { ...step, headers: { ...step.headers, 'X-Context-Trimmed': String(left) } };
};

describe('<llm-chat>', () => {
  describe('what the gateway tells the element', () => {
    it('says once that earlier messages were left out to fit the context (X-Context-Trimmed)', async () => {
      const endpoint = await script(stream(['First.']), trimmed(['Second.'], 4), trimmed(['Third.'], 6));
      const { el, chat } = await mount(endpoint.url);
      await el.send('one');
      await el.send('two');
      await el.send('three');
      await el.updateComplete;
      const notes = chat.parts('message--assistant').map((node) => node.querySelector('.trimmed')?.textContent ?? '');
      expect(notes).to.deep.equal(['', "Earlier messages were left out to fit the model's context.", '']);
      expect(el.messages.filter((m) => m.role === 'assistant').map((m) => m.metrics?.contextTrimmed)).to.deep.equal([undefined, 4, 6]);
    });

    it('a daily budget used up is a quota error with its own words, never retried', async () => {
      const endpoint = await script(
        errorResponse(
          429,
          { code: 'budget_exceeded', type: 'insufficient_quota', message: 'Budget used up.', retry_after: 3600 },
          { 'Retry-After': '3600' },
        ),
      );
      const { el, chat } = await mount(endpoint.url);
      await el.send('Hello');
      await chat.waitForTurnEnd();
      expect(await endpoint.requests()).to.have.length(1);
      const error = chat.lastAssistant()?.querySelector('[part~="error"]');
      expect(error?.getAttribute('data-kind')).to.equal('quota_exhausted');
      expect(error?.textContent).to.contain("Today's spending limit for this chat is used up.");
      expect(chat.lastAssistant()?.querySelector('[part~="retry-button"]')).to.equal(null);
    });
  });
});
