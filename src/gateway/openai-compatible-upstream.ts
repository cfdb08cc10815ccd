import { GatewayError } from './gateway-error.js';
import { mapUpstreamError } from './map-upstream-error.js';
import { createOpenAIStreamTranslator, normalizeChunk } from './openai-stream.js';
import { readErrorBody } from './read-error-body.js';
import { eventsOf } from './relay-source.js';
import { createSseRelaySource } from './sse-relay-source.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest } from './upstream.js';
import { createFetchTransport } from './upstream-transport.js';
import type { UpstreamTransport } from './upstream-transport.js';
import type { GatewayMessage } from './wire-types.js';
import { isRecord } from '../wire/guards.js';

/**
 * How `continue: true` is sent upstream.
 * - `instruction` (default; works with OpenAI itself, which does not continue a trailing
 *   assistant message): the partial stays as the last assistant message and a final user
 *   message asks the model to carry on without repeating.
 * - `prefill`: the partial is sent as the last assistant message and nothing else; backends
 *   that support assistant prefill continue it (OpenRouter, Ollama, LiteLLM to Anthropic).
 * - `vllm`: like `prefill`, plus vLLM's `continue_final_message: true` and
 *   `add_generation_prompt: false`.
 */
export type ContinueMode = 'instruction' | 'prefill' | 'vllm';

/** Options of {@link createOpenAICompatibleUpstream}. */
export interface OpenAICompatibleUpstreamOptions {
  /**
   * API base including the version path, e.g. `https://api.openai.com/v1`,
   * `https://openrouter.ai/api/v1`, `http://127.0.0.1:11434/v1`. `/chat/completions` is
   * appended to the path; a query string (Azure's `?api-version=…`) is kept.
   */
  baseURL: string;
  /** The provider key. Sent upstream only; never logged or returned to clients. */
  apiKey: string;
  /**
   * Where the key goes: `authorization` sends `Authorization: Bearer <key>`, `api-key` sends
   * `api-key: <key>` (Azure OpenAI).
   * @defaultValue `'authorization'`
   */
  apiKeyHeader?: 'authorization' | 'api-key';
  /** Model used when a request names none. */
  defaultModel?: string;
  /** Extra headers for every call (e.g. OpenRouter's `HTTP-Referer`, `X-Title`). */
  headers?: Record<string, string>;
  /** @defaultValue `'instruction'` */
  continueMode?: ContinueMode;
  /**
   * The user message appended in `instruction` mode.
   * @defaultValue a sentence asking to continue exactly where the answer stopped
   */
  continueInstruction?: string;
  /**
   * Field carrying the token cap. OpenAI's reasoning models require `max_completion_tokens`.
   * @defaultValue `'max_tokens'`
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Send `stream_options: {include_usage: true}` (for token accounting). Turn off for
   * backends that reject the field.
   * @defaultValue true
   */
  streamOptions?: boolean;
  /**
   * Provider name in logs.
   * @defaultValue `'openai-compatible'`
   */
  provider?: string;
  /** Custom fetch (used through the fetch transport). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
  /**
   * How calls reach the provider.
   * @defaultValue from `index.ts` (Node): the gateway's keep-alive `node:http(s)` transport
   * (`createNodeTransport`), unless `fetch` is given; from `web.ts`: `fetch`
   */
  transport?: UpstreamTransport;
}

/** The default instruction for `continueMode: 'instruction'`. */
export const DEFAULT_CONTINUE_INSTRUCTION =
  'Continue your previous answer exactly where it stopped. Do not repeat anything you already wrote ' +
  'and do not add an introduction: your output is appended directly to the text above.';

/**
 * Creates an upstream for any OpenAI Chat Completions compatible API (OpenAI, Azure OpenAI,
 * OpenRouter, Ollama, vLLM, LiteLLM, ...). Chunks already in the OpenAI shape are passed
 * through as the provider's exact text (see `createOpenAIStreamTranslator`); the others are
 * normalized, absorbing the quirks of those backends: SSE comments and empty-`choices` chunks count as
 * liveness only; `reasoning` is renamed `reasoning_content`; `finish_reason: "error"` and
 * `{"error": ...}` chunks become an in-band error envelope; usage always carries
 * `prompt_tokens_details.cached_tokens`; a stream that ends after a `finish_reason` but
 * without `[DONE]` is completed, one that ends before it gets an in-band `upstream_error`;
 * a 200 JSON completion (a backend ignoring `stream: true`) is converted to a stream.
 *
 * @param options - Endpoint, key and quirk switches.
 * @returns The upstream.
 */
export function createOpenAICompatibleUpstream(options: OpenAICompatibleUpstreamOptions): Upstream {
  const url = chatCompletionsUrl(options.baseURL);
  const transport = options.transport ?? createFetchTransport(options.fetch ?? globalThis.fetch);
  const continueMode = options.continueMode ?? 'instruction';
  const secrets = [options.apiKey];

  return {
    provider: options.provider ?? 'openai-compatible',
    defaultModel: options.defaultModel,
    async chat(request: UpstreamRequest, context: UpstreamContext) {
      const messages = request.messages.map(toWireMessage);
      const body: Record<string, unknown> = {
        ...request.extra,
        model: request.model,
        messages,
        stream: true,
        [options.maxTokensField ?? 'max_tokens']: request.maxTokens,
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(options.streamOptions === false ? {} : { stream_options: { include_usage: true } }),
      };
      if (request.continue) {
        if (continueMode === 'instruction') {
          messages.push({ role: 'user', content: options.continueInstruction ?? DEFAULT_CONTINUE_INSTRUCTION });
        } else if (continueMode === 'vllm') {
          body['continue_final_message'] = true;
          body['add_generation_prompt'] = false;
        }
      }

      const response = await transport(url, {
        method: 'POST',
        headers: {
          ...options.headers,
          'Content-Type': 'application/json',
          Accept: 'text/event-stream',
          ...(options.apiKeyHeader === 'api-key' ? { 'api-key': options.apiKey } : { Authorization: `Bearer ${options.apiKey}` }),
        },
        body: JSON.stringify(body),
        signal: context.signal,
      });
      const upstreamRequestId = response.headers.get('x-request-id') ?? undefined;

      if (!response.ok) {
        const errorBody = await readErrorBody(response);
        throw mapUpstreamError({ status: response.status, body: errorBody, headers: response.headers, secrets });
      }
      const contentType = response.headers.get('content-type') ?? '';
      const stream = response.body;
      if (response.status === 204 || !stream) {
        throw unexpectedResponse(`an empty response (HTTP ${response.status})`, upstreamRequestId);
      }
      if (contentType.includes('application/json')) {
        const json = await readErrorBody(response, 4 * 1_048_576);
        if (isRecord(json) && json['error'] !== undefined) {
          throw mapUpstreamError({ body: json, headers: response.headers, secrets });
        }
        if (isRecord(json) && Array.isArray(json['choices'])) {
          return { type: 'stream', upstreamRequestId, events: completionToEvents(json, request.model) };
        }
        throw unexpectedResponse('JSON that is not a chat completion', upstreamRequestId);
      }
      if (!contentType.includes('text/event-stream')) {
        response.cancel();
        throw unexpectedResponse(`an unexpected content type (${contentType.split(';')[0] || 'none'})`, upstreamRequestId);
      }
      const source = createSseRelaySource(stream, createOpenAIStreamTranslator(secrets), { signal: context.signal });
      return { type: 'stream', upstreamRequestId, events: eventsOf(source) };
    },
  };
}

/** Joins `/chat/completions` onto a base URL's path, keeping any query string. */
function chatCompletionsUrl(baseURL: string): string {
  const url = new URL(baseURL);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/chat/completions`;
  return url.toString();
}

function toWireMessage(message: GatewayMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { role: message.role, content: message.content };
  if (message.name) wire['name'] = message.name;
  if (message.tool_call_id) wire['tool_call_id'] = message.tool_call_id;
  if (message.tool_calls) {
    wire['tool_calls'] = message.tool_calls;
    if (!message.content) wire['content'] = null;
  }
  return wire;
}

/** Converts a whole `chat.completion` (from a backend that ignored `stream: true`) to events. */
async function* completionToEvents(json: Record<string, unknown>, model: string): AsyncGenerator<UpstreamEvent> {
  const choices = (json['choices'] as unknown[]).filter(isRecord);
  const base = {
    id: typeof json['id'] === 'string' ? json['id'] : 'chatcmpl-upstream',
    object: 'chat.completion.chunk' as const,
    created: typeof json['created'] === 'number' ? json['created'] : Math.floor(Date.now() / 1000),
    model: typeof json['model'] === 'string' ? json['model'] : model,
  };
  for (const [position, choice] of choices.entries()) {
    const message = isRecord(choice['message']) ? choice['message'] : {};
    const toolCalls = Array.isArray(message['tool_calls']) ? (message['tool_calls'] as unknown[]).filter(isRecord) : [];
    const delta: Record<string, unknown> = { role: 'assistant', content: message['content'] ?? null };
    const reasoning = message['reasoning_content'] ?? message['reasoning'];
    if (typeof reasoning === 'string') delta['reasoning_content'] = reasoning;
    if (typeof message['refusal'] === 'string') delta['refusal'] = message['refusal'];
    if (toolCalls.length > 0) delta['tool_calls'] = toolCalls.map((call, index) => ({ index, ...call }));
    const finish = typeof choice['finish_reason'] === 'string' ? choice['finish_reason'] : 'stop';
    yield { type: 'chunk', chunk: { ...base, choices: [{ index: position, delta, finish_reason: finish }] } };
  }
  if (isRecord(json['usage'])) yield { type: 'chunk', chunk: normalizeChunk({ ...base, choices: [], usage: json['usage'] }) };
  yield { type: 'done' };
}

function unexpectedResponse(what: string, upstreamRequestId: string | undefined): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: `The AI provider answered with ${what} instead of a stream.`,
    upstreamRequestId,
  });
}
