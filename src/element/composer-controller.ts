import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Clicks on Stop this soon after sending belong to a double-click on Send. */
const DOUBLE_CLICK_MS = 500;

export interface ComposerCallbacks {
  /** Enter (without Shift, outside an IME composition) or the form was submitted. */
  onSubmit(): void;
  /** The draft changed (typing, or set by the element); persist it. */
  onDraftChange(draft: string): void;
}

/**
 * The composer's state and behaviour: the draft (never lost: it is persisted on every change
 * and restored with the caret at its end), the growing input, Enter to send, and the guard
 * that keeps a double-click on Send from stopping the answer it just started.
 */
export class ComposerController implements ReactiveController {
  /** The text in the composer. */
  draft = '';
  private caretToEnd = false;
  private sentAt = -Infinity;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getInput: () => HTMLTextAreaElement | null | undefined,
    private readonly callbacks: ComposerCallbacks,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const input = this.getInput();
    if (this.caretToEnd && input) {
      // A draft restored after a reload: the caret goes to its end, ready to type on.
      this.caretToEnd = false;
      input.value = this.draft;
      input.setSelectionRange(this.draft.length, this.draft.length);
      this.resize();
    }
  }

  /** Replaces the draft (emptied after a send, refilled after a failure). */
  set(value: string): void {
    this.draft = value;
    this.callbacks.onDraftChange(value);
    const input = this.getInput();
    if (input && input.value !== value) input.value = value;
    this.resize();
    this.host.requestUpdate();
  }

  /** A stored draft, put back only when nothing has been typed since the page loaded. */
  restore(draft: string): void {
    if (this.draft !== '') return;
    this.draft = draft;
    this.caretToEnd = true;
    this.host.requestUpdate();
  }

  /** A message went out: a click on Stop in the next moments is the second click of a double-click. */
  markSent(): void {
    this.sentAt = performance.now();
  }

  /** Whether a click on Stop now is a real request to stop. */
  stopIntended(): boolean {
    return performance.now() - this.sentAt >= DOUBLE_CLICK_MS;
  }

  /** Grow with the text up to the CSS max-height; shrink back when text is removed. */
  resize(): void {
    const input = this.getInput();
    if (!input) return;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  }

  readonly handleInput = (event: InputEvent): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.callbacks.onDraftChange(this.draft);
    this.resize();
    this.host.requestUpdate();
  };

  readonly handleKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      this.callbacks.onSubmit();
    }
  };

  readonly handleSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    this.callbacks.onSubmit();
  };
}
