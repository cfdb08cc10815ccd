import type { ChatRequestInput, ChatTransport, WireMessage } from './chat-transport.js';
import { classifyError } from './classify-error.js';
import { sleep, systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { createId } from './create-id.js';
import { historyFor } from './history.js';
import { ERROR_STATUSES, canContinue, canRetry, lastAssistant } from './message-actions.js';
import { createOverlapTrimmer } from './overlap-trimmer.js';
import { createRetryPolicy } from './retry-policy.js';
import { recordRate, resetAnswer, restoreMessage, settleTurn } from './turn-outcome.js';
import type { AttemptOutcome } from './turn-outcome.js';
import type { ChatError, ChatEvent, ChatMessage, ChatRequest, ChatToolCall } from './types.js';
import { Watchdog } from './watchdog.js';
import type { WatchdogReason } from './watchdog.js';

/** The session-level state the element reflects as its `status` attribute. */
export type ChatSessionStatus = 'idle' | 'connecting' | 'streaming' | 'retrying' | 'reconnecting' | 'error';

/** Settings read at the start of every request, so the element can change them at any time. */
export interface ChatSessionConfig {
  /** Backend URL (required to send). */
  endpoint: string;
  /** Encodes requests and streams responses; required to send. */
  transport: ChatTransport | undefined;
  model?: string | undefined;
  system?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  /** Extra non-secret request headers. */
  headers?: Record<string, string> | undefined;
  /** Extra request-body fields. */
  body?: Record<string, unknown> | undefined;
  /** @defaultValue 2 */
  maxRetries: number;
  /** @defaultValue 45000 */
  idleTimeoutMs: number;
  /** @defaultValue 120000 */
  stallTimeoutMs: number;
  /** After this long without a first token the UI says "Still waiting…". @defaultValue 15000 */
  waitingHintMs: number;
}

/** The defaults of {@link ChatSessionConfig}, which the element's attributes document too. */
export const SESSION_DEFAULTS = {
  maxRetries: 2,
  idleTimeoutMs: 45_000,
  stallTimeoutMs: 120_000,
  waitingHintMs: 15_000,
} as const;

export interface ChatSessionCallbacks {
  /** Something visible changed: the transcript, the status, the countdown or the hint. */
  onChange?: () => void;
  /** Before a request is made; return false to cancel the send. The request may be edited. */
  onSend?: (detail: { message: ChatMessage; request: ChatRequest }) => boolean;
  onFirstToken?: (detail: { messageId: string; ttftMs: number }) => void;
  onDelta?: (detail: { messageId: string; text: string }) => void;
  onToolCall?: (detail: { messageId: string; toolCall: ChatToolCall }) => void;
  onRetry?: (detail: { messageId: string; attempt: number; delayMs: number; error: ChatError }) => void;
  onFinish?: (detail: { message: ChatMessage }) => void;
  onError?: (detail: { message: ChatMessage; error: ChatError }) => void;
}

export interface ChatSessionOptions extends Partial<ChatSessionConfig>, ChatSessionCallbacks {
  /** @defaultValue the system clock */
  clock?: Clock;
  /** Randomness for retry jitter. @defaultValue Math.random */
  random?: () => number;
}

/** One logical request: a send, a Retry or a Continue, with its automatic retries. */
interface Turn {
  message: ChatMessage;
  /** Clock time of send(); TTFT and duration count from here. */
  start: number;
  firstTokenAt?: number;
  /** The model streamed a refusal: the answer ends `filtered`. */
  refused: boolean;
  /** The partial answer a Continue carries on from. */
  continuedFrom?: string;
  trimmer?: ReturnType<typeof createOverlapTrimmer>;
}

/** Per-attempt facts that decide the phase of a failure and the final status. */
interface AttemptState {
  gotOutput: boolean;
  finishReason: string | undefined;
  error: ChatError | undefined;
}

const STOPPED = 'llm-chat:stopped';

/**
 * One conversation: owns the transcript and at most one request at a time. It builds the
 * request, streams it through the {@link ChatTransport}, applies events to the assistant
 * message, classifies failures, retries what may be retried before the first token, and
 * records metrics. Framework-free; the element talks to it through `ChatController`.
 */
export class ChatSession {
  readonly config: ChatSessionConfig;
  private readonly callbacks: ChatSessionCallbacks;
  private readonly clock: Clock;
  private readonly random: () => number;
  private transcript: ChatMessage[] = [];
  private controller: AbortController | undefined;
  private currentStatus: ChatSessionStatus = 'idle';
  private retryDeadline: number | undefined;
  private waitingHint = false;
  private activeId: string | undefined;

  constructor(options: ChatSessionOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.callbacks = options;
    this.config = {
      endpoint: options.endpoint ?? '',
      transport: options.transport,
      model: options.model,
      system: options.system,
      maxTokens: options.maxTokens,
      temperature: options.temperature,
      headers: options.headers,
      body: options.body,
      maxRetries: options.maxRetries ?? SESSION_DEFAULTS.maxRetries,
      idleTimeoutMs: options.idleTimeoutMs ?? SESSION_DEFAULTS.idleTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? SESSION_DEFAULTS.stallTimeoutMs,
      waitingHintMs: options.waitingHintMs ?? SESSION_DEFAULTS.waitingHintMs,
    };
  }

  /** The live transcript. Treat as read-only; use `setMessages` to replace it. */
  get messages(): readonly ChatMessage[] {
    return this.transcript;
  }

  get status(): ChatSessionStatus {
    return this.currentStatus;
  }

  /** True while a turn is in flight (connecting, streaming or waiting to retry). */
  get busy(): boolean {
    return this.controller !== undefined;
  }

  /** The id of the assistant message of the turn in flight. */
  get activeMessageId(): string | undefined {
    return this.activeId;
  }

  /** Clock time at which the next automatic retry starts, while `status` is `retrying`. */
  get retryAt(): number | undefined {
    return this.retryDeadline;
  }

  /** True when no token has arrived for a while (the "Still waiting…" hint). */
  get waitingLong(): boolean {
    return this.waitingHint;
  }

  now(): number {
    return this.clock.now();
  }

  /** Whether Retry applies to this message now (see `message-actions.ts`). */
  canRetry(message: ChatMessage): boolean {
    return !this.busy && canRetry(this.transcript, message);
  }

  /** Whether Continue applies to this message now. */
  canContinue(message: ChatMessage): boolean {
    return !this.busy && canContinue(this.transcript, message);
  }

  /**
   * Replaces the transcript (stopping a turn in flight). A message that was still pending or
   * streaming, as after a reload mid-stream, comes back as `interrupted` with its text kept,
   * unless `restore` is false.
   */
  setMessages(messages: readonly ChatMessage[], options: { restore?: boolean } = {}): void {
    if (this.busy) this.stop();
    // Another tab's live answer is shown as it is (that tab is still streaming it); only a
    // transcript coming back from storage after a reload needs its dead streams restored.
    this.transcript = messages.map((message) => (options.restore === false ? structuredClone(message) : restoreMessage(message)));
    this.currentStatus = 'idle';
    this.changed();
  }

  /**
   * Sends a user message and streams the answer.
   *
   * @returns `false` at once when a turn is already in flight, the text is empty or the send
   *   was cancelled; otherwise `true` when the turn has ended, whatever its outcome.
   * @throws When no transport is configured (a configuration error, reported before anything is sent).
   */
  async send(text: string): Promise<boolean> {
    if (this.busy || text.trim() === '') return false;
    const user: ChatMessage = { id: createId(), role: 'user', content: text, status: 'complete', createdAt: Date.now() };
    // Sending the text of a pair that failed before any output replaces that pair.
    const last = this.transcript.at(-1);
    const previous = this.transcript.at(-2);
    const replacesFailedPair =
      last?.role === 'assistant' && last.status === 'error' && previous?.role === 'user' && previous.content === text;
    const base = replacesFailedPair ? this.transcript.slice(0, -2) : this.transcript;
    const request = this.buildRequest([...historyFor(base), { role: 'user', content: text }], false);
    if (this.callbacks.onSend?.({ message: { ...user }, request }) === false) return false;
    const assistant: ChatMessage = {
      id: createId(),
      role: 'assistant',
      content: '',
      status: 'pending',
      createdAt: Date.now(),
      metrics: { attempts: 0 },
    };
    this.transcript = [...base, user, assistant];
    await this.runTurn(assistant, request, undefined);
    return true;
  }

  /**
   * Regenerates the last assistant answer from the same history, replacing its content. A
   * later answer would depend on an earlier one, so only the last can be regenerated; one
   * that failed with a non-retryable error cannot (sending it again would fail again).
   *
   * @returns `false` at once when busy or when there is nothing to retry.
   */
  async retry(messageId?: string): Promise<boolean> {
    const target = this.actionTarget(messageId, (message) => this.canRetry(message));
    if (!target) return false;
    const index = this.transcript.indexOf(target);
    // Exactly the history of the first attempt: the user's question once, nothing of the
    // failed answer (it is the target, so it is not part of what comes before it).
    const request = this.buildRequest(historyFor(this.transcript.slice(0, index)), false);
    if (target.content !== '' || target.status !== 'error') target.regenerations = (target.regenerations ?? 0) + 1;
    resetAnswer(target);
    await this.runTurn(target, request, undefined);
    return true;
  }

  /**
   * Asks the backend to carry on from a partial answer (`truncated`, `stopped` or
   * `interrupted`), appending to the same message. The partial goes as the last `assistant`
   * message with `"continue": true` in the body; a repeated overlap is dropped.
   *
   * @returns `false` at once when busy or when the message cannot be continued.
   */
  async continue(messageId?: string): Promise<boolean> {
    const target = this.actionTarget(messageId, (message) => this.canContinue(message));
    if (!target) return false;
    const index = this.transcript.indexOf(target);
    const partial: WireMessage = { role: 'assistant', content: target.content };
    const request = this.buildRequest([...historyFor(this.transcript.slice(0, index)), partial], true);
    delete target.error;
    delete target.finishReason;
    target.metrics = { attempts: 0 };
    await this.runTurn(target, request, target.content);
    return true;
  }

  /** Stops the turn in flight, keeping the partial answer as `stopped`. */
  stop(): void {
    this.controller?.abort(STOPPED);
  }

  /** Stops any turn and empties the transcript. */
  clear(): void {
    this.stop();
    this.transcript = [];
    this.currentStatus = 'idle';
    this.changed();
  }

  /** The last answer, when it is the one asked for (or none was named) and the action applies to it. */
  private actionTarget(messageId: string | undefined, applies: (message: ChatMessage) => boolean): ChatMessage | undefined {
    const target = lastAssistant(this.transcript);
    if (!target || (messageId !== undefined && target.id !== messageId) || !applies(target)) return undefined;
    return target;
  }

  private get transport(): ChatTransport {
    const { transport } = this.config;
    if (!transport) throw new Error('llm-chat: no transport is configured for this chat session.');
    return transport;
  }

  private buildRequest(messages: WireMessage[], continuation: boolean): ChatRequest {
    const { config } = this;
    const input: ChatRequestInput = {
      url: config.endpoint,
      // One key per logical request: automatic retries reuse it so the server can tell a
      // retry from a second question.
      headers: { ...config.headers, 'Idempotency-Key': createId() },
      system: config.system,
      messages,
      model: config.model,
      maxTokens: config.maxTokens,
      temperature: config.temperature,
      body: config.body,
      continuation,
    };
    return this.transport.createRequest(input);
  }

  private async runTurn(message: ChatMessage, request: ChatRequest, continuedFrom: string | undefined): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    this.activeId = message.id;
    message.status = 'pending';
    const metrics = (message.metrics ??= { attempts: 0 });
    metrics.attempts = 0;
    const turn: Turn = { message, start: this.clock.now(), refused: false };
    if (continuedFrom !== undefined) {
      turn.continuedFrom = continuedFrom;
      turn.trimmer = createOverlapTrimmer(continuedFrom);
    }
    const retryPolicy = createRetryPolicy({ maxRetries: this.config.maxRetries, random: this.random });
    let retries = 0;
    let outcome: AttemptOutcome;
    this.changed();

    for (;;) {
      metrics.attempts++;
      if (retries > 0) request.headers['X-Retry-Attempt'] = String(retries);
      outcome = await this.runAttempt(turn, request, controller.signal);
      if (outcome.kind !== 'failed') break;
      const decision = retryPolicy.decide(outcome.error, retries);
      if (!decision.retry) break;
      retries++;
      this.retryDeadline = this.clock.now() + decision.delayMs;
      this.setStatus('retrying');
      this.callbacks.onRetry?.({ messageId: message.id, attempt: retries, delayMs: decision.delayMs, error: outcome.error });
      try {
        await sleep(this.clock, decision.delayMs, controller.signal);
      } catch {
        outcome = { kind: 'stopped' };
        break;
      } finally {
        this.retryDeadline = undefined;
      }
    }

    const held = turn.trimmer?.flush() ?? '';
    if (held !== '') this.appendText(turn, held);
    this.finishTurn(turn, outcome);
  }

  private async runAttempt(turn: Turn, request: ChatRequest, turnSignal: AbortSignal): Promise<AttemptOutcome> {
    const { clock, config } = this;
    const { message } = turn;
    const metrics = message.metrics ?? { attempts: 1 };
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort(turnSignal.reason);
    turnSignal.addEventListener('abort', abortAttempt, { once: true });
    let timedOut: WatchdogReason | undefined;
    const watchdog = new Watchdog({
      clock,
      idleTimeoutMs: config.idleTimeoutMs,
      stallTimeoutMs: config.stallTimeoutMs,
      onTimeout: (reason) => {
        timedOut = reason;
        attempt.abort('llm-chat:watchdog');
      },
    });
    const state: AttemptState = { gotOutput: false, finishReason: undefined, error: undefined };
    const attemptStart = clock.now();
    const hint =
      metrics.ttftMs === undefined
        ? clock.setTimeout(
            () => {
              this.waitingHint = true;
              this.changed();
            },
            Math.max(0, config.waitingHintMs - (attemptStart - turn.start)),
          )
        : undefined;
    this.setStatus('connecting');
    watchdog.start();

    try {
      const events = this.transport.stream(request, {
        signal: attempt.signal,
        onResponse: () => {
          metrics.ttfbMs = Math.round(clock.now() - attemptStart);
          watchdog.headersReceived();
          this.setStatus('streaming');
        },
        onActivity: () => watchdog.activity(),
      });
      for await (const event of events) {
        // Nothing is appended once the user pressed Stop.
        if (turnSignal.aborted) break;
        this.applyEvent(turn, event, state, watchdog);
      }
    } catch (error) {
      if (!turnSignal.aborted && timedOut === undefined && state.error === undefined) {
        state.error = classifyError(
          { cause: 'network', message: error instanceof Error ? error.message : String(error) },
          state.gotOutput ? 'mid_stream' : 'pre_stream',
        );
      }
    } finally {
      watchdog.stop();
      if (hint !== undefined) clock.clearTimeout(hint);
      this.waitingHint = false;
      turnSignal.removeEventListener('abort', abortAttempt);
    }

    if (turnSignal.aborted) return { kind: 'stopped' };
    // A stream that delivered its finish reason is complete, whatever happened after it.
    if (state.finishReason !== undefined) return { kind: 'finished', reason: state.finishReason };
    if (timedOut !== undefined) {
      return { kind: 'failed', error: stalledError(state.gotOutput ? 'mid_stream' : 'pre_stream', timedOut, metrics.requestId) };
    }
    if (state.error) {
      if (!state.error.requestId && metrics.requestId) state.error.requestId = metrics.requestId;
      return { kind: 'failed', error: state.error };
    }
    return { kind: 'finished', reason: undefined };
  }

  private applyEvent(turn: Turn, event: ChatEvent, state: AttemptState, watchdog: Watchdog): void {
    const { message, trimmer } = turn;
    const metrics = (message.metrics ??= { attempts: 1 });
    switch (event.type) {
      case 'meta':
        if (event.requestId && !metrics.requestId) metrics.requestId = event.requestId;
        if (event.model) metrics.model = event.model;
        break;
      case 'delta': {
        state.gotOutput = true;
        watchdog.progress();
        const text = trimmer ? trimmer.push(event.text) : event.text;
        if (text !== '') this.appendText(turn, text);
        break;
      }
      case 'refusal':
        state.gotOutput = true;
        turn.refused = true;
        watchdog.progress();
        this.appendText(turn, event.text);
        break;
      case 'reasoning':
        state.gotOutput = true;
        watchdog.progress();
        message.reasoning = (message.reasoning ?? '') + event.text;
        message.status = 'streaming';
        this.changed();
        break;
      case 'tool-call':
        state.gotOutput = true;
        watchdog.progress();
        message.toolCalls = [...(message.toolCalls ?? []), { ...event.toolCall }];
        message.status = 'streaming';
        this.callbacks.onToolCall?.({ messageId: message.id, toolCall: { ...event.toolCall } });
        this.changed();
        break;
      case 'usage':
        watchdog.progress();
        if (event.promptTokens !== undefined) metrics.promptTokens = event.promptTokens;
        if (event.completionTokens !== undefined) metrics.completionTokens = event.completionTokens;
        if (event.cachedTokens !== undefined) metrics.cachedTokens = event.cachedTokens;
        break;
      case 'finish':
        watchdog.progress();
        state.finishReason = event.reason;
        message.finishReason = event.reason;
        break;
      case 'error':
        state.error = classifyError(event.error, state.gotOutput ? 'mid_stream' : 'pre_stream');
        break;
      case 'done':
        break;
    }
  }

  private appendText(turn: Turn, text: string): void {
    const { message } = turn;
    const metrics = (message.metrics ??= { attempts: 1 });
    if (metrics.ttftMs === undefined) {
      // Measured from send(), retries included: what the user actually waited.
      turn.firstTokenAt = this.clock.now();
      metrics.ttftMs = Math.round(turn.firstTokenAt - turn.start);
      this.waitingHint = false;
      this.callbacks.onFirstToken?.({ messageId: message.id, ttftMs: metrics.ttftMs });
    }
    message.content += text;
    message.status = 'streaming';
    this.callbacks.onDelta?.({ messageId: message.id, text });
    this.changed();
  }

  private finishTurn(turn: Turn, outcome: AttemptOutcome): void {
    const { message } = turn;
    const settled = settleTurn(message, outcome, { refused: turn.refused, continued: turn.continuedFrom !== undefined });
    message.status = settled.status;
    if (settled.error) message.error = settled.error;
    recordRate(
      message,
      { start: turn.start, firstTokenAt: turn.firstTokenAt, end: this.clock.now() },
      this.config.model,
      turn.continuedFrom?.length ?? 0,
    );
    this.controller = undefined;
    this.activeId = undefined;
    this.currentStatus = ERROR_STATUSES.has(settled.status) ? 'error' : 'idle';
    this.changed();
    if (message.error && ERROR_STATUSES.has(settled.status)) {
      this.callbacks.onError?.({ message: snapshot(message), error: { ...message.error } });
    }
    this.callbacks.onFinish?.({ message: snapshot(message) });
  }

  private setStatus(status: ChatSessionStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.changed();
  }

  private changed(): void {
    this.callbacks.onChange?.();
  }
}

function stalledError(phase: ChatError['phase'], reason: WatchdogReason, requestId: string | undefined): ChatError {
  return {
    kind: 'stalled',
    message: reason === 'idle' ? 'The connection went silent.' : 'The answer stopped arriving.',
    retryable: true,
    phase,
    ...(requestId ? { requestId } : {}),
  };
}

/** A copy safe to hand to event listeners. */
export function snapshot(message: ChatMessage): ChatMessage {
  return structuredClone(message);
}
