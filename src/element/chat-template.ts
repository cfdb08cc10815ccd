import { html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatMessage } from '../core/types.js';
import { renderMessage } from './message-template.js';
import type { MessageView } from './message-template.js';
import type { LlmChatStrings } from './strings.js';

/**
 * Messages per chunk of the transcript. The transcript is a column of chunks, each a column of
 * messages; a chunk out of view skips style, layout and paint (`content-visibility: auto`), and
 * a chunk without the newest message is not rendered again until something it shows changes.
 * So a frame of a stream lays out, observes and renders a few chunks and the last one's
 * messages, however long the conversation: its cost does not grow with the transcript.
 * Chunks are cut by position, so messages never move between them as the transcript grows.
 */
const CHUNK_SIZE = 32;

/** Everything the chat's frame shows, handed in by the element. */
export interface ChatView {
  strings: LlmChatStrings;
  messages: readonly ChatMessage[];
  message: MessageView;
  /**
   * What the rendering of older messages depends on besides the messages themselves and the
   * transcript array (which the session replaces on any change but one to the answer in
   * flight): a chunk of them is rendered again only when one of these changed. A setting or
   * state that changes how older messages look belongs here.
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
        ${renderTranscript(view)}
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

/** The messages, in chunks (see {@link CHUNK_SIZE}). */
function renderTranscript(view: ChatView) {
  const { messages } = view;
  const chunks = Array.from({ length: Math.ceil(messages.length / CHUNK_SIZE) }, (_, index) => index);
  return repeat(
    chunks,
    (index) => index,
    (index) => {
      const start = index * CHUNK_SIZE;
      const end = Math.min(messages.length, start + CHUNK_SIZE);
      const last = end === messages.length;
      // The chunk with the newest messages is always laid out: it is where the reader is
      // while an answer streams, and where the transcript follows the stream.
      const chunk = () =>
        html`<div class=${last ? 'chunk' : 'chunk settled'}>
          ${repeat(
            messages.slice(start, end),
            (message) => message.id,
            (message) => renderMessage(message, view.message),
          )}
        </div>`;
      if (last) return chunk();
      // Feedback is the one thing set on an older answer in place.
      const feedback = messages.slice(start, end).map((message) => message.feedback ?? '');
      return guard([messages, view.message.trimmedNoticeId, ...view.settled, ...feedback], chunk);
    },
  );
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
