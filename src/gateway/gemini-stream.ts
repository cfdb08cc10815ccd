import { createChunkFactory } from './chunk-factory.js';
import { mapGoogleError } from './google-rpc-error.js';
import { jsonSseTranslator } from './json-sse-translator.js';
import type { SseTranslator } from './sse-relay-source.js';
import { endedEarly } from './upstream.js';
import type { UpstreamContext, UpstreamRequest } from './upstream.js';
import { asNumber, asText, isRecord } from '../wire/guards.js';

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
 * Translates one Gemini stream (each SSE event a whole `GenerateContentResponse`) into OpenAI
 * chunks (see `createGeminiUpstream`). Text parts, nearly every event of an answer, are
 * written from a template (`ChunkFactory.textJson`) and relayed as text.
 *
 * @param request - The request (its model names the chunks until Gemini reports its own).
 * @param context - The request's context.
 * @param secrets - Strings never to repeat in an error message.
 * @returns The translator for one stream.
 */
export function createGeminiStreamTranslator(
  request: UpstreamRequest,
  context: UpstreamContext,
  secrets: readonly string[],
): SseTranslator {
  let chunks = createChunkFactory({ id: `chatcmpl-${context.requestId}`, model: request.model });
  let started = false;
  let toolCalls = 0;
  let finishReason: string | undefined;
  let usage: Record<string, unknown> | undefined;

  return jsonSseTranslator({
    event(data, _name, emit) {
      if (isRecord(data['error'])) {
        emit({ type: 'error', error: mapGoogleError({ body: data, secrets }).toPayload() });
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
        emit({
          type: 'error',
          error: {
            status: 400,
            type: 'invalid_request_error',
            code: 'content_filter',
            message: `The AI provider blocked the request (${blockReason.toLowerCase()}).`,
          },
        });
        return;
      }
      const candidate = candidates[0];
      if (!candidate) {
        emit({ type: 'keepalive' });
        return;
      }
      if (!started) {
        started = true;
        emit({ type: 'chunk', chunk: chunks.delta({ role: 'assistant', content: '' }) });
      }
      const content = isRecord(candidate['content']) ? candidate['content'] : {};
      const parts = Array.isArray(content['parts']) ? content['parts'].filter(isRecord) : [];
      for (const part of parts) {
        if (typeof part['text'] === 'string' && part['text']) {
          emit({
            type: 'serialized',
            json: chunks.textJson(part['thought'] === true ? 'reasoning_content' : 'content', part['text']),
            output: true,
          });
        } else if (isRecord(part['functionCall'])) {
          const call = part['functionCall'];
          const index = toolCalls++;
          const id = asText(call['id']) ?? `call_${context.requestId.slice(-12)}_${index}`;
          const args = JSON.stringify(isRecord(call['args']) ? call['args'] : {});
          emit({
            type: 'chunk',
            chunk: chunks.delta({
              tool_calls: [{ index, id, type: 'function', function: { name: asText(call['name']) ?? '', arguments: args } }],
            }),
          });
        }
      }
      const reason = asText(candidate['finishReason']);
      if (reason) {
        finishReason = reason === 'STOP' && toolCalls > 0 ? 'tool_calls' : (FINISH_REASONS[reason] ?? reason.toLowerCase());
        emit({ type: 'chunk', chunk: chunks.delta({}, finishReason) });
      } else if (parts.length === 0) {
        emit({ type: 'keepalive' });
      }
    },
    end(emit) {
      if (!finishReason) {
        emit(endedEarly());
        return;
      }
      const thoughts = asNumber(usage?.['thoughtsTokenCount']) ?? 0;
      const usageChunk = chunks.usage({
        prompt: (asNumber(usage?.['promptTokenCount']) ?? 0) + (asNumber(usage?.['toolUsePromptTokenCount']) ?? 0),
        completion: (asNumber(usage?.['candidatesTokenCount']) ?? 0) + thoughts,
        cached: asNumber(usage?.['cachedContentTokenCount']) ?? 0,
        reasoning: thoughts,
      });
      emit({ type: 'chunk', chunk: usageChunk });
      emit({ type: 'done' });
    },
  });
}
