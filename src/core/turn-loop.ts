import { AnswerStream } from './answer-stream.js';
import type { AnswerHost } from './answer-stream.js';
import type { ChatTransport, ResumeCursor, WireMessage } from './chat-transport.js';
import type { Clock } from './clock.js';
import { createId } from './create-id.js';
import { historyFor } from './history.js';
import type { ChatSessionCallbacks, ChatSessionConfig } from './session-config.js';
import { withToolResults } from './tool-results.js';
import type { ToolEnd, ToolRunner } from './tool-runner.js';
import { recordRate, settleTurn } from './turn-outcome.js';
import type { ChatError, ChatMessage, ChatRequest } from './types.js';

/** How a user action enters the loop. */
export interface LoopOptions {
  /** Continue: the partial the first answer carries on from. */
  continuedFrom?: string;
  /** Results the page handed in after the turn ended: the tool phase runs even without `tools`. */
  resultsHandedIn?: boolean;
  /** After a reload: the first answer resumes this stream instead of sending its request. */
  resumeFrom?: ResumeCursor;
}

/** What a loop needs from its session. */
export interface TurnLoopHost {
  readonly config: ChatSessionConfig;
  readonly clock: Clock;
  readonly random: () => number;
  readonly transport: ChatTransport;
  readonly tools: ToolRunner;
  readonly callbacks: ChatSessionCallbacks;
  /** The session's transcript; the loop appends tool results and follow-up answers to it. */
  messages(): ChatMessage[];
  replaceMessages(messages: ChatMessage[]): void;
  buildRequest(messages: WireMessage[], continuation: boolean): ChatRequest;
  setPhase(phase: 'connecting' | 'streaming' | 'retrying' | 'reconnecting', retryAt?: number): void;
  setWaiting(waiting: boolean): void;
  changed(): void;
}

const STOPPED = 'llm-chat:stopped';

/**
 * One user action run to its end (DESIGN.md §3a): the answer to its request, then, while
 * answers end in tool calls, their tools (started the moment each call was complete) and the
 * follow-up requests carrying the results, until the model answers in text or a bound is hit:
 * `max-tool-rounds` follow-ups, or a tool past `tool-timeout`.
 */
export class TurnLoop {
  /** Stop aborts it: the stream, retries waited out, running tools. */
  readonly controller = new AbortController();
  /** Follow-up requests sent for tool results so far. */
  rounds = 0;
  /** The answer being streamed, or whose tools are running. */
  message: ChatMessage;
  /** The stream of the answer being streamed, if one is. */
  answer: AnswerStream | undefined;

  constructor(
    private readonly host: TurnLoopHost,
    first: ChatMessage,
    private readonly options: LoopOptions = {},
  ) {
    this.message = first;
  }

  /** Stops at once: the server is told first (a resumable stream), then everything is aborted. */
  stop(): void {
    this.answer?.stopRemote();
    this.controller.abort(STOPPED);
  }

  /**
   * @param request - The first answer's request; `undefined` when only its tool phase is left
   *   to run (a Retry of unfinished calls, results the page handed in).
   */
  async run(request: ChatRequest | undefined): Promise<void> {
    const { host, options } = this;
    let message = this.message;
    let next = request;
    let partial = options.continuedFrom;
    let resumeFrom = options.resumeFrom;
    for (;;) {
      if (next) {
        const start = host.clock.now();
        this.answer = new AnswerStream(this.answerHost(), message, start, partial);
        const restored = resumeFrom && { status: message.status, error: message.error };
        if (restored) delete message.error;
        const result = await this.answer.run(next, this.controller.signal, resumeFrom);
        this.answer = undefined;
        const settled = settleTurn(message, result.outcome, {
          refused: result.refused,
          continued: partial !== undefined || resumeFrom !== undefined,
        });
        message.status = settled.status;
        if (settled.error) message.error = settled.error;
        // A stream that could not be picked up again after a reload stays as it was restored.
        if (restored && result.outcome.kind === 'failed') Object.assign(message, restored);
        resumeFrom = undefined;
        recordRate(message, { start, firstTokenAt: result.firstTokenAt, end: host.clock.now() }, host.config.model, partial?.length ?? 0);
        partial = undefined;
      }
      const toolPhase =
        message.status === 'tool_calls' && (this.toolsEnabled || options.resultsHandedIn === true) && !this.controller.signal.aborted;
      if (!toolPhase) {
        // Tools started for an answer that then failed or was stopped must not go on running.
        host.tools.cancel(message.toolCalls ?? []);
        break;
      }
      const ends = await this.runToolsOf(message);
      host.replaceMessages(withToolResults(host.messages(), message));
      host.changed();
      const bound = ends.includes('timeout') ? 'tool_timeout' : ends.includes('limit') ? 'max_tool_rounds' : undefined;
      if (bound) message.error = toolLimitError(bound, host.config);
      if (bound || this.controller.signal.aborted) break;
      // The follow-up goes out: this answer is finished, the loop goes on.
      host.callbacks.onFinish?.({ message: structuredClone(message) });
      this.rounds++;
      const followUp = newAnswer();
      next = host.buildRequest(historyFor(host.messages()), false);
      host.replaceMessages([...host.messages(), followUp]);
      message = this.message = followUp;
    }
  }

  private get toolsEnabled(): boolean {
    return Object.keys(this.host.config.tools ?? {}).length > 0;
  }

  /** Waits for every call of an answer to have a result; calls past the round limit never run. */
  private async runToolsOf(message: ChatMessage): Promise<Array<ToolEnd | 'limit'>> {
    const calls = message.toolCalls ?? [];
    if (this.rounds >= this.host.config.maxToolRounds) {
      this.host.tools.skip(calls, 'The tool was not run: the tool-round limit was reached.');
      return ['limit'];
    }
    return this.host.tools.collect(calls, this.host.config.tools ?? {}, this.toolContext(message));
  }

  private toolContext(message: ChatMessage) {
    return { messageId: message.id, timeoutMs: this.host.config.toolTimeoutMs, parent: this.controller.signal };
  }

  private answerHost(): AnswerHost {
    const { host } = this;
    const { config, callbacks } = host;
    return {
      clock: host.clock,
      random: host.random,
      transport: host.transport,
      maxRetries: config.maxRetries,
      idleTimeoutMs: config.idleTimeoutMs,
      stallTimeoutMs: config.stallTimeoutMs,
      waitingHintMs: config.waitingHintMs,
      setPhase: (phase, retryAt) => host.setPhase(phase, retryAt),
      setWaiting: (waiting) => host.setWaiting(waiting),
      changed: () => host.changed(),
      onFirstToken: callbacks.onFirstToken,
      onDelta: callbacks.onDelta,
      onRetry: callbacks.onRetry,
      onToolCall: (message, call) => {
        // The tool starts the moment its call is complete, while text may still stream; a
        // page-handled tool is waiting before its event fires, so a result handed in from the
        // event handler itself is taken.
        if (this.toolsEnabled && this.rounds < config.maxToolRounds)
          void host.tools.start(call, config.tools ?? {}, this.toolContext(message));
        callbacks.onToolCall?.({ messageId: message.id, toolCall: { id: call.id, name: call.name, arguments: call.arguments } });
      },
    };
  }
}

/** A new, empty answer. */
export function newAnswer(): ChatMessage {
  return { id: createId(), role: 'assistant', content: '', status: 'pending', createdAt: Date.now(), metrics: { attempts: 0 } };
}

function toolLimitError(bound: 'tool_timeout' | 'max_tool_rounds', config: ChatSessionConfig): ChatError {
  return {
    kind: 'tool_limit',
    code: bound,
    message:
      bound === 'tool_timeout'
        ? `A tool did not finish within ${Math.round(config.toolTimeoutMs / 1000)} s; nothing more was sent.`
        : `The model asked for tools more than ${config.maxToolRounds} times in a row; nothing more was sent.`,
    retryable: false,
    phase: 'mid_stream',
  };
}
