import type { ChatTransport, ResumeCursor, TransportStreamOptions } from './chat-transport.js';
import { classifyError } from './classify-error.js';
import { sleep } from './clock.js';
import type { Clock } from './clock.js';
import { createOverlapTrimmer } from './overlap-trimmer.js';
import { createRetryPolicy } from './retry-policy.js';
import type { AttemptOutcome } from './turn-outcome.js';
import type { ChatError, ChatEvent, ChatMessage, ChatRequest, ChatToolCall, WireError } from './types.js';
import { Watchdog } from './watchdog.js';
import type { WatchdogReason } from './watchdog.js';
import { RETRY_ATTEMPT_HEADER } from '../wire/headers.js';

/** What streaming one answer needs from its session. */
export interface AnswerHost {
  readonly clock: Clock;
  readonly random: () => number;
  readonly transport: ChatTransport;
  readonly maxRetries: number;
  readonly idleTimeoutMs: number;
  readonly stallTimeoutMs: number;
  readonly waitingHintMs: number;
  /** The visible state moved: `connecting`, `streaming` or `retrying` (with the time the retry starts). */
  setPhase(phase: 'connecting' | 'streaming' | 'retrying' | 'reconnecting', retryAt?: number): void;
  /** No token for a while: the "Still waiting…" hint. */
  setWaiting(waiting: boolean): void;
  changed(): void;
  onFirstToken?(detail: { messageId: string; ttftMs: number }): void;
  onDelta?(detail: { messageId: string; text: string }): void;
  onRetry?(detail: { messageId: string; attempt: number; delayMs: number; error: ChatError }): void;
  /** A tool call is complete (the answer may still be streaming). */
  onToolCall(message: ChatMessage, call: ChatToolCall): void;
}

/** What a finished answer reports to its session. */
export interface AnswerResult {
  outcome: AttemptOutcome;
  /** Clock time of the first visible text, when there was any. */
  firstTokenAt: number | undefined;
  /** The model streamed a refusal: the answer ends `filtered`. */
  refused: boolean;
}

/** Per-attempt facts that decide the phase of a failure and the final status. */
interface AttemptState {
  gotOutput: boolean;
  finishReason: string | undefined;
  error: ChatError | undefined;
  /** How the transport said the last connection failed (a clean end without a terminal event is `eof`). */
  cause?: WireError['cause'];
}

/**
 * Streams one answer into its message: one logical request (a send, a Retry, a Continue or a
 * tool-loop follow-up) with its automatic retries before the first token, two watchdogs per
 * attempt, and every event applied to the message as it arrives.
 */
export class AnswerStream {
  private firstTokenAt: number | undefined;
  private refused = false;
  /** Clock time of the first reasoning token, and of the end of reasoning. */
  private reasoningFrom: number | undefined;
  private reasoningUntil: number | undefined;
  private readonly callIndex = new WeakMap<ChatToolCall, number>();
  /** Where the stream stands, when it is resumable (the response had `X-Stream-ID`). */
  private cursor: ResumeCursor | undefined;
  private request: ChatRequest | undefined;
  private readonly trimmer: ReturnType<typeof createOverlapTrimmer> | undefined;

  /**
   * @param start - Clock time of the user's action; TTFT and duration count from here.
   * @param continuedFrom - The partial answer a Continue carries on from (a repeated overlap is dropped).
   */
  constructor(
    private readonly host: AnswerHost,
    private readonly message: ChatMessage,
    private readonly start: number,
    continuedFrom?: string,
  ) {
    this.trimmer = continuedFrom === undefined ? undefined : createOverlapTrimmer(continuedFrom);
  }

  /**
   * Runs the request to its end; aborting `signal` (Stop) ends it as `stopped`.
   *
   * @param resumeFrom - Start by resuming this stream instead of sending the request (after a
   *   reload); a stream the server no longer has is a failure, never retried.
   */
  async run(request: ChatRequest, signal: AbortSignal, resumeFrom?: ResumeCursor): Promise<AnswerResult> {
    const { host, message } = this;
    this.request = request;
    if (resumeFrom) {
      this.cursor = resumeFrom;
      const metrics = (message.metrics ??= { attempts: 1 });
      metrics.resumes = (metrics.resumes ?? 0) + 1;
      const outcome = await this.attempt(request, signal, true);
      return this.result(outcome);
    }
    message.status = 'pending';
    const metrics = (message.metrics ??= { attempts: 0 });
    metrics.attempts = 0;
    const retryPolicy = createRetryPolicy({ maxRetries: host.maxRetries, random: host.random });
    let retries = 0;
    let outcome: AttemptOutcome;
    host.changed();

    for (;;) {
      metrics.attempts++;
      if (retries > 0) request.headers[RETRY_ATTEMPT_HEADER] = String(retries);
      outcome = await this.attempt(request, signal);
      if (outcome.kind !== 'failed') break;
      const decision = retryPolicy.decide(outcome.error, retries);
      if (!decision.retry) break;
      retries++;
      host.setPhase('retrying', host.clock.now() + decision.delayMs);
      host.onRetry?.({ messageId: message.id, attempt: retries, delayMs: decision.delayMs, error: outcome.error });
      try {
        await sleep(host.clock, decision.delayMs, signal);
      } catch {
        outcome = { kind: 'stopped' };
        break;
      }
    }

    return this.result(outcome);
  }

  /**
   * Stop: a resumable stream is told to stop at the server at once (its generation would
   * otherwise wait out a grace period for a resume), before the connection is aborted.
   */
  stopRemote(): void {
    const { request, cursor } = this;
    if (request && cursor) void this.host.transport.stop?.(request, cursor.streamId);
  }

  private result(outcome: AttemptOutcome): AnswerResult {
    const held = this.trimmer?.flush() ?? '';
    if (held !== '') this.appendText(held);
    this.endReasoning();
    // Nothing is left to resume once the answer ended, whatever way.
    delete this.message.resumeFrom;
    return { outcome, firstTokenAt: this.firstTokenAt, refused: this.refused };
  }

  /** Whether a cut connection can be picked up again instead of failing the attempt. */
  private canReconnect(state: AttemptState, reconnects: number): boolean {
    return (
      state.finishReason === undefined &&
      state.error?.kind === 'network_error' &&
      this.cursor !== undefined &&
      this.host.transport.resume !== undefined &&
      reconnects < MAX_RECONNECTS
    );
  }

  private async attempt(request: ChatRequest, turnSignal: AbortSignal, resuming = false): Promise<AttemptOutcome> {
    const { host, message } = this;
    const { clock } = host;
    const metrics = message.metrics ?? { attempts: 1 };
    const attempt = new AbortController();
    const abortAttempt = () => attempt.abort(turnSignal.reason);
    turnSignal.addEventListener('abort', abortAttempt, { once: true });
    let timedOut: WatchdogReason | undefined;
    const watchdog = new Watchdog({
      clock,
      idleTimeoutMs: host.idleTimeoutMs,
      stallTimeoutMs: host.stallTimeoutMs,
      onTimeout: (reason) => {
        timedOut = reason;
        attempt.abort('llm-chat:watchdog');
      },
    });
    const state: AttemptState = { gotOutput: false, finishReason: undefined, error: undefined };
    const attemptStart = clock.now();
    const hint =
      metrics.ttftMs === undefined
        ? clock.setTimeout(() => host.setWaiting(true), Math.max(0, host.waitingHintMs - (attemptStart - this.start)))
        : undefined;
    host.setPhase(resuming ? 'reconnecting' : 'connecting');
    watchdog.start();
    /** Whether the current connection got a response, and whether it moved the stream on. */
    let answered = false;
    let movedOn = false;
    const connection: TransportStreamOptions = {
      signal: attempt.signal,
      onResponse: () => {
        answered = true;
        if (!resuming) metrics.ttfbMs = Math.round(clock.now() - attemptStart);
        watchdog.headersReceived();
        host.setPhase('streaming');
      },
      onActivity: () => watchdog.activity(),
      onCursor: (cursor) => {
        if (cursor.lastEventId !== this.cursor?.lastEventId) movedOn = true;
        this.cursor = cursor;
        message.resumeFrom =
          cursor.lastEventId === undefined ? { streamId: cursor.streamId } : { streamId: cursor.streamId, lastEventId: cursor.lastEventId };
      },
    };
    /** The failure that cut the first connection, when a reconnection could not repair it. */
    let cut: ChatError | undefined;
    let reconnects = 0;

    try {
      for (;;) {
        try {
          const events =
            resuming && this.cursor && host.transport.resume
              ? host.transport.resume(request, this.cursor, connection)
              : host.transport.stream(request, connection);
          for await (const event of events) {
            // Nothing is appended once the user pressed Stop.
            if (turnSignal.aborted) break;
            this.apply(event, state, watchdog);
          }
        } catch (error) {
          if (!turnSignal.aborted && timedOut === undefined && state.error === undefined) {
            state.error = classifyError(
              { cause: 'network', message: error instanceof Error ? error.message : String(error) },
              state.gotOutput ? 'mid_stream' : 'pre_stream',
            );
          }
        }
        if (turnSignal.aborted || timedOut !== undefined || !this.canReconnect(state, reconnects)) break;
        // A resume the server answered, then closed cleanly without anything new, ended where
        // the generation ended (stopped, or lost with its instance): asking again cannot help.
        if (resuming && answered && !movedOn && state.cause === 'eof') break;
        answered = movedOn = false;
        // The connection dropped, but the server keeps the generation for a while: pick it up
        // where the last delivered event left off, instead of paying for the answer again.
        cut ??= state.error;
        state.error = undefined;
        reconnects++;
        metrics.resumes = (metrics.resumes ?? 0) + 1;
        resuming = true;
        host.setPhase('reconnecting');
        // The wait is ours, not the server's silence: the watchdogs sleep through it.
        watchdog.stop();
        try {
          await sleep(clock, reconnectDelay(reconnects, host.random), turnSignal);
        } catch {
          break;
        }
        watchdog.start();
      }
      // A stream the server no longer has (404) is the cut it could not repair, not a bad request.
      if (cut && state.error && state.error.status !== undefined) state.error = cut;
      if (cut && !state.error && state.finishReason === undefined) state.error = cut;
    } finally {
      watchdog.stop();
      if (hint !== undefined) clock.clearTimeout(hint);
      host.setWaiting(false);
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

  private apply(event: ChatEvent, state: AttemptState, watchdog: Watchdog): void {
    const { host, message } = this;
    const metrics = (message.metrics ??= { attempts: 1 });
    switch (event.type) {
      case 'meta':
        if (event.requestId && !metrics.requestId) metrics.requestId = event.requestId;
        if (event.model) metrics.model = event.model;
        if (event.contextTrimmed) metrics.contextTrimmed = event.contextTrimmed;
        break;
      case 'delta': {
        state.gotOutput = true;
        watchdog.progress();
        const text = this.trimmer ? this.trimmer.push(event.text) : event.text;
        if (text !== '') this.appendText(text);
        break;
      }
      case 'refusal':
        state.gotOutput = true;
        this.refused = true;
        watchdog.progress();
        this.appendText(event.text);
        break;
      case 'reasoning':
        state.gotOutput = true;
        watchdog.progress();
        this.reasoningFrom ??= host.clock.now();
        message.reasoning = (message.reasoning ?? '') + event.text;
        message.status = 'streaming';
        host.changed();
        break;
      case 'tool-call': {
        state.gotOutput = true;
        watchdog.progress();
        this.endReasoning();
        const call: ChatToolCall = { ...event.toolCall };
        // Calls complete in any order (interleaved fragments); the message keeps the model's order.
        const calls = [...(message.toolCalls ?? []), call];
        if (event.index !== undefined) {
          this.callIndex.set(call, event.index);
          calls.sort((a, b) => (this.callIndex.get(a) ?? Infinity) - (this.callIndex.get(b) ?? Infinity));
        }
        message.toolCalls = calls;
        message.status = 'streaming';
        host.onToolCall(message, call);
        host.changed();
        break;
      }
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
        state.cause = event.error.cause;
        state.error = classifyError(event.error, state.gotOutput ? 'mid_stream' : 'pre_stream');
        break;
      case 'done':
        break;
    }
  }

  /** While the model reasons before answering: how long it has been at it, else `undefined`. */
  get reasoningElapsedMs(): number | undefined {
    if (this.reasoningFrom === undefined || this.reasoningUntil !== undefined) return undefined;
    return this.host.clock.now() - this.reasoningFrom;
  }

  /** Reasoning ends with the first text, the first tool call, or the end of the answer. */
  private endReasoning(): void {
    if (this.reasoningFrom === undefined || this.reasoningUntil !== undefined) return;
    this.reasoningUntil = this.host.clock.now();
    (this.message.metrics ??= { attempts: 1 }).reasoningMs = Math.round(this.reasoningUntil - this.reasoningFrom);
  }

  private appendText(text: string): void {
    const { host, message } = this;
    this.endReasoning();
    const metrics = (message.metrics ??= { attempts: 1 });
    if (metrics.ttftMs === undefined) {
      // Measured from the user's action, retries included: what the user actually waited.
      this.firstTokenAt = host.clock.now();
      metrics.ttftMs = Math.round(this.firstTokenAt - this.start);
      host.setWaiting(false);
      host.onFirstToken?.({ messageId: message.id, ttftMs: metrics.ttftMs });
    }
    message.content += text;
    message.status = 'streaming';
    host.onDelta?.({ messageId: message.id, text });
    host.changed();
  }
}

/** Reconnections of one attempt before it fails as it would have without them. */
const MAX_RECONNECTS = 3;

/** 0.5 s, 1 s, 2 s (capped at 4 s), each with jitter so many clients do not reconnect in step. */
function reconnectDelay(reconnect: number, random: () => number): number {
  const base = Math.min(4000, 500 * 2 ** (reconnect - 1));
  return Math.round(base * (0.5 + random() / 2));
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
