import { html, nothing, svg } from 'lit';
import type { TemplateResult } from 'lit';
import type { ChatError, ChatMessage } from '../core/types.js';
import { markdown } from './markdown-directive.js';
import type { MessageEditController } from './message-edit-controller.js';
import { hintFor } from './status-text.js';
import { format } from './strings.js';
import type { LlmChatStrings } from './strings.js';
import { renderToolCalls } from './tool-call-template.js';

/** What a message template needs from the element: strings, settings, action rules and handlers. */
export interface MessageView {
  strings: LlmChatStrings;
  withMetrics: boolean;
  withFeedback: boolean;
  allowedImageOrigins: string[];
  canRetry(message: ChatMessage): boolean;
  canContinue(message: ChatMessage): boolean;
  canEdit(message: ChatMessage): boolean;
  onRetry(messageId: string): void;
  onContinue(messageId: string): void;
  onCopyDetails(event: Event, error: ChatError): void;
  onCopyMessage(event: Event, message: ChatMessage): void;
  onFeedback(messageId: string, value: 'up' | 'down' | null): void;
  edit: MessageEditController;
  /** How long a running tool call has been running. */
  toolElapsedMs(toolCallId: string): number | undefined;
  /** How long the answer being streamed has been reasoning, while it still is. */
  reasoningElapsedMs(messageId: string): number | undefined;
  /** The first answer whose request the server trimmed to fit the context: it says so, once. */
  trimmedNoticeId: string | undefined;
}

/** One message of the transcript: questions as plain text, answers as markdown with their state. */
export function renderMessage(message: ChatMessage, view: MessageView): TemplateResult | typeof nothing {
  // A tool result is shown in its call's row, inside the answer that made the call.
  if (message.role === 'tool') return nothing;
  if (message.role !== 'assistant') return renderQuestion(message, view);
  const t = view.strings;
  const final = message.status !== 'pending' && message.status !== 'streaming';
  return html`<article part="message message--assistant" class="message assistant" data-status=${message.status} data-id=${message.id}>
    <span class="visually-hidden">${t.assistant}:</span>
    ${renderReasoning(message, view)}
    <div
      part="content"
      class="content markdown"
      dir="auto"
      ${markdown(message.content, final, {
        allowedImageOrigins: view.allowedImageOrigins,
        strings: markdownStrings(t),
      })}
    ></div>
    ${message.status === 'pending' ? html`<div class="typing" aria-hidden="true"><span></span><span></span><span></span></div>` : nothing}
    ${renderToolCalls(message, t, view.toolElapsedMs)} ${renderOutcome(message, t)}
    ${message.id === view.trimmedNoticeId ? html`<p class="notice trimmed">${t.contextTrimmed}</p>` : nothing}
    ${renderActions(message, view)} ${view.withMetrics ? renderMetrics(message, t) : nothing}
  </article>`;
}

function renderQuestion(message: ChatMessage, view: MessageView): TemplateResult {
  const t = view.strings;
  const { edit } = view;
  if (edit.editingId === message.id) {
    return html`<article part="message message--${message.role}" class="message ${message.role} editing" data-status=${message.status}>
      <form class="edit" @submit=${edit.handleSubmit}>
        <textarea
          class="edit-input"
          dir="auto"
          rows="3"
          aria-label=${t.editLabel}
          .value=${edit.draft}
          @input=${edit.handleInput}
          @keydown=${edit.handleKeydown}
        ></textarea>
        <div class="edit-actions">
          <button class="action primary" type="submit">${t.editSend}</button>
          <button class="action" type="button" @click=${() => edit.cancel()}>${t.editCancel}</button>
        </div>
      </form>
    </article>`;
  }
  return html`<article part="message message--${message.role}" class="message ${message.role}" data-status=${message.status}>
    <span class="visually-hidden">${t.you}:</span>
    <div part="content" class="content plain" dir="auto">${message.content}</div>
    ${
      view.canEdit(message)
        ? html`<div part="actions" class="actions question-actions">
            <button part="edit-button" class="action" type="button" @click=${() => edit.start(message.id, message.content)}>
              ${t.edit}
            </button>
          </div>`
        : nothing
    }
  </article>`;
}

/** Reasoning, collapsed: "Thinking… 3 s" while it streams, then "Thought for 4 s". Never a live region. */
function renderReasoning(message: ChatMessage, view: MessageView) {
  if (!message.reasoning) return nothing;
  const t = view.strings;
  const elapsed = view.reasoningElapsedMs(message.id);
  const took = message.metrics?.reasoningMs;
  const label =
    elapsed !== undefined
      ? format(t.thinking, { seconds: Math.floor(elapsed / 1000) })
      : took !== undefined
        ? format(t.thoughtFor, { seconds: Math.max(1, Math.round(took / 1000)) })
        : t.reasoning;
  return html`<details part="reasoning" class="reasoning" data-state=${elapsed !== undefined ? 'thinking' : 'done'}>
    <summary>${label}</summary>
    <div class="reasoning-text" dir="auto">${message.reasoning}</div>
  </details>`;
}

/** The element's strings that rendered markdown shows (copy buttons, placeholders, regions). */
function markdownStrings(t: LlmChatStrings) {
  const { copy, copied, copyFailed, imageBlocked, scrollableCode, scrollableTable } = t;
  return { copy, copied, copyFailed, imageBlocked, scrollableCode, scrollableTable };
}

function renderOutcome(message: ChatMessage, t: LlmChatStrings) {
  const error = message.error;
  if (
    message.status === 'error' ||
    message.status === 'interrupted' ||
    (error && (message.status === 'filtered' || error.kind === 'tool_limit'))
  ) {
    const main = error ? t.errors[error.kind] : t.interrupted;
    const hint = error ? hintFor(error, t) : '';
    const kept = message.status === 'interrupted' ? ` ${t.interrupted}` : '';
    return html`<p part="error" class="notice error" data-kind=${error?.kind ?? ''}>${main}${kept} ${hint}</p>`;
  }
  if (message.status === 'truncated') return html`<p class="notice">${t.truncated}</p>`;
  if (message.status === 'stopped') return html`<p class="notice">${t.stopped}</p>`;
  return nothing;
}

function renderActions(message: ChatMessage, view: MessageView) {
  const t = view.strings;
  const canRetry = view.canRetry(message);
  const canContinue = view.canContinue(message);
  const finished = message.status !== 'pending' && message.status !== 'streaming';
  const canCopy = finished && message.content !== '';
  const rate = view.withFeedback && finished && message.content !== '';
  const error = message.error;
  if (!canRetry && !canContinue && !error && !message.regenerations && !canCopy && !rate) return nothing;
  return html`<div part="actions" class="actions">
    ${
      canRetry
        ? html`<button part="retry-button" class="action" type="button" @click=${() => view.onRetry(message.id)}>${t.retry}</button>`
        : nothing
    }
    ${
      canContinue
        ? html`<button part="continue-button" class="action" type="button" @click=${() => view.onContinue(message.id)}>
            ${t.continue}
          </button>`
        : nothing
    }
    ${
      canCopy
        ? html`<button
            part="copy-message-button"
            class="action"
            type="button"
            @click=${(event: Event) => view.onCopyMessage(event, message)}
          >
            ${t.copyAnswer}
          </button>`
        : nothing
    }
    ${
      error && error.kind !== 'filtered'
        ? html`<button class="action" type="button" @click=${(event: Event) => view.onCopyDetails(event, error)}>${t.copyDetails}</button>`
        : nothing
    }
    ${rate ? renderFeedback(message, view) : nothing}
    ${message.regenerations ? html`<span class="regenerated">${t.regenerated} ×${message.regenerations}</span>` : nothing}
  </div>`;
}

function renderFeedback(message: ChatMessage, view: MessageView) {
  const t = view.strings;
  const button = (value: 'up' | 'down', label: string) => {
    const pressed = message.feedback === value;
    return html`<button
      part="feedback-${value}-button"
      class="action feedback"
      type="button"
      aria-label=${label}
      title=${label}
      aria-pressed=${pressed ? 'true' : 'false'}
      @click=${() => view.onFeedback(message.id, pressed ? null : value)}
    >
      ${thumb(value)}
    </button>`;
  };
  return html`${button('up', t.feedbackUp)}${button('down', t.feedbackDown)}`;
}

function renderMetrics(message: ChatMessage, t: LlmChatStrings) {
  const metrics = message.metrics;
  if (!metrics || metrics.ttftMs === undefined) return nothing;
  const parts = [format(t.metricsTtft, { ms: metrics.ttftMs })];
  if (metrics.tokensPerSecond !== undefined) {
    parts.push(format(metrics.estimated ? t.metricsRateEstimated : t.metricsRate, { rate: metrics.tokensPerSecond }));
  }
  if (metrics.completionTokens !== undefined) parts.push(format(t.metricsTokens, { tokens: metrics.completionTokens }));
  if (metrics.cachedTokens) parts.push(format(t.metricsCached, { tokens: metrics.cachedTokens }));
  return html`<div part="metrics" class="metrics">${parts.join(' · ')}</div>`;
}

/** A thumb, drawn rather than an emoji (which needs a font the page may not have); down is up turned over. */
function thumb(value: 'up' | 'down') {
  return html`<svg class="thumb" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
    ${svg`<path
      transform=${value === 'down' ? 'rotate(180 12 12)' : ''}
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linejoin="round"
      d="M3 10h4v10H3zM7 20h9.5a2 2 0 0 0 2-1.7l1.3-7A2 2 0 0 0 17.8 9H14V5.5A2.5 2.5 0 0 0 11.5 3L7 10z"
    />`}
  </svg>`;
}
