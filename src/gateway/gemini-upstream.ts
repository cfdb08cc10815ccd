import { GEMINI_SUPPORTED_FIELDS, toGeminiBody } from './gemini-request.js';
import { createGeminiStreamTranslator } from './gemini-stream.js';
import { GatewayError } from './gateway-error.js';
import { mapGoogleError } from './google-rpc-error.js';
import { isFirstOutput, peekEvents } from './peek-events.js';
import { eventStreamBody, readErrorBody } from './read-error-body.js';
import { eventsOf } from './relay-source.js';
import { createSseRelaySource } from './sse-relay-source.js';
import type { Upstream, UpstreamContext, UpstreamRequest } from './upstream.js';
import { createFetchTransport } from './upstream-transport.js';
import type { UpstreamTransport } from './upstream-transport.js';
import { asNumber, isRecord } from '../wire/guards.js';

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
  /** Custom fetch (used through the fetch transport). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
  /**
   * How calls reach the provider.
   * @defaultValue from `index.ts` (Node): the keep-alive `node:http(s)` transport, unless
   * `fetch` is given; from `web.ts`: `fetch`
   */
  transport?: UpstreamTransport;
}

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
  const transport = options.transport ?? createFetchTransport(options.fetch ?? globalThis.fetch);
  const secrets = [options.apiKey];
  const modelUrl = (model: string, method: string): string =>
    `${base}/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`;
  const headers = { 'content-type': 'application/json', 'x-goog-api-key': options.apiKey };

  return {
    provider: 'gemini',
    defaultModel: options.defaultModel,
    supportedFields: GEMINI_SUPPORTED_FIELDS,
    async chat(request: UpstreamRequest, context: UpstreamContext) {
      const response = await transport(`${modelUrl(request.model, 'streamGenerateContent')}?alt=sse`, {
        method: 'POST',
        headers: { ...headers, accept: 'text/event-stream' },
        body: JSON.stringify(toGeminiBody(request)),
        signal: context.signal,
      });
      if (!response.ok) {
        const body = await readErrorBody(response);
        throw mapGoogleError({ status: response.status, body, headers: response.headers, secrets });
      }
      const stream = eventStreamBody(response);
      const translator = createGeminiStreamTranslator(request, context, secrets);
      const peeked = await peekEvents(eventsOf(createSseRelaySource(stream, translator, { signal: context.signal })), isFirstOutput);
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
      const response = await transport(modelUrl(request.model, 'countTokens'), {
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
