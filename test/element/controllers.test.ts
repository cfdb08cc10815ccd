import { expect, fixture, html, nextFrame, waitUntil } from '@open-wc/testing';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { AutoScrollController } from '../../src/element/auto-scroll-controller.js';
import { ChatController } from '../../src/element/chat-controller.js';
import type { ChatHostConfig } from '../../src/element/chat-controller.js';
import { ComposerController } from '../../src/element/composer-controller.js';
import { PersistenceController } from '../../src/element/persistence-controller.js';
import type { ChatMessage } from '../../src/core/types.js';

/** A host without an element: the controllers under test only see this interface. */
class Host implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  updateComplete = Promise.resolve(true);
  addController(controller: ReactiveController): void {
    this.controllers.push(controller);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
  /** Runs the controllers' update hooks as Lit would around a render. */
  update(): void {
    for (const controller of this.controllers) controller.hostUpdate?.();
    for (const controller of this.controllers) controller.hostUpdated?.();
  }
}

const config = (extra: Partial<ChatHostConfig> = {}): ChatHostConfig => ({
  endpoint: '/api/chat',
  protocol: 'openai',
  maxRetries: 2,
  idleTimeout: 45_000,
  stallTimeout: 120_000,
  ...extra,
});

const message = (id: string, role: ChatMessage['role'], status: ChatMessage['status'], content = 'x'): ChatMessage => ({
  id,
  role,
  content,
  status,
  createdAt: 1,
});

describe('element controllers', () => {
  describe('ChatController', () => {
    it('copies the settings into the session before every update, with safe numbers', () => {
      const host = new Host();
      let settings = config({ model: 'm1', maxRetries: -3, idleTimeout: Number.NaN });
      const chat = new ChatController(host, () => settings);
      host.update();
      expect(chat.session.config).to.include({ endpoint: '/api/chat', model: 'm1', maxRetries: 2, idleTimeoutMs: 45_000 });
      settings = config({ model: 'm2', maxRetries: 0, stallTimeout: 90_000 });
      host.update();
      expect(chat.session.config).to.include({ model: 'm2', maxRetries: 0, stallTimeoutMs: 90_000 });
    });

    it('builds a transport for the protocol, and a new one only when the custom fetch changes', () => {
      const host = new Host();
      let settings = config();
      const chat = new ChatController(host, () => settings);
      host.update();
      const first = chat.session.config.transport;
      expect(first?.protocol).to.equal('openai');
      host.update();
      expect(chat.session.config.transport).to.equal(first);
      settings = config({ fetch: (...args) => fetch(...args) });
      host.update();
      expect(chat.session.config.transport).not.to.equal(first);
    });

    it('reports an unknown protocol once it is known to be unknown, and recovers when it changes', async () => {
      const host = new Host();
      let settings = config({ protocol: 'nope' });
      const chat = new ChatController(host, () => settings);
      host.update();
      expect(chat.ready).to.equal(false);
      expect(await chat.prepare()).to.equal('unknown_protocol');
      expect(chat.status).to.equal('error');
      settings = config();
      host.update();
      expect(chat.configProblem).to.equal(undefined);
      expect(chat.status).to.equal('idle');
      expect(chat.ready).to.equal(true);
    });

    it('exposes which actions apply: only the last answer, and only when idle', () => {
      const host = new Host();
      const chat = new ChatController(host, () => config());
      chat.session.setMessages([
        message('u1', 'user', 'complete'),
        message('a1', 'assistant', 'stopped'),
        message('u2', 'user', 'complete'),
        message('a2', 'assistant', 'truncated'),
      ]);
      const [, a1, , a2] = chat.messages as ChatMessage[];
      expect(chat.canRetry(a1 as ChatMessage)).to.equal(false);
      expect(chat.canContinue(a1 as ChatMessage)).to.equal(false);
      expect(chat.canRetry(a2 as ChatMessage)).to.equal(true);
      expect(chat.canContinue(a2 as ChatMessage)).to.equal(true);
      chat.session.setMessages([
        message('u1', 'user', 'complete'),
        { ...message('a1', 'assistant', 'error', ''), error: { kind: 'auth_failed', message: '', retryable: false, phase: 'pre_stream' } },
      ]);
      expect(chat.canRetry(chat.messages[1] as ChatMessage)).to.equal(false);
    });
  });

  describe('AutoScrollController', () => {
    it('follows the bottom, after layout, only while the reader is there', async () => {
      const log = await fixture<HTMLDivElement>(
        html`<div style="height: 100px; overflow-y: auto"><div style="height: 1000px"></div></div>`,
      );
      const content = log.firstElementChild as HTMLElement;
      const host = new Host();
      let enabled = true;
      const scroller = new AutoScrollController(
        host,
        () => log,
        () => enabled,
      );
      host.update();
      await waitUntil(() => log.scrollTop === 900, 'scrolled to the bottom');
      log.scrollTop = 300;
      scroller.handleScroll();
      expect(scroller.atBottom).to.equal(false);
      content.style.height = '2000px';
      await nextFrame();
      await nextFrame();
      expect(log.scrollTop).to.equal(300);
      scroller.follow();
      expect(log.scrollTop).to.equal(1900);
      // Growth outside any host update (markdown rendered over several frames) is followed too.
      content.style.height = '2500px';
      await waitUntil(() => log.scrollTop === 2400, 'followed the growth');
      enabled = false;
      content.style.height = '3000px';
      await nextFrame();
      await nextFrame();
      expect(log.scrollTop).to.equal(2400);
    });
  });

  describe('ComposerController', () => {
    it('submits on Enter, never on Shift+Enter or during an IME composition', async () => {
      const input = await fixture<HTMLTextAreaElement>(html`<textarea></textarea>`);
      const host = new Host();
      let submits = 0;
      const composer = new ComposerController(host, () => input, { onSubmit: () => submits++, onDraftChange: () => {} });
      const key = (init: KeyboardEventInit) => composer.handleKeydown(new KeyboardEvent('keydown', { cancelable: true, ...init }));
      key({ key: 'Enter' });
      key({ key: 'Enter', shiftKey: true });
      key({ key: 'Enter', isComposing: true });
      key({ key: 'a' });
      expect(submits).to.equal(1);
    });

    it('persists every change, restores a draft only into an empty composer, and guards a double-click', async () => {
      const input = await fixture<HTMLTextAreaElement>(html`<textarea></textarea>`);
      const host = new Host();
      const saved: string[] = [];
      const composer = new ComposerController(host, () => input, { onSubmit: () => {}, onDraftChange: (d) => saved.push(d) });
      composer.restore('from storage');
      host.update();
      expect(input.value).to.equal('from storage');
      expect(input.selectionStart).to.equal('from storage'.length);
      composer.restore('ignored: something is there');
      expect(composer.draft).to.equal('from storage');
      composer.set('typed');
      expect(saved).to.deep.equal(['typed']);
      composer.markSent();
      expect(composer.stopIntended()).to.equal(false);
    });
  });

  describe('PersistenceController', () => {
    it('switches to another stored chat when the key changes, and restores its draft', () => {
      const storage = window.sessionStorage;
      storage.setItem('llm-chat:ctl-b:draft', JSON.stringify('draft of b'));
      const host = new Host();
      const chat = new ChatController(host, () => config());
      let key = 'ctl-a';
      const drafts: string[] = [];
      const persistence = new PersistenceController(host, chat.session, () => ({ mode: 'session', key }), {
        onUnavailable: () => {},
        onDraftRestored: (draft) => drafts.push(draft),
      });
      host.update();
      chat.session.setMessages([message('u1', 'user', 'complete', 'kept in a')]);
      persistence.saveTranscript();
      key = 'ctl-b';
      host.update();
      expect(drafts).to.deep.equal(['draft of b']);
      chat.session.setMessages([]);
      key = 'ctl-a';
      host.update();
      expect(chat.messages.map((m) => m.content)).to.deep.equal(['kept in a']);
      persistence.clear();
      persistence.hostDisconnected();
      storage.removeItem('llm-chat:ctl-b:draft');
    });
  });
});
