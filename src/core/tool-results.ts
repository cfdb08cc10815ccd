import { createId } from './create-id.js';
import { toolErrorContent } from './tool-runner.js';
import type { ChatMessage } from './types.js';

/**
 * The `tool` messages of a transcript (DESIGN.md §3a): one per call, right after the answer
 * that made the calls, holding what was sent back to the model.
 */

/** The transcript with one `tool` message per call of `answer` inserted right after it. */
export function withToolResults(transcript: readonly ChatMessage[], answer: ChatMessage): ChatMessage[] {
  const index = transcript.indexOf(answer);
  if (index === -1) return [...transcript];
  const results: ChatMessage[] = (answer.toolCalls ?? []).map((call) => ({
    id: createId(),
    role: 'tool',
    toolCallId: call.id,
    content: call.result ?? toolErrorContent('The tool gave no result.'),
    status: 'complete',
    createdAt: Date.now(),
  }));
  return [...transcript.slice(0, index + 1), ...results, ...transcript.slice(index + 1)];
}

/** The transcript without the `tool` messages answering `answer`'s calls (they run again, or the answer is regenerated). */
export function withoutToolResults(transcript: readonly ChatMessage[], answer: ChatMessage): ChatMessage[] {
  const ids = new Set((answer.toolCalls ?? []).map((call) => call.id));
  return transcript.filter((m) => !(m.role === 'tool' && m.toolCallId !== undefined && ids.has(m.toolCallId)));
}

/** Whether a `tool` message answers this call. */
export function hasToolResult(transcript: readonly ChatMessage[], toolCallId: string): boolean {
  return transcript.some((m) => m.role === 'tool' && m.toolCallId === toolCallId);
}
