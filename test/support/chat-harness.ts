/**
 * Drives <llm-chat> the way a person does (typing, Enter, Escape, clicking) and reads what a
 * person sees, so element tests read as behaviour rather than DOM plumbing.
 */
import { waitUntil } from '@open-wc/testing';
import type { LlmChat } from '../../src/element/llm-chat.component.js';

export class ChatHarness {
  constructor(readonly el: LlmChat) {}

  get root(): ShadowRoot {
    const root = this.el.shadowRoot;
    if (!root) throw new Error('llm-chat has no shadow root');
    return root;
  }

  part(name: string): HTMLElement | null {
    return this.root.querySelector<HTMLElement>(`[part~="${name}"]`);
  }

  parts(name: string): HTMLElement[] {
    return [...this.root.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
  }

  get input(): HTMLTextAreaElement {
    return this.part('input') as HTMLTextAreaElement;
  }

  async type(text: string): Promise<void> {
    this.input.focus();
    this.input.value = text;
    this.input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
    await this.el.updateComplete;
  }

  key(key: string, init: KeyboardEventInit = {}): void {
    this.input.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true, ...init }));
  }

  /** Types and presses Enter. */
  async ask(text: string): Promise<void> {
    await this.type(text);
    this.key('Enter');
    await this.el.updateComplete;
  }

  click(part: string, within?: HTMLElement): void {
    const target = (within ?? this.root).querySelector<HTMLElement>(`[part~="${part}"]`);
    if (!target) throw new Error(`no [part~="${part}"] to click`);
    target.click();
  }

  /** The rendered messages as a person reads them. */
  messages(): Array<{ role: string; status: string; text: string }> {
    return this.parts('message').map((node) => ({
      role: node.classList.contains('user') ? 'user' : 'assistant',
      status: node.dataset['status'] ?? '',
      text: node.querySelector('[part~="content"]')?.textContent?.trim() ?? '',
    }));
  }

  lastAssistant(): HTMLElement | undefined {
    return this.parts('message--assistant').at(-1);
  }

  /** The status line as it is shown (a countdown ticks here). */
  statusText(): string {
    const status = this.part('status');
    const shown = status?.querySelector('.status-shown')?.textContent ?? '';
    const warning = status?.querySelector('.storage-warning')?.textContent ?? '';
    return `${shown} ${warning}`.trim();
  }

  /** What the polite live region says (rate-limited; never a ticking countdown). */
  spokenStatus(): string {
    return this.part('status')?.querySelector('.status-spoken')?.textContent?.trim() ?? '';
  }

  alertText(): string {
    return this.root.querySelector('[role="alert"]')?.textContent?.trim() ?? '';
  }

  async waitForStatus(status: string, message?: string): Promise<void> {
    await waitUntil(() => this.el.status === status, message ?? `status ${status} (is ${this.el.status})`, { timeout: 8000 });
    await this.el.updateComplete;
  }

  /** Waits until the last assistant message has reached a terminal state in the DOM. */
  async waitForTurnEnd(): Promise<string> {
    await waitUntil(
      () => {
        const status = this.lastAssistant()?.dataset['status'];
        return status !== undefined && status !== 'pending' && status !== 'streaming';
      },
      'turn end',
      { timeout: 8000 },
    );
    await this.el.updateComplete;
    return this.lastAssistant()?.dataset['status'] ?? '';
  }
}
