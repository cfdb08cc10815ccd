import type { ChatCompletionChunk, ChunkDelta, CompletionUsage } from './wire-types.js';

/** Builds the chunks of one completion; every chunk shares the completion's id and model. */
export interface ChunkFactory {
  readonly id: string;
  /** A chunk with one choice carrying `delta` (and optionally a `finish_reason`). */
  delta(delta: ChunkDelta, finishReason?: string | null): ChatCompletionChunk;
  /**
   * The JSON text of `delta({[field]: text})`, exactly as `JSON.stringify` would write it, but
   * from a template: only `text` is serialized. For the hot path of translating upstreams.
   */
  textJson(field: 'content' | 'reasoning_content', text: string): string;
  /**
   * The final usage chunk: empty `choices`, `usage` with `prompt_tokens_details.cached_tokens`
   * (cache reads) and, when the provider reports them, `cache_write_tokens` (prompt tokens
   * written to the cache, billed at the cache-write price).
   */
  usage(tokens: { prompt: number; completion: number; cached?: number; cacheWrite?: number; reasoning?: number }): ChatCompletionChunk;
}

/** Options of {@link createChunkFactory}. */
export interface ChunkFactoryOptions {
  /** Completion id; by convention `chatcmpl-…`. */
  id: string;
  model: string;
  /** Unix seconds. @defaultValue now */
  created?: number;
}

/**
 * Creates a {@link ChunkFactory}, used by upstreams that synthesize the OpenAI stream (the
 * mock and the Anthropic translation) so both produce exactly the shape OpenAI sends.
 *
 * @param options - Id, model and creation time shared by all chunks.
 * @returns The factory.
 */
export function createChunkFactory(options: ChunkFactoryOptions): ChunkFactory {
  const created = options.created ?? Math.floor(Date.now() / 1000);
  const chunk = (choices: ChatCompletionChunk['choices'], usage?: CompletionUsage): ChatCompletionChunk => ({
    id: options.id,
    object: 'chat.completion.chunk',
    created,
    model: options.model,
    choices,
    ...(usage ? { usage } : {}),
  });
  const head = `${JSON.stringify({ id: options.id, object: 'chat.completion.chunk', created, model: options.model }).slice(0, -1)},"choices":[{"index":0,"delta":{"`;
  return {
    id: options.id,
    delta: (delta, finishReason = null) => chunk([{ index: 0, delta, logprobs: null, finish_reason: finishReason }]),
    textJson: (field, text) => `${head}${field}":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}`,
    usage: ({ prompt, completion, cached = 0, cacheWrite, reasoning = 0 }) => {
      const usage: CompletionUsage = {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        prompt_tokens_details: { cached_tokens: cached, ...(cacheWrite !== undefined ? { cache_write_tokens: cacheWrite } : {}) },
        completion_tokens_details: { reasoning_tokens: reasoning },
      };
      return chunk([], usage);
    },
  };
}
