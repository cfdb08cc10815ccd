import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import { ChatHarness } from '../support/chat-harness.js';
import { script, stream } from '../support/script.js';

describe('<llm-chat>', () => {
  describe('defaults', () => {
    it('uses the defaults the API tables document (DESIGN §3, §3a)', async () => {
      const el = await fixture<LlmChat>(html`<llm-chat persist="none"></llm-chat>`);
      expect(el).to.include({
        protocol: 'openai',
        maxRetries: 2,
        idleTimeout: 45_000,
        stallTimeout: 120_000,
        maxToolRounds: 5,
        toolTimeout: 30_000,
      });
    });
  });

  describe('configuration problems', () => {
    it('an unknown protocol is a clear error state that keeps the text and names the known protocols', async () => {
      const endpoint = await script(stream(['Fine now.']));
      const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint.url} protocol="openia" persist="none"></llm-chat>`);
      const chat = new ChatHarness(el);
      const logged: string[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => logged.push(args.map(String).join(' '));
      let sent: boolean;
      try {
        sent = await el.send('What is a monad?');
      } finally {
        console.error = original;
      }
      await el.updateComplete;
      expect(sent).to.equal(false);
      expect(el.status).to.equal('error');
      expect(el.getAttribute('status')).to.equal('error');
      expect(chat.alertText()).to.equal('This chat is configured with an unknown protocol.');
      expect(chat.statusText()).to.equal('This chat is configured with an unknown protocol.');
      expect(logged.join('\n')).to.match(/unknown protocol "openia"\. Known protocols: .*openai/);
      // Nothing typed is lost, and nothing was sent.
      expect(chat.input.value).to.equal('What is a monad?');
      expect(el.messages).to.have.length(0);
      expect(await endpoint.requests()).to.have.length(0);

      // Fixing the setting is enough: the kept text goes out with Enter.
      el.protocol = 'openai';
      await el.updateComplete;
      chat.key('Enter');
      await chat.waitForTurnEnd();
      expect(el.status).to.equal('idle');
      expect(chat.messages().map((m) => m.text)).to.deep.equal(['What is a monad?', 'Fine now.']);
      expect(chat.input.value).to.equal('');
    });

    it('a missing endpoint says so and keeps the text', async () => {
      const el = await fixture<LlmChat>(html`<llm-chat persist="none"></llm-chat>`);
      const chat = new ChatHarness(el);
      await chat.ask('Hello?');
      await waitUntil(() => chat.alertText() !== '', 'alert');
      expect(chat.alertText()).to.equal('This chat has no endpoint configured.');
      expect(el.status).to.equal('error');
      expect(chat.input.value).to.equal('Hello?');
    });
  });
});
