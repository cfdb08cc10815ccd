import { mapUpstreamError } from './map-upstream-error.js';
import type { RelayEvent } from './relay-source.js';
import type { SseTranslator } from './sse-relay-source.js';
import { endedEarly } from './upstream.js';
import type { UpstreamEvent } from './upstream.js';
import type { ChatCompletionChunk, ChunkChoice } from './wire-types.js';
import { isRecord } from '../wire/guards.js';

/** OpenAI's `"usage": null`, sent as the last field of every chunk but the last when usage is on. */
const NULL_USAGE_TAIL = ',"usage":null}';

/**
 * Translates an OpenAI-compatible SSE stream for the relay, with as little work as the
 * guarantees allow. Each chunk is parsed once (native `JSON.parse`, which also rejects a
 * garbled line: it is dropped as liveness, as one bad line must not cost the whole answer). A
 * chunk that is already in the shape the gateway sends — one or more choices with an index, a
 * delta and a `null` finish reason, no usage object, no error, no `reasoning` to rename — passes
 * through as the provider's exact text (only a trailing `"usage":null` is cut off); rebuilding
 * and re-serializing it was most of the relay's cost per token. Every other chunk is
 * normalized and sent as an object, as before: the first one (the log reads the model from
 * it), the finish, the usage chunk (the log reads the tokens, and it is dropped when the client
 * did not ask for usage), errors (normalized into the in-band envelope), empty-`choices`
 * chunks (liveness only).
 *
 * @param secrets - Strings never to repeat in an error message (the API key).
 * @returns The translator for one stream.
 */
export function createOpenAIStreamTranslator(secrets: readonly string[]): SseTranslator {
  let finished = false;
  let first = true;
  return {
    event(raw, _name, emit) {
      const data = raw.trim();
      if (data === '[DONE]') {
        emit({ type: 'done' });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        // One garbled line must not cost the user the whole answer.
        emit({ type: 'keepalive' });
        return;
      }
      if (!isRecord(parsed)) return;
      const passed = first ? undefined : passThrough(data, parsed);
      first = false;
      if (passed) {
        emit(passed);
        return;
      }
      for (const event of translateChunk(parsed, secrets)) {
        if (event.type === 'chunk' && event.chunk.choices.some((choice) => choice.finish_reason)) finished = true;
        emit(event);
      }
    },
    end(emit) {
      emit(finished ? { type: 'done' } : endedEarly());
    },
  };
}

/**
 * The provider's own text of a chunk that needs no change, or `undefined`.
 *
 * @param data - The chunk's JSON text.
 * @param chunk - The same, parsed.
 */
function passThrough(data: string, chunk: Record<string, unknown>): RelayEvent | undefined {
  if (
    chunk['object'] !== 'chat.completion.chunk' ||
    typeof chunk['id'] !== 'string' ||
    typeof chunk['created'] !== 'number' ||
    typeof chunk['model'] !== 'string' ||
    chunk['error'] !== undefined ||
    data.includes('\n')
  ) {
    return undefined;
  }
  const choices = chunk['choices'];
  if (!Array.isArray(choices) || choices.length === 0) return undefined;
  let output = false;
  for (const choice of choices) {
    if (!isRecord(choice) || typeof choice['index'] !== 'number' || choice['finish_reason'] !== null) return undefined;
    const delta = choice['delta'];
    if (!isRecord(delta) || typeof delta['reasoning'] === 'string') return undefined;
    output ||= hasOutput(delta);
  }
  if (chunk['usage'] === undefined) return { type: 'serialized', json: data, output };
  if (chunk['usage'] === null && data.endsWith(NULL_USAGE_TAIL)) {
    return { type: 'serialized', json: `${data.slice(0, -NULL_USAGE_TAIL.length)}}`, output };
  }
  return undefined;
}

function hasOutput(delta: Record<string, unknown>): boolean {
  const text = (value: unknown): boolean => typeof value === 'string' && value !== '';
  return (
    text(delta['content']) ||
    text(delta['reasoning_content']) ||
    text(delta['refusal']) ||
    (Array.isArray(delta['tool_calls']) && delta['tool_calls'].length > 0)
  );
}

/** A chunk that does not pass through: normalized, or turned into the in-band error. */
function translateChunk(parsed: Record<string, unknown>, secrets: readonly string[]): UpstreamEvent[] {
  if (parsed['error'] !== undefined && !Array.isArray(parsed['choices'])) {
    return [{ type: 'error', error: mapUpstreamError({ body: parsed, secrets }).toPayload() }];
  }
  const chunk = normalizeChunk(parsed);
  const failed = chunk.choices.find((choice) => choice.finish_reason === 'error');
  if (failed || parsed['error'] !== undefined) {
    // OpenRouter: a last chunk with finish_reason "error" and the error on the chunk or choice.
    const events: UpstreamEvent[] = [];
    const content = failed?.delta.content;
    if (failed && typeof content === 'string' && content) {
      events.push({ type: 'chunk', chunk: { ...chunk, choices: [{ ...failed, finish_reason: null }] } });
    }
    const errorBody = parsed['error'] !== undefined ? parsed : { error: failed?.['error'] };
    events.push({ type: 'error', error: mapUpstreamError({ body: errorBody, secrets }).toPayload() });
    return events;
  }
  if (chunk.choices.length === 0 && !chunk.usage) return [{ type: 'keepalive' }];
  return [{ type: 'chunk', chunk }];
}

/**
 * Fills in what some backends omit and renames what some backends name differently.
 *
 * @param raw - A parsed chunk.
 * @returns The chunk in the shape the gateway sends.
 */
export function normalizeChunk(raw: Record<string, unknown>): ChatCompletionChunk {
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
