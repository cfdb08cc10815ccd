import type { ChatEvent, ChatToolCall } from '../core/types.js';

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Assembles streamed tool calls from fragments keyed by index, for protocols that stream
 * them in pieces (OpenAI's `tool_calls` deltas; Anthropic's `input_json_delta`).
 *
 * Fragments of several calls may interleave (index 0 continuing after index 1 started), so
 * "the next index started" does not mean the previous call is complete. A call counts as
 * complete as soon as its arguments are a whole JSON object — the moment the page can start
 * the tool while text still streams — and every other call at the end of the turn. Each call
 * is emitted exactly once.
 */
export class ToolCallAssembler {
  private readonly calls = new Map<number, PendingCall>();
  private readonly emitted = new Set<number>();

  /**
   * Adds one fragment.
   * @returns The call, when this fragment completed it.
   */
  add(index: number, fragment: { id?: unknown; name?: unknown; arguments?: unknown }): ChatEvent[] {
    if (this.emitted.has(index)) return [];
    const call = this.calls.get(index) ?? { id: '', name: '', arguments: '' };
    if (typeof fragment.id === 'string' && fragment.id !== '') call.id = fragment.id;
    if (typeof fragment.name === 'string') call.name += fragment.name;
    if (typeof fragment.arguments === 'string') call.arguments += fragment.arguments;
    this.calls.set(index, call);
    return call.name !== '' && isWholeObject(call.arguments) ? [this.emit(index)] : [];
  }

  /** Marks a call as complete now (the protocol said its block ended). */
  complete(index: number): ChatEvent[] {
    return this.calls.has(index) && !this.emitted.has(index) ? [this.emit(index)] : [];
  }

  /** The turn ended: every call not yet emitted is complete, in index order. */
  flush(): ChatEvent[] {
    return [...this.calls.keys()].sort((a, b) => a - b).flatMap((index) => this.complete(index));
  }

  private emit(index: number): ChatEvent {
    const call = this.calls.get(index) as PendingCall;
    this.emitted.add(index);
    const toolCall: ChatToolCall = { id: call.id || `call_${index}`, name: call.name, arguments: call.arguments };
    return { type: 'tool-call', toolCall, index };
  }
}

function isWholeObject(text: string): boolean {
  const trimmed = text.trim();
  // Cheap test first: parsing on every fragment would cost O(n²) for long arguments.
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return false;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
