import type { ChatRequestInput, WireMessage } from '../core/chat-transport.js';
import type { ChatEvent, WireError } from '../core/types.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';
import { wireErrorFromText } from './error-text.js';
import { wireErrorFrom } from './openai-adapter.js';
import { MalformedChunkError, isEventStream } from './protocol-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder, SseMessage } from './protocol-adapter.js';
import { parseJsonFrame } from './wire-json.js';

/**
 * The Vercel AI SDK UI message stream (DESIGN.md §4a): what a Next.js route returns with
 * `toUIMessageStreamResponse()`, so the element drops into routes written for `useChat`. The
 * request is the body `useChat`'s default transport POSTs; the response is SSE with one JSON
 * chunk per event and `data: [DONE]` at the end.
 */
export function createAiSdkAdapter(): ProtocolAdapter {
  return {
    name: 'ai-sdk',
    framing: 'sse',
    accept: 'text/event-stream',
    isStream: isEventStream,
    encodeRequest: encodeAiSdkRequest,
    createDecoder: () => new AiSdkDecoder(),
    decodeError: decodeAiSdkError,
  };
}

/**
 * A per-page salt for chat ids: two visitors who open with the same question must never share
 * an `id`, since routes commonly store and load chats by it.
 */
const PAGE_SALT = [...crypto.getRandomValues(new Uint32Array(2))].map((n) => n.toString(36)).join('');

/**
 * The body `useChat` sends: `{id, messages: [{id, role, parts}], trigger: 'submit-message'}`,
 * then the element's model settings under the names `streamText` takes (`model`,
 * `temperature`, `maxOutputTokens`), then the page's `body` (which wins, so a page that keeps
 * chats by id sets `body.id`).
 *
 * `id` is stable for one conversation on one page load (derived from its first message), and
 * so are the message ids (the conversation's id and the position), because a history only
 * ever grows at its end. Tool calls become tool parts of their assistant message, with the
 * result of each call folded in (`state: 'output-available'`), which is where `useChat` keeps
 * them; tool definitions are not sent (an AI SDK route declares its tools on the server).
 *
 * Continue: the partial answer is the last `assistant` message, `messageId` names it (as
 * `useChat` does when it resubmits an assistant message) and `continue: true` is set. A route
 * that passes the messages to `convertToModelMessages` gives the model the partial as the
 * assistant's turn so far: a prefill where the provider supports one (Anthropic), an extra
 * assistant message otherwise.
 */
export function encodeAiSdkRequest(input: ChatRequestInput): Record<string, unknown> {
  const chatId = `chat-${PAGE_SALT}-${hash(`${input.system ?? ''}\u0000${input.messages[0]?.content ?? ''}`)}`;
  const messages: Record<string, unknown>[] = [];
  const nextId = () => `${chatId}-${messages.length}`;
  if (input.system) messages.push({ id: nextId(), role: 'system', parts: [{ type: 'text', text: input.system }] });
  const results = new Map<string, string>();
  for (const message of input.messages) {
    if (message.role === 'tool' && message.toolCallId !== undefined) results.set(message.toolCallId, message.content);
  }
  for (const message of input.messages) {
    // Results live in the parts of the call they answer; one without a call has nowhere to go.
    if (message.role === 'tool') continue;
    messages.push({ id: nextId(), role: message.role, parts: partsOf(message, results) });
  }
  const body: Record<string, unknown> = { id: chatId, messages, trigger: 'submit-message' };
  if (input.continuation) body['messageId'] = messages.at(-1)?.['id'];
  if (input.model) body['model'] = input.model;
  if (input.temperature !== undefined && Number.isFinite(input.temperature)) body['temperature'] = input.temperature;
  if (input.maxTokens !== undefined && Number.isFinite(input.maxTokens)) body['maxOutputTokens'] = input.maxTokens;
  Object.assign(body, input.body ?? {});
  if (input.continuation) body['continue'] = true;
  return body;
}

function partsOf(message: WireMessage, results: ReadonlyMap<string, string>): Record<string, unknown>[] {
  const parts: Record<string, unknown>[] = [];
  if (message.content !== '') parts.push({ type: 'text', text: message.content });
  for (const call of message.toolCalls ?? []) {
    const part: Record<string, unknown> = {
      type: `tool-${call.name}`,
      toolCallId: call.id,
      state: 'input-available',
      input: jsonOr(call.arguments, {}),
    };
    const result = results.get(call.id);
    // The element keeps a result as text (JSON for anything but a string); the part holds the value.
    if (result !== undefined) Object.assign(part, { state: 'output-available', output: jsonOr(result, result) });
    parts.push(part);
  }
  return parts;
}

function jsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** FNV-1a: a short digest that keeps one conversation's id the same from request to request. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(36);
}

/** The SDK's `finishReason` values, in the vocabulary of DESIGN.md §5. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
};

/**
 * Decodes one UI message stream. Text and reasoning deltas are appended as they come; a step
 * that starts after earlier text (the model answering after a tool ran on the server) begins
 * a new paragraph. A tool call is complete at `tool-input-available`; calls the server also
 * executed (a `tool-output-available` follows) are reported too, but only calls left without
 * output make the answer end in `tool_calls` when the route sends no `finishReason` (AI SDK
 * 5 does not).
 */
class AiSdkDecoder implements ProtocolDecoder {
  private readonly reported = new Set<string>();
  private readonly awaitingOutput = new Set<string>();
  /** Whether text (reasoning) was written, and whether a new step started since. */
  private readonly written = { delta: false, reasoning: false };
  private readonly stepBreak = { delta: false, reasoning: false };

  decode(message: SseMessage): ChatEvent[] {
    const data = message.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return [{ type: 'done' }];
    const chunk = parseJsonFrame(data);
    if (typeof chunk['type'] !== 'string') throw new MalformedChunkError(data);
    switch (chunk['type']) {
      case 'start':
        return [...metaFrom(chunk['messageId'], chunk['messageMetadata']), ...usageFrom(chunk['messageMetadata'])];
      case 'start-step':
        this.stepBreak.delta = this.written.delta;
        this.stepBreak.reasoning = this.written.reasoning;
        return [];
      case 'text-delta':
        return this.text('delta', chunk, data);
      case 'reasoning-delta':
        return this.text('reasoning', chunk, data);
      case 'tool-input-available':
      case 'tool-input-error':
        return this.toolCall(chunk);
      case 'tool-output-available':
      case 'tool-output-error':
      case 'tool-output-denied':
        if (typeof chunk['toolCallId'] === 'string') this.awaitingOutput.delete(chunk['toolCallId']);
        return [];
      case 'message-metadata':
        return [...metaFrom(undefined, chunk['messageMetadata']), ...usageFrom(chunk['messageMetadata'])];
      case 'error':
        return [{ type: 'error', error: wireErrorFromText(typeof chunk['errorText'] === 'string' ? chunk['errorText'] : '') }];
      case 'abort':
        // The server gave up on the answer (its request was aborted): a cut, worth a retry.
        return [{ type: 'error', error: { cause: 'in_band', type: 'server_error', message: 'The server stopped the answer.' } }];
      case 'finish':
        return [...metaFrom(undefined, chunk['messageMetadata']), ...usageFrom(chunk['messageMetadata']), this.finish(chunk)];
      default:
        // Boundaries (text-start/-end, finish-step, ...), sources, files, data-* parts: nothing to show.
        return [];
    }
  }

  flush(): ChatEvent[] {
    return [];
  }

  private text(type: 'delta' | 'reasoning', chunk: Record<string, unknown>, data: string): ChatEvent[] {
    const delta = chunk['delta'];
    if (typeof delta !== 'string') throw new MalformedChunkError(data);
    if (delta === '') return [];
    const separator = this.stepBreak[type] ? '\n\n' : '';
    this.written[type] = true;
    this.stepBreak[type] = false;
    return [{ type, text: separator + delta }];
  }

  private toolCall(chunk: Record<string, unknown>): ChatEvent[] {
    const id = chunk['toolCallId'];
    const name = chunk['toolName'];
    // Provider-executed tools (a provider's own web search, say) are not the page's to run.
    if (typeof id !== 'string' || typeof name !== 'string' || chunk['providerExecuted'] === true || this.reported.has(id)) return [];
    this.reported.add(id);
    this.awaitingOutput.add(id);
    const input = chunk['input'];
    const args = typeof input === 'string' ? input : JSON.stringify(input ?? {});
    return [{ type: 'tool-call', toolCall: { id, name, arguments: args } }];
  }

  private finish(chunk: Record<string, unknown>): ChatEvent {
    const raw = chunk['finishReason'];
    if (raw === 'error') {
      return { type: 'error', error: { cause: 'in_band', type: 'server_error', message: 'The model stopped with an error.' } };
    }
    if (typeof raw !== 'string' || raw === '') return { type: 'finish', reason: this.awaitingOutput.size > 0 ? 'tool_calls' : 'stop' };
    // `tool-calls` after tools the server ran itself (it hit its step limit) is not the page's turn.
    if (raw === 'tool-calls' && this.awaitingOutput.size === 0) return { type: 'finish', reason: raw };
    return { type: 'finish', reason: FINISH_REASONS[raw] ?? raw };
  }
}

function metaFrom(messageId: unknown, metadata: unknown): ChatEvent[] {
  const requestId = asText(messageId);
  const model = isRecord(metadata) ? (asText(metadata['model']) ?? asText(metadata['modelId'])) : undefined;
  if (requestId === undefined && model === undefined) return [];
  return [{ type: 'meta', ...(requestId !== undefined ? { requestId } : {}), ...(model !== undefined ? { model } : {}) }];
}

/**
 * Usage, when the route sends it as message metadata (`messageMetadata: ({part}) => ...`
 * returning `{usage}` or `{totalUsage}`, the SDK's `LanguageModelUsage`); the stream itself
 * carries none.
 */
function usageFrom(metadata: unknown): ChatEvent[] {
  if (!isRecord(metadata)) return [];
  const usage = isRecord(metadata['totalUsage']) ? metadata['totalUsage'] : isRecord(metadata['usage']) ? metadata['usage'] : undefined;
  if (!usage) return [];
  const details = isRecord(usage['inputTokenDetails']) ? usage['inputTokenDetails'] : {};
  const promptTokens = asNumber(usage['inputTokens']) ?? asNumber(usage['promptTokens']);
  const completionTokens = asNumber(usage['outputTokens']) ?? asNumber(usage['completionTokens']);
  const cachedTokens = asNumber(usage['cachedInputTokens']) ?? asNumber(details['cacheReadTokens']);
  if (promptTokens === undefined && completionTokens === undefined) return [];
  return [
    {
      type: 'usage',
      ...(promptTokens !== undefined ? { promptTokens } : {}),
      ...(completionTokens !== undefined ? { completionTokens } : {}),
      ...(cachedTokens !== undefined ? { cachedTokens } : {}),
    },
  ];
}

/**
 * An error body from an AI SDK route: whatever the route chose to send. An OpenAI-style
 * envelope or `{"error": "..."}` is read as such; `{"errorText"}` or `{"message"}` as words.
 */
export function decodeAiSdkError(body: unknown): WireError {
  const envelope = wireErrorFrom(body);
  if (Object.keys(envelope).length > 0) return envelope;
  if (!isRecord(body)) return {};
  const text = asText(body['errorText']) ?? asText(body['message']);
  return text === undefined ? {} : wireErrorFromText(text);
}
