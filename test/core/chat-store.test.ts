import { expect } from '@open-wc/testing';
import { ChatSession } from '../../src/core/chat-session.js';
import { ChatStore } from '../../src/core/chat-store.js';
import type { ChatStoreOptions, StorageUnavailableReason } from '../../src/core/chat-store.js';
import { mergeStoredTranscripts, parseStoredTranscript } from '../../src/core/storage-record.js';
import type { StoredTranscript } from '../../src/core/storage-record.js';
import type { ChatMessage } from '../../src/core/types.js';
import { FakeClock } from '../support/fake-clock.js';

/** A Storage in memory that counts calls and can be made to fail. */
class MemoryStorage implements Storage {
  [name: string]: unknown;
  readonly data = new Map<string, string>();
  readonly sets: string[] = [];
  gets = 0;
  /** Total characters of keys and values that fit; a write beyond throws QuotaExceededError. */
  capacity = Infinity;
  /** Returns an error to throw from getItem/setItem/removeItem, or nothing. */
  fault: ((operation: 'get' | 'set' | 'remove', key: string) => unknown) | undefined;

  get length(): number {
    return this.data.size;
  }
  key(index: number): string | null {
    return [...this.data.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    this.gets++;
    this.check('get', key);
    return this.data.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.sets.push(key);
    this.check('set', key);
    let used = key.length + value.length;
    for (const [k, v] of this.data) if (k !== key) used += k.length + v.length;
    if (used > this.capacity) throw new DOMException('full', 'QuotaExceededError');
    this.data.set(key, value);
  }
  removeItem(key: string): void {
    this.check('remove', key);
    this.data.delete(key);
  }
  clear(): void {
    this.data.clear();
  }
  private check(operation: 'get' | 'set' | 'remove', key: string): void {
    const error = this.fault?.(operation, key);
    if (error) throw error;
  }
}

let keyCounter = 0;
let createdAt = 1_000;
const stores: ChatStore[] = [];

function message(id: string, content = `text of ${id}`, extra: Partial<ChatMessage> = {}): ChatMessage {
  return { id, role: extra.role ?? 'assistant', content, status: 'complete', createdAt: createdAt++, ...extra };
}

function store(options: Partial<ChatStoreOptions> & Pick<ChatStoreOptions, 'key'>): ChatStore {
  const created = new ChatStore({ mode: 'session', ...options });
  stores.push(created);
  return created;
}

function stored(storage: Storage, key: string): StoredTranscript {
  const raw = storage.getItem(`llm-chat:${key}:transcript`);
  expect(raw, 'a transcript is stored').to.be.a('string');
  return parseStoredTranscript(raw as string) as StoredTranscript;
}

const ids = (messages: readonly ChatMessage[]) => messages.map((m) => m.id);

/** What another tab's write looks like to this document. */
function otherTabWrote(key: string): void {
  window.dispatchEvent(new StorageEvent('storage', { key: `llm-chat:${key}:transcript`, storageArea: localStorage }));
}

/** Replaces `window.localStorage`/`sessionStorage` getters for one test; returns the restorer. */
function replaceStorageGetters(get: (name: 'localStorage' | 'sessionStorage', real: () => Storage) => Storage): () => void {
  const restorers: Array<() => void> = [];
  for (const name of ['localStorage', 'sessionStorage'] as const) {
    const own = Object.getOwnPropertyDescriptor(window, name);
    const descriptor = own ?? Object.getOwnPropertyDescriptor(Object.getPrototypeOf(window), name);
    const real = () => descriptor?.get?.call(window) as Storage;
    Object.defineProperty(window, name, { configurable: true, get: () => get(name, real) });
    restorers.push(() => {
      if (own) Object.defineProperty(window, name, own);
      else delete (window as unknown as Record<string, unknown>)[name];
    });
  }
  return () => restorers.forEach((restore) => restore());
}

function storageSnapshot(storage: Storage): string {
  return JSON.stringify(Object.entries(storage).sort());
}

describe('ChatStore', () => {
  let key: string;

  beforeEach(() => {
    key = `test-${Date.now()}-${keyCounter++}`;
  });

  afterEach(() => {
    for (const created of stores.splice(0)) created.destroy();
    for (const storage of [localStorage, sessionStorage]) {
      for (const name of Object.keys(storage)) if (name.startsWith('llm-chat:test-')) storage.removeItem(name);
    }
  });

  describe('round trip', () => {
    for (const mode of ['session', 'local'] as const) {
      it(`saves and loads the transcript and draft in ${mode} mode`, () => {
        const area = mode === 'local' ? localStorage : sessionStorage;
        const clock = new FakeClock();
        const messages = [
          message('u1', 'Hi', { role: 'user' }),
          message('a1', 'Hello **there**', { metrics: { attempts: 1, ttftMs: 120 } }),
        ];
        const writer = store({ key, mode, clock });
        writer.load();
        writer.saveTranscript(messages, { immediate: true });
        writer.saveDraft('half a thought');
        writer.flush();

        expect(Object.keys(area).filter((name) => name.includes(key))).to.have.members([
          `llm-chat:${key}:transcript`,
          `llm-chat:${key}:draft`,
        ]);
        expect(JSON.parse(area.getItem(`llm-chat:${key}:draft`) as string)).to.equal('half a thought');
        const record = JSON.parse(area.getItem(`llm-chat:${key}:transcript`) as string) as { version: number; messages: unknown };
        expect(record.version).to.equal(1);
        expect(record.messages).to.deep.equal(messages);

        const reader = store({ key, mode });
        expect(reader.load()).to.deep.equal({ messages, draft: 'half a thought' });
        expect(reader.available).to.equal(true);
      });
    }

    it('stores the streaming partial as content, and ChatSession restores it as interrupted', () => {
      const session = new ChatSession();
      const partial = message('a1', 'The answer so f', { status: 'streaming' });
      const tab = store({ key });
      tab.load();
      tab.saveTranscript([message('u1', 'Q', { role: 'user' }), partial], { immediate: true });

      const { messages } = store({ key }).load();
      expect(messages[1]).to.include({ status: 'streaming', content: 'The answer so f' });
      session.setMessages(messages);
      expect(session.messages[1]).to.include({ status: 'interrupted', content: 'The answer so f' });
    });

    it('reads a bare array of messages seeded by the page', () => {
      const seeded = [message('u1', 'Hi', { role: 'user' })];
      sessionStorage.setItem(`llm-chat:${key}:transcript`, JSON.stringify(seeded));
      expect(store({ key }).load().messages).to.deep.equal(seeded);
    });
  });

  describe('an answer streaming at the end of the transcript', () => {
    it('writes only that answer, under the live key, while the transcript array stays the same', () => {
      const partial = message('a2', 'The answer', { status: 'streaming' });
      const transcript = [message('u1', 'Q1', { role: 'user' }), message('a1', 'A1'), message('u2', 'Q2', { role: 'user' }), partial];
      const tab = store({ key });
      tab.load();
      tab.saveTranscript(transcript, { immediate: true, live: 'a2' });
      const whole = sessionStorage.getItem(`llm-chat:${key}:transcript`);
      partial.content = 'The answer so far';
      tab.saveTranscript(transcript, { immediate: true, live: 'a2' });

      expect(sessionStorage.getItem(`llm-chat:${key}:transcript`)).to.equal(whole);
      const live = JSON.parse(sessionStorage.getItem(`llm-chat:${key}:live`) as string) as { message: { content: string } };
      expect(live.message.content).to.equal('The answer so far');
      // A reload lays the live copy over the transcript's older one.
      const { messages } = store({ key }).load();
      expect(messages.map((m) => m.content)).to.deep.equal(['Q1', 'A1', 'Q2', 'The answer so far']);
    });

    it('writes the whole transcript when the array changed or no answer is named, and drops the live copy', () => {
      const partial = message('a1', 'Par', { status: 'streaming' });
      const first = [message('u1', 'Q', { role: 'user' }), partial];
      const tab = store({ key });
      tab.load();
      tab.saveTranscript(first, { immediate: true, live: 'a1' });
      partial.content = 'Partial';
      tab.saveTranscript(first, { immediate: true, live: 'a1' });
      expect(sessionStorage.getItem(`llm-chat:${key}:live`)).to.not.equal(null);

      partial.content = 'Partial answer';
      partial.status = 'complete';
      tab.saveTranscript(first, { immediate: true });
      expect(sessionStorage.getItem(`llm-chat:${key}:live`)).to.equal(null);
      expect(store({ key }).load().messages.at(-1)).to.include({ content: 'Partial answer', status: 'complete' });

      // A new array (a message added) is written whole even when an answer is named.
      const second = [...first, message('u2', 'Q2', { role: 'user' }), message('a2', '', { status: 'pending' })];
      tab.saveTranscript(second, { immediate: true, live: 'a2' });
      expect(store({ key }).load().messages).to.have.length(4);
    });

    it('ignores a live copy of a message the transcript does not hold, or one that is unreadable', () => {
      const transcript = [message('u1', 'Q', { role: 'user' }), message('a1', 'A')];
      const tab = store({ key });
      tab.load();
      tab.saveTranscript(transcript, { immediate: true });
      sessionStorage.setItem(`llm-chat:${key}:live`, JSON.stringify({ version: 1, message: message('zz', 'Stray') }));
      expect(
        store({ key })
          .load()
          .messages.map((m) => m.content),
      ).to.deep.equal(['Q', 'A']);
      sessionStorage.setItem(`llm-chat:${key}:live`, '{"version":1,"message":{"id":"a1"}');
      expect(
        store({ key })
          .load()
          .messages.map((m) => m.content),
      ).to.deep.equal(['Q', 'A']);
    });

    it('clear() removes the live copy too', () => {
      const partial = message('a1', 'P', { status: 'streaming' });
      const transcript = [message('u1', 'Q', { role: 'user' }), partial];
      const tab = store({ key });
      tab.load();
      tab.saveTranscript(transcript, { immediate: true, live: 'a1' });
      partial.content = 'Pa';
      tab.saveTranscript(transcript, { immediate: true, live: 'a1' });
      tab.clear();
      expect(Object.keys(sessionStorage).filter((name) => name.includes(key))).to.deep.equal([]);
    });
  });

  describe('throttling', () => {
    it('writes a burst of saves at most once per throttleMs, ending with the latest state', async () => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      const tab = store({ key, storage, clock });
      tab.load();
      const answer = message('a1', '', { status: 'streaming' });
      const transcript = [message('u1', 'Q', { role: 'user' }), answer];
      const transcriptWrites = () => storage.sets.filter((name) => name.endsWith(':transcript')).length;

      for (let i = 0; i < 50; i++) {
        answer.content += `w${i} `;
        tab.saveTranscript(transcript);
      }
      expect(transcriptWrites(), 'the first call writes at once').to.equal(1);
      await clock.advance(399);
      expect(transcriptWrites()).to.equal(1);
      await clock.advance(1);
      expect(transcriptWrites(), 'one trailing write').to.equal(2);
      expect(stored(storage, key).messages[1]?.content).to.equal(answer.content);

      // Deltas every 50 ms for 2 s: about one write per 400 ms, never more than 500 ms behind.
      for (let t = 0; t < 2_000; t += 50) {
        answer.content += '.';
        tab.saveTranscript(transcript);
        await clock.advance(50);
        const behind = answer.content.length - (stored(storage, key).messages[1]?.content.length ?? 0);
        expect(behind, 'characters not yet stored').to.be.at.most(10);
      }
      expect(transcriptWrites()).to.be.within(6, 8);
      await clock.advance(400);
      expect(stored(storage, key).messages[1]?.content).to.equal(answer.content);
      expect(clock.pending).to.equal(0);
    });

    it('writes at once with immediate and cancels the pending write', async () => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      const tab = store({ key, storage, clock });
      tab.load();
      const answer = message('a1', 'part', { status: 'streaming' });
      tab.saveTranscript([answer]);
      tab.saveTranscript([{ ...answer, content: 'partial' }]);
      expect(storage.sets).to.have.length(1);

      tab.saveTranscript([{ ...answer, content: 'partial answer', status: 'complete' }], { immediate: true });
      expect(storage.sets).to.have.length(2);
      expect(stored(storage, key).messages[0]).to.include({ content: 'partial answer', status: 'complete' });
      await clock.advance(1_000);
      expect(storage.sets, 'no stale trailing write').to.have.length(2);
    });

    it('flushes pending writes on flush() and on pagehide', async () => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      const tab = store({ key, storage, clock });
      tab.load();
      tab.saveTranscript([message('a1', 'one')]);
      tab.saveTranscript([message('a1', 'one two')]);
      tab.saveDraft('typed');
      tab.flush();
      expect(stored(storage, key).messages[0]?.content).to.equal('one two');
      expect(storage.data.get(`llm-chat:${key}:draft`)).to.equal('"typed"');

      tab.saveTranscript([message('a1', 'one two three')]);
      tab.saveDraft('typed more');
      window.dispatchEvent(new PageTransitionEvent('pagehide'));
      expect(stored(storage, key).messages[0]?.content).to.equal('one two three');
      expect(storage.data.get(`llm-chat:${key}:draft`)).to.equal('"typed more"');
      expect(clock.pending, 'nothing left to write').to.equal(0);
    });

    it('flushes on destroy and stops listening', () => {
      const storage = new MemoryStorage();
      const tab = store({ key, storage, clock: new FakeClock() });
      tab.load();
      tab.saveTranscript([message('a1')]);
      tab.saveTranscript([message('a1', 'last words')]);
      tab.destroy();
      expect(stored(storage, key).messages[0]?.content).to.equal('last words');
      const writes = storage.sets.length;
      tab.saveTranscript([message('a1', 'after')], { immediate: true });
      window.dispatchEvent(new PageTransitionEvent('pagehide'));
      expect(storage.sets).to.have.length(writes);
    });
  });

  describe('draft', () => {
    it('writes the draft once typing pauses for draftDelayMs, and removes it when emptied', async () => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      const tab = store({ key, storage, clock });
      tab.load();
      const draftKey = `llm-chat:${key}:draft`;
      for (const text of ['H', 'He', 'Hel', 'Hell', 'Hello']) {
        tab.saveDraft(text);
        await clock.advance(100);
      }
      expect(storage.data.has(draftKey), 'still typing').to.equal(false);
      await clock.advance(149);
      expect(storage.data.has(draftKey)).to.equal(false);
      await clock.advance(1);
      expect(storage.data.get(draftKey), 'within 250 ms of the last keystroke').to.equal('"Hello"');
      expect(storage.sets.filter((name) => name === draftKey)).to.have.length(1);
      expect(store({ key, storage }).load().draft).to.equal('Hello');

      tab.saveDraft('');
      await clock.advance(250);
      expect(storage.data.has(draftKey)).to.equal(false);
      expect(store({ key, storage }).load().draft).to.equal('');
    });
  });

  describe("mode 'none'", () => {
    it('touches no storage API at all', async () => {
      const untouchable = new Proxy({} as Storage, {
        get: () => {
          throw new Error('storage was touched');
        },
      });
      let factoryCalls = 0;
      let getterCalls = 0;
      const before = [storageSnapshot(localStorage), storageSnapshot(sessionStorage)];
      const restore = replaceStorageGetters((_name, real) => {
        getterCalls++;
        return real();
      });
      const clock = new FakeClock();
      const unavailable: StorageUnavailableReason[] = [];
      try {
        for (const storage of [untouchable, () => (factoryCalls++, untouchable), undefined]) {
          const tab = new ChatStore({
            mode: 'none',
            key,
            clock,
            onUnavailable: (reason) => unavailable.push(reason),
            ...(storage ? { storage } : {}),
          });
          expect(tab.load()).to.deep.equal({ messages: [], draft: '' });
          tab.saveTranscript([message('a1')]);
          tab.saveTranscript([message('a1', 'more')], { immediate: true });
          tab.saveDraft('draft');
          await clock.advance(1_000);
          tab.flush();
          window.dispatchEvent(new PageTransitionEvent('pagehide'));
          window.dispatchEvent(new StorageEvent('storage', { key: `llm-chat:${key}:transcript` }));
          tab.clear();
          tab.destroy();
          expect(tab.available).to.equal(true);
        }
      } finally {
        restore();
      }
      expect(factoryCalls).to.equal(0);
      expect(getterCalls).to.equal(0);
      expect(unavailable).to.deep.equal([]);
      expect([storageSnapshot(localStorage), storageSnapshot(sessionStorage)]).to.deep.equal(before);
    });
  });

  describe('storage faults', () => {
    it('keeps working in memory when storage is full, reports quota once, and retries now and then', async () => {
      const clock = new FakeClock();
      const storage = new MemoryStorage();
      storage.capacity = 10;
      const unavailable: StorageUnavailableReason[] = [];
      const tab = store({ key, storage, clock, onUnavailable: (reason) => unavailable.push(reason) });
      tab.load();
      const answer = message('a1', '', { status: 'streaming' });
      for (let i = 0; i < 100; i++) {
        answer.content += 'x';
        expect(() => tab.saveTranscript([answer])).not.to.throw();
        await clock.advance(50);
      }
      tab.saveTranscript([answer], { immediate: true });
      tab.saveDraft('draft');
      await clock.advance(300);
      tab.flush();

      expect(unavailable).to.deep.equal(['quota']);
      expect(tab.available).to.equal(false);
      // The first write tries twice (after removing the old value); the draft is small and still tried.
      expect(storage.sets.filter((name) => name.endsWith(':transcript'))).to.have.length(2);
      expect(tab.load().messages[0]?.content, 'the transcript lives on in memory').to.equal(answer.content);

      storage.capacity = Infinity;
      tab.saveTranscript([answer]);
      await clock.advance(30_000);
      tab.saveTranscript([answer]);
      await clock.advance(400);
      expect(tab.available, 'space came back').to.equal(true);
      expect(stored(storage, key).messages[0]?.content).to.equal(answer.content);
      expect(unavailable).to.have.length(1);
    });

    it('frees the old value of the same key before giving up', () => {
      const storage = new MemoryStorage();
      const unavailable: StorageUnavailableReason[] = [];
      const tab = store({ key, storage, onUnavailable: (reason) => unavailable.push(reason) });
      tab.load();
      tab.saveTranscript([message('a1', 'x'.repeat(400))], { immediate: true });
      storage.capacity = (storage.data.get(`llm-chat:${key}:transcript`)?.length ?? 0) + 700;
      tab.saveTranscript([message('a1', 'y'.repeat(600))], { immediate: true });
      expect(unavailable).to.deep.equal([]);
      expect(tab.available).to.equal(true);
      expect(stored(storage, key).messages[0]?.content).to.equal('y'.repeat(600));
    });

    it('puts the old value back when even the freed space is not enough', () => {
      const storage = new MemoryStorage();
      const tab = store({ key, storage, onUnavailable: () => {} });
      tab.load();
      const first = [message('a1', 'short')];
      tab.saveTranscript(first, { immediate: true });
      storage.capacity = 1_000;
      tab.saveTranscript([message('a1', 'z'.repeat(2_000))], { immediate: true });
      expect(tab.available).to.equal(false);
      expect(stored(storage, key).messages).to.deep.equal(first);
    });

    it("reports 'disabled' when reaching the storage throws a SecurityError", async () => {
      let accesses = 0;
      const restore = replaceStorageGetters(() => {
        accesses++;
        throw new DOMException('denied', 'SecurityError');
      });
      const unavailable: StorageUnavailableReason[] = [];
      const clock = new FakeClock();
      try {
        const tab = new ChatStore({ mode: 'session', key, clock, onUnavailable: (reason) => unavailable.push(reason) });
        stores.push(tab);
        expect(tab.load()).to.deep.equal({ messages: [], draft: '' });
        for (let i = 0; i < 10; i++) tab.saveTranscript([message('a1', `v${i}`)]);
        tab.saveDraft('d');
        await clock.advance(1_000);
        tab.flush();
        tab.clear();
        expect(tab.available).to.equal(false);
      } finally {
        restore();
      }
      expect(unavailable).to.deep.equal(['disabled']);
      expect(accesses, 'not asked again after refusing').to.equal(1);
    });

    it("reports 'disabled' when storage methods throw a SecurityError", async () => {
      const storage = new MemoryStorage();
      storage.fault = () => new DOMException('denied', 'SecurityError');
      const unavailable: StorageUnavailableReason[] = [];
      const clock = new FakeClock();
      const tab = store({ key, storage, clock, onUnavailable: (reason) => unavailable.push(reason) });
      expect(tab.load()).to.deep.equal({ messages: [], draft: '' });
      const calls = storage.gets + storage.sets.length;
      for (let i = 0; i < 10; i++) tab.saveTranscript([message('a1', `v${i}`)]);
      await clock.advance(1_000);
      expect(unavailable).to.deep.equal(['disabled']);
      expect(storage.gets + storage.sets.length, 'no further attempts').to.equal(calls);
      expect(tab.load().messages[0]?.content, 'kept in memory').to.equal('v9');
    });

    it("reports 'disabled' once when only writes are refused", () => {
      const storage = new MemoryStorage();
      storage.fault = (operation) => (operation === 'set' ? new DOMException('denied', 'SecurityError') : undefined);
      const unavailable: StorageUnavailableReason[] = [];
      const tab = store({ key, storage, onUnavailable: (reason) => unavailable.push(reason) });
      tab.load();
      for (let i = 0; i < 5; i++) tab.saveTranscript([message('a1', `v${i}`)], { immediate: true });
      expect(unavailable).to.deep.equal(['disabled']);
      expect(storage.sets).to.have.length(1);
    });

    for (const [name, value] of [
      ['unparseable JSON', '{"version":1,"messages":[{"id":'],
      ['a wrong shape', '{"messages": 5}'],
      ['an invalid message', '[{"id": 1, "role": "user", "content": "hi", "status": "complete", "createdAt": 1}]'],
      ['an unknown status', '[{"id": "a", "role": "user", "content": "hi", "status": "done", "createdAt": 1}]'],
      ['an unknown version', '{"version": 2, "messages": []}'],
    ] as const) {
      it(`sets aside ${name} and starts empty`, () => {
        const transcriptKey = `llm-chat:${key}:transcript`;
        sessionStorage.setItem(transcriptKey, value);
        const unavailable: StorageUnavailableReason[] = [];
        const tab = store({ key, onUnavailable: (reason) => unavailable.push(reason) });
        let loaded: ReturnType<ChatStore['load']> | undefined;
        expect(() => (loaded = tab.load())).not.to.throw();
        expect(loaded?.messages).to.deep.equal([]);
        expect(unavailable).to.deep.equal(['corrupted']);
        expect(sessionStorage.getItem(transcriptKey)).to.equal(null);
        const aside = Object.keys(sessionStorage).filter((name) => name.startsWith(`llm-chat:${key}:corrupt:transcript:`));
        expect(aside).to.have.length(1);
        expect(sessionStorage.getItem(aside[0] as string), 'original preserved').to.equal(value);

        // Saving goes on, and the set-aside copy is left alone.
        tab.saveTranscript([message('u1', 'new', { role: 'user' })], { immediate: true });
        expect(
          store({ key })
            .load()
            .messages.map((m) => m.content),
        ).to.deep.equal(['new']);
        expect(sessionStorage.getItem(aside[0] as string)).to.equal(value);
        expect(tab.available).to.equal(true);
        expect(unavailable).to.have.length(1);
      });
    }

    it('sets aside an unreadable draft', () => {
      sessionStorage.setItem(`llm-chat:${key}:draft`, 'not json');
      const unavailable: StorageUnavailableReason[] = [];
      expect(store({ key, onUnavailable: (reason) => unavailable.push(reason) }).load().draft).to.equal('');
      expect(unavailable).to.deep.equal(['corrupted']);
      const aside = Object.keys(sessionStorage).filter((name) => name.startsWith(`llm-chat:${key}:corrupt:draft:`));
      expect(aside.map((name) => sessionStorage.getItem(name))).to.deep.equal(['not json']);
    });

    it('survives a throwing onUnavailable callback and reports its error as uncaught', () => {
      const storage = new MemoryStorage();
      storage.capacity = 0;
      const tab = store({
        key,
        storage,
        onUnavailable: () => {
          throw new Error('page bug');
        },
      });
      // The store rethrows a callback's error in a microtask; catching that task here keeps
      // the deliberate error out of the runner's log.
      const scheduled: VoidFunction[] = [];
      const realQueueMicrotask = window.queueMicrotask;
      window.queueMicrotask = (callback) => scheduled.push(callback);
      try {
        expect(() => tab.saveTranscript([message('a1')], { immediate: true })).not.to.throw();
      } finally {
        window.queueMicrotask = realQueueMicrotask;
      }
      expect(tab.available).to.equal(false);
      expect(scheduled).to.have.length(1);
      expect(() => scheduled[0]?.()).to.throw('page bug');
    });
  });

  describe('two tabs (local mode)', () => {
    function tab(onExternalChange?: (messages: ChatMessage[]) => void) {
      const changes: ChatMessage[][] = [];
      const created = store({
        key,
        mode: 'local',
        onExternalChange: (messages) => {
          changes.push(messages);
          onExternalChange?.(messages);
        },
      });
      return { store: created, changes, messages: created.load().messages };
    }

    it('keeps messages both tabs appended concurrently, without duplicates', () => {
      const m0 = message('m0', 'shared', { role: 'user' });
      store({ key, mode: 'local' }).saveTranscript([m0], { immediate: true });
      const a = tab();
      const b = tab();
      // A and B each send a question; B has not heard of A's yet.
      const [q1, a1, q2, a2] = [
        message('q1', 'from A', { role: 'user' }),
        message('a1', 'answer A'),
        message('q2', 'from B', { role: 'user' }),
        message('a2', 'answer B'),
      ] as [ChatMessage, ChatMessage, ChatMessage, ChatMessage];
      a.store.saveTranscript([...a.messages, q1, a1], { immediate: true });
      b.store.saveTranscript([...b.messages, q2, a2], { immediate: true });
      otherTabWrote(key);

      const expected = ['m0', 'q1', 'a1', 'q2', 'a2'];
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(expected);
      expect(b.changes.map(ids), 'B learns of A while writing').to.deep.equal([expected]);
      expect(a.changes.map(ids), 'A learns of B through the storage event').to.deep.equal([expected]);
      expect(a.changes[0]?.[3]).to.deep.equal(q2);
    });

    it('interleaves by creation time and keeps same-millisecond pairs in order', () => {
      const a = tab();
      const b = tab();
      const pair = (id: string, at: number) => [
        message(`${id}-q`, id, { role: 'user', createdAt: at }),
        message(`${id}-a`, id, { createdAt: at }),
      ];
      a.store.saveTranscript([...pair('A1', 10), ...pair('A2', 30)], { immediate: true });
      b.store.saveTranscript([...pair('B1', 20), ...pair('B2', 30)], { immediate: true });
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(['A1-q', 'A1-a', 'B1-q', 'B1-a', 'B2-q', 'B2-a', 'A2-q', 'A2-a']);
    });

    it("does not call onExternalChange for this tab's own writes", () => {
      const a = tab();
      a.store.saveTranscript([message('m1')], { immediate: true });
      otherTabWrote(key);
      otherTabWrote(key);
      expect(a.changes).to.deep.equal([]);
    });

    it("lets an update win over the other tab's stale copy", () => {
      const m1 = message('m1', 'v1');
      store({ key, mode: 'local' }).saveTranscript([m1], { immediate: true });
      const a = tab();
      const b = tab();
      a.store.saveTranscript([{ ...m1, content: 'v2 edited in A' }], { immediate: true });
      const m2 = message('m2', 'added in B');
      b.store.saveTranscript([m1, m2], { immediate: true });
      otherTabWrote(key);

      const record = stored(localStorage, key);
      expect(record.messages.map((m) => m.content)).to.deep.equal(['v2 edited in A', 'added in B']);
      expect(record.revisions['m1']).to.be.greaterThan(1);
      expect(b.changes.at(-1)?.map((m) => m.content)).to.deep.equal(['v2 edited in A', 'added in B']);
      expect(a.changes.at(-1)?.map((m) => m.content)).to.deep.equal(['v2 edited in A', 'added in B']);

      // B applies the merge, then edits m1 itself: the newer revision wins again.
      b.store.saveTranscript(b.changes.at(-1) as ChatMessage[], { immediate: true });
      b.store.saveTranscript([{ ...m1, content: 'v3 edited in B' }, m2], { immediate: true });
      otherTabWrote(key);
      expect(stored(localStorage, key).messages.map((m) => m.content)).to.deep.equal(['v3 edited in B', 'added in B']);
      expect(a.changes.at(-1)?.[0]?.content).to.equal('v3 edited in B');
    });

    it("does not overwrite another tab's update with a copy this tab has not applied yet", () => {
      const m1 = message('m1', 'v1');
      store({ key, mode: 'local' }).saveTranscript([m1], { immediate: true });
      const a = tab();
      const b = tab();
      a.store.saveTranscript([{ ...m1, content: 'v2 edited in A' }], { immediate: true });
      otherTabWrote(key);
      expect(b.changes.at(-1)?.[0]?.content, 'B was told').to.equal('v2 edited in A');
      // B is busy (say, streaming) and saves its own copy before applying the change.
      const m2 = message('m2', 'added in B');
      b.store.saveTranscript([m1, m2], { immediate: true });
      expect(stored(localStorage, key).messages.map((m) => m.content)).to.deep.equal(['v2 edited in A', 'added in B']);
    });

    it('does not resurrect messages another tab removed', () => {
      const m1 = message('m1', 'one');
      const m2 = message('m2', 'two');
      store({ key, mode: 'local' }).saveTranscript([m1, m2], { immediate: true });
      const a = tab();
      const b = tab();
      a.store.saveTranscript([m1], { immediate: true });
      const m3 = message('m3', 'three');
      b.store.saveTranscript([m1, m2, m3], { immediate: true });
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(['m1', 'm3']);
      expect(b.changes.map(ids)).to.deep.equal([['m1', 'm3']]);

      // A clears everything (the element's Clear): B, still showing m1 and m3, adds m4.
      a.store.saveTranscript([], { immediate: true });
      a.store.clear();
      const m4 = message('m4', 'four');
      b.store.saveTranscript([m1, m2, m3, m4], { immediate: true });
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(['m4']);
      expect(localStorage.getItem(`llm-chat:${key}:draft`)).to.equal(null);
      otherTabWrote(key);
      // A heard of m3 when it wrote its removal (it had never shown m3, so that removal left it).
      expect(a.changes.map(ids)).to.deep.equal([['m3'], ['m4']]);
    });

    it('keeps a removal when the other tab goes on streaming into the removed answer', () => {
      const q = message('q', 'Q', { role: 'user' });
      const answer = message('a', 'partial', { status: 'streaming' });
      const a = tab();
      a.store.saveTranscript([q, answer], { immediate: true });
      const b = tab();
      b.store.clear();
      a.store.saveTranscript([q, { ...answer, content: 'partial and more' }], { immediate: true });
      expect(stored(localStorage, key).messages).to.deep.equal([]);
      expect(a.changes).to.deep.equal([[]]);
    });

    it("does not write back another tab's answer in progress as interrupted", () => {
      const session = new ChatSession();
      const streamer = tab();
      const transcript = [message('q', 'Q', { role: 'user' }), message('a', 'It is', { status: 'streaming' })];
      streamer.store.saveTranscript(transcript, { immediate: true });
      const viewer = tab((messages) => {
        session.setMessages(messages);
        viewer.store.saveTranscript(session.messages, { immediate: true });
      });
      session.setMessages(viewer.messages);
      viewer.store.saveTranscript(session.messages, { immediate: true });
      expect(session.messages[1]?.status, 'the viewer shows it as restored').to.equal('interrupted');

      const transcriptRaw = () => localStorage.getItem(`llm-chat:${key}:transcript`);
      const before = transcriptRaw();
      (transcript[1] as ChatMessage).content = 'It is streaming';
      streamer.store.saveTranscript(transcript, { immediate: true });
      otherTabWrote(key);
      expect(viewer.changes.at(-1)?.[1]).to.include({ content: 'It is streaming', status: 'streaming' });
      expect(transcriptRaw()).not.to.equal(before);
      expect(stored(localStorage, key).messages[1]?.status).to.equal('streaming');
      expect(streamer.changes, 'the streaming tab is not disturbed').to.deep.equal([]);
    });

    it('writes back messages lost when another tab wrote over them in the same instant', () => {
      const a = tab();
      const b = tab();
      const transcriptKey = `llm-chat:${key}:transcript`;
      a.store.saveTranscript([message('m1', 'from A')], { immediate: true });
      const lostByRace = localStorage.getItem(transcriptKey);
      b.store.saveTranscript([message('m2', 'from B')], { immediate: true });
      // A's write lands after B's without having seen it.
      localStorage.setItem(transcriptKey, lostByRace as string);
      otherTabWrote(key);
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(['m1', 'm2']);
      const settled = localStorage.getItem(transcriptKey);
      otherTabWrote(key);
      expect(localStorage.getItem(transcriptKey), 'no further writes').to.equal(settled);
      expect(b.changes.map(ids)).to.deep.equal([['m1', 'm2']]);
    });

    it("stores this tab's view again when the key was removed behind its back", () => {
      const a = tab();
      const m1 = message('m1');
      a.store.saveTranscript([m1], { immediate: true });
      localStorage.removeItem(`llm-chat:${key}:transcript`);
      otherTabWrote(key);
      expect(a.changes).to.deep.equal([]);
      const m2 = message('m2');
      a.store.saveTranscript([m1, m2], { immediate: true });
      expect(ids(stored(localStorage, key).messages)).to.deep.equal(['m1', 'm2']);
    });
  });

  describe('mergeStoredTranscripts', () => {
    const record = (messages: ChatMessage[], revisions: Record<string, number> = {}, deleted: Record<string, number> = {}) => ({
      messages,
      revisions,
      deleted,
    });

    it('takes the higher revision from either side and breaks ties the same way both ways round', () => {
      const older = message('x', 'older');
      const newer = { ...older, content: 'newer' };
      expect(mergeStoredTranscripts(record([older], { x: 1 }), record([newer], { x: 2 })).messages[0]?.content).to.equal('newer');
      expect(mergeStoredTranscripts(record([newer], { x: 2 }), record([older], { x: 1 })).messages[0]?.content).to.equal('newer');
      const tieAB = mergeStoredTranscripts(record([older], { x: 3 }), record([newer], { x: 3 }));
      const tieBA = mergeStoredTranscripts(record([newer], { x: 3 }), record([older], { x: 3 }));
      expect(tieAB).to.deep.equal(tieBA);
    });

    it('lets a tombstone beat a live copy of equal or lower revision only', () => {
      const x = message('x');
      expect(mergeStoredTranscripts(record([x], { x: 2 }), record([], {}, { x: 2 }))).to.deep.equal(record([], {}, { x: 2 }));
      expect(mergeStoredTranscripts(record([], {}, { x: 2 }), record([x], { x: 3 }))).to.deep.equal(record([x], { x: 3 }));
    });

    it('is idempotent', () => {
      const base = record([message('a'), message('b'), message('c')], { a: 1, b: 2, c: 1 }, { z: 4 });
      const incoming = record([message('a'), message('d')], { a: 1, d: 1 }, { b: 3 });
      const once = mergeStoredTranscripts(base, incoming);
      expect(mergeStoredTranscripts(base, once)).to.deep.equal(once);
      expect(mergeStoredTranscripts(once, once)).to.deep.equal(once);
      expect(ids(once.messages)).to.deep.equal(['a', 'c', 'd']);
      expect(once.deleted).to.deep.equal({ b: 3, z: 4 });
    });
  });
});
