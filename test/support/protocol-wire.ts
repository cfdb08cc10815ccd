/**
 * Fixtures in the published wire format of each protocol other than `openai` (DESIGN.md §4a),
 * written from the protocols' own documentation: the AI SDK UI message stream, Anthropic's
 * Messages streaming events, Ollama's `/api/chat` NDJSON, and a plain text body. Each
 * `answer()` is a whole successful response with text (multibyte), reasoning, one tool call,
 * usage and a finish; tests cut these anywhere.
 */
import type { ScriptStep } from './script-server.js';

export const ANSWER_TEXT = 'Héllo 世界 👋🏽 — done.';
export const ANSWER_PARTS = ['Héllo ', '世界 👋🏽', ' — done.'];
export const REASONING_PARTS = ['Think ', 'first.'];
export const TOOL_CALL = { id: 'call_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' };

/** The AI SDK UI message stream: `data: {json}` events, `data: [DONE]` at the end. */
export const aiSdk = {
  headers: { 'Content-Type': 'text/event-stream', 'x-vercel-ai-ui-message-stream': 'v1' },
  chunk: (value: Record<string, unknown>) => `data: ${JSON.stringify(value)}\n\n`,
  done: () => 'data: [DONE]\n\n',
  text(parts: string[], id = 'txt-0'): string {
    return (
      aiSdk.chunk({ type: 'text-start', id }) +
      parts.map((delta) => aiSdk.chunk({ type: 'text-delta', id, delta })).join('') +
      aiSdk.chunk({ type: 'text-end', id })
    );
  },
  answer(options: { finishReason?: string; parts?: string[] } = {}): string {
    const { arguments: args, id: toolCallId, name: toolName } = TOOL_CALL;
    return (
      aiSdk.chunk({ type: 'start', messageId: 'msg_ai_1', messageMetadata: { model: 'gpt-test' } }) +
      aiSdk.chunk({ type: 'start-step' }) +
      aiSdk.chunk({ type: 'reasoning-start', id: 'r-0' }) +
      REASONING_PARTS.map((delta) => aiSdk.chunk({ type: 'reasoning-delta', id: 'r-0', delta })).join('') +
      aiSdk.chunk({ type: 'reasoning-end', id: 'r-0' }) +
      aiSdk.text(options.parts ?? ANSWER_PARTS) +
      aiSdk.chunk({ type: 'tool-input-start', toolCallId, toolName }) +
      aiSdk.chunk({ type: 'tool-input-delta', toolCallId, inputTextDelta: args.slice(0, 7) }) +
      aiSdk.chunk({ type: 'tool-input-delta', toolCallId, inputTextDelta: args.slice(7) }) +
      aiSdk.chunk({ type: 'tool-input-available', toolCallId, toolName, input: JSON.parse(args) }) +
      aiSdk.chunk({ type: 'finish-step' }) +
      aiSdk.chunk({
        type: 'finish',
        ...(options.finishReason !== undefined ? { finishReason: options.finishReason } : {}),
        messageMetadata: { totalUsage: { inputTokens: 21, outputTokens: 9, totalTokens: 30, cachedInputTokens: 5 } },
      }) +
      aiSdk.done()
    );
  },
};

/** Anthropic's Messages stream: `event: <type>` plus `data: {json}` with the same type. */
export const anthropic = {
  headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'request-id': 'req_anthropic_1' },
  event: (value: Record<string, unknown>) => `event: ${String(value['type'])}\ndata: ${JSON.stringify(value)}\n\n`,
  start: () =>
    anthropic.event({
      type: 'message_start',
      message: {
        id: 'msg_01abc',
        type: 'message',
        role: 'assistant',
        content: [],
        model: 'claude-test',
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 12, cache_read_input_tokens: 100, cache_creation_input_tokens: 8, output_tokens: 1 },
      },
    }),
  textBlock(index: number, parts: string[]): string {
    return (
      anthropic.event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }) +
      parts.map((text) => anthropic.event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })).join('') +
      anthropic.event({ type: 'content_block_stop', index })
    );
  },
  stop: (reason: string, output = 9) =>
    anthropic.event({ type: 'message_delta', delta: { stop_reason: reason, stop_sequence: null }, usage: { output_tokens: output } }) +
    anthropic.event({ type: 'message_stop' }),
  answer(options: { stopReason?: string; parts?: string[] } = {}): string {
    const thinking =
      anthropic.event({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }) +
      REASONING_PARTS.map((thinking) =>
        anthropic.event({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking } }),
      ).join('') +
      anthropic.event({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM' } }) +
      anthropic.event({ type: 'content_block_stop', index: 0 });
    const tool =
      anthropic.event({
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: TOOL_CALL.id, name: TOOL_CALL.name, input: {} },
      }) +
      anthropic.event({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } }) +
      anthropic.event({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":"Par' } }) +
      anthropic.event({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: 'is"}' } }) +
      anthropic.event({ type: 'content_block_stop', index: 2 });
    return (
      anthropic.start() +
      thinking +
      anthropic.event({ type: 'ping' }) +
      anthropic.textBlock(1, options.parts ?? ANSWER_PARTS) +
      tool +
      anthropic.stop(options.stopReason ?? 'tool_use')
    );
  },
  error: (type: string, message: string) => anthropic.event({ type: 'error', error: { type, message } }),
  errorBody: (type: string, message: string) => ({ type: 'error', error: { type, message }, request_id: 'req_011_err' }),
};

/** Ollama's `/api/chat`: one JSON object per line. */
export const ndjson = {
  headers: { 'Content-Type': 'application/x-ndjson' },
  line: (value: Record<string, unknown>) => `${JSON.stringify(value)}\n`,
  message: (message: Record<string, unknown>) =>
    ndjson.line({
      model: 'llama-test',
      created_at: '2025-01-01T00:00:00Z',
      message: { role: 'assistant', content: '', ...message },
      done: false,
    }),
  done: (reason = 'stop') =>
    ndjson.line({
      model: 'llama-test',
      created_at: '2025-01-01T00:00:01Z',
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: reason,
      total_duration: 4883583458,
      prompt_eval_count: 26,
      eval_count: 11,
    }),
  answer(options: { doneReason?: string; parts?: string[]; withTool?: boolean } = {}): string {
    return (
      REASONING_PARTS.map((thinking) => ndjson.message({ thinking })).join('') +
      (options.parts ?? ANSWER_PARTS).map((content) => ndjson.message({ content })).join('') +
      (options.withTool === false
        ? ''
        : ndjson.message({ tool_calls: [{ function: { name: TOOL_CALL.name, arguments: JSON.parse(TOOL_CALL.arguments) } }] })) +
      ndjson.done(options.doneReason)
    );
  },
};

/** A plain text body. */
export const plain = {
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
};

/** One scripted response of `text` with the given headers, written in pieces. */
export function respond(headers: Record<string, string>, pieces: string[], extra: Partial<ScriptStep> = {}): ScriptStep {
  return { headers, pieces: pieces.map((text) => ({ text })), ...extra };
}

/** A JSON error body in whatever shape the protocol uses. */
export function jsonError(status: number, body: unknown, headers: Record<string, string> = {}): ScriptStep {
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, pieces: [{ text: JSON.stringify(body) }] };
}
