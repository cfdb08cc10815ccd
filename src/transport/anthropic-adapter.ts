import type { ChatRequestInput, WireMessage } from '../core/chat-transport.js';
import type { ChatEvent, WireError } from '../core/types.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';
import { wireErrorFrom } from './openai-adapter.js';
import { isEventStream } from './protocol-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import { argumentsObject, parseJsonFrame } from './wire-json.js';
import { finishReasonForStop } from '../wire/anthropic-stop-reasons.js';

/**
 * Anthropic's Messages API streaming events (DESIGN.md §4a), for backends that pass them
 * through: `message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta` with the
 * `stop_reason` and usage, `message_stop`, `ping`, `error`.
 */
export function createAnthropicAdapter(): ProtocolAdapter {
  return {
    name: 'anthropic',
    framing: 'sse',
    accept: 'text/event-stream',
    isStream: isEventStream,
    encodeRequest: encodeAnthropicRequest,
    createDecoder: () => new AnthropicDecoder(),
    decodeError: decodeAnthropicError,
  };
}

/** Anthropic requires `max_tokens`; this is sent when the element sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type Block = Record<string, unknown>;

/**
 * The Messages request: `{model, max_tokens, system, messages, stream: true, temperature,
 * tools}`, then the page's `body`. The system prompt is top-level (any `system` history
 * message joins it); assistant tool calls are `tool_use` blocks and their results
 * `tool_result` blocks, the results of one round together in one `user` message as the API
 * requires.
 *
 * Continue: the partial answer is the last `assistant` message, which the API takes as a
 * prefill and carries on from. Its trailing whitespace is trimmed (the API rejects a final
 * assistant turn that ends in whitespace). No `continue` field is sent: the prefill is the
 * protocol's own way to say it, and the API rejects fields it does not know.
 */
export function encodeAnthropicRequest(input: ChatRequestInput): Record<string, unknown> {
  const system = [input.system ?? '', ...input.messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(Boolean);
  const messages: Array<{ role: 'user' | 'assistant'; content: string | Block[] }> = [];
  for (const message of input.messages) {
    if (message.role === 'system') continue;
    const previous = messages.at(-1);
    if (message.role === 'tool') {
      const result: Block = { type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content };
      if (previous?.role === 'user' && Array.isArray(previous.content) && previous.content.every((b) => b['type'] === 'tool_result')) {
        previous.content.push(result);
      } else {
        messages.push({ role: 'user', content: [result] });
      }
      continue;
    }
    messages.push({ role: message.role, content: contentOf(message) });
  }
  const last = messages.at(-1);
  if (input.continuation && last?.role === 'assistant' && typeof last.content === 'string') {
    last.content = last.content.trimEnd();
    if (last.content === '') messages.pop();
  }
  const body: Record<string, unknown> = {};
  if (input.model) body['model'] = input.model;
  const maxTokens = input.maxTokens !== undefined && Number.isFinite(input.maxTokens) ? input.maxTokens : ANTHROPIC_DEFAULT_MAX_TOKENS;
  body['max_tokens'] = maxTokens;
  if (system.length > 0) body['system'] = system.join('\n\n');
  body['messages'] = messages;
  body['stream'] = true;
  if (input.temperature !== undefined && Number.isFinite(input.temperature)) body['temperature'] = input.temperature;
  if (input.tools?.length) {
    body['tools'] = input.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      input_schema: tool.parameters ?? { type: 'object', properties: {} },
    }));
  }
  Object.assign(body, input.body ?? {});
  return body;
}

function contentOf(message: WireMessage): string | Block[] {
  if (!message.toolCalls?.length) return message.content;
  // The API rejects empty text blocks.
  const blocks: Block[] = message.content === '' ? [] : [{ type: 'text', text: message.content }];
  for (const call of message.toolCalls) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: argumentsObject(call.arguments) });
  }
  return blocks;
}

interface Usage {
  input?: number;
  cacheRead?: number;
  cacheCreation?: number;
  output?: number;
}

/**
 * Decodes one Messages stream. `tool_use` blocks are assembled from their `input_json_delta`
 * fragments and complete at their `content_block_stop` (or as soon as the JSON closes);
 * `prompt_tokens` counts cached input too (`input_tokens` excludes it), as OpenAI's does.
 */
class AnthropicDecoder implements ProtocolDecoder {
  private readonly toolCalls = new ToolCallAssembler();
  /** Content blocks by index: their type, and for tool_use, whether input arrived as fragments. */
  private readonly blocks = new Map<number, { type: string; input?: unknown; streamed: boolean }>();
  private readonly usage: Usage = {};

  decode(message: SseMessage): ChatEvent[] {
    const data = message.data.trim();
    if (data === '') return [];
    const event = parseJsonFrame(data);
    const type = asText(event['type']) ?? message.event;
    const index = asNumber(event['index']) ?? 0;
    switch (type) {
      case 'message_start':
        return this.start(isRecord(event['message']) ? event['message'] : {});
      case 'content_block_start':
        return this.blockStart(index, isRecord(event['content_block']) ? event['content_block'] : {});
      case 'content_block_delta':
        return this.blockDelta(index, isRecord(event['delta']) ? event['delta'] : {});
      case 'content_block_stop':
        return this.blockStop(index);
      case 'message_delta': {
        this.readUsage(event['usage']);
        const delta = isRecord(event['delta']) ? event['delta'] : {};
        const stop = asText(delta['stop_reason']);
        const usage = this.usageEvent();
        const events: ChatEvent[] = usage.promptTokens !== undefined || usage.completionTokens !== undefined ? [usage] : [];
        if (stop !== undefined) events.push(...this.toolCalls.flush(), { type: 'finish', reason: browserFinishReason(stop) });
        return events;
      }
      case 'message_stop':
        return [...this.toolCalls.flush(), { type: 'done' }];
      case 'error':
        return [{ type: 'error', error: decodeAnthropicError(event) }];
      default:
        // `ping` and event types added after this was written.
        return [];
    }
  }

  flush(): ChatEvent[] {
    return [];
  }

  private start(message: Record<string, unknown>): ChatEvent[] {
    const requestId = asText(message['id']);
    const model = asText(message['model']);
    this.readUsage(message['usage']);
    const events: ChatEvent[] = [];
    if (requestId !== undefined || model !== undefined) {
      events.push({ type: 'meta', ...(requestId !== undefined ? { requestId } : {}), ...(model !== undefined ? { model } : {}) });
    }
    if (this.usage.input !== undefined) {
      const { completionTokens: _output, ...prompt } = this.usageEvent();
      events.push(prompt);
    }
    return events;
  }

  private blockStart(index: number, block: Record<string, unknown>): ChatEvent[] {
    const type = asText(block['type']) ?? 'unknown';
    this.blocks.set(index, { type, input: block['input'], streamed: false });
    if (type === 'text' && typeof block['text'] === 'string' && block['text'] !== '') return [{ type: 'delta', text: block['text'] }];
    if (type === 'thinking' && typeof block['thinking'] === 'string' && block['thinking'] !== '') {
      return [{ type: 'reasoning', text: block['thinking'] }];
    }
    if (type === 'tool_use') return this.toolCalls.add(index, { id: block['id'], name: block['name'] });
    // redacted_thinking, server_tool_use and the provider's own tool results: not the page's.
    return [];
  }

  private blockDelta(index: number, delta: Record<string, unknown>): ChatEvent[] {
    switch (delta['type']) {
      case 'text_delta':
        return typeof delta['text'] === 'string' && delta['text'] !== '' ? [{ type: 'delta', text: delta['text'] }] : [];
      case 'thinking_delta':
        return typeof delta['thinking'] === 'string' && delta['thinking'] !== '' ? [{ type: 'reasoning', text: delta['thinking'] }] : [];
      case 'input_json_delta': {
        const block = this.blocks.get(index);
        if (block?.type !== 'tool_use' || typeof delta['partial_json'] !== 'string') return [];
        // A call without arguments may stream one empty fragment: that is still "no input".
        if (delta['partial_json'] !== '') block.streamed = true;
        return this.toolCalls.add(index, { arguments: delta['partial_json'] });
      }
      default:
        // signature_delta, citations_delta: nothing to show.
        return [];
    }
  }

  private blockStop(index: number): ChatEvent[] {
    const block = this.blocks.get(index);
    if (block?.type !== 'tool_use') return [];
    // A block sent whole (no fragments) carries its input on the start event; `{}` for none.
    const whole = block.streamed ? [] : this.toolCalls.add(index, { arguments: JSON.stringify(isRecord(block.input) ? block.input : {}) });
    return [...whole, ...this.toolCalls.complete(index)];
  }

  /** Usage fields are cumulative; a later event repeats or raises them. */
  private readUsage(value: unknown): void {
    if (!isRecord(value)) return;
    this.usage.input = asNumber(value['input_tokens']) ?? this.usage.input;
    this.usage.cacheRead = asNumber(value['cache_read_input_tokens']) ?? this.usage.cacheRead;
    this.usage.cacheCreation = asNumber(value['cache_creation_input_tokens']) ?? this.usage.cacheCreation;
    this.usage.output = asNumber(value['output_tokens']) ?? this.usage.output;
  }

  private usageEvent(): Extract<ChatEvent, { type: 'usage' }> {
    const { input, cacheRead, cacheCreation, output } = this.usage;
    return {
      type: 'usage',
      ...(input !== undefined ? { promptTokens: input + (cacheRead ?? 0) + (cacheCreation ?? 0) } : {}),
      ...(output !== undefined ? { completionTokens: output } : {}),
      ...(cacheRead !== undefined ? { cachedTokens: cacheRead } : {}),
    };
  }
}

/**
 * Reads Anthropic's error shape, `{"type": "error", "error": {type, message}, "request_id"}`,
 * as a body before the stream and as the data of an `error` event after it started.
 */
export function decodeAnthropicError(body: unknown): WireError {
  const wire = wireErrorFrom(body);
  const requestId = isRecord(body) ? asText(body['request_id']) : undefined;
  if (requestId !== undefined && wire.requestId === undefined) wire.requestId = requestId;
  return wire;
}

/**
 * The shared mapping, except that a natural stop keeps its raw name (`end_turn`,
 * `stop_sequence`): core reads any unknown reason as complete, and the raw value is what a
 * developer wants to see in `finishReason`.
 */
function browserFinishReason(stop: string): string {
  const mapped = finishReasonForStop(stop);
  return mapped === 'stop' ? stop : mapped;
}
