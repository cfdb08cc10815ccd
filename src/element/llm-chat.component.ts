import { LitElement } from 'lit';
import type { PropertyValues, TemplateResult } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { SESSION_DEFAULTS, snapshot } from '../core/chat-session.js';
import type { ChatSessionStatus } from '../core/chat-session.js';
import type { ChatTools } from '../core/tool-runner.js';
import type { ChatError, ChatMessage } from '../core/types.js';
import { AnnouncerController } from './announcer-controller.js';
import { AutoScrollController } from './auto-scroll-controller.js';
import { ChatController } from './chat-controller.js';
import { renderChat } from './chat-template.js';
import { copyWithFeedback } from './clipboard.js';
import { ComposerController } from './composer-controller.js';
import { ConnectivityController } from './connectivity-controller.js';
import {
  LlmChatDeltaEvent,
  LlmChatErrorEvent,
  LlmChatFeedbackEvent,
  LlmChatFinishEvent,
  LlmChatFirstTokenEvent,
  LlmChatRetryEvent,
  LlmChatSendEvent,
  LlmChatToolCallEvent,
} from './events.js';
import { codeBlockStyles } from './code-block.styles.js';
import { featureStyles } from './llm-chat-features.styles.js';
import { styles } from './llm-chat.styles.js';
import { MessageEditController } from './message-edit-controller.js';
import type { MessageView } from './message-template.js';
import { PersistenceController } from './persistence-controller.js';
import { configProblemText, errorAlert, errorDetails, finishAnnouncement, statusLine } from './status-text.js';
import { warmUpRenderingWhenIdle } from './idle-warm-up.js';
import { resolveStrings } from './strings.js';
import type { LlmChatStrings, LlmChatStringsInput } from './strings.js';

export type LlmChatPersist = 'session' | 'local' | 'none';

/**
 * An embeddable streaming chat. Point it at a backend URL that speaks the llm-chat wire
 * contract (OpenAI Chat Completions streaming by default, or another `protocol`); API keys
 * stay on that server.
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
 * @fires {LlmChatFeedbackEvent} llm-chat-feedback - The reader rated an answer (`with-feedback`). `detail: {messageId, value}` (`up`, `down` or `null`).
 *
 * @slot header - Above the transcript (a title, a model picker).
 * @slot empty - Shown while the transcript is empty (instead of the starter prompts).
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
 * @csspart suggestion - Each starter-prompt button (`suggestions`).
 * @csspart edit-button - Edit and resend the last question.
 * @csspart copy-message-button - Copy a whole answer as markdown.
 * @csspart feedback-up-button - Rate an answer good (`with-feedback`; `aria-pressed`).
 * @csspart feedback-down-button - Rate an answer bad (`with-feedback`; `aria-pressed`).
 * @csspart jump-to-latest-button - Back to the newest text, shown when the reader scrolled up while an answer streams.
 * @csspart reasoning - The model's reasoning, collapsed ("Thinking… N s", then "Thought for N s").
 * @csspart tool-call - One row per tool call, with `data-status` (`running`, `done`, `error`, `cancelled`, `interrupted`).
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
 * @cssprop [--llm-chat-code-keyword-color=#cf222e (dark: #ff7b72)] - Highlighted code: keywords.
 * @cssprop [--llm-chat-code-string-color=#0a3069 (dark: #a5d6ff)] - Highlighted code: strings and regular expressions.
 * @cssprop [--llm-chat-code-comment-color=#57606a (dark: #8b949e)] - Highlighted code: comments.
 * @cssprop [--llm-chat-code-number-color=#0550ae (dark: #79c0ff)] - Highlighted code: numbers, literals, constants.
 * @cssprop [--llm-chat-code-function-color=#6639ba (dark: #d2a8ff)] - Highlighted code: function names, headings.
 * @cssprop [--llm-chat-code-type-color=#953800 (dark: #ffa657)] - Highlighted code: types, classes, built-ins.
 * @cssprop [--llm-chat-code-attribute-color=#0b5394 (dark: #7cc7e8)] - Highlighted code: attributes, properties, variables.
 * @cssprop [--llm-chat-code-tag-color=#116329 (dark: #7ee787)] - Highlighted code: HTML/XML tag names.
 * @cssprop [--llm-chat-code-meta-color=#8250df (dark: #e0a8ff)] - Highlighted code: decorators, preprocessor lines, prompts.
 * @cssprop [--llm-chat-code-addition-color=#116329 (dark: #7ee787)] - Highlighted code: added lines in diffs.
 * @cssprop [--llm-chat-code-deletion-color=#b31d28 (dark: #ffa198)] - Highlighted code: removed lines in diffs.
 * @cssprop [--llm-chat-message-radius=12px] - Corner radius of bubbles and controls.
 * @cssprop [--llm-chat-log-max-height=none] - Height limit of the transcript before it scrolls.
 */
export class LlmChat extends LitElement {
  static override styles = [styles, featureStyles, codeBlockStyles];
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
  /** Wire protocol: `openai` (default), `ai-sdk`, `anthropic`, `ndjson` or `text`. */
  @property() protocol = 'openai';
  /** Where the transcript survives: `session` (this tab), `local` (browser restarts) or `none`. */
  @property() persist: LlmChatPersist = 'session';
  /** Storage key separating several chats on one page. Default: derived from `id`, else the endpoint. */
  @property({ attribute: 'persist-key' }) persistKey?: string;
  /**
   * Automatic retries of retryable failures before the first token.
   * @default 2
   */
  @property({ attribute: 'max-retries', type: Number }) maxRetries: number = SESSION_DEFAULTS.maxRetries;
  /**
   * Milliseconds without any byte after response headers before the stream counts as stalled.
   * @default 45000
   */
  @property({ attribute: 'idle-timeout', type: Number }) idleTimeout: number = SESSION_DEFAULTS.idleTimeoutMs;
  /**
   * Milliseconds without content progress (also the first-token deadline).
   * @default 120000
   */
  @property({ attribute: 'stall-timeout', type: Number }) stallTimeout: number = SESSION_DEFAULTS.stallTimeoutMs;
  /** Composer placeholder; defaults to `strings.placeholder`. */
  @property() placeholder?: string;
  /** Show TTFT and tokens per second under answers. */
  @property({ attribute: 'with-metrics', type: Boolean }) withMetrics = false;
  /** Do not follow the stream by scrolling, even when the reader is at the bottom. */
  @property({ attribute: 'without-autoscroll', type: Boolean }) withoutAutoscroll = false;
  /**
   * Follow-up requests one send may make to hand tool results back (`tools`).
   * @default 5
   */
  @property({ attribute: 'max-tool-rounds', type: Number }) maxToolRounds: number = SESSION_DEFAULTS.maxToolRounds;
  /**
   * Milliseconds a tool call may run before it is aborted and the turn ends.
   * @default 30000
   */
  @property({ attribute: 'tool-timeout', type: Number }) toolTimeout: number = SESSION_DEFAULTS.toolTimeoutMs;
  /** `idle | connecting | streaming | retrying | reconnecting | error` (reflected; read-only in practice). */
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
  /**
   * Tools the model may call, by name: `{description, parameters (JSON Schema), execute(args, {signal, messageId, toolCallId})}`.
   * A tool without `execute` is handled by the page (`llm-chat-tool-call`, then `addToolResult`).
   */
  @property({ attribute: false }) tools: ChatTools = {};
  /** Starter prompts shown as buttons while the transcript is empty (the `empty` slot wins when used); a click sends one. */
  @property({ attribute: false }) suggestions: string[] = [];
  /** Show thumbs up/down on finished answers; the choice fires `llm-chat-feedback` and is kept on the message. */
  @property({ attribute: 'with-feedback', type: Boolean }) withFeedback = false;

  /** The status line between turns (the last answer's outcome, a configuration problem). */
  @state() private notice = '';
  @state() private alertText = '';
  /** Shown once, beside the status, from the first storage failure until the next send. */
  @state() private storageWarning = '';

  // Cached (both are always rendered): the transcript comes first in the shadow tree, so each
  // uncached look-up of the composer would walk every message.
  @query('textarea[part="input"]', true) private input?: HTMLTextAreaElement;
  @query('[part="log"]', true) private log?: HTMLElement;

  private readonly chat = new ChatController(this, () => this, {
    onChange: () => this.persistence.saveTranscript(),
    onSend: ({ message, request }) => this.dispatchEvent(new LlmChatSendEvent({ message, request })),
    onFirstToken: (detail) => this.dispatchEvent(new LlmChatFirstTokenEvent(detail)),
    onDelta: (detail) => this.dispatchEvent(new LlmChatDeltaEvent(detail)),
    onToolCall: (detail) => this.dispatchEvent(new LlmChatToolCallEvent(detail)),
    onRetry: (detail) => this.dispatchEvent(new LlmChatRetryEvent(detail)),
    onError: ({ message, error }) => this.handleTurnError(message, error),
    onFinish: (detail) => {
      this.notice = finishAnnouncement(detail.message, this.text);
      // A tool bound ends the turn without an error status; it is still worth an alert.
      if (detail.message.error?.kind === 'tool_limit') this.alertText = errorAlert(detail.message.error, this.text);
      this.dispatchEvent(new LlmChatFinishEvent(detail));
    },
  });
  private readonly persistence = new PersistenceController(
    this,
    this.chat.session,
    () => ({
      mode: this.persist === 'local' || this.persist === 'none' ? this.persist : 'session',
      key: this.persistKey || this.id || this.endpoint || 'default',
    }),
    {
      onUnavailable: () => (this.storageWarning = this.text.historyNotSaved),
      onDraftRestored: (draft) => this.composer.restore(draft),
      onTranscriptRestored: () => void this.resumeAfterReload(),
    },
  );
  private readonly connectivity = new ConnectivityController(this, () => {
    if (this.notice === this.text.offline) this.notice = this.text.backOnline;
  });
  private readonly scroller = new AutoScrollController(
    this,
    () => this.log,
    () => !this.withoutAutoscroll,
  );
  private readonly composer = new ComposerController(this, () => this.input, {
    onSubmit: () => {
      // Send (the button or Enter) leaves focus in the composer, ready for the next question.
      this.focus();
      void this.send();
    },
    onDraftChange: (draft) => this.persistence.saveDraft(draft),
  });
  private readonly editor = new MessageEditController(this, () => this.renderRoot as ShadowRoot, {
    onSave: (id, text) => void this.resend(id, text),
  });
  private readonly announcer = new AnnouncerController(this);

  private get text(): LlmChatStrings {
    return resolveStrings(this.strings);
  }

  /** The transcript. Reading returns a copy; setting replaces it (stopping a turn in flight). */
  get messages(): ChatMessage[] {
    return this.chat.messages.map((message) => snapshot(message));
  }
  set messages(value: ChatMessage[]) {
    if (!Array.isArray(value)) throw new TypeError('llm-chat: messages must be an array of ChatMessage.');
    this.editor.close();
    this.chat.session.setMessages(value);
    this.requestUpdate();
  }

  /**
   * Sends `text`, or the composer's content when omitted.
   * @returns `false` at once when nothing was sent (busy, empty, offline, cancelled, a
   *   configuration problem); otherwise `true` when the turn has ended.
   */
  async send(text?: string): Promise<boolean> {
    const fromComposer = text === undefined;
    const content = fromComposer ? this.composer.draft : text;
    if (this.chat.busy || this.chat.preparing || content.trim() === '') return false;
    // Ready (the usual case): no await, so llm-chat-send fires and the chat is busy before send() returns.
    if (!this.readyNow && !(await this.ready(content))) return false;
    this.startTurn();
    const turn = this.chat.session.send(content);
    // The session fires llm-chat-send synchronously; if it went ahead, the composer empties.
    if (this.chat.busy && fromComposer) this.composer.set('');
    return turn;
  }

  /** Stops the answer in progress; the partial text is kept as `stopped`. */
  stop(): void {
    this.chat.session.stop();
  }

  /** Regenerates the last answer (or the one with `messageId`, if it is the last). */
  async retry(messageId?: string): Promise<boolean> {
    if (!this.readyNow && !(await this.ready())) return false;
    this.startTurn();
    return this.chat.session.retry(messageId);
  }

  /** Asks the backend to carry on from a partial answer, appending to it. */
  async continue(messageId?: string): Promise<boolean> {
    if (!this.readyNow && !(await this.ready())) return false;
    this.startTurn();
    return this.chat.session.continue(messageId);
  }

  /**
   * Hands in the result of a tool the page handles itself (a tool without `execute`, or one
   * the backend declared). When it was the last result the answer waited for, the follow-up
   * request goes out.
   * @returns `false` when no call with this id is waiting for a result.
   */
  addToolResult(toolCallId: string, result: unknown, options: { isError?: boolean } = {}): boolean {
    return this.chat.session.addToolResult(toolCallId, result, options);
  }

  /** Stops any answer and empties the transcript. */
  clear(): void {
    const focusInside = this.matches(':focus-within');
    this.editor.close();
    this.chat.session.clear();
    this.persistence.clear();
    this.notice = this.alertText = '';
    // A Clear from inside the chat leaves the reader in the composer; one from the page keeps its focus.
    if (focusInside) void this.updateComplete.then(() => this.focus());
  }

  /** Focuses the composer. */
  override focus(options?: FocusOptions): void {
    this.input?.focus(options);
  }

  protected override firstUpdated(): void {
    warmUpRenderingWhenIdle(this.renderRoot);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.status = this.chat.status;
    if (changed.has('placeholder') || changed.has('strings')) this.composer.resize();
  }

  /** Resends the last question with new text (the old answer is replaced). */
  private async resend(messageId: string, text: string): Promise<boolean> {
    this.focus();
    if (this.chat.busy || (!this.readyNow && !(await this.ready()))) return false;
    this.startTurn();
    return this.chat.session.edit(messageId, text);
  }

  /** An answer the reload cut is picked up where it was, once, if the server still has it (DESIGN.md §4b). */
  private async resumeAfterReload(): Promise<void> {
    if (!this.chat.ready && (await this.chat.prepare())) return;
    await this.chat.session.resumeInterrupted();
  }

  /** Clears what the last turn said and follows the new answer. */
  private startTurn(): void {
    this.notice = this.alertText = this.storageWarning = '';
    this.scroller.follow();
    this.composer.markSent();
    this.requestUpdate();
  }

  /** Whether a request can go out at once: settings ready, browser online. */
  private get readyNow(): boolean {
    return this.chat.ready && !this.connectivity.check();
  }

  /**
   * Waits for what the settings need (a protocol adapter to load) and checks the connection.
   * A problem is a clear error state, said once, and `unsent` text is kept in the composer.
   */
  private async ready(unsent?: string): Promise<boolean> {
    const problem = this.chat.ready ? undefined : await this.chat.prepare();
    if (problem) {
      this.notice = this.alertText = configProblemText(problem, this.text);
      if (problem === 'unknown_protocol') {
        console.error(`llm-chat: unknown protocol "${this.protocol}". Known protocols: ${this.chat.knownProtocols().join(', ')}.`);
      }
    } else if (this.connectivity.check()) {
      this.notice = this.alertText = this.text.offline;
    } else {
      return true;
    }
    if (unsent !== undefined) this.keepUnsent(unsent);
    this.requestUpdate();
    return false;
  }

  /** Text that could not be sent goes (back) into the composer, unless the user is typing something else. */
  private keepUnsent(text: string): void {
    if (this.composer.draft.trim() === '' || this.composer.draft === text) this.composer.set(text);
  }

  private handleTurnError(message: ChatMessage, error: ChatError): void {
    // Nothing was produced: give the user their words back so nothing typed is lost.
    if (message.status === 'error') {
      const messages = this.chat.messages;
      const user = messages[messages.findIndex((m) => m.id === message.id) - 1];
      if (user?.role === 'user' && this.composer.draft.trim() === '') this.composer.set(user.content);
    }
    this.alertText = errorAlert(error, this.text);
    this.dispatchEvent(new LlmChatErrorEvent({ message, error }));
  }

  private readonly handleFrameKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.chat.busy) {
      event.preventDefault();
      this.stop();
      this.focus();
    }
  };

  private readonly handleStopClick = (): void => {
    // Stop takes Send's place the moment a message goes out, so the second click of a
    // double-click on Send lands on Stop; that click is not a request to stop.
    if (!this.composer.stopIntended()) return;
    this.stop();
    this.focus();
  };

  private handleFeedback(messageId: string, value: 'up' | 'down' | null): void {
    if (!this.chat.session.setFeedback(messageId, value)) return;
    // A click is answered at once, not on the next frame's batch.
    this.requestUpdate();
    this.dispatchEvent(new LlmChatFeedbackEvent({ messageId, value }));
  }

  private get messageView(): MessageView {
    const t = this.text;
    return {
      strings: t,
      withMetrics: this.withMetrics,
      withFeedback: this.withFeedback,
      allowedImageOrigins: this.allowedImageOrigins,
      canRetry: (message) => this.chat.canRetry(message),
      canContinue: (message) => this.chat.canContinue(message),
      canEdit: (message) => this.chat.session.canEdit(message),
      // The button that was clicked goes away while the answer streams; the composer keeps focus.
      onRetry: (id) => (this.focus(), void this.retry(id)),
      onContinue: (id) => (this.focus(), void this.continue(id)),
      onCopyDetails: (event, error) =>
        void copyWithFeedback(event.currentTarget as HTMLElement, errorDetails(error), {
          idle: t.copyDetails,
          done: t.detailsCopied,
          failed: t.copyFailed,
        }),
      onCopyMessage: (event, message) =>
        void copyWithFeedback(event.currentTarget as HTMLElement, message.content, {
          idle: t.copyAnswer,
          done: t.answerCopied,
          failed: t.copyFailed,
        }),
      onFeedback: (id, value) => this.handleFeedback(id, value),
      edit: this.editor,
      toolElapsedMs: (id) => this.chat.session.toolElapsedMs(id),
      reasoningElapsedMs: (id) => this.chat.session.reasoningElapsedMs(id),
      trimmedNoticeId: this.chat.messages.find((message) => message.metrics?.contextTrimmed)?.id,
    };
  }

  protected override render(): TemplateResult {
    const t = this.text;
    const line = statusLine(this.chat.line, t, this.notice);
    this.announcer.say(line.spoken);
    return renderChat({
      strings: t,
      messages: this.chat.messages,
      message: this.messageView,
      settled: [this.strings, this.withMetrics, this.withFeedback, this.allowedImageOrigins, this.chat.busy],
      busy: this.chat.busy,
      streaming: this.status === 'streaming' || this.status === 'connecting',
      status: { shown: line.shown, spoken: this.announcer.current, warning: this.storageWarning },
      alert: this.alertText,
      draft: this.composer.draft,
      placeholder: this.placeholder ?? t.placeholder,
      sendDisabled: this.composer.draft.trim() === '' || this.connectivity.offline,
      suggestions: this.suggestions ?? [],
      showJump: this.chat.busy && !this.scroller.atBottom,
      onFrameKeydown: this.handleFrameKeydown,
      onLogScroll: () => this.scroller.handleScroll(),
      onJump: () => this.scroller.follow(),
      onSuggestion: (text) => (this.focus(), void this.send(text)),
      onComposerSubmit: this.composer.handleSubmit,
      onInput: this.composer.handleInput,
      onInputKeydown: this.composer.handleKeydown,
      onStop: this.handleStopClick,
    });
  }
}
