import { html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatMessage } from '../core/types.js';
import { renderMessage } from './message-template.js';
import type { MessageView } from './message-template.js';
import type { LlmChatStrings } from './strings.js';

/**
 * The newest messages, always rendered: the answer being streamed, its question, tool results
 * between them, and the answer before (Retry and Continue move with the last answer). Older
 * messages change only when the transcript array is replaced (the session replaces it for
 * anything but in-place updates of the answer in flight) or when their feedback is set, so
 * each frame of a stream costs the same in a long conversation as in an empty one.
 */
const LIVE_MESSAGES = 6;

/** Everything the chat's frame shows, handed in by the element. */
export interface ChatView {
  strings: LlmChatStrings;
  messages: readonly ChatMessage[];
  message: MessageView;
  /**
   * What the rendering of a settled message (all but the last few) depends on besides the
   * message itself and the transcript array: when none of it changed, such a message is not
   * rendered again. A setting or state that changes how older messages look belongs here.
   */
  settled: readonly unknown[];
  /** A turn is in flight: Stop replaces Send. */
  busy: boolean;
  /** `connecting` or `streaming`: the log is busy. */
  streaming: boolean;
  status: { shown: string; spoken: string; warning: string };
  alert: string;
  draft: string;
  placeholder: string;
  sendDisabled: boolean;
  suggestions: readonly string[];
  /** The reader scrolled up while an answer streams. */
  showJump: boolean;
  onFrameKeydown(event: KeyboardEvent): void;
  onLogScroll(): void;
  onJump(): void;
  onSuggestion(text: string): void;
  onComposerSubmit(event: SubmitEvent): void;
  onInput(event: InputEvent): void;
  onInputKeydown(event: KeyboardEvent): void;
  onStop(): void;
}

/** The chat: the log, the status line, the alert region and the composer (DESIGN.md §3, §8). */
export function renderChat(view: ChatView): TemplateResult {
  const t = view.strings;
  return html`
    <div class="frame" @keydown=${view.onFrameKeydown}>
      <slot name="header"></slot>
      <div
        part="log"
        class="log"
        role="log"
        aria-label=${t.conversation}
        aria-busy=${view.streaming ? 'true' : 'false'}
        tabindex="0"
        @scroll=${view.onLogScroll}
      >
        <div class="empty" ?hidden=${view.messages.length > 0}>
          <slot name="empty">${view.messages.length > 0 ? nothing : view.suggestions.length > 0 ? renderSuggestions(view) : t.empty}</slot>
        </div>
        ${repeat(
          view.messages,
          (message) => message.id,
          (message, index) =>
            index < view.messages.length - LIVE_MESSAGES
              ? guard([message, view.messages, message.feedback, view.message.trimmedNoticeId, ...view.settled], () =>
                  renderMessage(message, view.message),
                )
              : renderMessage(message, view.message),
        )}
        ${
          view.showJump
            ? html`<button part="jump-to-latest-button" class="jump" type="button" @click=${view.onJump}>
                <span aria-hidden="true">↓</span> ${t.jumpToLatest}
              </button>`
            : nothing
        }
      </div>
      <div part="status" class="status" role="status" aria-live="polite">
        <span class="visually-hidden status-spoken">${view.status.spoken}</span
        ><span class="status-shown" aria-hidden="true">${view.status.shown}</span
        >${view.status.warning ? html` <span class="storage-warning">${view.status.warning}</span>` : nothing}
      </div>
      <div class="visually-hidden" role="alert">${view.alert}</div>
      <form part="composer" class="composer" @submit=${view.onComposerSubmit}>
        <slot name="composer-start"></slot>
        <textarea
          part="input"
          rows="1"
          dir="auto"
          .value=${view.draft}
          placeholder=${view.placeholder}
          aria-label=${t.inputLabel}
          @input=${view.onInput}
          @keydown=${view.onInputKeydown}
        ></textarea>
        <slot name="composer-end"></slot>
        ${
          view.busy
            ? html`<button part="stop-button" class="button stop" type="button" @click=${view.onStop}>${t.stop}</button>`
            : html`<button part="send-button" class="button send" type="submit" ?disabled=${view.sendDisabled}>${t.send}</button>`
        }
      </form>
    </div>
  `;
}

/** Starter prompts, while the transcript is empty (the fallback of the `empty` slot, so slotted content wins). */
function renderSuggestions(view: ChatView): TemplateResult {
  return html`<ul class="suggestions" aria-label=${view.strings.suggestionsLabel}>
    ${view.suggestions.map(
      (text) =>
        html`<li>
          <button part="suggestion" class="suggestion" type="button" dir="auto" @click=${() => view.onSuggestion(text)}>${text}</button>
        </li>`,
    )}
  </ul>`;
}
