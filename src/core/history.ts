import type { WireMessage } from './chat-transport.js';
import type { ChatMessage } from './types.js';

/**
 * The part of a transcript that is sent as history: finished messages only, and never a pair
 * whose answer failed before any output (it stays visible, but the model never saw it).
 * Assistant tool calls and `tool` results keep what pairs them, so a follow-up is a valid
 * continuation of the same conversation.
 *
 * @param messages - The transcript, oldest first.
 * @returns The messages to send, in the protocol-neutral shape adapters encode.
 */
export function historyFor(messages: readonly ChatMessage[]): WireMessage[] {
  const results = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'tool' && message.toolCallId !== undefined) results.set(message.toolCallId, message.content);
  }
  const history: WireMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as ChatMessage;
    const next = messages[i + 1];
    // Results are sent right after the calls they answer (below), wherever they are stored.
    if (message.role === 'tool') continue;
    if (message.role === 'user' && next?.role === 'assistant' && next.status === 'error') continue;
    if (message.status === 'error' || message.status === 'pending' || message.status === 'streaming') continue;
    const calls = message.role === 'assistant' ? (message.toolCalls ?? []) : [];
    if (message.role === 'assistant' && message.content === '' && calls.length === 0) continue;
    const wire: WireMessage = { role: message.role, content: message.content };
    if (calls.length > 0) wire.toolCalls = calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args }));
    history.push(wire);
    // Every call gets a result, or the request would be invalid: one whose tool never
    // finished (the page was closed while it ran) is sent as such.
    for (const call of calls) {
      const content = results.get(call.id) ?? call.result ?? JSON.stringify({ error: 'The tool call was interrupted before it finished.' });
      history.push({ role: 'tool', content, toolCallId: call.id });
    }
  }
  return history;
}
