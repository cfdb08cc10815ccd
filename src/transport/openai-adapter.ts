import type { ChatEvent, ChatToolCall, WireError } from '../core/types.js';
import { MalformedChunkError } from './protocol-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
import { isRecord } from '../wire/guards.js';

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * The default protocol: OpenAI Chat Completions streaming (DESIGN.md §4). Handles content,
 * `reasoning_content`/`reasoning`, `refusal`, `tool_calls` fragments by index,
 * `finish_reason`, the usage chunk, `[DONE]` and an in-band `{"error": ...}` chunk.
 */
export function createOpenAIAdapter(): ProtocolAdapter {
  return { name: 'openai', createDecoder: () => new OpenAIDecoder() };
}

class OpenAIDecoder implements ProtocolDecoder {
  private readonly toolCalls = new Map<number, PendingToolCall>();
  private currentToolIndex: number | undefined;
  private sawMeta = false;

  decode(message: SseMessage): ChatEvent[] {
    const data = message.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return [...this.flush(), { type: 'done' }];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new MalformedChunkError(data);
    }
    if (!isRecord(chunk)) throw new MalformedChunkError(data);

    const events: ChatEvent[] = [];
    if (message.event === 'error' || isRecord(chunk['error'])) {
      events.push(...this.flush(), { type: 'error', error: wireErrorFrom(chunk) });
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
        for (const fragment of delta['tool_calls']) events.push(...this.addToolFragment(fragment));
      }
      const finish = choice['finish_reason'];
      if (typeof finish === 'string' && finish !== '') {
        // Some OpenAI-compatible servers report a failure as finish_reason "error" with an error object.
        if (finish === 'error') {
          events.push(...this.flush(), {
            type: 'error',
            error: wireErrorFrom(isRecord(choice['error']) ? { error: choice['error'] } : chunk),
          });
          return events;
        }
        events.push(...this.flush(), { type: 'finish', reason: finish });
      }
    }
    if (isRecord(chunk['usage'])) events.push(usageEvent(chunk['usage']));
    return events;
  }

  flush(): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const index of [...this.toolCalls.keys()].sort((a, b) => a - b)) {
      events.push(this.completeToolCall(index));
    }
    this.currentToolIndex = undefined;
    return events;
  }

  /**
   * Tool calls arrive as fragments keyed by index: the first carries id and name, later ones
   * append to `arguments`. A call is complete when the next index starts or the turn finishes,
   * which is when the app can start running the tool.
   */
  private addToolFragment(fragment: unknown): ChatEvent[] {
    if (!isRecord(fragment)) return [];
    const index = typeof fragment['index'] === 'number' ? fragment['index'] : 0;
    const events: ChatEvent[] = [];
    if (this.currentToolIndex !== undefined && index !== this.currentToolIndex && this.toolCalls.has(this.currentToolIndex)) {
      events.push(this.completeToolCall(this.currentToolIndex));
    }
    this.currentToolIndex = index;
    const fn = isRecord(fragment['function']) ? fragment['function'] : {};
    const pending = this.toolCalls.get(index) ?? { id: '', name: '', arguments: '' };
    if (typeof fragment['id'] === 'string' && fragment['id'] !== '') pending.id = fragment['id'];
    if (typeof fn['name'] === 'string') pending.name += fn['name'];
    if (typeof fn['arguments'] === 'string') pending.arguments += fn['arguments'];
    this.toolCalls.set(index, pending);
    return events;
  }

  private completeToolCall(index: number): ChatEvent {
    const pending = this.toolCalls.get(index) ?? { id: '', name: '', arguments: '' };
    this.toolCalls.delete(index);
    const toolCall: ChatToolCall = {
      id: pending.id || `call_${index}`,
      name: pending.name,
      arguments: pending.arguments,
    };
    return { type: 'tool-call', toolCall };
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

function numberField<K extends string>(key: K, value: unknown): Partial<Record<K, number>> {
  return typeof value === 'number' && Number.isFinite(value) ? ({ [key]: value } as Record<K, number>) : {};
}

/**
 * Reads an OpenAI-style error envelope, `{"error": {message, type, code, param, request_id,
 * retry_after}}`, tolerating the variants seen in the wild (a bare string, numeric codes).
 */
export function wireErrorFrom(body: unknown): WireError {
  const raw = isRecord(body) ? body['error'] : undefined;
  const error = isRecord(raw) ? raw : typeof raw === 'string' ? { message: raw } : isRecord(body) ? body : {};
  const text = (value: unknown) =>
    typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  const wire: WireError = { cause: 'in_band' };
  const message = text(error['message']);
  const type = text(error['type']);
  const code = text(error['code']);
  const param = text(error['param']);
  const requestId = text(error['request_id']);
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
