import type { Clock } from './clock.js';
import { checkToolArguments } from './tool-arguments.js';
import type { ChatToolCall } from './types.js';

/** A tool the page offers the model (DESIGN.md §3a). */
export interface ChatTool {
  description?: string;
  /** JSON Schema of the arguments; calls that do not match get an error result instead of running. */
  parameters?: Record<string, unknown>;
  /**
   * Runs the tool. Without it the tool is declared to the model but handled by the page,
   * which listens to `llm-chat-tool-call` and calls `addToolResult`.
   */
  execute?: (args: unknown, context: ToolContext) => unknown;
}

export interface ToolContext {
  /** Aborted by Stop, `clear()` and the tool timeout. */
  signal: AbortSignal;
  messageId: string;
  toolCallId: string;
}

export type ChatTools = Record<string, ChatTool>;

export interface ToolRunnerOptions {
  clock: Clock;
  /** A call's status or result changed. */
  onChange: () => void;
}

/** How a call ended, beyond its status: the timeout is a bound of the loop (DESIGN.md §3a). */
export type ToolEnd = 'done' | 'error' | 'cancelled' | 'timeout';

interface Pending {
  call: ChatToolCall;
  controller: AbortController;
  timer: unknown;
  startedAt: number;
  settle: (end: ToolEnd) => void;
  done: Promise<ToolEnd>;
}

/** What a tool result looks like on the wire: the value itself when it is text, else JSON. */
export function toolResultContent(result: unknown): string {
  if (typeof result === 'string') return result;
  if (result === undefined) return '';
  try {
    return JSON.stringify(result) ?? '';
  } catch {
    return String(result);
  }
}

/** An error result as the model receives it. */
export function toolErrorContent(message: string): string {
  return JSON.stringify({ error: message });
}

/**
 * Runs tool calls while the answer that asked for them may still be streaming: each call
 * starts the moment it is complete, with its own abort signal and a wall-clock cap. Results
 * are written onto the calls themselves (`status`, `result`, `durationMs`), which live in the
 * transcript, so they are persisted and shown like the rest of the message.
 */
export class ToolRunner {
  private readonly pending = new Map<string, Pending>();
  /** Every started call's outcome, kept until its answer collects it (a timeout must not be forgotten). */
  private readonly runs = new Map<string, Promise<ToolEnd>>();

  constructor(private readonly options: ToolRunnerOptions) {}

  /** Whether a call is still waiting for its result. */
  isRunning(toolCallId: string): boolean {
    return this.pending.has(toolCallId);
  }

  /** How long a running call has been running, else `undefined`. */
  elapsedMs(toolCallId: string): number | undefined {
    const entry = this.pending.get(toolCallId);
    return entry && this.options.clock.now() - entry.startedAt;
  }

  /** Names of the tools running now, in start order. */
  get running(): string[] {
    return [...this.pending.values()].map((entry) => entry.call.name);
  }

  /**
   * Starts a call: checks its arguments, then runs the tool's `execute`, or waits for the page's
   * `addToolResult` when it has none.
   *
   * @param parent - The turn's signal: Stop aborts every running tool.
   * @returns How the call ended.
   */
  start(call: ChatToolCall, tools: ChatTools, context: { messageId: string; timeoutMs: number; parent: AbortSignal }): Promise<ToolEnd> {
    const controller = new AbortController();
    let settle!: (end: ToolEnd) => void;
    const done = new Promise<ToolEnd>((resolve) => (settle = resolve));
    const entry: Pending = { call, controller, timer: undefined, startedAt: this.options.clock.now(), settle, done };
    this.pending.set(call.id, entry);
    call.status = 'running';
    delete call.result;
    delete call.durationMs;
    this.options.onChange();

    const onParentAbort = () => this.finish(call.id, 'cancelled', toolErrorContent('The tool was cancelled before it finished.'));
    if (context.parent.aborted) onParentAbort();
    else context.parent.addEventListener('abort', onParentAbort, { once: true });
    void done.then(() => context.parent.removeEventListener('abort', onParentAbort));
    entry.timer = this.options.clock.setTimeout(() => {
      const seconds = Math.round(context.timeoutMs / 100) / 10;
      this.finish(call.id, 'timeout', toolErrorContent(`The tool did not finish within ${seconds} s.`));
    }, context.timeoutMs);

    void this.run(entry, tools[call.name], context.messageId);
    this.runs.set(call.id, done);
    return done;
  }

  /**
   * Waits until every call of an answer has a result, starting the ones that have neither a
   * result nor a run (a Retry after a reload, say).
   *
   * @returns How each call ended, in order.
   */
  async collect(
    calls: readonly ChatToolCall[],
    tools: ChatTools,
    context: { messageId: string; timeoutMs: number; parent: AbortSignal },
  ): Promise<ToolEnd[]> {
    const ends = calls.map((call) => {
      const run = this.runs.get(call.id);
      if (run) return run;
      // A result handed in by the page, or kept from before a Retry of the others.
      if (call.status === 'done' || call.status === 'error') return Promise.resolve<ToolEnd>(call.status);
      return this.start(call, tools, context);
    });
    const results = await Promise.all(ends);
    for (const call of calls) this.runs.delete(call.id);
    return results;
  }

  /** Marks calls that will never run: no follow-up could carry their results. */
  skip(calls: readonly ChatToolCall[], reason: string): void {
    for (const call of calls) {
      if (call.status === 'done' || call.status === 'error') continue;
      call.status = 'cancelled';
      call.result = toolErrorContent(reason);
    }
    this.options.onChange();
  }

  /**
   * A result from the page (`addToolResult`), for a tool without `execute`.
   * @returns False when no call with this id is waiting.
   */
  resolve(toolCallId: string, result: unknown, isError = false): boolean {
    if (!this.pending.has(toolCallId)) return false;
    const content = isError ? toolErrorContent(typeof result === 'string' ? result : toolResultContent(result)) : toolResultContent(result);
    this.finish(toolCallId, isError ? 'error' : 'done', content);
    return true;
  }

  /** Aborts the calls of an answer that will not be followed up (it failed or was stopped). */
  cancel(calls: readonly ChatToolCall[]): void {
    for (const call of calls) {
      this.finish(call.id, 'cancelled', toolErrorContent('The tool was cancelled before it finished.'));
      this.runs.delete(call.id);
    }
  }

  /** Aborts every running call (Stop, `clear()`). */
  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.finish(id, 'cancelled', toolErrorContent('The tool was cancelled before it finished.'));
    this.runs.clear();
  }

  private async run(entry: Pending, tool: ChatTool | undefined, messageId: string): Promise<void> {
    const { call, controller } = entry;
    if (!tool) {
      this.finish(call.id, 'error', toolErrorContent(`There is no tool named "${call.name}".`));
      return;
    }
    const check = await checkToolArguments(call.arguments, tool.parameters);
    if (!this.pending.has(call.id)) return;
    if (!check.ok) {
      this.finish(call.id, 'error', toolErrorContent(check.error));
      return;
    }
    // Page-handled: the result comes through resolve().
    if (!tool.execute) return;
    try {
      const result = await tool.execute(check.args, { signal: controller.signal, messageId, toolCallId: call.id });
      this.finish(call.id, 'done', toolResultContent(result));
    } catch (error) {
      this.finish(call.id, 'error', toolErrorContent(error instanceof Error ? error.message : String(error)));
    }
  }

  private finish(toolCallId: string, end: ToolEnd, content: string): void {
    const entry = this.pending.get(toolCallId);
    if (!entry) return;
    this.pending.delete(toolCallId);
    this.options.clock.clearTimeout(entry.timer);
    // The tool's own work stops too: a timed-out or cancelled tool must not go on spending.
    if (end !== 'done' && end !== 'error') entry.controller.abort(end === 'timeout' ? 'llm-chat:tool-timeout' : 'llm-chat:stopped');
    entry.call.status = end === 'timeout' ? 'error' : end;
    entry.call.result = content;
    entry.call.durationMs = Math.round(this.options.clock.now() - entry.startedAt);
    this.options.onChange();
    entry.settle(end);
  }
}
