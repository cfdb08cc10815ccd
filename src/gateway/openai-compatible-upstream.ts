import { fetchUpstream } from './fetch-upstream.js';
import { connectionLost, GatewayError } from './gateway-error.js';
import { mapUpstreamError } from './map-upstream-error.js';
import { readErrorBody } from './read-error-body.js';
import { readSse } from './read-sse.js';
import { endedEarly } from './upstream.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest } from './upstream.js';
import type { ChatCompletionChunk, ChunkChoice, GatewayMessage } from './wire-types.js';
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
  /** Custom fetch. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
}

/** The default instruction for `continueMode: 'instruction'`. */
export const DEFAULT_CONTINUE_INSTRUCTION =
  'Continue your previous answer exactly where it stopped. Do not repeat anything you already wrote ' +
  'and do not add an introduction: your output is appended directly to the text above.';

/**
 * Creates an upstream for any OpenAI Chat Completions compatible API (OpenAI, Azure OpenAI,
 * OpenRouter, Ollama, vLLM, LiteLLM, ...). Chunks are passed through re-serialized, with the
 * quirks of those backends absorbed: SSE comments and empty-`choices` chunks count as
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
  const fetchImpl = options.fetch ?? globalThis.fetch;
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

      const response = await fetchUpstream(fetchImpl, url, {
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
      if (response.status === 204 || !response.body) {
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
        response.body.cancel().catch(() => {});
        throw unexpectedResponse(`an unexpected content type (${contentType.split(';')[0] || 'none'})`, upstreamRequestId);
      }
      return { type: 'stream', upstreamRequestId, events: translateStream(response.body, context, secrets) };
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

async function* translateStream(
  body: ReadableStream<Uint8Array>,
  context: UpstreamContext,
  secrets: readonly string[],
): AsyncGenerator<UpstreamEvent> {
  let finished = false;
  try {
    for await (const item of readSse(body)) {
      if (item.kind === 'comment') {
        yield { type: 'keepalive' };
        continue;
      }
      const data = item.data.trim();
      if (data === '[DONE]') {
        yield { type: 'done' };
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        // One garbled line must not cost the user the whole answer.
        yield { type: 'keepalive' };
        continue;
      }
      if (!isRecord(parsed)) continue;
      if (parsed['error'] !== undefined && !Array.isArray(parsed['choices'])) {
        yield { type: 'error', error: mapUpstreamError({ body: parsed, secrets }).toPayload() };
        return;
      }
      const chunk = normalizeChunk(parsed);
      const failed = chunk.choices.find((choice) => choice.finish_reason === 'error');
      if (failed || parsed['error'] !== undefined) {
        // OpenRouter: a last chunk with finish_reason "error" and the error on the chunk or choice.
        const content = failed?.delta.content;
        if (typeof content === 'string' && content) {
          yield { type: 'chunk', chunk: { ...chunk, choices: [{ ...failed!, finish_reason: null }] } };
        }
        const errorBody = parsed['error'] !== undefined ? parsed : { error: failed?.['error'] };
        yield { type: 'error', error: mapUpstreamError({ body: errorBody, secrets }).toPayload() };
        return;
      }
      if (chunk.choices.length === 0 && !chunk.usage) {
        yield { type: 'keepalive' };
        continue;
      }
      if (chunk.choices.some((choice) => choice.finish_reason)) finished = true;
      yield { type: 'chunk', chunk };
    }
  } catch (error) {
    if (context.signal.aborted || error instanceof GatewayError) throw error;
    throw connectionLost();
  }
  if (finished) {
    yield { type: 'done' };
    return;
  }
  yield endedEarly();
}

/** Fills in what some backends omit and renames what some backends name differently. */
function normalizeChunk(raw: Record<string, unknown>): ChatCompletionChunk {
  const chunk = { ...raw } as ChatCompletionChunk;
  chunk.object = 'chat.completion.chunk';
  chunk.id = typeof raw['id'] === 'string' ? raw['id'] : 'chatcmpl-upstream';
  chunk.created = typeof raw['created'] === 'number' ? raw['created'] : Math.floor(Date.now() / 1000);
  chunk.model = typeof raw['model'] === 'string' ? raw['model'] : '';
  const choices = Array.isArray(raw['choices']) ? (raw['choices'] as unknown[]) : [];
  chunk.choices = choices.filter(isRecord).map((choice, position): ChunkChoice => {
    const delta = isRecord(choice['delta']) ? { ...choice['delta'] } : {};
    // OpenRouter and others say `reasoning`; DeepSeek and vLLM say `reasoning_content`.
    if (typeof delta['reasoning'] === 'string') {
      if (typeof delta['reasoning_content'] !== 'string') delta['reasoning_content'] = delta['reasoning'];
      delete delta['reasoning'];
    }
    const finish = choice['finish_reason'];
    return {
      ...choice,
      index: typeof choice['index'] === 'number' ? choice['index'] : position,
      delta,
      finish_reason: typeof finish === 'string' && finish ? finish : null,
    };
  });
  const usage = raw['usage'];
  if (isRecord(usage)) {
    const details = isRecord(usage['prompt_tokens_details']) ? usage['prompt_tokens_details'] : {};
    // DeepSeek reports cache hits as prompt_cache_hit_tokens; Anthropic-style proxies as cache_read_input_tokens.
    const cached = [details['cached_tokens'], usage['prompt_cache_hit_tokens'], usage['cache_read_input_tokens']].find(
      (value) => typeof value === 'number',
    );
    chunk.usage = {
      ...(usage as unknown as ChatCompletionChunk['usage'] & object),
      prompt_tokens_details: { ...details, cached_tokens: typeof cached === 'number' ? cached : 0 },
    };
  } else {
    // OpenAI sends `"usage": null` on every chunk but the last when usage is on.
    delete chunk.usage;
  }
  return chunk;
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
