import { createChunkFactory } from './chunk-factory.js';
import type { ChunkFactory } from './chunk-factory.js';
import { jsonSseTranslator } from './json-sse-translator.js';
import { mapUpstreamError } from './map-upstream-error.js';
import type { RelayEvent } from './relay-source.js';
import type { SseTranslator } from './sse-relay-source.js';
import { endedEarly } from './upstream.js';
import type { UpstreamContext, UpstreamRequest } from './upstream.js';
import type { ChunkDelta } from './wire-types.js';
import { isRecord } from '../wire/guards.js';
import { finishReasonForStop } from '../wire/anthropic-stop-reasons.js';

/**
 * Translates one Anthropic Messages stream into OpenAI chunks (see `createAnthropicUpstream`).
 * Text and thinking deltas, nearly every event of an answer, are written from a template
 * (`ChunkFactory.textJson`) and relayed as text; the rest are built as objects.
 *
 * @param request - The request (its model names the chunks until `message_start` does).
 * @param context - The request's context (its id names the chunks until then).
 * @param secrets - Strings never to repeat in an error message.
 * @returns The translator for one stream.
 */
export function createAnthropicStreamTranslator(
  request: UpstreamRequest,
  context: UpstreamContext,
  secrets: readonly string[],
): SseTranslator {
  let factory: ChunkFactory | undefined;
  const chunks = (): ChunkFactory => (factory ??= createChunkFactory({ id: `chatcmpl-${context.requestId}`, model: request.model }));
  const toolIndexByBlock = new Map<number, number>();
  const usage = { input: 0, cacheRead: 0, cacheCreation: 0, output: 0 };
  let finishReason: string | undefined;
  const delta = (value: ChunkDelta, finish: string | null = null): RelayEvent => ({ type: 'chunk', chunk: chunks().delta(value, finish) });
  const text = (field: 'content' | 'reasoning_content', value: string): RelayEvent => ({
    type: 'serialized',
    json: chunks().textJson(field, value),
    output: value !== '',
  });
  const finishAnswer = (emit: (event: RelayEvent) => void): void => {
    emit({
      type: 'chunk',
      chunk: chunks().usage({
        prompt: usage.input + usage.cacheRead + usage.cacheCreation,
        completion: usage.output,
        cached: usage.cacheRead,
        cacheWrite: usage.cacheCreation,
      }),
    });
    emit({ type: 'done' });
  };
  const readUsage = (value: unknown): void => {
    if (!isRecord(value)) return;
    if (typeof value['input_tokens'] === 'number') usage.input = value['input_tokens'];
    if (typeof value['cache_read_input_tokens'] === 'number') usage.cacheRead = value['cache_read_input_tokens'];
    if (typeof value['cache_creation_input_tokens'] === 'number') usage.cacheCreation = value['cache_creation_input_tokens'];
    // output_tokens is cumulative in message_delta, so the last value is the total.
    if (typeof value['output_tokens'] === 'number') usage.output = value['output_tokens'];
  };

  return jsonSseTranslator({
    event(data, name, emit) {
      switch (name ?? (typeof data['type'] === 'string' ? data['type'] : '')) {
        case 'message_start': {
          const message = isRecord(data['message']) ? data['message'] : {};
          factory = createChunkFactory({
            id: `chatcmpl-${typeof message['id'] === 'string' ? message['id'] : context.requestId}`,
            model: typeof message['model'] === 'string' ? message['model'] : request.model,
          });
          readUsage(message['usage']);
          emit(delta({ role: 'assistant', content: '' }));
          return;
        }
        case 'content_block_start': {
          const block = isRecord(data['content_block']) ? data['content_block'] : {};
          const index = typeof data['index'] === 'number' ? data['index'] : 0;
          if (block['type'] === 'tool_use') {
            const toolIndex = toolIndexByBlock.size;
            toolIndexByBlock.set(index, toolIndex);
            emit(
              delta({
                tool_calls: [
                  {
                    index: toolIndex,
                    id: String(block['id'] ?? `call_${toolIndex}`),
                    type: 'function',
                    function: { name: String(block['name'] ?? ''), arguments: '' },
                  },
                ],
              }),
            );
          } else if (block['type'] === 'text' && typeof block['text'] === 'string' && block['text']) {
            emit(text('content', block['text']));
          } else if (block['type'] === 'thinking' && typeof block['thinking'] === 'string' && block['thinking']) {
            emit(text('reasoning_content', block['thinking']));
          } else {
            emit({ type: 'keepalive' });
          }
          return;
        }
        case 'content_block_delta': {
          const change = isRecord(data['delta']) ? data['delta'] : {};
          const index = typeof data['index'] === 'number' ? data['index'] : 0;
          if (change['type'] === 'text_delta' && typeof change['text'] === 'string') {
            emit(text('content', change['text']));
          } else if (change['type'] === 'thinking_delta' && typeof change['thinking'] === 'string') {
            emit(text('reasoning_content', change['thinking']));
          } else if (change['type'] === 'input_json_delta' && typeof change['partial_json'] === 'string') {
            const toolIndex = toolIndexByBlock.get(index) ?? 0;
            emit(delta({ tool_calls: [{ index: toolIndex, function: { arguments: change['partial_json'] } }] }));
          } else {
            // signature_delta and future delta types carry nothing the client renders.
            emit({ type: 'keepalive' });
          }
          return;
        }
        case 'message_delta': {
          readUsage(data['usage']);
          const change = isRecord(data['delta']) ? data['delta'] : {};
          const stop = change['stop_reason'];
          if (typeof stop === 'string') {
            finishReason = finishReasonForStop(stop);
            emit(delta({}, finishReason));
          } else {
            emit({ type: 'keepalive' });
          }
          return;
        }
        case 'message_stop':
          finishAnswer(emit);
          return;
        case 'error':
          emit({ type: 'error', error: mapUpstreamError({ body: data, secrets }).toPayload() });
          return;
        default:
          // ping, content_block_stop and event types added later: liveness only.
          emit({ type: 'keepalive' });
      }
    },
    end(emit) {
      if (finishReason) finishAnswer(emit);
      else emit(endedEarly());
    },
  });
}
