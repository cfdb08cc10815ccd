/**
 * Demo only: reads a request body in each protocol's own shape (what the element's adapters
 * send, DESIGN.md §4a) back into the gateway's provider-neutral request, so the demo's
 * protocol endpoints can run the gateway's mock upstream for any protocol.
 */
import type { GatewayMessage, GatewayToolCall, UpstreamRequest } from '../src/gateway/index.js';

export type DemoProtocol = 'ai-sdk' | 'anthropic' | 'ndjson' | 'text';

export const DEMO_PROTOCOLS: readonly DemoProtocol[] = ['ai-sdk', 'anthropic', 'ndjson', 'text'];

/** The most tokens a demo answer may have, like the gateway's cap. */
const MAX_TOKENS = 4096;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const tokens = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.min(MAX_TOKENS, Math.floor(value)) : MAX_TOKENS;
const stringify = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value ?? {}));
const call = (id: string, name: string, args: unknown): GatewayToolCall => ({
  id,
  type: 'function',
  function: { name, arguments: stringify(args) },
});

/**
 * @returns The request, or a message saying what is wrong with the body.
 */
export function readDemoRequest(protocol: DemoProtocol, body: unknown): UpstreamRequest | string {
  if (!isRecord(body)) return 'The body must be a JSON object.';
  const messages = protocol === 'ai-sdk' ? fromUiMessages(body) : protocol === 'anthropic' ? fromAnthropic(body) : fromChatMessages(body);
  if (!messages.some((message) => message.role === 'user')) return 'The request has no user message.';
  const options = isRecord(body['options']) ? body['options'] : {};
  const temperature = body['temperature'] ?? options['temperature'];
  const last = messages.at(-1);
  return {
    model: text(body['model']) || 'mock-1',
    messages,
    maxTokens: tokens(body['max_tokens'] ?? body['maxOutputTokens'] ?? options['num_predict']),
    ...(typeof temperature === 'number' ? { temperature } : {}),
    // Anthropic and Ollama say Continue with the partial as the last message (a prefill).
    continue: body['continue'] === true || (protocol !== 'ai-sdk' && protocol !== 'text' && last?.role === 'assistant'),
    extra: {},
  };
}

/** `useChat` messages: text parts joined, tool parts as calls plus a `tool` message per output. */
function fromUiMessages(body: Json): GatewayMessage[] {
  const messages: GatewayMessage[] = [];
  for (const message of list(body['messages'])) {
    if (!isRecord(message)) continue;
    const role = message['role'] === 'system' || message['role'] === 'assistant' ? message['role'] : 'user';
    const parts = list(message['parts']).filter(isRecord);
    const content = parts.map((part) => (part['type'] === 'text' ? text(part['text']) : '')).join('');
    const tools = parts.filter((part) => text(part['type']).startsWith('tool-'));
    const calls = tools.map((part) => call(text(part['toolCallId']), text(part['type']).slice('tool-'.length), part['input']));
    messages.push({ role, content, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
    for (const part of tools) {
      if (part['state'] === 'output-available') {
        messages.push({ role: 'tool', tool_call_id: text(part['toolCallId']), content: stringify(part['output']) });
      }
    }
  }
  return messages;
}

/** Messages API: top-level system, content strings or blocks, tool_use and tool_result blocks. */
function fromAnthropic(body: Json): GatewayMessage[] {
  const messages: GatewayMessage[] = [];
  const system =
    typeof body['system'] === 'string'
      ? body['system']
      : list(body['system'])
          .map((b) => (isRecord(b) ? text(b['text']) : ''))
          .join('\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const message of list(body['messages'])) {
    if (!isRecord(message)) continue;
    const role = message['role'] === 'assistant' ? 'assistant' : 'user';
    const blocks =
      typeof message['content'] === 'string' ? [{ type: 'text', text: message['content'] }] : list(message['content']).filter(isRecord);
    for (const block of blocks.filter((b) => b['type'] === 'tool_result')) {
      messages.push({ role: 'tool', tool_call_id: text(block['tool_use_id']), content: stringify(block['content']) });
    }
    const content = blocks.map((b) => (b['type'] === 'text' ? text(b['text']) : '')).join('');
    const calls = blocks.filter((b) => b['type'] === 'tool_use').map((b) => call(text(b['id']), text(b['name']), b['input']));
    if (content !== '' || calls.length > 0) messages.push({ role, content, ...(calls.length > 0 ? { tool_calls: calls } : {}) });
  }
  return messages;
}

/** Chat messages as Ollama (arguments as objects, results named by tool) and the text body send them. */
function fromChatMessages(body: Json): GatewayMessage[] {
  const messages: GatewayMessage[] = [];
  for (const [index, message] of list(body['messages']).entries()) {
    if (!isRecord(message)) continue;
    const role = ['system', 'assistant', 'tool'].includes(text(message['role'])) ? (message['role'] as GatewayMessage['role']) : 'user';
    const calls = list(message['tool_calls'])
      .filter(isRecord)
      .map((c, n) => {
        const fn = isRecord(c['function']) ? c['function'] : {};
        return call(text(c['id']) || `call_${index}_${n}`, text(fn['name']), fn['arguments']);
      });
    messages.push({
      role,
      content: text(message['content']),
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
      ...(role === 'tool' ? { tool_call_id: text(message['tool_call_id']) || text(message['tool_name']) } : {}),
    });
  }
  return messages;
}
