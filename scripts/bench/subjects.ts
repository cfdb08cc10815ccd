/**
 * How the probe reaches into each subject: where to observe changes, which element holds the
 * n-th answer, how to send, and when a restored transcript is on screen. Only public surface
 * is used (llm-chat's CSS parts and `send()`, deep-chat's `submitUserMessage` and its message
 * classes, the naive page's own container).
 */

/** The subjects measured in one run. */
export type SubjectName = 'llm-chat' | 'naive-delta' | 'naive-frame' | 'deep-chat';

export const SUBJECTS: readonly SubjectName[] = ['llm-chat', 'naive-frame', 'naive-delta', 'deep-chat'];

export interface SubjectGlue {
  root(): Node | null;
  /** Answers currently shown (the streamed one is at this index once it appears). */
  assistantCount(): number;
  answer(index: number): Element | null;
  send(prompt: string): void;
  /** The transcript given in `<meta name="bench-transcript">` (message count) is fully shown. */
  restored(): boolean;
  /** The subject has rendered its composer and can send. */
  ready(): boolean;
  /** llm-chat only: shows `answer` as a finished message at once (the one-shot baseline). */
  showFinished?(prompt: string, answer: string): void;
}

declare global {
  interface Window {
    __naive?: { send(prompt: string): void };
  }
}

function lastHasText(elements: ArrayLike<Element>): boolean {
  const expectedMessages = Number(document.querySelector('meta[name="bench-transcript"]')?.getAttribute('content') ?? 0);
  return elements.length >= expectedMessages && (elements[elements.length - 1]?.textContent ?? '').trim() !== '';
}

export function subjectGlue(subject: SubjectName): SubjectGlue {
  if (subject === 'llm-chat') {
    const host = () => document.querySelector('llm-chat') as (HTMLElement & { send(text: string): Promise<boolean> }) | null;
    const answers = () => host()?.shadowRoot?.querySelectorAll('[part~="message--assistant"]') ?? [];
    return {
      root: () => host()?.shadowRoot ?? null,
      assistantCount: () => answers().length,
      answer: (index) => answers()[index]?.querySelector('[part~="content"]') ?? null,
      send: (prompt) => void host()?.send(prompt),
      restored: () => lastHasText(host()?.shadowRoot?.querySelectorAll('[part~="message"]') ?? []),
      ready: () => Boolean(host()?.shadowRoot?.querySelector('textarea')),
      showFinished: (prompt, answer) => {
        const chat = host() as (HTMLElement & { messages: unknown }) | null;
        if (!chat) return;
        const createdAt = Date.now();
        chat.messages = [
          { id: 'once-user', role: 'user', content: prompt, status: 'complete', createdAt },
          { id: 'once-answer', role: 'assistant', content: answer, status: 'complete', createdAt },
        ];
      },
    };
  }
  if (subject === 'deep-chat') {
    const host = () => document.querySelector('deep-chat') as (HTMLElement & { submitUserMessage(content: { text: string }): void }) | null;
    const answers = () => host()?.shadowRoot?.querySelectorAll('.ai-message-text') ?? [];
    return {
      root: () => host()?.shadowRoot ?? null,
      assistantCount: () => answers().length,
      answer: (index) => answers()[index] ?? null,
      send: (prompt) => host()?.submitUserMessage({ text: prompt }),
      restored: () => lastHasText(host()?.shadowRoot?.querySelectorAll('.message-bubble') ?? []),
      ready: () => Boolean(host()?.shadowRoot?.querySelector('#text-input')),
    };
  }
  const log = () => document.getElementById('naive-log');
  return {
    root: log,
    assistantCount: () => log()?.querySelectorAll('.assistant').length ?? 0,
    answer: (index) => log()?.querySelectorAll('.assistant')[index] ?? null,
    send: (prompt) => window.__naive?.send(prompt),
    restored: () => lastHasText(log()?.children ?? []),
    ready: () => window.__naive !== undefined,
  };
}
