import { LitElement, html, nothing } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { snapshot } from '../core/chat-session.js';
import { ChatStore } from '../core/chat-store.js';
import type { ChatSessionStatus } from '../core/chat-session.js';
import type { ChatError, ChatMessage } from '../core/types.js';
import { getProtocolAdapter } from '../transport/protocol-registry.js';
import { ChatController } from './chat-controller.js';
import {
  LlmChatDeltaEvent,
  LlmChatErrorEvent,
  LlmChatFinishEvent,
  LlmChatFirstTokenEvent,
  LlmChatRetryEvent,
  LlmChatSendEvent,
  LlmChatToolCallEvent,
} from './events.js';
import { styles } from './llm-chat.styles.js';
import { markdown } from './markdown-directive.js';
import { defaultStrings, format } from './strings.js';
import type { LlmChatStrings, LlmChatStringsInput } from './strings.js';

export type LlmChatPersist = 'session' | 'local' | 'none';

/** How close to the bottom (px) still counts as "reading the newest text". */
const BOTTOM_SLACK = 32;
/** Clicks on Stop this soon after sending belong to a double-click on Send. */
const DOUBLE_CLICK_MS = 500;

/**
 * An embeddable streaming chat. Point it at a backend URL that speaks the llm-chat wire
 * contract (OpenAI Chat Completions streaming); API keys stay on that server.
 *
 * @summary Streaming LLM chat: incremental markdown, TTFT, clear failure states.
 *
 * @fires {LlmChatSendEvent} llm-chat-send - Before a request is made (cancelable). `detail: {message, request}`.
 * @fires {LlmChatFirstTokenEvent} llm-chat-first-token - The first visible text arrived. `detail: {messageId, ttftMs}`.
 * @fires {LlmChatDeltaEvent} llm-chat-delta - Every text delta. `detail: {messageId, text}`.
 * @fires {LlmChatToolCallEvent} llm-chat-tool-call - A tool call's arguments are complete. `detail: {messageId, toolCall}`.
 * @fires {LlmChatRetryEvent} llm-chat-retry - An automatic retry is scheduled. `detail: {messageId, attempt, delayMs, error}`.
 * @fires {LlmChatFinishEvent} llm-chat-finish - A turn ended, in any state. `detail: {message}`.
 * @fires {LlmChatErrorEvent} llm-chat-error - A turn ended `error` or `interrupted`. `detail: {message, error}`.
 *
 * @slot header - Above the transcript (a title, a model picker).
 * @slot empty - Shown while the transcript is empty.
 * @slot composer-start - Before the input (e.g. an attach button).
 * @slot composer-end - After the input, before Send.
 *
 * @csspart log - The scrolling transcript (`role="log"`).
 * @csspart message - Every message; also `message--user` or `message--assistant`.
 * @csspart content - The text of a message.
 * @csspart status - The status line (connecting, retrying countdown, still waiting).
 * @csspart error - The error text inside a failed message.
 * @csspart actions - The row of actions under a message.
 * @csspart retry-button - Retry (regenerate) an answer.
 * @csspart continue-button - Continue a partial answer.
 * @csspart stop-button - Stop the answer in progress.
 * @csspart composer - The form holding the input and buttons.
 * @csspart input - The growing text area.
 * @csspart send-button - Send.
 * @csspart metrics - TTFT and tokens per second under an answer (`with-metrics`).
 * @csspart code-block - A fenced code block in an answer.
 * @csspart copy-button - A code block's copy button.
 *
 * @cssprop [--llm-chat-base-font-family=system-ui, sans-serif] - Font of the whole chat.
 * @cssprop [--llm-chat-base-font-size=15px] - Base font size.
 * @cssprop [--llm-chat-surface-background=#ffffff (dark: #16181d)] - Background.
 * @cssprop [--llm-chat-surface-color=#1d2129 (dark: #e6e8ee)] - Text color.
 * @cssprop [--llm-chat-border-color=#d9dde5 (dark: #2e333d)] - Borders and separators.
 * @cssprop [--llm-chat-accent-color=#2563eb (dark: #6ea0ff)] - Buttons, focus ring, links.
 * @cssprop [--llm-chat-accent-contrast=#ffffff (dark: #0b1020)] - Text on the accent color.
 * @cssprop [--llm-chat-user-background=#eef2ff (dark: #232a3b)] - User message bubble.
 * @cssprop [--llm-chat-assistant-background=transparent] - Assistant message background.
 * @cssprop [--llm-chat-muted-color=#5b6472 (dark: #9aa3b2)] - Secondary text (status, metrics).
 * @cssprop [--llm-chat-error-color=#b42318 (dark: #ff8a80)] - Error text.
 * @cssprop [--llm-chat-error-background=#fef3f2 (dark: #3a1d1d)] - Error notice background.
 * @cssprop [--llm-chat-code-background=#f5f7fa (dark: #0f1115)] - Code blocks.
 * @cssprop [--llm-chat-message-radius=12px] - Corner radius of bubbles and controls.
 * @cssprop [--llm-chat-log-max-height=none] - Height limit of the transcript before it scrolls.
 */
export class LlmChat extends LitElement {
  static override styles = styles;
  static override shadowRootOptions = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  /** Backend URL (required). */
  @property() endpoint = '';
  /** Model name, forwarded in the request body when set. */
  @property() model?: string;
  /** System prompt, sent first in every request. */
  @property() system?: string;
  /** Completion length cap, forwarded as `max_tokens` when set (the gateway clamps it to its own cap). */
  @property({ attribute: 'max-tokens', type: Number }) maxTokens?: number;
  /** Sampling temperature, forwarded when set. */
  @property({ type: Number }) temperature?: number;
  /** Wire protocol adapter name. */
  @property() protocol = 'openai';
  /** Where the transcript survives: `session` (this tab), `local` (browser restarts) or `none`. */
  @property() persist: LlmChatPersist = 'session';
  /** Storage key separating several chats on one page. Default: derived from `id`, else the endpoint. */
  @property({ attribute: 'persist-key' }) persistKey?: string;
  /** Automatic retries of retryable failures before the first token. */
  @property({ attribute: 'max-retries', type: Number }) maxRetries = 2;
  /** Milliseconds without any byte after response headers before the stream counts as stalled. */
  @property({ attribute: 'idle-timeout', type: Number }) idleTimeout = 45_000;
  /** Milliseconds without content progress (also the first-token deadline). */
  @property({ attribute: 'stall-timeout', type: Number }) stallTimeout = 120_000;
  /** Composer placeholder; defaults to `strings.placeholder`. */
  @property() placeholder?: string;
  /** Show TTFT and tokens per second under answers. */
  @property({ attribute: 'with-metrics', type: Boolean }) withMetrics = false;
  /** Do not follow the stream by scrolling, even when the reader is at the bottom. */
  @property({ attribute: 'without-autoscroll', type: Boolean }) withoutAutoscroll = false;
  /** `idle | connecting | streaming | retrying | error` (reflected; read-only in practice). */
  @property({ reflect: true }) status: ChatSessionStatus = 'idle';

  /** Extra non-secret request headers (e.g. a CSRF token). Never put an API key here. */
  @property({ attribute: false }) headers: Record<string, string> = {};
  /** Extra request-body fields. */
  @property({ attribute: false }) body: Record<string, unknown> = {};
  /** Custom fetch (credentials, a proxy, tests). */
  @property({ attribute: false }) fetch?: typeof fetch;
  /** Every user-visible string, for translation; a partial object is merged over the English defaults. */
  @property({ attribute: false }) strings: LlmChatStringsInput = {};
  /** Origins whose images may load in answers (others show a placeholder). */
  @property({ attribute: false }) allowedImageOrigins: string[] = [];

  @state() private notice = '';
  @state() private alertText = '';
  @state() private now = 0;
  /** The browser said it is offline: Send stays disabled until it says `online`. */
  @state() private offline = false;
  /** Shown once, beside the status, from the first storage failure until the next send. */
  @state() private storageWarning = '';

  @query('textarea') private input?: HTMLTextAreaElement;
  @query('[part="log"]') private log?: HTMLElement;

  private readonly chat = new ChatController(this, {
    onChange: () => this.persistTranscript(),
    onSend: ({ message, request }) => this.dispatchEvent(new LlmChatSendEvent({ message, request })),
    onFirstToken: (detail) => this.dispatchEvent(new LlmChatFirstTokenEvent(detail)),
    onDelta: (detail) => this.dispatchEvent(new LlmChatDeltaEvent(detail)),
    onToolCall: (detail) => this.dispatchEvent(new LlmChatToolCallEvent(detail)),
    onRetry: (detail) => {
      this.lastRetryError = detail.error;
      this.startCountdown();
      this.dispatchEvent(new LlmChatRetryEvent(detail));
    },
    onError: (detail) => this.handleTurnError(detail.message, detail.error),
    onFinish: (detail) => {
      this.announce(detail.message);
      this.dispatchEvent(new LlmChatFinishEvent(detail));
    },
  });

  private store: ChatStore | undefined;
  private storeKey = '';
  private storageWarned = false;
  private stickToBottom = true;
  private sentAt = -Infinity;
  private caretToEnd = false;
  private lastRetryError: ChatError | undefined;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private draft = '';

  private get session() {
    return this.chat.session;
  }

  private get text(): LlmChatStrings {
    const custom = this.strings ?? {};
    return { ...defaultStrings, ...custom, errors: { ...defaultStrings.errors, ...custom.errors } } as LlmChatStrings;
  }

  /** The transcript. Reading returns a copy; setting replaces it (stopping a turn in flight). */
  get messages(): ChatMessage[] {
    return this.session.messages.map((message) => snapshot(message));
  }
  set messages(value: ChatMessage[]) {
    if (!Array.isArray(value)) throw new TypeError('llm-chat: messages must be an array of ChatMessage.');
    this.session.setMessages(value);
    this.requestUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('online', this.handleWindowOnline);
    window.addEventListener('offline', this.handleWindowOffline);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.handleWindowOnline);
    window.removeEventListener('offline', this.handleWindowOffline);
    this.stopCountdown();
    this.store?.destroy();
    this.store = undefined;
    this.storeKey = '';
  }

  /**
   * Sends `text`, or the composer's content when omitted.
   * @returns `false` at once when nothing was sent (busy, empty, offline, cancelled);
   *   otherwise `true` when the turn has ended.
   */
  async send(text?: string): Promise<boolean> {
    const fromComposer = text === undefined;
    const content = fromComposer ? this.draft : text;
    if (this.session.busy || content.trim() === '') return false;
    if (!this.prepareSession()) return false;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.offline = true;
      this.notice = this.text.offline;
      this.alertText = this.text.offline;
      return false;
    }
    this.notice = '';
    this.alertText = '';
    this.storageWarning = '';
    this.stickToBottom = true;
    this.sentAt = performance.now();
    const turn = this.session.send(content);
    // The session fires llm-chat-send synchronously; if it went ahead, the composer empties.
    if (this.session.busy && fromComposer) this.setDraft('');
    this.requestUpdate();
    return turn;
  }

  /** Stops the answer in progress; the partial text is kept as `stopped`. */
  stop(): void {
    this.session.stop();
  }

  /** Regenerates the last answer (or the one with `messageId`, if it is the last). */
  async retry(messageId?: string): Promise<boolean> {
    if (!this.prepareSession()) return false;
    this.alertText = '';
    return this.session.retry(messageId);
  }

  /** Asks the backend to carry on from a partial answer, appending to it. */
  async continue(messageId?: string): Promise<boolean> {
    if (!this.prepareSession()) return false;
    this.alertText = '';
    return this.session.continue(messageId);
  }

  /** Stops any answer and empties the transcript. */
  clear(): void {
    this.session.clear();
    this.store?.clear();
    this.notice = '';
    this.alertText = '';
  }

  /** Focuses the composer. */
  override focus(options?: FocusOptions): void {
    this.input?.focus(options);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.openStore();
    this.status = this.session.status;
    if (changed.has('placeholder') || changed.has('strings')) this.resizeInput();
  }

  protected override updated(): void {
    if (this.caretToEnd && this.input) {
      // A draft restored after a reload: the caret goes to its end, ready to type on.
      this.caretToEnd = false;
      this.input.value = this.draft;
      this.input.setSelectionRange(this.draft.length, this.draft.length);
      this.resizeInput();
    }
    if (this.stickToBottom && !this.withoutAutoscroll && this.log) this.log.scrollTop = this.log.scrollHeight;
    if (this.session.status === 'retrying') this.startCountdown();
    else this.stopCountdown();
  }

  /**
   * Opens the store for the current `persist` and key, restoring its transcript and draft.
   * Re-run on every update: changing `persist`, `persist-key`, `id` or (without a key) the
   * endpoint switches to another stored chat.
   */
  private openStore(): void {
    const key = this.persistKey || this.id || this.endpoint || 'default';
    const identity = `${this.persist}|${key}`;
    if (identity === this.storeKey) return;
    this.store?.destroy();
    this.storeKey = identity;
    const mode = this.persist === 'local' || this.persist === 'none' ? this.persist : 'session';
    this.store = new ChatStore({
      mode,
      key,
      onUnavailable: () => {
        if (this.storageWarned) return;
        // Said once, politely; the chat keeps working in memory.
        this.storageWarned = true;
        this.storageWarning = this.text.historyNotSaved;
      },
      onExternalChange: (messages) => {
        // Another tab changed this chat. Never disturb a turn in flight here.
        if (!this.session.busy) this.session.setMessages(messages, { restore: false });
      },
    });
    const { messages, draft } = this.store.load();
    if (messages.length > 0 && !this.session.busy) this.session.setMessages(messages);
    if (draft !== '' && this.draft === '') {
      this.draft = draft;
      this.caretToEnd = true;
    }
  }

  /** Called on every session change, not per frame: hidden tabs get no frames. */
  private persistTranscript(): void {
    this.store?.saveTranscript(this.session.messages, { immediate: !this.session.busy });
  }

  /** Copies the element's settings into the session; false (with a notice) when it cannot send. */
  private prepareSession(): boolean {
    const adapter = getProtocolAdapter(this.protocol);
    if (!adapter) {
      this.notice = this.alertText = this.text.unknownProtocol;
      return false;
    }
    if (!this.endpoint) {
      this.notice = this.alertText = this.text.noEndpoint;
      return false;
    }
    Object.assign(this.session.config, {
      endpoint: this.endpoint,
      model: this.model,
      system: this.system,
      maxTokens: this.maxTokens,
      temperature: this.temperature,
      headers: this.headers,
      body: this.body,
      fetch: this.fetch,
      adapter,
      maxRetries: nonNegative(this.maxRetries, 2),
      idleTimeoutMs: positive(this.idleTimeout, 45_000),
      stallTimeoutMs: positive(this.stallTimeout, 120_000),
    });
    return true;
  }

  private handleTurnError(message: ChatMessage, error: ChatError): void {
    // Nothing was produced: give the user their words back so nothing typed is lost.
    if (message.status === 'error') {
      const index = this.session.messages.findIndex((m) => m.id === message.id);
      const user = this.session.messages[index - 1];
      if (user?.role === 'user' && this.draft.trim() === '') this.setDraft(user.content);
    }
    this.alertText = `${this.text.errors[error.kind]} ${this.hintFor(error)}`.trim();
    this.dispatchEvent(new LlmChatErrorEvent({ message, error }));
  }

  private announce(message: ChatMessage): void {
    const t = this.text;
    const words: Partial<Record<ChatMessage['status'], string>> = {
      complete: t.done,
      stopped: t.stopped,
      truncated: t.truncated,
      filtered: t.filtered,
      tool_calls: t.toolCalls,
      interrupted: t.interrupted,
    };
    this.notice = words[message.status] ?? '';
  }

  private hintFor(error: ChatError): string {
    const t = this.text;
    if (error.kind === 'context_too_long') return t.hintContextTooLong;
    if (error.kind === 'auth_failed' || error.kind === 'forbidden') return t.hintAuth;
    if (error.kind === 'quota_exhausted') return t.hintQuota;
    if (error.phase === 'pre_stream' && error.retryAfterMs !== undefined && error.retryAfterMs > 60_000) {
      const at = new Date(Date.now() + error.retryAfterMs);
      return format(t.retryAt, { time: at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) });
    }
    return '';
  }

  private startCountdown(): void {
    if (this.countdown !== undefined) return;
    this.now = this.session.now();
    this.countdown = setInterval(() => {
      this.now = this.session.now();
    }, 250);
  }

  private stopCountdown(): void {
    if (this.countdown === undefined) return;
    clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private setDraft(value: string): void {
    this.draft = value;
    this.store?.saveDraft(value);
    if (this.input && this.input.value !== value) this.input.value = value;
    this.resizeInput();
    this.requestUpdate();
  }

  private resizeInput(): void {
    const input = this.input;
    if (!input) return;
    // Grow with the text up to the CSS max-height; shrink back when text is removed.
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  }

  private readonly handleWindowOnline = () => {
    this.offline = false;
    if (this.notice === this.text.offline) this.notice = this.text.backOnline;
  };

  private readonly handleWindowOffline = () => {
    this.offline = true;
  };

  private handleInputInput(event: InputEvent): void {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.store?.saveDraft(this.draft);
    this.resizeInput();
    this.requestUpdate();
  }

  private handleInputKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      void this.send();
    }
  }

  private handleHostKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.session.busy) {
      event.preventDefault();
      this.stop();
    }
  };

  private handleStopClick(): void {
    // Stop takes Send's place the moment a message goes out, so the second click of a
    // double-click on Send lands on Stop; that click is not a request to stop.
    if (performance.now() - this.sentAt < DOUBLE_CLICK_MS) return;
    this.stop();
  }

  private handleComposerSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.send();
  }

  private handleLogScroll(): void {
    const log = this.log;
    if (!log) return;
    this.stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK;
  }

  private async handleCopyDetails(event: Event, error: ChatError): Promise<void> {
    const button = event.currentTarget as HTMLButtonElement;
    const details = [
      `kind: ${error.kind}`,
      error.status !== undefined ? `status: ${error.status}` : '',
      error.type ? `type: ${error.type}` : '',
      error.code ? `code: ${error.code}` : '',
      error.requestId ? `request id: ${error.requestId}` : '',
      `phase: ${error.phase}`,
      `time: ${new Date().toISOString()}`,
    ]
      .filter(Boolean)
      .join('\n');
    try {
      await navigator.clipboard.writeText(details);
      button.textContent = this.text.detailsCopied;
    } catch {
      button.textContent = this.text.copyFailed;
    }
    setTimeout(() => (button.textContent = this.text.copyDetails), 1500);
  }

  protected override render(): TemplateResult {
    const t = this.text;
    const messages = this.session.messages;
    const busy = this.session.busy;
    const streaming = this.session.status === 'streaming' || this.session.status === 'connecting';
    return html`
      <div class="frame" @keydown=${this.handleHostKeydown}>
        <slot name="header"></slot>
        <div
          part="log"
          class="log"
          role="log"
          aria-label=${t.conversation}
          aria-busy=${streaming ? 'true' : 'false'}
          tabindex="0"
          @scroll=${this.handleLogScroll}
        >
          <div class="empty" ?hidden=${messages.length > 0}><slot name="empty">${t.empty}</slot></div>
          ${repeat(
            messages,
            (message) => message.id,
            (message) => this.renderMessage(message),
          )}
        </div>
        <div part="status" class="status" role="status" aria-live="polite">
          ${this.renderStatus()}${this.storageWarning ? html` <span class="storage-warning">${this.storageWarning}</span>` : nothing}
        </div>
        <div class="visually-hidden" role="alert">${this.alertText}</div>
        <form part="composer" class="composer" @submit=${this.handleComposerSubmit}>
          <slot name="composer-start"></slot>
          <textarea
            part="input"
            rows="1"
            .value=${this.draft}
            placeholder=${this.placeholder ?? t.placeholder}
            aria-label=${t.inputLabel}
            @input=${this.handleInputInput}
            @keydown=${this.handleInputKeydown}
          ></textarea>
          <slot name="composer-end"></slot>
          ${
            busy
              ? html`<button part="stop-button" class="button stop" type="button" @click=${this.handleStopClick}>${t.stop}</button>`
              : html`<button part="send-button" class="button send" type="submit" ?disabled=${this.draft.trim() === '' || this.offline}>
                  ${t.send}
                </button>`
          }
        </form>
      </div>
    `;
  }

  private renderStatus() {
    const t = this.text;
    const session = this.session;
    switch (session.status) {
      case 'connecting':
        return session.waitingLong ? t.stillWaiting : t.connecting;
      case 'streaming':
        return session.waitingLong ? t.stillWaiting : t.responding;
      case 'retrying': {
        const seconds = Math.max(0, Math.ceil(((session.retryAt ?? 0) - (this.now || session.now())) / 1000));
        return format(t.retryingIn, { reason: this.retryReason(), seconds });
      }
      default:
        return this.notice;
    }
  }

  private retryReason(): string {
    const kind = this.lastRetryError?.kind ?? 'server_error';
    return this.text.errors[kind].replace(/\.$/, '');
  }

  private renderMessage(message: ChatMessage): TemplateResult {
    const t = this.text;
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
          allowedImageOrigins: this.allowedImageOrigins,
          strings: { copy: t.copy, copied: t.copied, copyFailed: t.copyFailed, imageBlocked: t.imageBlocked },
        })}
      ></div>
      ${message.status === 'pending' ? html`<div class="typing" aria-hidden="true"><span></span><span></span><span></span></div>` : nothing}
      ${
        message.toolCalls?.length
          ? html`<ul class="tool-calls">
              ${message.toolCalls.map(
                (call) =>
                  html`<li>
                    <span class="tool-label">${t.toolCall}:</span> <code>${call.name}</code>
                    <code class="tool-args">${call.arguments}</code>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      ${this.renderOutcome(message)} ${this.renderActions(message)} ${this.withMetrics ? this.renderMetrics(message) : nothing}
    </article>`;
  }

  private renderOutcome(message: ChatMessage) {
    const t = this.text;
    const error = message.error;
    if (message.status === 'error' || message.status === 'interrupted' || (message.status === 'filtered' && error)) {
      const main = error ? t.errors[error.kind] : t.interrupted;
      const hint = error ? this.hintFor(error) : '';
      const kept = message.status === 'interrupted' ? ` ${t.interrupted}` : '';
      return html`<p part="error" class="notice error" data-kind=${error?.kind ?? ''}>${main}${kept} ${hint}</p>`;
    }
    if (message.status === 'truncated') return html`<p class="notice">${t.truncated}</p>`;
    if (message.status === 'stopped') return html`<p class="notice">${t.stopped}</p>`;
    return nothing;
  }

  private renderActions(message: ChatMessage) {
    const t = this.text;
    const last = [...this.session.messages].reverse().find((m) => m.role === 'assistant');
    const isLast = last?.id === message.id;
    const busy = this.session.busy;
    const canRetry =
      isLast &&
      !busy &&
      (message.status === 'error'
        ? message.error?.retryable !== false
        : ['interrupted', 'stopped', 'truncated', 'complete', 'filtered'].includes(message.status));
    const canContinue = isLast && !busy && ['truncated', 'stopped', 'interrupted'].includes(message.status) && message.content !== '';
    const error = message.error;
    if (!canRetry && !canContinue && !error && !message.regenerations) return nothing;
    return html`<div part="actions" class="actions">
      ${
        canRetry
          ? html`<button part="retry-button" class="action" type="button" @click=${() => this.retry(message.id)}>${t.retry}</button>`
          : nothing
      }
      ${
        canContinue
          ? html`<button part="continue-button" class="action" type="button" @click=${() => this.continue(message.id)}>
              ${t.continue}
            </button>`
          : nothing
      }
      ${
        error && error.kind !== 'filtered'
          ? html`<button class="action" type="button" @click=${(event: Event) => this.handleCopyDetails(event, error)}>
              ${t.copyDetails}
            </button>`
          : nothing
      }
      ${message.regenerations ? html`<span class="regenerated">${t.regenerated} ×${message.regenerations}</span>` : nothing}
    </div>`;
  }

  private renderMetrics(message: ChatMessage) {
    const metrics = message.metrics;
    if (!metrics || metrics.ttftMs === undefined) return nothing;
    const t = this.text;
    const parts = [format(t.metricsTtft, { ms: metrics.ttftMs })];
    if (metrics.tokensPerSecond !== undefined) {
      parts.push(format(metrics.estimated ? t.metricsRateEstimated : t.metricsRate, { rate: metrics.tokensPerSecond }));
    }
    if (metrics.completionTokens !== undefined) parts.push(format(t.metricsTokens, { tokens: metrics.completionTokens }));
    if (metrics.cachedTokens) parts.push(format(t.metricsCached, { tokens: metrics.cachedTokens }));
    return html`<div part="metrics" class="metrics">${parts.join(' · ')}</div>`;
  }
}

function nonNegative(value: number, fallback: number): number {
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function positive(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
