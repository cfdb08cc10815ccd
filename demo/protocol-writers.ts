/**
 * Demo only: re-encodes the gateway mock's events (OpenAI chunks, in-band errors, broken
 * frames on purpose) into each protocol's wire format, the way a real backend of that kind
 * would send them: the AI SDK UI message stream, Anthropic's Messages events, Ollama's NDJSON,
 * and a plain text body.
 */
import type { UpstreamEvent } from '../src/gateway/index.js';
import type { DemoProtocol } from './protocol-requests.js';

/** What one mock event becomes: text to write, or a connection reset. */
export type Output = { text: string } | { reset: true };

export interface ProtocolWriter {
  /** Headers of the streamed response. */
  readonly headers: Record<string, string>;
  write(event: UpstreamEvent): Output;
}

interface Call {
  id: string;
  name: string;
  args: string;
}

/** The parts of the mock's OpenAI chunks every writer needs, tracked across the stream. */
class ChunkState {
  readonly calls = new Map<number, Call>();
  finish: string | undefined;
  refused = false;
  usage = { prompt: 0, completion: 0, cached: 0 };

  read(event: Extract<UpstreamEvent, { type: 'chunk' }>): { reasoning: string; content: string; newCalls: number[]; finish?: string } {
    const { chunk } = event;
    if (chunk.usage) {
      const details = chunk.usage.prompt_tokens_details;
      this.usage = { prompt: chunk.usage.prompt_tokens, completion: chunk.usage.completion_tokens, cached: details?.cached_tokens ?? 0 };
    }
    const choice = chunk.choices[0];
    const delta = choice?.delta ?? {};
    const newCalls: number[] = [];
    for (const fragment of delta.tool_calls ?? []) {
      const known = this.calls.get(fragment.index);
      if (!known) newCalls.push(fragment.index);
      const call = known ?? { id: fragment.id ?? `call_${fragment.index}`, name: '', args: '' };
      call.name += fragment.function?.name ?? '';
      call.args += fragment.function?.arguments ?? '';
      this.calls.set(fragment.index, call);
    }
    if (delta.refusal) this.refused = true;
    const finish = choice?.finish_reason ?? undefined;
    if (finish) this.finish = finish;
    return {
      reasoning: typeof delta.reasoning_content === 'string' ? delta.reasoning_content : '',
      content: (delta.content ?? '') + (delta.refusal ?? ''),
      newCalls,
      ...(finish ? { finish } : {}),
    };
  }
}

const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
const parse = (args: string): unknown => {
  try {
    return JSON.parse(args);
  } catch {
    return {};
  }
};

/** The AI SDK UI message stream, as `toUIMessageStreamResponse()` sends it. */
function aiSdkWriter(messageId: string, model: string): ProtocolWriter {
  const state = new ChunkState();
  let open: 'text' | 'reasoning' | undefined;
  let started = false;
  const switchTo = (part: 'text' | 'reasoning' | undefined): string => {
    if (open === part) return '';
    const close = open ? sse({ type: `${open}-end`, id: `${open}-0` }) : '';
    open = part;
    return close + (part ? sse({ type: `${part}-start`, id: `${part}-0` }) : '');
  };
  return {
    headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'x-vercel-ai-ui-message-stream': 'v1' },
    write(event) {
      let out = started ? '' : sse({ type: 'start', messageId, messageMetadata: { model } }) + sse({ type: 'start-step' });
      started = true;
      if (event.type === 'chunk') {
        const { reasoning, content, newCalls, finish } = state.read(event);
        if (reasoning) out += switchTo('reasoning') + sse({ type: 'reasoning-delta', id: 'reasoning-0', delta: reasoning });
        if (content) out += switchTo('text') + sse({ type: 'text-delta', id: 'text-0', delta: content });
        for (const index of newCalls) {
          const call = state.calls.get(index) as Call;
          out += switchTo(undefined) + sse({ type: 'tool-input-start', toolCallId: call.id, toolName: call.name });
        }
        if (finish) {
          out += switchTo(undefined);
          for (const call of state.calls.values()) {
            out += sse({ type: 'tool-input-available', toolCallId: call.id, toolName: call.name, input: parse(call.args) });
          }
        }
      } else if (event.type === 'done') {
        const reasons: Record<string, string> = { length: 'length', content_filter: 'content-filter', tool_calls: 'tool-calls' };
        const finishReason = state.refused ? 'content-filter' : (reasons[state.finish ?? ''] ?? 'stop');
        const { prompt, completion, cached } = state.usage;
        const totalUsage = { inputTokens: prompt, outputTokens: completion, totalTokens: prompt + completion, cachedInputTokens: cached };
        out += sse({ type: 'finish-step' }) + sse({ type: 'finish', finishReason, messageMetadata: { totalUsage } }) + 'data: [DONE]\n\n';
      } else if (event.type === 'error') {
        out += sse({ type: 'error', errorText: event.error.message });
      } else if (event.type === 'raw') {
        out += event.text;
      } else if (event.type === 'comment') {
        out += `: ${event.text}\n\n`;
      } else if (event.type === 'reset') {
        return { reset: true };
      }
      return { text: out };
    },
  };
}

/** Anthropic's Messages stream: one content block per kind of output, usage and stop reason at the end. */
function anthropicWriter(messageId: string, model: string): ProtocolWriter {
  const state = new ChunkState();
  const ev = (value: Record<string, unknown>) => `event: ${String(value['type'])}\ndata: ${JSON.stringify(value)}\n\n`;
  let index = -1;
  let open: string | undefined;
  let started = false;
  const block = (type: string | undefined, start: Record<string, unknown> = {}): string => {
    if (open === type && type !== 'tool_use') return '';
    const close = open ? ev({ type: 'content_block_stop', index }) : '';
    open = type;
    if (!type) return close;
    index += 1;
    return close + ev({ type: 'content_block_start', index, content_block: { type, ...start } });
  };
  return {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', 'request-id': messageId },
    write(event) {
      let out = started
        ? ''
        : ev({
            type: 'message_start',
            message: {
              id: messageId,
              type: 'message',
              role: 'assistant',
              content: [],
              model,
              stop_reason: null,
              usage: { output_tokens: 1 },
            },
          });
      started = true;
      if (event.type === 'chunk') {
        const { reasoning, content, newCalls, finish } = state.read(event);
        if (reasoning)
          out +=
            block('thinking', { thinking: '' }) +
            ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: reasoning } });
        if (content)
          out += block('text', { text: '' }) + ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: content } });
        for (const n of newCalls) {
          const call = state.calls.get(n) as Call;
          out += block('tool_use', { id: call.id, name: call.name, input: {} });
        }
        const fragment = event.chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments;
        if (fragment) out += ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } });
        if (finish) out += block(undefined);
      } else if (event.type === 'done') {
        const reasons: Record<string, string> = { length: 'max_tokens', content_filter: 'refusal', tool_calls: 'tool_use' };
        const stop_reason = state.refused ? 'refusal' : (reasons[state.finish ?? ''] ?? 'end_turn');
        const { prompt, completion, cached } = state.usage;
        const usage = { input_tokens: prompt - cached, cache_read_input_tokens: cached, output_tokens: completion };
        out += ev({ type: 'message_delta', delta: { stop_reason, stop_sequence: null }, usage }) + ev({ type: 'message_stop' });
      } else if (event.type === 'error') {
        const type = event.error.type === 'server_error' ? 'api_error' : event.error.type;
        out += ev({ type: 'error', error: { type, message: event.error.message } });
      } else if (event.type === 'raw') {
        out += event.text;
      } else if (event.type === 'comment') {
        out += ev({ type: 'ping' });
      } else if (event.type === 'reset') {
        return { reset: true };
      }
      return { text: out };
    },
  };
}

/** Ollama's `/api/chat`: a line per piece of output, tool calls whole, counts on the last line. */
function ndjsonWriter(model: string): ProtocolWriter {
  const state = new ChunkState();
  const line = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    `${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '', ...message }, done: false, ...extra })}\n`;
  return {
    headers: { 'Content-Type': 'application/x-ndjson' },
    write(event) {
      if (event.type === 'chunk') {
        const { reasoning, content, finish } = state.read(event);
        let out = (reasoning ? line({ thinking: reasoning }) : '') + (content ? line({ content }) : '');
        if (finish && state.calls.size > 0) {
          out += line({
            tool_calls: [...state.calls.values()].map((call) => ({ function: { name: call.name, arguments: parse(call.args) } })),
          });
        }
        return { text: out };
      }
      if (event.type === 'done') {
        const done_reason = state.finish === 'length' ? 'length' : 'stop';
        return { text: line({}, { done: true, done_reason, prompt_eval_count: state.usage.prompt, eval_count: state.usage.completion }) };
      }
      if (event.type === 'error') return { text: `${JSON.stringify({ error: event.error.message })}\n` };
      if (event.type === 'raw') return { text: '{not json\n' };
      if (event.type === 'reset') return { reset: true };
      return { text: '' };
    },
  };
}

/**
 * A plain text body: the answer's words and nothing else. It has no way to say "failed", so
 * an in-band error becomes a connection reset (the client sees an interrupted answer), and a
 * cut that closes cleanly reads as the end (what this protocol cannot tell apart).
 */
function textWriter(): ProtocolWriter {
  const state = new ChunkState();
  return {
    headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    write(event) {
      if (event.type === 'chunk') return { text: state.read(event).content };
      if (event.type === 'error' || event.type === 'reset') return { reset: true };
      return { text: '' };
    },
  };
}

/** A writer for one response. */
export function createProtocolWriter(protocol: DemoProtocol, requestId: string, model: string): ProtocolWriter {
  switch (protocol) {
    case 'ai-sdk':
      return aiSdkWriter(`msg-${requestId}`, model);
    case 'anthropic':
      return anthropicWriter(`msg_${requestId}`, model);
    case 'ndjson':
      return ndjsonWriter(model);
    case 'text':
      return textWriter();
  }
}

/** An error before the stream, in each protocol's own body shape (the text protocol uses the OpenAI envelope). */
export function errorBody(
  protocol: DemoProtocol,
  error: { type: string; code: string | null; message: string },
  requestId: string,
): unknown {
  switch (protocol) {
    case 'anthropic':
      return { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId };
    case 'ndjson':
      return { error: error.message };
    default:
      return { error: { message: error.message, type: error.type, code: error.code, request_id: requestId } };
  }
}
