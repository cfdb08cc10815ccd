import type { ChatRequestInput, ChatTransport, WireMessage } from './chat-transport.js';
import { systemClock } from './clock.js';
import type { Clock } from './clock.js';
import { createId } from './create-id.js';
import { historyFor } from './history.js';
import { ERROR_STATUSES, canContinue, canRerunTools, canRetry, lastAssistant } from './message-actions.js';
import { hasToolResult, withoutToolResults } from './tool-results.js';
import { ToolRunner, toolErrorContent, toolResultContent } from './tool-runner.js';
import { TurnLoop, newAnswer } from './turn-loop.js';
import type { LoopOptions, TurnLoopHost } from './turn-loop.js';
import { resetAnswer, restoreMessage } from './turn-outcome.js';
import type { ChatSessionCallbacks, ChatSessionConfig, ChatSessionOptions, ChatSessionStatus } from './session-config.js';
import { SESSION_DEFAULTS } from './session-config.js';
import type { ChatMessage, ChatRequest } from './types.js';
import { IDEMPOTENCY_KEY_HEADER } from '../wire/headers.js';

export { SESSION_DEFAULTS };
export type { ChatSessionCallbacks, ChatSessionConfig, ChatSessionOptions, ChatSessionStatus };

/**
 * One conversation: owns the transcript and at most one request at a time. A send streams an
 * answer through the {@link ChatTransport}; when the answer asks for tools, they run (while
 * text may still stream), their results go back in a follow-up request, and so on until the
 * model answers in text or a bound is hit (DESIGN.md §3a). Framework-free; the element talks
 * to it through `ChatController`.
 */
export class ChatSession {
  readonly config: ChatSessionConfig;
  private readonly callbacks: ChatSessionCallbacks;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly tools: ToolRunner;
  private transcript: ChatMessage[] = [];
  private loop: TurnLoop | undefined;
  private currentStatus: ChatSessionStatus = 'idle';
  private retryDeadline: number | undefined;
  private waitingHint = false;

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
      tools: options.tools,
      maxRetries: options.maxRetries ?? SESSION_DEFAULTS.maxRetries,
      idleTimeoutMs: options.idleTimeoutMs ?? SESSION_DEFAULTS.idleTimeoutMs,
      stallTimeoutMs: options.stallTimeoutMs ?? SESSION_DEFAULTS.stallTimeoutMs,
      waitingHintMs: options.waitingHintMs ?? SESSION_DEFAULTS.waitingHintMs,
      maxToolRounds: options.maxToolRounds ?? SESSION_DEFAULTS.maxToolRounds,
      toolTimeoutMs: options.toolTimeoutMs ?? SESSION_DEFAULTS.toolTimeoutMs,
    };
    this.tools = new ToolRunner({ clock: this.clock, onChange: () => this.changed() });
  }

  /** The live transcript. Treat as read-only; use `setMessages` to replace it. */
  get messages(): readonly ChatMessage[] {
    return this.transcript;
  }

  get status(): ChatSessionStatus {
    return this.currentStatus;
  }

  /** True while a turn is in flight (connecting, streaming, running tools or waiting to retry). */
  get busy(): boolean {
    return this.loop !== undefined;
  }

  /** The id of the assistant message being answered or whose tools are running. */
  get activeMessageId(): string | undefined {
    return this.loop?.message.id;
  }

  /** Clock time at which the next automatic retry starts, while `status` is `retrying`. */
  get retryAt(): number | undefined {
    return this.retryDeadline;
  }

  /** True when no token has arrived for a while (the "Still waiting…" hint). */
  get waitingLong(): boolean {
    return this.waitingHint;
  }

  /** Names of the tools running now. */
  get runningTools(): string[] {
    return this.tools.running;
  }

  /** How long the answer being streamed has been reasoning, while it still is. */
  reasoningElapsedMs(messageId: string): number | undefined {
    return this.loop?.message.id === messageId ? this.loop.answer?.reasoningElapsedMs : undefined;
  }

  /** How long a running tool call has been running. */
  toolElapsedMs(toolCallId: string): number | undefined {
    return this.tools.elapsedMs(toolCallId);
  }

  now(): number {
    return this.clock.now();
  }

  /** Whether Retry applies to this message now (see `message-actions.ts`). */
  canRetry(message: ChatMessage): boolean {
    return !this.busy && (canRetry(this.transcript, message) || (this.toolsEnabled && canRerunTools(this.transcript, message)));
  }

  /** Whether the user may edit and resend this message now: the last question, when idle. */
  canEdit(message: ChatMessage): boolean {
    return !this.busy && message.role === 'user' && this.transcript.findLast((m) => m.role === 'user') === message;
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
   * Sends a user message and streams the answer, running the tool loop when it asks for tools.
   *
   * @returns `false` at once when a turn is already in flight, the text is empty or the send
   *   was cancelled; otherwise `true` when the turn (every tool round included) has ended.
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
    const assistant = newAnswer();
    this.transcript = [...base, user, assistant];
    await this.runLoop(assistant, request);
    return true;
  }

  /**
   * Replaces the last question with `text` and answers it again: everything after the question
   * (its answer, tool rounds) is dropped, and the new request carries the history before it.
   *
   * @returns `false` at once when busy, the text is empty, the message is not the last
   *   question, or the send was cancelled; otherwise `true` when the turn has ended.
   */
  async edit(messageId: string, text: string): Promise<boolean> {
    const index = this.transcript.findIndex((m) => m.id === messageId);
    const original = this.transcript[index];
    if (!original || !this.canEdit(original) || text.trim() === '') return false;
    const base = this.transcript.slice(0, index);
    const edited: ChatMessage = { ...structuredClone(original), content: text, createdAt: Date.now() };
    const request = this.buildRequest([...historyFor(base), { role: 'user', content: text }], false);
    if (this.callbacks.onSend?.({ message: { ...edited }, request }) === false) return false;
    const assistant = newAnswer();
    this.transcript = [...base, edited, assistant];
    await this.runLoop(assistant, request);
    return true;
  }

  /**
   * Records the reader's rating of a finished answer (`null` takes it back); it is kept on the
   * message, so it is persisted with the transcript.
   *
   * @returns `false` when there is no such finished answer.
   */
  setFeedback(messageId: string, value: 'up' | 'down' | null): boolean {
    const message = this.transcript.find((m) => m.id === messageId && m.role === 'assistant');
    if (!message || message.status === 'pending' || message.status === 'streaming') return false;
    if (value === null) delete message.feedback;
    else message.feedback = value;
    this.changed();
    return true;
  }

  /**
   * Regenerates the last assistant answer from the same history, replacing its content. A
   * later answer would depend on an earlier one, so only the last can be regenerated; one
   * that failed with a non-retryable error cannot (sending it again would fail again). An
   * answer whose tool calls never finished (the page was closed, Stop) runs them again instead.
   *
   * @returns `false` at once when busy or when there is nothing to retry.
   */
  async retry(messageId?: string): Promise<boolean> {
    const target = this.actionTarget(messageId, (message) => this.canRetry(message));
    if (!target) return false;
    this.transcript = withoutToolResults(this.transcript, target);
    if (this.toolsEnabled && canRerunTools(this.transcript, target)) {
      delete target.error;
      for (const call of target.toolCalls ?? []) {
        if (call.status === 'done') continue;
        delete call.status;
        delete call.result;
      }
      await this.runLoop(target, undefined);
      return true;
    }
    const index = this.transcript.indexOf(target);
    // Exactly the history of the first attempt: the user's question once, nothing of the
    // failed answer (it is the target, so it is not part of what comes before it).
    const request = this.buildRequest(historyFor(this.transcript.slice(0, index)), false);
    if (target.content !== '' || target.status !== 'error') target.regenerations = (target.regenerations ?? 0) + 1;
    resetAnswer(target);
    await this.runLoop(target, request);
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
    await this.runLoop(target, request, { continuedFrom: target.content });
    return true;
  }

  /**
   * Hands in the result of a tool call the page handles itself (a tool without `execute`, or
   * one the backend declared). When it was the last result the answer waited for, the
   * follow-up request goes out.
   *
   * @returns `false` when no call with this id is waiting for a result.
   */
  addToolResult(toolCallId: string, result: unknown, options: { isError?: boolean } = {}): boolean {
    if (this.tools.isRunning(toolCallId)) return this.tools.resolve(toolCallId, result, options.isError);
    if (this.busy) return false;
    const answer = lastAssistant(this.transcript);
    const call = answer?.status === 'tool_calls' ? answer.toolCalls?.find((c) => c.id === toolCallId) : undefined;
    if (!answer || !call || call.status === 'done' || hasToolResult(this.transcript, call.id)) return false;
    call.status = options.isError ? 'error' : 'done';
    call.result = options.isError ? toolErrorContent(String(result)) : toolResultContent(result);
    this.changed();
    if (answer.toolCalls?.every((c) => c.status === 'done' || c.status === 'error'))
      void this.runLoop(answer, undefined, { resultsHandedIn: true });
    return true;
  }

  /** Stops the turn in flight, keeping the partial answer as `stopped` and cancelling running tools. */
  stop(): void {
    // The server stops the generation at once, before the connection goes (DESIGN.md §4b).
    this.loop?.stop();
  }

  /**
   * After a reload: an answer that was streaming from a resumable stream is picked up again
   * where it was cut, once. If the server no longer has it, it stays `interrupted` with Retry
   * and Continue, as restored; nothing else is sent.
   *
   * @returns `false` at once when there is nothing to resume; otherwise whether it resumed.
   */
  async resumeInterrupted(): Promise<boolean> {
    const target = lastAssistant(this.transcript);
    const from = target?.resumeFrom;
    if (this.busy || !target || !from || target.status !== 'interrupted' || !this.config.transport?.resume) return false;
    const request: ChatRequest = { url: this.config.endpoint, headers: { ...this.config.headers }, body: {} };
    await this.runLoop(target, request, { resumeFrom: { streamId: from.streamId, lastEventId: from.lastEventId } });
    return target.status !== 'interrupted';
  }

  /** Stops any turn and empties the transcript. */
  clear(): void {
    this.stop();
    this.tools.cancelAll();
    this.transcript = [];
    this.currentStatus = 'idle';
    this.changed();
  }

  private get toolsEnabled(): boolean {
    return Object.keys(this.config.tools ?? {}).length > 0;
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
    const tools = Object.entries(config.tools ?? {}).map(([name, tool]) => ({
      name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
    }));
    const input: ChatRequestInput = {
      url: config.endpoint,
      // One key per logical request: automatic retries reuse it so the server can tell a
      // retry from a second question.
      headers: { ...config.headers, [IDEMPOTENCY_KEY_HEADER]: createId() },
      system: config.system,
      messages,
      model: config.model,
      maxTokens: config.maxTokens,
      temperature: config.temperature,
      tools: tools.length > 0 ? tools : undefined,
      body: config.body,
      continuation,
    };
    return this.transport.createRequest(input);
  }

  /**
   * Runs one user action to its end: the answer to `request` (none when only the tool phase
   * of `first` is left to run), then, while answers end in tool calls, their tools and the
   * follow-ups. The session is busy throughout.
   */
  private async runLoop(first: ChatMessage, request: ChatRequest | undefined, options: LoopOptions = {}): Promise<void> {
    const loop = new TurnLoop(this.loopHost, first, options);
    this.loop = loop;
    try {
      await loop.run(request);
    } finally {
      this.endLoop(loop.message);
    }
  }

  private endLoop(message: ChatMessage): void {
    this.loop = undefined;
    this.retryDeadline = undefined;
    this.currentStatus = ERROR_STATUSES.has(message.status) ? 'error' : 'idle';
    this.changed();
    if (message.error && ERROR_STATUSES.has(message.status)) {
      this.callbacks.onError?.({ message: snapshot(message), error: { ...message.error } });
    }
    this.callbacks.onFinish?.({ message: snapshot(message) });
  }

  /** What a {@link TurnLoop} sees of this session. */
  private get loopHost(): TurnLoopHost {
    return {
      config: this.config,
      clock: this.clock,
      random: this.random,
      transport: this.transport,
      tools: this.tools,
      callbacks: this.callbacks,
      messages: () => this.transcript,
      replaceMessages: (messages) => (this.transcript = messages),
      buildRequest: (messages, continuation) => this.buildRequest(messages, continuation),
      setPhase: (phase, retryAt) => {
        this.retryDeadline = phase === 'retrying' ? retryAt : undefined;
        this.setStatus(phase);
        if (phase === 'retrying') this.changed();
      },
      setWaiting: (waiting) => {
        if (this.waitingHint === waiting) return;
        this.waitingHint = waiting;
        this.changed();
      },
      changed: () => this.changed(),
    };
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

/** A copy safe to hand to event listeners. */
export function snapshot(message: ChatMessage): ChatMessage {
  return structuredClone(message);
}
