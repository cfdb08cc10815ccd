import { createChunkFactory } from './chunk-factory.js';
import { fetchUpstream } from './fetch-upstream.js';
import { GEMINI_SUPPORTED_FIELDS, toGeminiBody } from './gemini-request.js';
import { connectionLost, GatewayError } from './gateway-error.js';
import { mapGoogleError } from './google-rpc-error.js';
import { isFirstOutput, peekEvents } from './peek-events.js';
import { readErrorBody } from './read-error-body.js';
import { readSse } from './read-sse.js';
import { endedEarly } from './upstream.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest } from './upstream.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';

/** Options of {@link createGeminiUpstream}. */
export interface GeminiUpstreamOptions {
  /** The Gemini API key, sent as `x-goog-api-key` (never in the URL, so never in access logs). */
  apiKey: string;
  /**
   * API base including the version; `/models/{model}:streamGenerateContent?alt=sse` is appended.
   * @defaultValue `'https://generativelanguage.googleapis.com/v1beta'`
   */
  baseURL?: string;
  /** Model used when a request names none, e.g. `gemini-2.5-flash`. */
  defaultModel?: string;
  /** Custom fetch. @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
}

/** Gemini `finishReason` → OpenAI `finish_reason`; anything else is passed on lower-cased. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

/**
 * Creates an upstream for the Gemini API (Google AI, `models/{model}:streamGenerateContent?alt=sse`),
 * translated into the OpenAI stream: `text` parts → `content`, thought parts → `reasoning_content`,
 * `functionCall` parts → complete `tool_calls` entries (Gemini sends each call whole),
 * `finishReason` → `finish_reason` (`STOP` → stop, or tool_calls when the answer called
 * functions; `MAX_TOKENS` → length; `SAFETY`, `RECITATION`, `BLOCKLIST`, `PROHIBITED_CONTENT`,
 * `SPII` → content_filter, so an empty answer with a safety reason is `filtered`, never an
 * empty success), `usageMetadata` → usage (`cachedContentTokenCount` as `cached_tokens`,
 * thoughts counted as completion tokens). Gemini's stream has no end marker: a finish reason
 * followed by the end of the body completes the answer; an end without one is `upstream_error`.
 *
 * The first event is read before the 200 is committed, so a prompt blocked by
 * `promptFeedback.blockReason` becomes a 400 `content_filter` and an error in the first event a
 * proper HTTP error. Errors (`google.rpc.Status`) map through {@link mapGoogleError}.
 *
 * @param options - Key, endpoint and default model.
 * @returns The upstream.
 */
export function createGeminiUpstream(options: GeminiUpstreamOptions): Upstream {
  const base = (options.baseURL ?? 'https://generativelanguage.googleapis.com/v1beta').replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const secrets = [options.apiKey];
  const modelUrl = (model: string, method: string): string =>
    `${base}/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;
  const headers = { 'content-type': 'application/json', 'x-goog-api-key': options.apiKey };

  return {
    provider: 'gemini',
    defaultModel: options.defaultModel,
    supportedFields: GEMINI_SUPPORTED_FIELDS,
    async chat(request: UpstreamRequest, context: UpstreamContext) {
      const response = await fetchUpstream(fetchImpl, `${modelUrl(request.model, 'streamGenerateContent')}?alt=sse`, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify(toGeminiBody(request)),
        signal: context.signal,
      });
      if (!response.ok) {
        const body = await readErrorBody(response);
        throw mapGoogleError({ status: response.status, body, headers: response.headers, secrets });
      }
      if (!response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
        response.body?.cancel().catch(() => {});
        throw new GatewayError({
          status: 502,
          type: 'server_error',
          code: 'upstream_error',
          message: 'The AI provider answered with something other than a stream.',
        });
      }
      const peeked = await peekEvents(translateStream(response.body, request, context, secrets), isFirstOutput);
      const first = peeked.head.at(-1);
      if (first?.type === 'error') {
        // Nothing was streamed yet: answer with a real HTTP status instead of an in-band error.
        await peeked.events[Symbol.asyncIterator]().return?.();
        throw GatewayError.fromPayload(first.error);
      }
      return { type: 'stream', events: peeked.events };
    },
    async countTokens(request: UpstreamRequest, context: UpstreamContext) {
      const { contents, systemInstruction, tools } = toGeminiBody(request);
      const generateContentRequest = { model: `models/${request.model.replace(/^models\//, '')}`, contents, systemInstruction, tools };
      const response = await fetchUpstream(fetchImpl, modelUrl(request.model, 'countTokens'), {
        method: 'POST',
        headers,
        body: JSON.stringify({ generateContentRequest }),
        signal: context.signal,
      });
      const body = await readErrorBody(response);
      if (!response.ok) throw mapGoogleError({ status: response.status, body, headers: response.headers, secrets });
      const total = isRecord(body) ? asNumber(body['totalTokens']) : undefined;
      if (total === undefined) throw new Error('countTokens answered without totalTokens');
      return total;
    },
  };
}

/** Translates Gemini SSE events (each a whole `GenerateContentResponse`) into OpenAI chunks. */
async function* translateStream(
  body: ReadableStream<Uint8Array>,
  request: UpstreamRequest,
  context: UpstreamContext,
  secrets: readonly string[],
): AsyncGenerator<UpstreamEvent> {
  let chunks = createChunkFactory({ id: `chatcmpl-${context.requestId}`, model: request.model });
  let started = false;
  let toolCalls = 0;
  let finishReason: string | undefined;
  let usage: Record<string, unknown> | undefined;
  const usageChunk = (): UpstreamEvent => {
    const thoughts = asNumber(usage?.['thoughtsTokenCount']) ?? 0;
    return {
      type: 'chunk',
      chunk: chunks.usage({
        prompt: (asNumber(usage?.['promptTokenCount']) ?? 0) + (asNumber(usage?.['toolUsePromptTokenCount']) ?? 0),
        completion: (asNumber(usage?.['candidatesTokenCount']) ?? 0) + thoughts,
        cached: asNumber(usage?.['cachedContentTokenCount']) ?? 0,
        reasoning: thoughts,
      }),
    };
  };

  try {
    for await (const item of readSse(body)) {
      if (item.kind === 'comment') {
        yield { type: 'keepalive' };
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(item.data);
      } catch {
        yield { type: 'keepalive' };
        continue;
      }
      if (!isRecord(data)) continue;
      if (isRecord(data['error'])) {
        yield { type: 'error', error: mapGoogleError({ body: data, secrets }).toPayload() };
        return;
      }
      if (isRecord(data['usageMetadata'])) usage = data['usageMetadata'];
      if (!started) {
        chunks = createChunkFactory({
          id: `chatcmpl-${asText(data['responseId']) ?? context.requestId}`,
          model: asText(data['modelVersion']) ?? request.model,
        });
      }
      const feedback = isRecord(data['promptFeedback']) ? data['promptFeedback'] : {};
      const candidates = Array.isArray(data['candidates']) ? data['candidates'].filter(isRecord) : [];
      const blockReason = asText(feedback['blockReason']);
      if (blockReason && candidates.length === 0) {
        yield {
          type: 'error',
          error: {
            status: 400,
            type: 'invalid_request_error',
            code: 'content_filter',
            message: `The AI provider blocked the request (${blockReason.toLowerCase()}).`,
          },
        };
        return;
      }
      const candidate = candidates[0];
      if (!candidate) {
        yield { type: 'keepalive' };
        continue;
      }
      if (!started) {
        started = true;
        yield { type: 'chunk', chunk: chunks.delta({ role: 'assistant', content: '' }) };
      }
      const content = isRecord(candidate['content']) ? candidate['content'] : {};
      const parts = Array.isArray(content['parts']) ? content['parts'].filter(isRecord) : [];
      for (const part of parts) {
        if (typeof part['text'] === 'string' && part['text']) {
          yield {
            type: 'chunk',
            chunk: chunks.delta(part['thought'] === true ? { reasoning_content: part['text'] } : { content: part['text'] }),
          };
        } else if (isRecord(part['functionCall'])) {
          const call = part['functionCall'];
          const index = toolCalls++;
          yield {
            type: 'chunk',
            chunk: chunks.delta({
              tool_calls: [
                {
                  index,
                  id: asText(call['id']) ?? `call_${context.requestId.slice(-12)}_${index}`,
                  type: 'function',
                  function: { name: asText(call['name']) ?? '', arguments: JSON.stringify(isRecord(call['args']) ? call['args'] : {}) },
                },
              ],
            }),
          };
        }
      }
      const reason = asText(candidate['finishReason']);
      if (reason) {
        finishReason = reason === 'STOP' && toolCalls > 0 ? 'tool_calls' : (FINISH_REASONS[reason] ?? reason.toLowerCase());
        yield { type: 'chunk', chunk: chunks.delta({}, finishReason) };
      } else if (parts.length === 0) {
        yield { type: 'keepalive' };
      }
    }
  } catch (error) {
    if (context.signal.aborted || error instanceof GatewayError) throw error;
    throw connectionLost();
  }
  if (finishReason) {
    yield usageChunk();
    yield { type: 'done' };
    return;
  }
  yield endedEarly();
}
