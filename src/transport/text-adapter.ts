import type { ChatRequestInput } from '../core/chat-transport.js';
import type { ChatEvent } from '../core/types.js';
import { wireErrorFrom } from './openai-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';

/**
 * A plain streamed text body, the simplest backend there is (DESIGN.md §4a): every byte of
 * the body is answer text. The protocol has no end marker, so a clean end of the body is a
 * complete answer; a failed read, or a `Content-Length` that was not reached, is interrupted
 * (the transport checks both). What it cannot tell is a proxy that closes the connection
 * cleanly in the middle of an answer: that looks exactly like the end.
 */
export function createTextAdapter(): ProtocolAdapter {
  return {
    name: 'text',
    framing: 'text',
    accept: 'text/plain',
    // A handler that returns `new Response(stream)` sends no Content-Type at all.
    isStream: (contentType) => contentType.trim() === '' || /^\s*text\/(plain|markdown|x-markdown)\b/i.test(contentType),
    encodeRequest: encodeTextRequest,
    createDecoder: () => new PlainTextDecoder(),
    // Error bodies are read if they are JSON envelopes; plain-text ones are classified by status.
    decodeError: wireErrorFrom,
  };
}

/**
 * The body: `{model, messages: [{role, content}], stream: true, max_tokens, temperature}`
 * with the system prompt as the first message, then the page's `body`; the OpenAI shape a
 * simple backend most likely forwards. A text answer cannot call tools, so no tool
 * definitions are sent. Continue: the partial is the last `assistant` message and
 * `continue: true` is set.
 */
export function encodeTextRequest(input: ChatRequestInput): Record<string, unknown> {
  const messages: Array<{ role: string; content: string }> = [];
  if (input.system) messages.push({ role: 'system', content: input.system });
  for (const message of input.messages) messages.push({ role: message.role, content: message.content });
  const body: Record<string, unknown> = {};
  if (input.model) body['model'] = input.model;
  body['messages'] = messages;
  body['stream'] = true;
  if (input.maxTokens !== undefined && Number.isFinite(input.maxTokens)) body['max_tokens'] = input.maxTokens;
  if (input.temperature !== undefined && Number.isFinite(input.temperature)) body['temperature'] = input.temperature;
  Object.assign(body, input.body ?? {});
  if (input.continuation) body['continue'] = true;
  return body;
}

class PlainTextDecoder implements ProtocolDecoder {
  decode(frame: SseMessage): ChatEvent[] {
    return frame.data === '' ? [] : [{ type: 'delta', text: frame.data }];
  }

  /** Only called on a clean end of the body: for this protocol, that is the end of the answer. */
  flush(): ChatEvent[] {
    return [{ type: 'finish', reason: 'stop' }];
  }
}
