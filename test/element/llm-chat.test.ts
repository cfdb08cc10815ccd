import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatMessage } from '../../src/core/types.js';
import { ChatHarness } from '../support/chat-harness.js';
import { SSE_HEADERS, chunk, errorResponse, finish, role, script, stream, text, usage, done } from '../support/script.js';

async function mount(endpoint: string, extra = html``) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint} persist="none" style="height: 400px">${extra}</llm-chat>`);
  return { el, chat: new ChatHarness(el) };
}

const slow = (parts: string[], gapMs = 60) => ({
  headers: SSE_HEADERS,
  pieces: [{ text: role() }, ...parts.map((p) => ({ delayMs: gapMs, text: text(p) })), { delayMs: gapMs, text: finish() + done() }],
});

describe('<llm-chat>', () => {
  describe('structure', () => {
    it('renders the parts, a log, a status region that exists from the start, and an alert region', async () => {
      const { chat } = await mount('/x');
      for (const part of ['log', 'status', 'composer', 'input', 'send-button']) expect(chat.part(part), part).to.exist;
      expect(chat.part('log')?.getAttribute('role')).to.equal('log');
      expect(chat.part('status')?.getAttribute('role')).to.equal('status');
      expect(chat.root.querySelector('[role="alert"]')).to.exist;
      for (const slot of ['header', 'empty', 'composer-start', 'composer-end']) {
        expect(chat.root.querySelector(`slot[name="${slot}"]`), slot).to.exist;
      }
    });

    it('passes an axe accessibility check, empty and with messages', async () => {
      const endpoint = await script(stream(['Hello **world**\n\n```js\nlet a = 1;\n```\n']));
      const { el, chat } = await mount(endpoint.url);
      await expect(el).to.be.accessible();
      await chat.ask('Hi');
      await chat.waitForTurnEnd();
      await expect(el).to.be.accessible();
    });

    it('round-trips attributes and properties with the DESIGN §3 names', async () => {
      const el = await fixture<LlmChat>(
        html`<llm-chat
          endpoint="/api/chat"
          model="m"
          system="s"
          max-tokens="100"
          temperature="0.5"
          protocol="openai"
          persist="none"
          persist-key="k"
          max-retries="4"
          idle-timeout="1000"
          stall-timeout="95000"
          placeholder="Type"
          with-metrics
        ></llm-chat>`,
      );
      expect(el).to.include({
        endpoint: '/api/chat',
        model: 'm',
        system: 's',
        maxTokens: 100,
        temperature: 0.5,
        protocol: 'openai',
        persist: 'none',
        persistKey: 'k',
        maxRetries: 4,
        idleTimeout: 1000,
        stallTimeout: 95000,
        placeholder: 'Type',
        withMetrics: true,
        status: 'idle',
      });
      expect(el.getAttribute('status')).to.equal('idle');
      el.setAttribute('max-retries', '1');
      el.removeAttribute('with-metrics');
      el.setAttribute('idle-timeout', '2500');
      await el.updateComplete;
      expect(el.maxRetries).to.equal(1);
      expect(el.withMetrics).to.equal(false);
      expect(el.idleTimeout).to.equal(2500);
      const chat = new ChatHarness(el);
      expect(chat.input.placeholder).to.equal('Type');
    });

    it('sets and gets messages; user text is never parsed as HTML', async () => {
      const { el, chat } = await mount('/x');
      const messages: ChatMessage[] = [
        { id: '1', role: 'user', content: '<img src=x onerror=alert(1)> **not bold**', status: 'complete', createdAt: 1 },
        { id: '2', role: 'assistant', content: 'Some **bold** answer', status: 'complete', createdAt: 2 },
      ];
      el.messages = messages;
      await el.updateComplete;
      await new Promise((r) => requestAnimationFrame(r));
      expect(el.messages).to.deep.equal(messages);
      const [user, assistant] = chat.parts('message');
      expect(user?.querySelector('img')).to.equal(null);
      expect(user?.textContent).to.contain('<img src=x onerror=alert(1)>');
      expect(assistant?.querySelector('strong')?.textContent).to.equal('bold');
      expect(() => {
        (el as unknown as { messages: unknown }).messages = 'nope';
      }).to.throw(TypeError);
    });
  });

  describe('sending', () => {
    it('Enter sends: events fire in order send → first-token → finish, TTFT is recorded', async () => {
      const endpoint = await script(stream(['Hello', ' there']));
      const { el, chat } = await mount(endpoint.url);
      const order: string[] = [];
      for (const name of ['llm-chat-send', 'llm-chat-first-token', 'llm-chat-delta', 'llm-chat-finish', 'llm-chat-error']) {
        el.addEventListener(name, () => order.push(name.replace('llm-chat-', '')));
      }
      const finished = oneEvent(el, 'llm-chat-finish');
      await chat.ask('Hi');
      expect(chat.input.value).to.equal('');
      const { detail } = await finished;
      expect(order).to.deep.equal(['send', 'first-token', 'delta', 'delta', 'finish']);
      expect(detail.message.status).to.equal('complete');
      expect(detail.message.metrics.ttftMs).to.be.a('number');
      expect(chat.messages()).to.deep.equal([
        { role: 'user', status: 'complete', text: 'Hi' },
        { role: 'assistant', status: 'complete', text: 'Hello there' },
      ]);
      expect(el.status).to.equal('idle');
    });

    it('the send event carries the request and can cancel it', async () => {
      const endpoint = await script(stream(['x']));
      const { el, chat } = await mount(endpoint.url);
      el.headers = { 'X-CSRF-Token': 'abc' };
      el.addEventListener('llm-chat-send', (event) => {
        expect(event.detail.request.headers['X-CSRF-Token']).to.equal('abc');
        expect(event.detail.message.content).to.equal('Hi');
        event.preventDefault();
      });
      await chat.ask('Hi');
      expect(await el.send('Hi')).to.equal(false);
      expect((await endpoint.requests()).length).to.equal(0);
      expect(chat.messages()).to.have.length(0);
    });

    it('Shift+Enter inserts a newline instead of sending', async () => {
      const endpoint = await script(stream(['x']));
      const { chat } = await mount(endpoint.url);
      await chat.type('line one');
      const event = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, bubbles: true, cancelable: true, composed: true });
      chat.input.dispatchEvent(event);
      expect(event.defaultPrevented).to.equal(false);
      expect(chat.messages()).to.have.length(0);
    });

    it('double-clicking Send sends once; send() while busy resolves false', async () => {
      const endpoint = await script(slow(['a', 'b']));
      const { el, chat } = await mount(endpoint.url);
      await chat.type('once');
      chat.click('send-button');
      await el.updateComplete;
      // The second click of a double-click lands where Send was: on the Stop button now.
      chat.click('stop-button');
      expect(await el.send('again')).to.equal(false);
      expect(await chat.waitForTurnEnd()).to.equal('complete');
      expect((await endpoint.requests()).length).to.equal(1);
      expect(chat.messages().filter((m) => m.role === 'user')).to.have.length(1);
    });

    it('shows TTFT and tokens per second under answers with with-metrics', async () => {
      // Gaps between the deltas: a rate needs time between the first token and the end.
      const endpoint = await script(slow(['Fast', ' answer', ' here'], 40));
      const { el, chat } = await mount(endpoint.url);
      el.withMetrics = true;
      await chat.ask('Hi');
      await chat.waitForTurnEnd();
      const metrics = chat.part('metrics')?.textContent ?? '';
      expect(metrics).to.match(/TTFT \d+ ms/);
      expect(metrics).to.match(/tok\/s/);
    });

    it('renders streamed markdown with code blocks and copy buttons', async () => {
      const endpoint = await script(stream(['# Title\n\nSome ', '`code` and\n\n```py\nprint(1)\n', '```\n\nDone.']));
      const { chat } = await mount(endpoint.url);
      await chat.ask('md');
      await chat.waitForTurnEnd();
      const content = chat.lastAssistant()?.querySelector('[part~="content"]');
      expect(content?.querySelector('h1')?.textContent).to.equal('Title');
      expect(content?.querySelector('[part~="code-block"] code')?.textContent).to.contain('print(1)');
      expect(content?.querySelector('[part~="copy-button"]')).to.exist;
    });

    it('fires tool-call events when a call is complete', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [
          { text: role() + chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { name: 'lookup', arguments: '{"q":' } }] }) },
          { text: chunk({ tool_calls: [{ index: 0, function: { arguments: '"x"}' } }] }) + finish('tool_calls') + usage() + done() },
        ],
      });
      const { el, chat } = await mount(endpoint.url);
      const call = oneEvent(el, 'llm-chat-tool-call');
      await chat.ask('use a tool');
      const { detail } = await call;
      expect(detail.toolCall).to.deep.equal({ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' });
      expect(await chat.waitForTurnEnd()).to.equal('tool_calls');
    });
  });

  describe('stop', () => {
    it('Escape stops within 200 ms, keeps the partial as stopped, never shown as an error', async () => {
      const endpoint = await script(slow(['Partial', ' answer', ' that', ' goes', ' on'], 150));
      const { el, chat } = await mount(endpoint.url);
      await chat.ask('Hi');
      await waitUntil(() => (chat.lastAssistant()?.textContent ?? '').includes('Partial'), 'first text', { timeout: 4000 });
      const started = performance.now();
      const finished = oneEvent(el, 'llm-chat-finish');
      chat.key('Escape');
      const { detail } = await finished;
      expect(performance.now() - started).to.be.below(200);
      expect(detail.message.status).to.equal('stopped');
      const kept = detail.message.content;
      await new Promise((r) => setTimeout(r, 400));
      expect(el.messages.at(-1)?.content).to.equal(kept);
      expect(chat.part('error')).to.equal(null);
      expect(el.status).to.equal('idle');
      await waitUntil(async () => (await endpoint.requests())[0]?.disconnected === true, 'server saw the disconnect');
    });

    it('the Stop button replaces Send while busy', async () => {
      const endpoint = await script(slow(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], 150));
      const { chat } = await mount(endpoint.url);
      await chat.ask('Hi');
      expect(chat.part('send-button')).to.equal(null);
      // Past the double-click guard: this is a deliberate Stop.
      await new Promise((r) => setTimeout(r, 550));
      chat.click('stop-button');
      expect(await chat.waitForTurnEnd()).to.equal('stopped');
      expect(chat.part('send-button')).to.exist;
      expect(chat.part('continue-button')).to.exist;
    });
  });

  describe('failures', () => {
    it('a pre-stream failure puts the text back, shows the error once with Retry, and re-sending replaces the pair', async () => {
      const endpoint = await script(errorResponse(500, { type: 'server_error', message: 'boom' }), stream(['Recovered']));
      const { el, chat } = await mount(endpoint.url);
      el.maxRetries = 0;
      const failed = oneEvent(el, 'llm-chat-error');
      await chat.ask('Keep my words');
      const { detail } = await failed;
      expect(detail.error).to.include({ kind: 'server_error', status: 500, retryable: true, phase: 'pre_stream' });
      await el.updateComplete;
      expect(chat.input.value).to.equal('Keep my words');
      expect(el.status).to.equal('error');
      expect(chat.part('error')?.textContent).to.contain('The server had a problem');
      expect(chat.alertText()).to.contain('The server had a problem');
      expect(chat.part('retry-button')).to.exist;
      const resent = oneEvent(el, 'llm-chat-finish');
      chat.key('Enter');
      expect((await resent).detail.message.status).to.equal('complete');
      await el.updateComplete;
      expect(chat.messages().map((m) => m.text)).to.deep.equal(['Keep my words', 'Recovered']);
    });

    it('a mid-stream failure keeps the text as interrupted with Retry and Continue', async () => {
      const endpoint = await script({
        headers: SSE_HEADERS,
        pieces: [{ text: role() + text('Half of it') }, { delayMs: 50 }],
        end: 'reset',
      });
      const { el, chat } = await mount(endpoint.url);
      await chat.ask('Hi');
      expect(await chat.waitForTurnEnd()).to.equal('interrupted');
      expect(chat.lastAssistant()?.querySelector('[part~="content"]')?.textContent).to.contain('Half of it');
      expect(chat.part('retry-button')).to.exist;
      expect(chat.part('continue-button')).to.exist;
      expect(el.status).to.equal('error');
      // Nothing was re-sent automatically after output started.
      expect((await endpoint.requests()).length).to.equal(1);
    });

    it('shows a countdown while waiting to retry and fires llm-chat-retry', async () => {
      const endpoint = await script(
        errorResponse(429, { code: 'rate_limit_exceeded', type: 'rate_limit_error' }, { 'retry-after-ms': '1500' }),
        stream(['ok']),
      );
      const { el, chat } = await mount(endpoint.url);
      const retry = oneEvent(el, 'llm-chat-retry');
      await chat.ask('Hi');
      const { detail } = await retry;
      expect(detail).to.include({ attempt: 1, delayMs: 1500 });
      expect(detail.error.kind).to.equal('rate_limited');
      await chat.waitForStatus('retrying');
      await waitUntil(() => /Rate limited — retrying in [12] s/.test(chat.statusText()), `countdown (${chat.statusText()})`);
      expect(await chat.waitForTurnEnd()).to.equal('complete');
      const requests = await endpoint.requests();
      expect(requests.length).to.equal(2);
      expect(requests[1]?.headers['idempotency-key']).to.equal(requests[0]?.headers['idempotency-key']);
    });

    it('gives hints for context-too-long and auth failures and offers no Retry for them', async () => {
      const cases: Array<[number, Record<string, string>, RegExp]> = [
        [400, { code: 'context_length_exceeded', message: 'too long' }, /shorten your message/],
        [401, { type: 'authentication_error', code: 'invalid_api_key' }, /not authorized/],
      ];
      for (const [status, error, hint] of cases) {
        const endpoint = await script(errorResponse(status, error));
        const { chat } = await mount(endpoint.url);
        await chat.ask('Hi');
        expect(await chat.waitForTurnEnd()).to.equal('error');
        expect(chat.part('error')?.textContent).to.match(hint);
        expect(chat.part('retry-button')).to.equal(null);
        expect((await endpoint.requests()).length).to.equal(1);
      }
    });

    it('says when a long Retry-After wait will be over instead of retrying', async () => {
      const endpoint = await script(errorResponse(429, { code: 'rate_limit_exceeded' }, { 'Retry-After': '120' }));
      const { chat } = await mount(endpoint.url);
      await chat.ask('Hi');
      expect(await chat.waitForTurnEnd()).to.equal('error');
      expect(chat.part('error')?.textContent).to.match(/try again at \d{1,2}:\d{2}/i);
      expect((await endpoint.requests()).length).to.equal(1);
    });

    it('offline: nothing is sent, the text stays, and Send works again when back online', async () => {
      const endpoint = await script(stream(['online now']));
      const { el, chat } = await mount(endpoint.url);
      const descriptor = Object.getOwnPropertyDescriptor(Navigator.prototype, 'onLine');
      Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
      try {
        await chat.ask('Queued words');
        expect(chat.statusText()).to.contain("You're offline");
        expect(chat.input.value).to.equal('Queued words');
        expect((await endpoint.requests()).length).to.equal(0);
        await el.updateComplete;
        expect((chat.part('send-button') as HTMLButtonElement).disabled).to.equal(true);
      } finally {
        delete (navigator as unknown as Record<string, unknown>)['onLine'];
        if (descriptor) Object.defineProperty(Navigator.prototype, 'onLine', descriptor);
      }
      window.dispatchEvent(new Event('online'));
      await el.updateComplete;
      expect(chat.statusText()).to.contain('Back online');
      expect((chat.part('send-button') as HTMLButtonElement).disabled).to.equal(false);
      chat.key('Enter');
      expect(await chat.waitForTurnEnd()).to.equal('complete');
    });

    it('translates every visible string through strings', async () => {
      const endpoint = await script(errorResponse(403, { type: 'permission_error' }));
      const { el, chat } = await mount(endpoint.url);
      el.strings = { send: 'Senden', errors: { forbidden: 'Nicht erlaubt.' } };
      await el.updateComplete;
      expect(chat.part('send-button')?.textContent?.trim()).to.equal('Senden');
      await chat.ask('Hallo');
      await chat.waitForTurnEnd();
      expect(chat.part('error')?.textContent).to.contain('Nicht erlaubt.');
    });
  });

  describe('storage faults', () => {
    it('full storage: the chat keeps working and says once that history will not be saved', async () => {
      const endpoint = await script(stream(['One']), stream(['Two']));
      const original = Storage.prototype.setItem;
      let attempts = 0;
      Storage.prototype.setItem = function () {
        attempts++;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      };
      try {
        const el = await fixture<LlmChat>(html`<llm-chat endpoint=${endpoint.url} persist-key="quota-test"></llm-chat>`);
        const chat = new ChatHarness(el);
        const notices: string[] = [];
        const observer = new MutationObserver(() => notices.push(chat.statusText()));
        observer.observe(chat.part('status') as HTMLElement, { childList: true, subtree: true, characterData: true });
        await chat.ask('first');
        expect(await chat.waitForTurnEnd()).to.equal('complete');
        await chat.type('second');
        const finished = oneEvent(el, 'llm-chat-finish');
        chat.key('Enter');
        await finished;
        await el.updateComplete;
        observer.disconnect();
        expect(attempts).to.be.greaterThan(0);
        expect(chat.messages().map((m) => m.text)).to.deep.equal(['first', 'One', 'second', 'Two']);
        // Said during the first turn, and not again for the second (storage still fails).
        const firstEnd = notices.findIndex((n) => n.includes('Answer complete'));
        expect(notices.slice(0, firstEnd + 1).some((n) => n.includes("History can't be saved"))).to.equal(true);
        const secondTurn = notices.slice(notices.findIndex((n, i) => i > firstEnd && n.includes('Connecting')));
        expect(secondTurn.some((n) => n.includes("History can't be saved"))).to.equal(false);
      } finally {
        Storage.prototype.setItem = original;
        sessionStorage.clear();
      }
    });

    it('corrupted stored JSON never breaks connection; it is set aside', async () => {
      sessionStorage.setItem('llm-chat:corrupt-test:transcript', '{"version":1,"messages":[{oops');
      try {
        const el = await fixture<LlmChat>(html`<llm-chat endpoint="/x" persist-key="corrupt-test"></llm-chat>`);
        expect(el.messages).to.deep.equal([]);
        const setAside = Object.keys(sessionStorage).filter((k) => k.startsWith('llm-chat:corrupt-test:corrupt:'));
        expect(setAside).to.have.length(1);
        expect(sessionStorage.getItem(setAside[0] as string)).to.equal('{"version":1,"messages":[{oops');
      } finally {
        sessionStorage.clear();
      }
    });
  });

  describe('copy details', () => {
    it('copies status, code and request id of a failure', async () => {
      const endpoint = await script(errorResponse(402, { code: 'insufficient_quota', type: 'insufficient_quota' }));
      const { chat } = await mount(endpoint.url);
      await chat.ask('Hi');
      await chat.waitForTurnEnd();
      let copied = '';
      const original = navigator.clipboard.writeText;
      Object.defineProperty(navigator.clipboard, 'writeText', {
        configurable: true,
        value: async (text: string) => {
          copied = text;
        },
      });
      try {
        const button = [...chat.root.querySelectorAll<HTMLButtonElement>('[part~="actions"] button')].find((b) =>
          b.textContent?.includes('Copy details'),
        );
        button?.click();
        await waitUntil(() => copied !== '', 'copied');
      } finally {
        Object.defineProperty(navigator.clipboard, 'writeText', { configurable: true, value: original });
      }
      expect(copied).to.contain('status: 402');
      expect(copied).to.contain('code: insufficient_quota');
      expect(copied).to.match(/request id: req_err_\d+/);
      expect(chat.part('retry-button')).to.equal(null);
    });
  });

  describe('scrolling', () => {
    it('follows the stream only while the reader is at the bottom', async () => {
      const long = Array.from({ length: 40 }, (_, i) => `Paragraph ${i}\n\n`);
      const endpoint = await script(slow(long, 15));
      const { chat } = await mount(endpoint.url);
      const log = chat.part('log') as HTMLElement;
      await chat.ask('long');
      await waitUntil(() => log.scrollHeight > log.clientHeight + 200, 'overflow', { timeout: 4000 });
      expect(log.scrollHeight - log.scrollTop - log.clientHeight).to.be.below(40);
      log.scrollTop = 0;
      log.dispatchEvent(new Event('scroll'));
      await chat.waitForTurnEnd();
      expect(log.scrollTop).to.equal(0);
    });
  });
});
