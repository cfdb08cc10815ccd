import type { ChatMessage } from './types.js';

export interface RequestBodyOptions {
  model?: string | undefined;
  system?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  /** Extra body fields (the element's `body` property); they come last and win. */
  extra?: Record<string, unknown> | undefined;
}

/** A message as it goes on the wire. */
export interface WireMessage {
  role: ChatMessage['role'];
  content: string;
}

/**
 * Builds the request body of DESIGN.md §4. The stable part comes first (system prompt, then
 * history, the new user message last) so that providers' prefix caches hit; nothing
 * per-request ever goes into the system prompt.
 *
 * @param history - The conversation to send, oldest first, without the system prompt.
 * @param options - Model parameters and extra fields.
 * @param continuation - True when the last message is a partial assistant answer to carry on.
 */
export function buildRequestBody(history: WireMessage[], options: RequestBodyOptions, continuation = false): Record<string, unknown> {
  const messages: WireMessage[] = [];
  if (options.system) messages.push({ role: 'system', content: options.system });
  messages.push(...history);
  const body: Record<string, unknown> = {};
  if (options.model) body['model'] = options.model;
  body['messages'] = messages;
  body['stream'] = true;
  body['stream_options'] = { include_usage: true };
  if (options.maxTokens !== undefined && Number.isFinite(options.maxTokens)) body['max_tokens'] = options.maxTokens;
  if (options.temperature !== undefined && Number.isFinite(options.temperature)) body['temperature'] = options.temperature;
  Object.assign(body, options.extra ?? {});
  if (continuation) body['continue'] = true;
  return body;
}

/**
 * The part of a transcript that is sent as history: finished messages only, and never a pair
 * whose answer failed before any output (it stays visible, but the model never saw it).
 */
export function historyFor(messages: readonly ChatMessage[]): WireMessage[] {
  const history: WireMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i] as ChatMessage;
    const next = messages[i + 1];
    if (message.role === 'user' && next?.role === 'assistant' && next.status === 'error') continue;
    if (message.status === 'error' || message.status === 'pending' || message.status === 'streaming') continue;
    if (message.role === 'assistant' && message.content === '') continue;
    history.push({ role: message.role, content: message.content });
  }
  return history;
}
