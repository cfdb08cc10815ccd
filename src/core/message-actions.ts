import type { ChatMessage, ChatMessageStatus } from './types.js';

/**
 * What a user may do with an answer, decided once for the session (which enforces it) and
 * the element (which shows the buttons): DESIGN.md §3's "the right action" for each state.
 */

/** Statuses a Continue can carry on from: there is a partial worth keeping. */
const CONTINUABLE: ReadonlySet<ChatMessageStatus> = new Set(['truncated', 'stopped', 'interrupted']);
/** Finished statuses a Retry can regenerate. */
const REGENERABLE: ReadonlySet<ChatMessageStatus> = new Set(['interrupted', 'stopped', 'truncated', 'complete', 'filtered']);
/** Statuses after which the element reads `error` rather than `idle`. */
export const ERROR_STATUSES: ReadonlySet<ChatMessageStatus> = new Set(['error', 'interrupted']);

/** The last assistant message of a transcript: the only one Retry and Continue apply to. */
export function lastAssistant(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as ChatMessage;
    if (message.role === 'assistant') return message;
  }
  return undefined;
}

/**
 * Whether Retry may regenerate `message`: the last answer, finished, and — when it failed
 * before any output — only if the failure could pass by sending again.
 */
export function canRetry(messages: readonly ChatMessage[], message: ChatMessage): boolean {
  if (lastAssistant(messages) !== message) return false;
  if (message.status === 'error') return message.error?.retryable !== false;
  return REGENERABLE.has(message.status);
}

/** Whether Continue may carry on from `message`: the last answer, with a partial to keep. */
export function canContinue(messages: readonly ChatMessage[], message: ChatMessage): boolean {
  return lastAssistant(messages) === message && CONTINUABLE.has(message.status) && message.content !== '';
}

/**
 * Whether Retry may run an answer's tools again instead of regenerating it: the last answer
 * ended in tool calls, and some never finished (the page was closed while they ran, Stop, a
 * timeout, or the round limit kept them from running).
 */
export function canRerunTools(messages: readonly ChatMessage[], message: ChatMessage): boolean {
  if (lastAssistant(messages) !== message || message.status !== 'tool_calls') return false;
  return (message.toolCalls ?? []).some((call) => call.status !== 'done');
}
