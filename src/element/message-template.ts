import { html, nothing } from 'lit';
import type { TemplateResult } from 'lit';
import type { ChatError, ChatMessage } from '../core/types.js';
import { markdown } from './markdown-directive.js';
import { renderToolCalls } from './tool-call-template.js';
import { hintFor } from './status-text.js';
import { format } from './strings.js';
import type { LlmChatStrings } from './strings.js';

/** What a message template needs from the element: strings, settings, action rules and handlers. */
export interface MessageView {
  strings: LlmChatStrings;
  withMetrics: boolean;
  allowedImageOrigins: string[];
  canRetry(message: ChatMessage): boolean;
  canContinue(message: ChatMessage): boolean;
  onRetry(messageId: string): void;
  onContinue(messageId: string): void;
  onCopyDetails(event: Event, error: ChatError): void;
  /** How long a running tool call has been running. */
  toolElapsedMs(toolCallId: string): number | undefined;
  /** The first answer whose request the server trimmed to fit the context: it says so, once. */
  trimmedNoticeId: string | undefined;
}

/** One message of the transcript: user messages as plain text, answers as markdown with their state. */
export function renderMessage(message: ChatMessage, view: MessageView): TemplateResult | typeof nothing {
  const t = view.strings;
  // A tool result is shown in its call's row, inside the answer that made the call.
  if (message.role === 'tool') return nothing;
  if (message.role !== 'assistant') {
    return html`<article part="message message--${message.role}" class="message ${message.role}" data-status=${message.status}>
      <span class="visually-hidden">${t.you}:</span>
      <div part="content" class="content plain">${message.content}</div>
    </article>`;
  }
  const final = message.status !== 'pending' && message.status !== 'streaming';
  return html`<article part="message message--assistant" class="message assistant" data-status=${message.status} data-id=${message.id}>
    <span class="visually-hidden">${t.assistant}:</span>
    ${
      message.reasoning
        ? html`<details class="reasoning">
            <summary>${t.reasoning}</summary>
            <div class="reasoning-text">${message.reasoning}</div>
          </details>`
        : nothing
    }
    <div
      part="content"
      class="content markdown"
      ${markdown(message.content, final, {
        allowedImageOrigins: view.allowedImageOrigins,
        strings: { copy: t.copy, copied: t.copied, copyFailed: t.copyFailed, imageBlocked: t.imageBlocked },
      })}
    ></div>
    ${message.status === 'pending' ? html`<div class="typing" aria-hidden="true"><span></span><span></span><span></span></div>` : nothing}
    ${renderToolCalls(message, t, view.toolElapsedMs)} ${renderOutcome(message, t)}
    ${message.id === view.trimmedNoticeId ? html`<p class="notice trimmed">${t.contextTrimmed}</p>` : nothing} ${renderActions(message, view)}
    ${view.withMetrics ? renderMetrics(message, t) : nothing}
  </article>`;
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
  const error = message.error;
  if (!canRetry && !canContinue && !error && !message.regenerations) return nothing;
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
      error && error.kind !== 'filtered'
        ? html`<button class="action" type="button" @click=${(event: Event) => view.onCopyDetails(event, error)}>${t.copyDetails}</button>`
        : nothing
    }
    ${message.regenerations ? html`<span class="regenerated">${t.regenerated} ×${message.regenerations}</span>` : nothing}
  </div>`;
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
