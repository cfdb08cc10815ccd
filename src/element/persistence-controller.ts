import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ChatSession } from '../core/chat-session.js';
import { ChatStore } from '../core/chat-store.js';
import type { PersistMode } from '../core/chat-store.js';

export interface PersistenceSettings {
  mode: PersistMode;
  /** The chat's persist key (`persist-key`, else `id`, else the endpoint). */
  key: string;
}

export interface PersistenceCallbacks {
  /** Storage failed for the first time (full, blocked or corrupted); said once per element. */
  onUnavailable(): void;
  /** A stored draft was found for the composer (only when the composer is empty). */
  onDraftRestored(draft: string): void;
  /** A stored transcript was restored (after a reload): an answer cut by the reload may be picked up again. */
  onTranscriptRestored?(): void;
}

/**
 * Keeps one chat's transcript and draft in Web Storage through a {@link ChatStore}
 * (DESIGN.md §6). Re-reads the settings before every update: changing `persist`,
 * `persist-key`, `id` or (without a key) the endpoint switches to another stored chat.
 */
export class PersistenceController implements ReactiveController {
  private store: ChatStore | undefined;
  private identity = '';
  private warned = false;
  /** True while the stored transcript is handed to the session: storage already holds it. */
  private restoring = false;

  constructor(
    host: ReactiveControllerHost,
    private readonly session: ChatSession,
    private readonly readSettings: () => PersistenceSettings,
    private readonly callbacks: PersistenceCallbacks,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    const { mode, key } = this.readSettings();
    const identity = `${mode}|${key}`;
    if (identity === this.identity) return;
    this.store?.destroy();
    this.identity = identity;
    this.store = new ChatStore({
      mode,
      key,
      onUnavailable: () => {
        if (this.warned) return;
        this.warned = true;
        this.callbacks.onUnavailable();
      },
      onExternalChange: (messages) => {
        // Another tab changed this chat. Never disturb a turn in flight here.
        if (!this.session.busy) this.session.setMessages(messages, { restore: false });
      },
    });
    const { messages, draft } = this.store.load();
    if (messages.length > 0 && !this.session.busy) {
      this.restoring = true;
      try {
        this.session.setMessages(messages);
      } finally {
        this.restoring = false;
      }
      this.callbacks.onTranscriptRestored?.();
    }
    if (draft !== '') this.callbacks.onDraftRestored(draft);
  }

  hostDisconnected(): void {
    this.store?.destroy();
    this.store = undefined;
    this.identity = '';
  }

  /**
   * Called on every session change, not per frame: hidden tabs get no frames. While a turn is
   * in flight the session changes only the answer it streams, in place, and replaces the
   * transcript array for anything else, which is what lets the store write just that answer.
   */
  saveTranscript(): void {
    if (this.restoring) return;
    const { session } = this;
    this.store?.saveTranscript(session.messages, {
      immediate: !session.busy,
      ...(session.busy && session.activeMessageId !== undefined ? { live: session.activeMessageId } : {}),
    });
  }

  saveDraft(draft: string): void {
    this.store?.saveDraft(draft);
  }

  clear(): void {
    this.store?.clear();
  }
}
