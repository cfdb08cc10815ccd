import { lookupModel } from './model-table.js';
import { createPromptTokenCounter, estimateTextTokens } from './token-count.js';
import type { UpstreamRequest } from './upstream.js';

/**
 * Smallest prefix Anthropic caches, per model family (Anthropic's prompt-caching docs): a
 * `cache_control` marker on a shorter prefix is ignored, so it is not sent at all.
 */
export const MIN_CACHEABLE_TOKENS: Readonly<Record<string, number>> = {
  'claude-opus-4-5': 4096,
  'claude-opus-4-6': 4096,
  'claude-haiku-4-5': 4096,
  'claude-3-5-haiku': 2048,
  'claude-3-haiku': 2048,
  claude: 1024,
};

/** Where to put cache breakpoints in one request. */
export interface PromptCachePlan {
  /** Mark the end of the system prompt. */
  system: boolean;
  /**
   * Index (in `request.messages`) of the last message of the stable history prefix to mark,
   * or -1 for none.
   */
  historyEnd: number;
}

const NO_CACHE: PromptCachePlan = { system: false, historyEnd: -1 };

/**
 * Decides where a request gets prompt-cache breakpoints (Anthropic `cache_control`, Bedrock
 * `cachePoint`): after the system prompt, and after the stable history prefix (every message
 * before the newest user message: earlier turns, which the next request repeats verbatim, so
 * the prefix cache written now is read next time), each only when the prefix up to it reaches
 * the model's minimum cacheable size. The newest user message, a tool loop's latest results
 * and a partial being continued are never inside a marked prefix, and the gateway adds nothing
 * per-request to the prompt, so the cached prefix holds only what the client sent before.
 *
 * Sizes use the conservative estimate: a marker on a prefix just under the minimum is ignored
 * by the provider, which costs nothing.
 *
 * @param request - The validated request.
 * @param model - The model id, for its minimum.
 * @returns The breakpoints.
 */
export function planPromptCache(request: UpstreamRequest, model: string): PromptCachePlan {
  const minimum = lookupModel(MIN_CACHEABLE_TOKENS, model)?.value;
  if (minimum === undefined) return NO_CACHE;
  const counter = createPromptTokenCounter('estimate', estimateTextTokens);
  const tools = counter.tools(request.extra['tools']);
  let prefix = tools;
  for (const message of request.messages) if (message.role === 'system') prefix += counter.message(message);
  const hasSystem = request.messages.some((message) => message.role === 'system' && message.content);
  const system = hasSystem && prefix >= minimum;

  let lastUser = -1;
  request.messages.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
  });
  let historyEnd = -1;
  for (let index = 0; index < lastUser; index++) {
    const message = request.messages[index];
    if (!message || message.role === 'system') continue;
    prefix += counter.message(message);
    historyEnd = index;
  }
  return { system, historyEnd: historyEnd >= 0 && prefix >= minimum ? historyEnd : -1 };
}
