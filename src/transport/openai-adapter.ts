import type { ChatRequestInput, WireMessage, WireTool } from '../core/chat-transport.js';
import type { ChatEvent, WireError } from '../core/types.js';
import { asText, isRecord } from '../wire/guards.js';
import { isEventStream } from './protocol-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
import { ToolCallAssembler } from './tool-call-assembler.js';
import { parseJsonFrame } from './wire-json.js';

/**
 * The default protocol: OpenAI Chat Completions streaming (DESIGN.md §4). Encodes the body
 * with the stable prefix first; decodes content, `reasoning_content`/`reasoning`, `refusal`,
 * `tool_calls` fragments by index, `finish_reason`, the usage chunk, `[DONE]` and an in-band
 * `{"error": ...}` chunk.
 */
export function createOpenAIAdapter(): ProtocolAdapter {
  return {
    name: 'openai',
    framing: 'sse',
    accept: 'text/event-stream',
    isStream: isEventStream,
    encodeRequest: encodeOpenAIRequest,
    createDecoder: () => new OpenAIDecoder(),
    decodeError: wireErrorFrom,
  };
}

/**
 * The DESIGN.md §4 body. The stable part comes first (system prompt, then history, the new
 * user message last) so that providers' prefix caches hit; nothing per-request ever goes
 * into the system prompt.
 */
export function encodeOpenAIRequest(input: ChatRequestInput): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (input.system) messages.push({ role: 'system', content: input.system });
  for (const message of input.messages) messages.push(encodeMessage(message));
  const body: Record<string, unknown> = {};
  if (input.model) body['model'] = input.model;
  body['messages'] = messages;
  body['stream'] = true;
  body['stream_options'] = { include_usage: true };
  if (input.maxTokens !== undefined && Number.isFinite(input.maxTokens)) body['max_tokens'] = input.maxTokens;
  if (input.temperature !== undefined && Number.isFinite(input.temperature)) body['temperature'] = input.temperature;
  if (input.tools?.length) body['tools'] = encodeOpenAITools(input.tools);
  Object.assign(body, input.body ?? {});
  if (input.continuation) body['continue'] = true;
  return body;
}

/** Tool definitions in the OpenAI shape, `{type: 'function', function: {name, description, parameters}}` (Ollama takes it too). */
export function encodeOpenAITools(tools: readonly WireTool[]): Record<string, unknown>[] {
  return tools.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      parameters: tool.parameters ?? { type: 'object', properties: {} },
    },
  }));
}

function encodeMessage(message: WireMessage): Record<string, unknown> {
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.content };
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return {
      role: 'assistant',
      content: message.content === '' ? null : message.content,
      tool_calls: message.toolCalls.map((call) => ({
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      })),
    };
  }
  return { role: message.role, content: message.content };
}

class OpenAIDecoder implements ProtocolDecoder {
  private readonly toolCalls = new ToolCallAssembler();
  private sawMeta = false;

  decode(message: SseMessage): ChatEvent[] {
    const data = message.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return [...this.toolCalls.flush(), { type: 'done' }];
    const chunk = parseJsonFrame(data);

    const events: ChatEvent[] = [];
    if (message.event === 'error' || isRecord(chunk['error'])) {
      // `event: error` may carry the error fields at the top level of its data.
      const error = wireErrorFrom(isRecord(chunk['error']) ? chunk : { error: chunk });
      events.push(...this.toolCalls.flush(), { type: 'error', error: { ...error, cause: 'in_band' } });
      return events;
    }
    if (!this.sawMeta && (typeof chunk['id'] === 'string' || typeof chunk['model'] === 'string')) {
      this.sawMeta = true;
      events.push({
        type: 'meta',
        ...(typeof chunk['id'] === 'string' ? { requestId: chunk['id'] } : {}),
        ...(typeof chunk['model'] === 'string' ? { model: chunk['model'] } : {}),
      });
    }

    const choices = Array.isArray(chunk['choices']) ? chunk['choices'] : [];
    // Only the first choice is shown; `n > 1` is not something a chat widget asks for.
    const choice: unknown = choices.find((c) => isRecord(c) && (c['index'] ?? 0) === 0);
    if (isRecord(choice)) {
      const delta = isRecord(choice['delta']) ? choice['delta'] : {};
      const reasoning = delta['reasoning_content'] ?? delta['reasoning'];
      if (typeof reasoning === 'string' && reasoning !== '') events.push({ type: 'reasoning', text: reasoning });
      if (typeof delta['content'] === 'string' && delta['content'] !== '') {
        events.push({ type: 'delta', text: delta['content'] });
      }
      if (typeof delta['refusal'] === 'string' && delta['refusal'] !== '') {
        events.push({ type: 'refusal', text: delta['refusal'] });
      }
      if (Array.isArray(delta['tool_calls'])) {
        for (const fragment of delta['tool_calls']) {
          if (!isRecord(fragment)) continue;
          const fn = isRecord(fragment['function']) ? fragment['function'] : {};
          const index = typeof fragment['index'] === 'number' ? fragment['index'] : 0;
          events.push(...this.toolCalls.add(index, { id: fragment['id'], name: fn['name'], arguments: fn['arguments'] }));
        }
      }
      const finish = choice['finish_reason'];
      if (typeof finish === 'string' && finish !== '') {
        // Some OpenAI-compatible servers report a failure as finish_reason "error" with an error object.
        if (finish === 'error') {
          events.push(...this.toolCalls.flush(), {
            type: 'error',
            error: wireErrorFrom(isRecord(choice['error']) ? { error: choice['error'] } : chunk),
          });
          return events;
        }
        events.push(...this.toolCalls.flush(), { type: 'finish', reason: finish });
      }
    }
    if (isRecord(chunk['usage'])) events.push(usageEvent(chunk['usage']));
    return events;
  }

  flush(): ChatEvent[] {
    return this.toolCalls.flush();
  }
}

function usageEvent(usage: Record<string, unknown>): ChatEvent {
  const details = isRecord(usage['prompt_tokens_details']) ? usage['prompt_tokens_details'] : {};
  return {
    type: 'usage',
    ...numberField('promptTokens', usage['prompt_tokens']),
    ...numberField('completionTokens', usage['completion_tokens']),
    ...numberField('cachedTokens', details['cached_tokens']),
  };
}

export function numberField<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' && Number.isFinite(value) ? ({ [key]: value } as Record<K, number>) : {};
}

/**
 * Reads an OpenAI-style error envelope, `{"error": {message, type, code, param, request_id,
 * retry_after}}`, tolerating the variants seen in the wild: a bare string (Ollama), numeric
 * codes (OpenRouter, vLLM), the fields at the top level (vLLM). A body with none of them (a
 * whole `chat.completion` sent to a streaming client, say) reads as no envelope at all.
 */
export function wireErrorFrom(body: unknown): WireError {
  if (!isRecord(body)) return typeof body === 'string' && body.trim() !== '' ? { cause: 'in_band', message: body.trim() } : {};
  const raw = body['error'];
  const topLevel = raw === undefined && (asText(body['type']) !== undefined || asText(body['code']) !== undefined);
  if (raw === undefined && !topLevel) return {};
  const error = isRecord(raw) ? raw : typeof raw === 'string' ? { message: raw } : body;
  const wire: WireError = { cause: 'in_band' };
  const message = asText(error['message']);
  const type = asText(error['type']);
  const code = asText(error['code']);
  const param = asText(error['param']);
  const requestId = asText(error['request_id']);
  if (message !== undefined) wire.message = message;
  if (type !== undefined) wire.type = type;
  if (code !== undefined) wire.code = code;
  if (param !== undefined) wire.param = param;
  if (requestId !== undefined) wire.requestId = requestId;
  const retryAfter = error['retry_after'];
  if (typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
    wire.retryAfterMs = Math.round(retryAfter * 1000);
  }
  return wire;
}
