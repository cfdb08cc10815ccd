import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import {
  STORED_TRANSCRIPT_VERSION,
  canonicalJson,
  emptyStoredTranscript,
  isChatMessage,
  mergeStoredTranscripts,
  parseStoredTranscript,
  serializeStoredTranscript,
} from './storage-record.js';
import type { StoredTranscript } from './storage-record.js';
import { GuardedStorage, callSafely } from './guarded-storage.js';
import type { PersistMode, StorageUnavailableReason } from './guarded-storage.js';
import type { ChatMessage } from './types.js';

export type { PersistMode, StorageUnavailableReason } from './guarded-storage.js';

export interface ChatStoreOptions {
  /** `session` → `sessionStorage`, `local` → `localStorage`, `none` → no storage API is touched. */
  mode: PersistMode;
  /**
   * The chat's persist key; storage keys are `llm-chat:<key>:transcript`, `llm-chat:<key>:live`
   * (the answer being streamed, see {@link ChatStore.saveTranscript}) and `llm-chat:<key>:draft`.
   */
  key: string;
  /**
   * Least time between two transcript writes while calls keep coming (once per delta while
   * streaming). The latest state is always written in the end.
   * @defaultValue 400
   */
  throttleMs?: number;
  /**
   * Quiet time after the last `saveDraft` before the draft is written.
   * @defaultValue 250
   */
  draftDelayMs?: number;
  /**
   * The storage to use instead of `sessionStorage`/`localStorage`, or a function returning it
   * (called once, on first use; a throw counts as storage being disabled).
   */
  storage?: Storage | (() => Storage);
  /** Timers and the time for throttling and quota retries. @defaultValue the system clock */
  clock?: Clock;
  /**
   * Called once per store, the first time storage fails or held unreadable data, so the
   * element can say once that history won't be saved. The store keeps working in memory.
   */
  onUnavailable?: (reason: StorageUnavailableReason) => void;
  /**
   * Another tab changed this chat (local mode): receives the merged transcript, which keeps
   * this tab's unsaved messages too. Not called for this tab's own writes.
   */
  onExternalChange?: (messages: ChatMessage[]) => void;
}

const PREFIX = 'llm-chat:';

/** The value under `llm-chat:<key>:live`: one answer, newer than its copy in the transcript. */
interface StoredLiveMessage {
  version: typeof STORED_TRANSCRIPT_VERSION;
  message: ChatMessage;
}

/**
 * Persists one chat's transcript and draft in Web Storage (DESIGN.md §3, §6).
 *
 * Transcript writes are throttled (a streaming answer calls once per delta) and always end
 * with the latest state; the draft is debounced. Pending writes are flushed on `pagehide` and
 * when the page becomes hidden, the last moments a browser reliably gives a page. Storage
 * that is full, blocked or corrupted never throws out of this class: it reports once through
 * `onUnavailable` and carries on in memory. In `local` mode two tabs on one key merge their
 * writes by message id and revision, so neither loses the other's messages, and each learns
 * of the other's changes through the `storage` event.
 *
 * While an answer streams, only that answer changes; rewriting the whole transcript for it
 * would cost as much as the transcript is long, every time (a megabyte-sized conversation
 * would spend most of the stream serializing). Such saves write just the answer, under the
 * `live` key, which `load()` lays over its older copy in the transcript. Other tabs see the
 * answer when the next whole-transcript write comes (at the latest when it ends).
 *
 * Call `load()` before the first save: the messages it returns are what this tab is taken to
 * show, which is what lets a later save tell a removal here from a message another tab added.
 */
export class ChatStore {
  private readonly mode: PersistMode;
  private readonly transcriptKey: string;
  private readonly liveKey: string;
  private readonly draftKey: string;
  private readonly throttleMs: number;
  private readonly draftDelayMs: number;
  private readonly clock: Clock;
  private readonly options: ChatStoreOptions;

  private readonly guard: GuardedStorage;
  private destroyed = false;

  /** This tab's merged knowledge of the chat: what it last wrote or read, plus tombstones. */
  private seen: StoredTranscript = emptyStoredTranscript();
  /** The stored string already folded into `seen`; `undefined` when unknown. */
  private lastRaw: string | null | undefined;
  /** Backing field of `lastInput`. */
  private lastInputs = new Map<string, string>();
  /**
   * Set by `load()`: the last input is what was loaded, and its canonical JSON is computed on
   * first use (a long transcript would otherwise be serialized once more on every page load).
   */
  private lastInputLoaded: readonly ChatMessage[] | undefined;
  private lastNotified: string | undefined;
  private readonly canonical = new WeakMap<ChatMessage, string>();

  private pendingMessages: readonly ChatMessage[] | undefined;
  /** Whether the pending write must be of the whole transcript (anything but one answer changed). */
  private pendingWhole = false;
  /** The answer a pending write may write on its own, when only it changed. */
  private pendingLive: string | undefined;
  /** The array of the last whole-transcript write: the same array again means the same messages. */
  private wholeInput: readonly ChatMessage[] | undefined;
  /** Whether the live key may hold a value. */
  private liveStored = false;
  private transcriptTimer: unknown;
  private lastWriteAt = -Infinity;
  private memoryMessages: readonly ChatMessage[] = [];

  private pendingDraft: string | undefined;
  private draftTimer: unknown;
  private storedDraft = '';
  private memoryDraft = '';

  constructor(options: ChatStoreOptions) {
    this.options = options;
    this.mode = options.mode;
    this.transcriptKey = `${PREFIX}${options.key}:transcript`;
    this.liveKey = `${PREFIX}${options.key}:live`;
    this.draftKey = `${PREFIX}${options.key}:draft`;
    this.throttleMs = options.throttleMs ?? 400;
    this.draftDelayMs = options.draftDelayMs ?? 250;
    this.clock = options.clock ?? systemClock;
    this.guard = new GuardedStorage({
      mode: options.mode,
      storage: options.storage,
      clock: this.clock,
      corruptPrefix: `${PREFIX}${options.key}:corrupt:`,
      onUnavailable: options.onUnavailable,
    });
    if (this.mode === 'none' || typeof window === 'undefined') return;
    // sessionStorage is per tab, so only local mode can hear from another tab.
    if (this.mode === 'local') window.addEventListener('storage', this.handleStorage);
    window.addEventListener('pagehide', this.handlePageHide);
    if (typeof document !== 'undefined') document.addEventListener('visibilitychange', this.handleVisibilityChange);
  }

  /** False once storage has failed (full or blocked); the store then works in memory. */
  get available(): boolean {
    return this.guard.fault === undefined;
  }

  /**
   * Reads the stored transcript and draft. Messages come back as stored, a streaming partial
   * included (`ChatSession.setMessages` turns it into `interrupted`). They are the store's own
   * objects, not copies: treat them as read-only (`ChatSession.setMessages` copies them), which
   * spares a long transcript a deep copy on every page load. An unreadable value is moved to
   * `llm-chat:<key>:corrupt:<transcript|draft>:<time>` and reported as `corrupted`.
   *
   * @returns The transcript (empty when nothing is stored or storage is unusable) and the draft
   *   (`''` when none). Never throws.
   */
  load(): { messages: ChatMessage[]; draft: string } {
    this.flush();
    // After a failure, storage holds older data than memory (or none at all).
    const storage = this.guard.fault === undefined ? this.guard.open() : undefined;
    const raw = storage && this.guard.read(storage, this.transcriptKey);
    if (!storage || raw === undefined) return this.memorySnapshot();

    let record = emptyStoredTranscript();
    this.lastRaw = raw;
    if (raw !== null) {
      const parsed = parseStoredTranscript(raw);
      if (parsed) {
        record = this.withLive(storage, parsed);
      } else {
        this.guard.setAside(storage, this.transcriptKey, 'transcript', raw);
        this.lastRaw = undefined;
      }
    }
    this.seen = record;
    this.lastInput = new Map();
    this.lastInputLoaded = record.messages;
    const messages = [...record.messages];
    this.memoryMessages = messages;

    const rawDraft = this.guard.read(storage, this.draftKey);
    let draft = '';
    if (typeof rawDraft === 'string') {
      const parsed = parseDraft(rawDraft);
      if (parsed === undefined) this.guard.setAside(storage, this.draftKey, 'draft', rawDraft);
      else draft = parsed;
    }
    this.storedDraft = draft;
    this.memoryDraft = draft;
    return { messages, draft };
  }

  /**
   * Saves the transcript: at once if nothing was written for `throttleMs`, else once that
   * time is up, with whatever the latest call passed. Messages are serialized when written,
   * so the live array of a streaming session can be passed as is.
   *
   * @param messages - The whole transcript as this tab shows it.
   * @param options - `immediate` writes now, cancelling a pending write (terminal states).
   *   `live` names the answer being streamed: when `messages` is the very array of the last
   *   whole-transcript write, the caller vouches that only that answer changed since, and it
   *   is written on its own (the caller replaces the array on any other change).
   */
  saveTranscript(messages: readonly ChatMessage[], options?: { immediate?: boolean; live?: string }): void {
    this.memoryMessages = messages;
    if (this.mode === 'none' || this.destroyed) return;
    this.pendingMessages = messages;
    const live = options?.live;
    if (live === undefined || messages !== this.wholeInput || (this.pendingLive !== undefined && this.pendingLive !== live)) {
      this.pendingWhole = true;
    }
    this.pendingLive = live;
    if (options?.immediate) {
      this.writeTranscript();
      return;
    }
    if (this.transcriptTimer !== undefined) return;
    const wait = this.lastWriteAt + this.throttleMs - this.clock.now();
    if (wait <= 0) {
      this.writeTranscript();
      return;
    }
    this.transcriptTimer = this.clock.setTimeout(() => {
      this.transcriptTimer = undefined;
      this.writeTranscript();
    }, wait);
  }

  /**
   * Saves the composer's text once typing pauses for `draftDelayMs`. An empty draft removes
   * the draft key.
   */
  saveDraft(draft: string): void {
    this.memoryDraft = draft;
    if (this.mode === 'none' || this.destroyed) return;
    this.pendingDraft = draft;
    if (this.draftTimer !== undefined) this.clock.clearTimeout(this.draftTimer);
    this.draftTimer = this.clock.setTimeout(() => {
      this.draftTimer = undefined;
      this.writeDraft();
    }, this.draftDelayMs);
  }

  /** Writes pending transcript and draft now (done by the store itself on `pagehide` and when the page is hidden). */
  flush(): void {
    if (this.pendingMessages) this.writeTranscript();
    if (this.pendingDraft !== undefined) this.writeDraft();
  }

  /**
   * Forgets this chat: pending writes are dropped and the transcript and draft keys removed.
   * In `local` mode the transcript key instead keeps tombstones (ids and revision numbers, no
   * text) for every message, so a tab that still shows them does not write them back.
   * Set-aside corrupted values are kept; they are the user's only copy.
   */
  clear(): void {
    this.cancelTimers();
    this.pendingMessages = undefined;
    this.pendingWhole = false;
    this.pendingLive = undefined;
    this.wholeInput = undefined;
    this.pendingDraft = undefined;
    this.memoryMessages = [];
    this.memoryDraft = '';
    this.lastNotified = undefined;
    const known = [...this.lastInput.keys()];
    this.lastInput = new Map();
    if (this.mode === 'none') return;
    const storage = this.guard.open();

    if (this.mode === 'local') {
      const base = storage ? this.currentBase(storage) : this.seen;
      const deleted = { ...base.deleted };
      for (const id of [...base.messages.map((m) => m.id), ...known]) deleted[id] = nextRevision(base, id);
      this.seen = mergeStoredTranscripts(emptyStoredTranscript(), { messages: [], revisions: {}, deleted });
      if (storage && Object.keys(this.seen.deleted).length === 0) {
        if (this.guard.remove(storage, this.transcriptKey)) this.lastRaw = null;
      } else if (storage) {
        const raw = serializeStoredTranscript(this.seen);
        this.lastRaw = this.guard.write(storage, this.transcriptKey, raw, null) ? raw : undefined;
      }
    } else {
      this.seen = emptyStoredTranscript();
      if (storage && this.guard.remove(storage, this.transcriptKey)) this.lastRaw = null;
    }
    if (storage && this.guard.remove(storage, this.draftKey)) this.storedDraft = '';
    if (storage && this.guard.remove(storage, this.liveKey)) this.liveStored = false;
  }

  /** Flushes pending writes and stops listening; later saves are kept in memory only. */
  destroy(): void {
    if (this.destroyed) return;
    this.flush();
    this.cancelTimers();
    this.destroyed = true;
    if (this.mode === 'none' || typeof window === 'undefined') return;
    window.removeEventListener('storage', this.handleStorage);
    window.removeEventListener('pagehide', this.handlePageHide);
    if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', this.handleVisibilityChange);
  }

  private readonly handlePageHide = (): void => this.flush();

  private readonly handleVisibilityChange = (): void => {
    if (document.visibilityState === 'hidden') this.flush();
  };

  /**
   * Another tab wrote (the event never fires for this document's own writes). The current
   * value is read rather than `event.newValue`, which may already be outdated when events
   * queue up, and a duplicate or replayed event then finds nothing new.
   */
  private readonly handleStorage = (event: StorageEvent): void => {
    if (this.destroyed || this.guard.fault === 'disabled') return;
    if (event.key !== null && event.key !== this.transcriptKey) return;
    if (this.pendingMessages && this.guard.canWriteLarge()) {
      // Writing merges the other tab's value with this tab's unsaved state and reports the result.
      this.writeTranscript();
      return;
    }
    const storage = this.guard.open();
    const raw = storage && this.guard.read(storage, this.transcriptKey);
    if (raw === undefined || raw === this.lastRaw) return;
    // Removed by someone else (devtools, localStorage.clear()): nothing to show differently;
    // the next write stores this tab's view again.
    this.lastRaw = raw;
    if (raw === null) return;
    const stored = parseStoredTranscript(raw);
    if (!stored) {
      // Left for the next write to set aside, which reports it.
      this.lastRaw = undefined;
      return;
    }
    this.seen = mergeStoredTranscripts(this.seen, stored);
    // Read-merge-write is not atomic across tabs: two writes in the same instant can each
    // replace the other's value. A tab that knows more than what is stored now writes it back,
    // so such a lost update heals; merging is idempotent, so this settles after one round.
    const merged = serializeStoredTranscript(this.seen);
    if (storage && merged !== raw && this.guard.canWriteLarge() && this.guard.write(storage, this.transcriptKey, merged, raw)) {
      this.lastRaw = merged;
    }
    this.notifyIfDiverged();
  };

  private writeTranscript(): void {
    this.clock.clearTimeout(this.transcriptTimer);
    this.transcriptTimer = undefined;
    const input = this.pendingMessages;
    const live = this.pendingWhole ? undefined : this.pendingLive;
    this.pendingMessages = undefined;
    this.pendingWhole = false;
    this.pendingLive = undefined;
    if (!input || this.guard.fault === 'disabled') return;
    this.lastWriteAt = this.clock.now();
    if (live !== undefined && this.writeLive(input, live)) return;
    this.wholeInput = input;

    // While storage is full, the merge bookkeeping goes on in memory so that a later write,
    // once space is back, still tells this tab's removals from other tabs' additions.
    const storage = this.guard.canWriteLarge() ? this.guard.open() : undefined;
    const rawBefore = storage && this.guard.read(storage, this.transcriptKey);
    const base = storage && rawBefore !== undefined ? this.currentBase(storage, rawBefore) : this.seen;
    const external = rawBefore !== undefined && rawBefore !== this.lastRaw;

    const inputCanonical = new Map<string, string>();
    for (const message of input) if (!inputCanonical.has(message.id)) inputCanonical.set(message.id, canonicalJson(message));
    const merged = mergeStoredTranscripts(base, this.ownRecord(input, inputCanonical, base));
    this.seen = merged;
    this.lastInput = inputCanonical;

    if (storage && rawBefore !== undefined) {
      const empty = merged.messages.length === 0 && Object.keys(merged.deleted).length === 0;
      const raw = empty ? null : serializeStoredTranscript(merged);
      let written = true;
      if (raw === rawBefore) {
        this.lastRaw = raw;
      } else {
        written =
          raw === null ? this.guard.remove(storage, this.transcriptKey) : this.guard.write(storage, this.transcriptKey, raw, rawBefore);
        this.lastRaw = written ? raw : undefined;
        this.guard.settleLarge(written);
      }
      // The transcript now holds the answer as it is: an older live copy must not cover it.
      if (written && this.liveStored && this.guard.remove(storage, this.liveKey)) this.liveStored = false;
    }
    if (external) this.notifyIfDiverged();
  }

  /**
   * Writes one answer under the live key.
   * @returns `false` when the answer is not in `input` or storage refused (the caller then
   *   writes the whole transcript, which reports the failure).
   */
  private writeLive(input: readonly ChatMessage[], id: string): boolean {
    if (!this.guard.canWriteLarge()) return false;
    let message: ChatMessage | undefined;
    // The answer being streamed is at the end.
    for (let index = input.length - 1; index >= 0 && !message; index--) if (input[index]?.id === id) message = input[index];
    const storage = message && this.guard.open();
    if (!message || !storage) return false;
    const value: StoredLiveMessage = { version: STORED_TRANSCRIPT_VERSION, message };
    if (!this.guard.write(storage, this.liveKey, JSON.stringify(value), null)) return false;
    this.liveStored = true;
    return true;
  }

  /** Lays the live answer, if one was stored, over its older copy in `record`. */
  private withLive(storage: Storage, record: StoredTranscript): StoredTranscript {
    const raw = this.guard.read(storage, this.liveKey);
    if (typeof raw !== 'string') return record;
    this.liveStored = true;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return record;
    }
    const live = (value as Partial<StoredLiveMessage> | null)?.message;
    if ((value as Partial<StoredLiveMessage> | null)?.version !== STORED_TRANSCRIPT_VERSION || !isChatMessage(live)) return record;
    const index = record.messages.findIndex((message) => message.id === live.id);
    if (index === -1) return record;
    const messages = [...record.messages];
    messages[index] = live;
    return { ...record, messages };
  }

  /**
   * This tab's side of a merge. A message counts as changed here only when it differs both
   * from what this tab knows is stored and from what this tab passed last time; one that
   * only differs from the stored copy was changed by another tab and must not be overwritten
   * with this tab's stale copy. A message this tab passed before and not now was removed here.
   */
  private ownRecord(input: readonly ChatMessage[], inputCanonical: Map<string, string>, base: StoredTranscript): StoredTranscript {
    const known = new Map(this.seen.messages.map((m) => [m.id, m]));
    const own: StoredTranscript = { messages: [], revisions: {}, deleted: { ...this.seen.deleted } };
    const added = new Set<string>();
    for (const message of input) {
      const { id } = message;
      if (added.has(id)) continue;
      added.add(id);
      const canonical = inputCanonical.get(id) ?? canonicalJson(message);
      const stored = known.get(id);
      if (stored && (canonical === this.canonicalOf(stored) || this.isRestoredCopy(message, stored))) {
        own.messages.push(stored);
        own.revisions[id] = this.seen.revisions[id] ?? 0;
      } else if (this.lastInput.has(id) && base.deleted[id] !== undefined) {
        // Removed in another tab (say, cleared) while this tab went on changing it, as a tab
        // still streaming that answer does. The removal was deliberate and stands; this tab
        // hears of it through onExternalChange. A message re-added here after this tab itself
        // dropped it is not in lastInput and does come back.
      } else if (stored && this.lastInput.get(id) === canonical) {
        own.messages.push(stored);
        own.revisions[id] = this.seen.revisions[id] ?? 0;
      } else {
        // A copy, as the session goes on changing its message objects in place.
        const copy = JSON.parse(canonical) as ChatMessage;
        this.canonical.set(copy, canonical);
        own.messages.push(copy);
        own.revisions[id] = nextRevision(base, id);
        delete own.deleted[id];
      }
    }
    for (const id of this.lastInput.keys()) {
      // An existing tombstone is kept as is, so applying another tab's removal writes nothing.
      if (!inputCanonical.has(id)) own.deleted[id] = base.deleted[id] ?? nextRevision(base, id);
    }
    return own;
  }

  /**
   * What is stored now, folded into what this tab knows. A value another tab wrote is merged
   * with `seen`, so messages only this tab knows (e.g. after the key was removed) survive.
   */
  private currentBase(storage: Storage, raw?: string | null): StoredTranscript {
    const current = raw === undefined ? this.guard.read(storage, this.transcriptKey) : raw;
    if (current === undefined || current === null || current === this.lastRaw) return this.seen;
    const stored = parseStoredTranscript(current);
    if (stored) return mergeStoredTranscripts(this.seen, stored);
    this.guard.setAside(storage, this.transcriptKey, 'transcript', current);
    return this.seen;
  }

  /**
   * `ChatSession.setMessages` turns a stored `streaming` message into `interrupted`. In a tab
   * that merely shows another tab's answer in progress that is a view, not an edit: writing it
   * back would mark the answer interrupted in the tab that is still streaming it.
   */
  private isRestoredCopy(message: ChatMessage, stored: ChatMessage): boolean {
    if (stored.status !== 'pending' && stored.status !== 'streaming') return false;
    if (message.status !== 'interrupted' && message.status !== 'error') return false;
    return canonicalJson({ ...message, status: stored.status, error: stored.error }) === this.canonicalOf(stored);
  }

  /** Tells the page about the merged transcript when it differs from what this tab shows. */
  private notifyIfDiverged(): void {
    const { onExternalChange } = this.options;
    if (!onExternalChange) return;
    const view = this.seen.messages;
    const shown = this.pendingMessages ? this.pendingMessages.map((m) => [m.id, canonicalJson(m)] as const) : [...this.lastInput];
    const same =
      view.length === shown.length &&
      view.every((message, index) => {
        const [id, canonical] = shown[index] ?? ['', ''];
        return (
          id === message.id &&
          (canonical === this.canonicalOf(message) || this.isRestoredCopy(JSON.parse(canonical) as ChatMessage, message))
        );
      });
    if (same) return;
    const signature = view.map((m) => this.canonicalOf(m)).join('\n');
    if (signature === this.lastNotified) return;
    this.lastNotified = signature;
    const messages = structuredClone(view);
    callSafely(() => onExternalChange(messages));
  }

  private writeDraft(): void {
    this.clock.clearTimeout(this.draftTimer);
    this.draftTimer = undefined;
    const draft = this.pendingDraft;
    this.pendingDraft = undefined;
    if (draft === undefined || draft === this.storedDraft) return;
    const storage = this.guard.open();
    if (!storage) return;
    const previous = this.storedDraft === '' ? null : JSON.stringify(this.storedDraft);
    const written =
      draft === '' ? this.guard.remove(storage, this.draftKey) : this.guard.write(storage, this.draftKey, JSON.stringify(draft), previous);
    if (written) this.storedDraft = draft;
  }

  /** Id → canonical JSON of the transcript this tab last handed in (or loaded), in its order. */
  private get lastInput(): Map<string, string> {
    const loaded = this.lastInputLoaded;
    if (loaded) {
      this.lastInputLoaded = undefined;
      this.lastInputs = new Map(loaded.map((m) => [m.id, this.canonicalOf(m)]));
    }
    return this.lastInputs;
  }

  private set lastInput(value: Map<string, string>) {
    this.lastInputLoaded = undefined;
    this.lastInputs = value;
  }

  private canonicalOf(message: ChatMessage): string {
    let canonical = this.canonical.get(message);
    if (canonical === undefined) {
      canonical = canonicalJson(message);
      this.canonical.set(message, canonical);
    }
    return canonical;
  }

  private memorySnapshot(): { messages: ChatMessage[]; draft: string } {
    return { messages: structuredClone([...this.memoryMessages]), draft: this.memoryDraft };
  }

  private cancelTimers(): void {
    if (this.transcriptTimer !== undefined) this.clock.clearTimeout(this.transcriptTimer);
    if (this.draftTimer !== undefined) this.clock.clearTimeout(this.draftTimer);
    this.transcriptTimer = undefined;
    this.draftTimer = undefined;
  }
}

/** The revision a change made now must carry to beat everything known about `id`. */
function nextRevision(record: StoredTranscript, id: string): number {
  return Math.max(record.revisions[id] ?? 0, record.deleted[id] ?? 0) + 1;
}

function parseDraft(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
