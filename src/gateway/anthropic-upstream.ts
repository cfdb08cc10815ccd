import { createAnthropicStreamTranslator } from './anthropic-stream.js';
import { mapUpstreamError } from './map-upstream-error.js';
import { eventStreamBody, readErrorBody } from './read-error-body.js';
import { eventsOf } from './relay-source.js';
import { createSseRelaySource } from './sse-relay-source.js';
import type { Upstream, UpstreamContext, UpstreamRequest } from './upstream.js';
import { createFetchTransport } from './upstream-transport.js';
import type { UpstreamTransport } from './upstream-transport.js';
import type { GatewayMessage } from './wire-types.js';
import { planPromptCache } from './prompt-cache.js';
import type { PromptCachePlan } from './prompt-cache.js';
import { parseToolArguments, systemText } from './translate-messages.js';
import { asNumber, isRecord } from '../wire/guards.js';

/** Options of {@link createAnthropicUpstream}. */
export interface AnthropicUpstreamOptions {
  /** The Anthropic key, sent as `x-api-key`. Never logged or returned to clients. */
  apiKey: string;
  /**
   * API origin; `/v1/messages` is appended.
   * @defaultValue `'https://api.anthropic.com'`
   */
  baseURL?: string;
  /** Model used when a request names none. */
  defaultModel?: string;
  /**
   * `anthropic-version` header.
   * @defaultValue `'2023-06-01'`
   */
  version?: string;
  /** Extra headers for every call, e.g. `anthropic-beta`. */
  headers?: Record<string, string>;
  /**
   * Mark the system prompt and the stable history prefix with `cache_control` when they reach
   * the model's minimum cacheable size (see `planPromptCache`).
   * @defaultValue true
   */
  promptCaching?: boolean;
  /** Custom fetch (used through the fetch transport). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
  /**
   * How calls reach the provider.
   * @defaultValue from `index.ts` (Node): the keep-alive `node:http(s)` transport, unless
   * `fetch` is given; from `web.ts`: `fetch`
   */
  transport?: UpstreamTransport;
}

/** The optional request fields the Anthropic translation expresses. */
export const ANTHROPIC_SUPPORTED_FIELDS: readonly string[] = ['top_p', 'stop', 'user', 'tools', 'tool_choice', 'parallel_tool_calls'];

type AnthropicBlock = Record<string, unknown> & { type: string };
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/**
 * Creates an upstream for Anthropic's Messages API (`POST {base}/v1/messages`, streaming),
 * translated into the OpenAI wire format so the client sees one protocol:
 * system messages → top-level `system`; `max_tokens` always sent (Anthropic requires it);
 * `text_delta` → `content`, `thinking_delta` → `reasoning_content`, `tool_use` blocks and
 * `input_json_delta` → `tool_calls` fragments by index; `stop_reason` → `finish_reason`
 * (`end_turn`/`stop_sequence` → stop, `max_tokens` → length, `tool_use` → tool_calls,
 * `refusal` → content_filter); usage with `input_tokens + cache_read + cache_creation` as
 * `prompt_tokens` and `cache_read_input_tokens` as `cached_tokens`; `event: error` → in-band
 * error (`overloaded_error` → code `upstream_overloaded`); HTTP 529 → 503 with Retry-After.
 *
 * `continue: true` uses assistant prefill: the partial is the last assistant message and
 * Claude continues it. Anthropic rejects a final assistant message ending in whitespace, so
 * that whitespace is trimmed; the continuation then usually starts with it again.
 * `temperature` is clamped to Anthropic's 0–1 range.
 *
 * @param options - Key, endpoint and headers.
 * @returns The upstream.
 */
export function createAnthropicUpstream(options: AnthropicUpstreamOptions): Upstream {
  const url = `${(options.baseURL ?? 'https://api.anthropic.com').replace(/\/+$/, '')}/v1/messages`;
  const transport = options.transport ?? createFetchTransport(options.fetch ?? globalThis.fetch);
  const secrets = [options.apiKey];
  const headers = {
    ...options.headers,
    'content-type': 'application/json',
    'anthropic-version': options.version ?? '2023-06-01',
    'x-api-key': options.apiKey,
  };
  const cachePlan = (request: UpstreamRequest): PromptCachePlan =>
    options.promptCaching === false ? { system: false, historyEnd: -1 } : planPromptCache(request, request.model);

  return {
    provider: 'anthropic',
    defaultModel: options.defaultModel,
    supportedFields: ANTHROPIC_SUPPORTED_FIELDS,
    async chat(request: UpstreamRequest, context: UpstreamContext) {
      const response = await transport(url, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify(toAnthropicBody(request, cachePlan(request))),
        signal: context.signal,
      });
      const upstreamRequestId = response.headers.get('request-id') ?? undefined;
      if (!response.ok) {
        const body = await readErrorBody(response);
        throw mapUpstreamError({ status: response.status, body, headers: response.headers, secrets });
      }
      const stream = eventStreamBody(response, upstreamRequestId);
      const translator = createAnthropicStreamTranslator(request, context, secrets);
      return { type: 'stream', upstreamRequestId, events: eventsOf(createSseRelaySource(stream, translator, { signal: context.signal })) };
    },
    async countTokens(request: UpstreamRequest, context: UpstreamContext) {
      const { model, system, messages, tools } = toAnthropicBody(request, { system: false, historyEnd: -1 });
      const response = await transport(`${url}/count_tokens`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model, system, messages, tools }),
        signal: context.signal,
      });
      const body = await readErrorBody(response);
      if (!response.ok) throw mapUpstreamError({ status: response.status, body, headers: response.headers, secrets });
      const tokens = isRecord(body) ? asNumber(body['input_tokens']) : undefined;
      if (tokens === undefined) throw new Error('count_tokens answered without input_tokens');
      return tokens;
    },
  };
}

/**
 * Builds the Messages API body from a provider-neutral request, with `cache_control`
 * breakpoints where `cache` says (on the system block, and on the last block of the stable
 * history prefix; later merges only append after that block, so it stays the boundary).
 */
function toAnthropicBody(request: UpstreamRequest, cache: PromptCachePlan): Record<string, unknown> {
  const system = systemText(request.messages);
  const messages: AnthropicMessage[] = [];
  for (const [index, message] of request.messages.entries()) {
    if (message.role === 'system') continue;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const blocks = toBlocks(message);
    const previous = messages.at(-1);
    // Anthropic wants alternating turns; consecutive same-role messages are merged.
    if (blocks.length === 0) {
      // Nothing to send for this message.
    } else if (previous?.role === role) previous.content.push(...blocks);
    else messages.push({ role, content: blocks });
    if (index === cache.historyEnd) {
      const boundary = messages.at(-1)?.content.at(-1);
      if (boundary) boundary['cache_control'] = { type: 'ephemeral' };
    }
  }
  const last = messages.at(-1);
  if (last?.role === 'assistant') {
    // Prefill: the final assistant content must not end in whitespace.
    const lastBlock = last.content.at(-1);
    if (lastBlock?.type === 'text' && typeof lastBlock['text'] === 'string') {
      lastBlock['text'] = lastBlock['text'].trimEnd();
      if (!lastBlock['text']) last.content.pop();
    }
    if (last.content.length === 0) messages.pop();
  }

  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: request.maxTokens,
    messages,
    stream: true,
  };
  if (system) body['system'] = cache.system ? [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }] : system;
  if (request.temperature !== undefined) body['temperature'] = Math.min(1, request.temperature);
  const { extra } = request;
  if (typeof extra['top_p'] === 'number') body['top_p'] = extra['top_p'];
  if (typeof extra['stop'] === 'string') body['stop_sequences'] = [extra['stop']];
  if (Array.isArray(extra['stop'])) body['stop_sequences'] = extra['stop'];
  if (typeof extra['user'] === 'string') body['metadata'] = { user_id: extra['user'] };
  if (Array.isArray(extra['tools'])) body['tools'] = extra['tools'].map(toAnthropicTool).filter(Boolean);
  const toolChoice = toAnthropicToolChoice(extra['tool_choice']);
  if (toolChoice) body['tool_choice'] = toolChoice;
  if (extra['parallel_tool_calls'] === false && Array.isArray(body['tools'])) {
    body['tool_choice'] = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  return body;
}

function toBlocks(message: GatewayMessage): AnthropicBlock[] {
  if (message.role === 'tool') {
    return [{ type: 'tool_result', tool_use_id: message.tool_call_id ?? '', content: message.content }];
  }
  const blocks: AnthropicBlock[] = [];
  // Anthropic rejects empty text blocks.
  if (message.content) blocks.push({ type: 'text', text: message.content });
  for (const call of message.tool_calls ?? []) {
    blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments) });
  }
  return blocks;
}

function toAnthropicTool(tool: unknown): Record<string, unknown> | undefined {
  if (!isRecord(tool) || !isRecord(tool['function'])) return undefined;
  const fn = tool['function'];
  return {
    name: fn['name'],
    ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}),
    input_schema: isRecord(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} },
  };
}

function toAnthropicToolChoice(choice: unknown): Record<string, unknown> | undefined {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  if (isRecord(choice) && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
    return { type: 'tool', name: choice['function']['name'] };
  }
  return undefined;
}
