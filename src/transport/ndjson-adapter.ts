import type { ChatRequestInput, WireMessage } from '../core/chat-transport.js';
import type { ChatEvent } from '../core/types.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';
import { encodeOpenAITools, wireErrorFrom } from './openai-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
import { argumentsObject, parseJsonFrame } from './wire-json.js';

/**
 * Ollama's native `/api/chat` (DESIGN.md §4a): one JSON object per line, the answer in
 * `message.content`, reasoning in `message.thinking`, tool calls whole in
 * `message.tool_calls`, and a last line with `done: true`, `done_reason` and the token
 * counts.
 */
export function createNdjsonAdapter(): ProtocolAdapter {
  return {
    name: 'ndjson',
    framing: 'ndjson',
    accept: 'application/x-ndjson',
    isStream: (contentType) => /^\s*application\/(x-)?(ndjson|jsonl|jsonlines)\b/i.test(contentType),
    encodeRequest: encodeNdjsonRequest,
    createDecoder: () => new NdjsonDecoder(),
    // Ollama's `{"error": "<text>"}` is one of the envelope variants this reads.
    decodeError: wireErrorFrom,
  };
}

/**
 * Ollama's request: `{model, messages, stream: true, options: {temperature, num_predict},
 * tools}`, then the page's `body` (its `options` are merged with these, so a page can add
 * `num_ctx` without losing the temperature). Assistant tool calls carry their arguments as
 * an object, and results are `tool` messages naming the tool (`tool_name`), which is how
 * Ollama pairs them.
 *
 * Continue: the partial answer is the last `assistant` message, which Ollama continues as a
 * prefill, and `continue: true` is set for backends of their own that speak this format
 * (Ollama ignores fields it does not know).
 */
export function encodeNdjsonRequest(input: ChatRequestInput): Record<string, unknown> {
  const names = new Map<string, string>();
  const messages: Record<string, unknown>[] = [];
  if (input.system) messages.push({ role: 'system', content: input.system });
  for (const message of input.messages) {
    for (const call of message.toolCalls ?? []) names.set(call.id, call.name);
    messages.push(encodeMessage(message, names));
  }
  const body: Record<string, unknown> = {};
  if (input.model) body['model'] = input.model;
  body['messages'] = messages;
  body['stream'] = true;
  const options: Record<string, unknown> = {};
  if (input.temperature !== undefined && Number.isFinite(input.temperature)) options['temperature'] = input.temperature;
  if (input.maxTokens !== undefined && Number.isFinite(input.maxTokens)) options['num_predict'] = input.maxTokens;
  if (input.tools?.length) body['tools'] = encodeOpenAITools(input.tools);
  const extra = input.body ?? {};
  Object.assign(body, extra);
  const merged = { ...options, ...(isRecord(extra['options']) ? extra['options'] : {}) };
  if (Object.keys(merged).length > 0) body['options'] = merged;
  if (input.continuation) body['continue'] = true;
  return body;
}

function encodeMessage(message: WireMessage, names: ReadonlyMap<string, string>): Record<string, unknown> {
  if (message.role === 'tool') {
    const name = names.get(message.toolCallId ?? '');
    return { role: 'tool', content: message.content, ...(name !== undefined ? { tool_name: name } : {}) };
  }
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return {
      role: 'assistant',
      content: message.content,
      tool_calls: message.toolCalls.map((call) => ({ function: { name: call.name, arguments: argumentsObject(call.arguments) } })),
    };
  }
  return { role: message.role, content: message.content };
}

let callCounter = 0;

/**
 * Decodes one `/api/chat` stream. Ollama sends each tool call whole, with its arguments as
 * an object, so a call is complete on the line that carries it. Older Ollama versions give
 * calls no id; one is made up, unique on the page, so results and `addToolResult` can name it.
 * `done_reason` is `stop` even when the model called tools: an answer with calls and a plain
 * stop ends in `tool_calls`.
 */
class NdjsonDecoder implements ProtocolDecoder {
  private sawMeta = false;
  private calledTools = false;

  decode(message: SseMessage): ChatEvent[] {
    const line = message.data.trim();
    if (line === '') return [];
    const chunk = parseJsonFrame(line);
    if (chunk['error'] !== undefined) return [{ type: 'error', error: wireErrorFrom(chunk) }];

    const events: ChatEvent[] = [];
    const model = asText(chunk['model']);
    if (!this.sawMeta && model !== undefined) {
      this.sawMeta = true;
      events.push({ type: 'meta', model });
    }
    const body = isRecord(chunk['message']) ? chunk['message'] : {};
    if (typeof body['thinking'] === 'string' && body['thinking'] !== '') events.push({ type: 'reasoning', text: body['thinking'] });
    if (typeof body['content'] === 'string' && body['content'] !== '') events.push({ type: 'delta', text: body['content'] });
    if (Array.isArray(body['tool_calls'])) {
      for (const call of body['tool_calls']) events.push(...this.toolCall(call));
    }
    if (chunk['done'] === true) {
      const promptTokens = asNumber(chunk['prompt_eval_count']);
      const completionTokens = asNumber(chunk['eval_count']);
      if (promptTokens !== undefined || completionTokens !== undefined) {
        events.push({
          type: 'usage',
          ...(promptTokens !== undefined ? { promptTokens } : {}),
          ...(completionTokens !== undefined ? { completionTokens } : {}),
        });
      }
      const reason = asText(chunk['done_reason']) ?? 'stop';
      events.push({ type: 'finish', reason: reason === 'stop' && this.calledTools ? 'tool_calls' : reason }, { type: 'done' });
    }
    return events;
  }

  flush(): ChatEvent[] {
    return [];
  }

  private toolCall(call: unknown): ChatEvent[] {
    const fn = isRecord(call) && isRecord(call['function']) ? call['function'] : undefined;
    const name = fn ? asText(fn['name']) : undefined;
    if (!fn || name === undefined) return [];
    this.calledTools = true;
    const args = fn['arguments'];
    const id = (isRecord(call) ? asText(call['id']) : undefined) ?? `call_${Date.now().toString(36)}_${++callCounter}`;
    return [{ type: 'tool-call', toolCall: { id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) } }];
  }
}
