import { CUSTOM_ELEMENTS_SCHEMA, Component, computed, signal, viewChild } from '@angular/core';
import type { ElementRef } from '@angular/core';
import type { ChatMessage, LlmChat, LlmChatFinishEvent } from 'llm-chat';

const ASSISTANTS = [
  { label: 'Concise', system: 'You are a concise assistant. Answer in a few sentences.' },
  { label: 'Teacher', system: 'You are a patient teacher. Explain step by step.' },
] as const;

@Component({
  selector: 'app-root',
  // Lets the template use <llm-chat>, its attributes, properties and events.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <main>
      <h1>llm-chat in Angular</h1>
      <p>
        <label>
          Assistant
          <select id="tone" #tone (change)="system.set(tone.value)">
            @for (assistant of assistants; track assistant.label) {
              <option [value]="assistant.system" [selected]="assistant.system === system()">{{ assistant.label }}</option>
            }
          </select>
        </label>
        <button id="stop" type="button" (click)="stop()">Stop</button>
      </p>
      <p>
        Last answer: <output id="last-status">{{ last()?.status ?? '—' }}</output>, TTFT
        <output id="last-ttft">{{ ttft() }}</output>
      </p>
      <!-- [system] is a property binding; (llm-chat-finish) listens to the element's event. -->
      <llm-chat #chat endpoint="/api/chat" [system]="system()" with-metrics (llm-chat-finish)="handleFinish($event)"></llm-chat>
    </main>
  `,
})
export class App {
  protected readonly assistants = ASSISTANTS;
  protected readonly system = signal<string>(ASSISTANTS[0].system);
  protected readonly last = signal<ChatMessage | undefined>(undefined);
  protected readonly ttft = computed(() => {
    const ttftMs = this.last()?.metrics?.ttftMs;
    return ttftMs === undefined ? '—' : `${Math.round(ttftMs)} ms`;
  });
  private readonly chat = viewChild.required<ElementRef<LlmChat>>('chat');

  protected handleFinish(event: LlmChatFinishEvent): void {
    this.last.set(event.detail.message);
  }

  protected stop(): void {
    this.chat().nativeElement.stop();
  }
}
