import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface MessageEditCallbacks {
  /** The edited text is to be sent in place of the message. */
  onSave(messageId: string, text: string): void;
}

/**
 * Editing the last question in place: which message is being edited, its draft, and where
 * focus goes (into the editor when it opens; back to the Edit button when it is cancelled).
 * Escape cancels; Enter (without Shift) saves and sends.
 */
export class MessageEditController implements ReactiveController {
  /** The message being edited, if any. */
  editingId: string | undefined;
  draft = '';
  private focusTarget: 'editor' | 'edit-button' | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly root: () => ShadowRoot | null,
    private readonly callbacks: MessageEditCallbacks,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const target = this.focusTarget;
    if (!target) return;
    this.focusTarget = undefined;
    const root = this.root();
    if (target === 'editor') {
      const editor = root?.querySelector<HTMLTextAreaElement>('.edit-input');
      editor?.focus();
      editor?.setSelectionRange(editor.value.length, editor.value.length);
    } else {
      root?.querySelector<HTMLElement>('[part~="edit-button"]')?.focus();
    }
  }

  start(messageId: string, text: string): void {
    this.editingId = messageId;
    this.draft = text;
    this.focusTarget = 'editor';
    this.host.requestUpdate();
  }

  cancel(): void {
    if (this.editingId === undefined) return;
    this.editingId = undefined;
    this.draft = '';
    this.focusTarget = 'edit-button';
    this.host.requestUpdate();
  }

  /** The edit ended because the message was sent (or the transcript changed under it). */
  close(): void {
    this.editingId = undefined;
    this.draft = '';
    this.host.requestUpdate();
  }

  readonly handleInput = (event: Event): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
  };

  readonly handleKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      // The chat's own Escape stops an answer; here it only closes the editor.
      event.preventDefault();
      event.stopPropagation();
      this.cancel();
    } else if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      this.save();
    }
  };

  readonly handleSubmit = (event: Event): void => {
    event.preventDefault();
    this.save();
  };

  private save(): void {
    const id = this.editingId;
    if (id === undefined || this.draft.trim() === '') return;
    const text = this.draft;
    this.close();
    this.callbacks.onSave(id, text);
  }
}
