import { GatewayError } from './gateway-error.js';
import { REPLY_PRIMING_TOKENS } from './token-count.js';
import type { PromptTokenCounter } from './token-count.js';
import type { UpstreamRequest } from './upstream.js';

/** Options of {@link trimContext}. */
export interface TrimContextOptions {
  /** The model's context window in tokens. */
  window: number;
  /** Counts each message and the tool definitions. */
  counter: PromptTokenCounter;
  /**
   * Multiplies every count, to calibrate an estimate against a provider's exact total.
   * @defaultValue 1
   */
  scale?: number;
}

/** What {@link trimContext} did. */
export interface TrimmedContext {
  request: UpstreamRequest;
  /** Messages left out (0 when everything fit). */
  dropped: number;
  /** The prompt's counted tokens after trimming. */
  promptTokens: number;
  /** Tokens available for the prompt: window − max_tokens − margin. */
  available: number;
}

/**
 * The safety margin kept free besides `max_tokens`: 2 % of the window, at least 256 tokens
 * (the seeds' "128K window, 4K reserved output, 2K margin").
 *
 * @param window - The context window.
 * @returns Tokens.
 */
export function safetyMargin(window: number): number {
  return Math.max(256, Math.ceil(window * 0.02));
}

/**
 * Fits a prompt into the model's context window before the provider is called ("count before
 * you send, reserve max_tokens"): if prompt + `max_tokens` + margin exceeds the window, the
 * oldest history is left out, one exchange at a time (a user message with every assistant and
 * tool message after it, so a tool call never loses its result and turns stay alternating). The
 * system messages and the newest turn (the last user message and everything after it: a tool
 * loop's calls and results, or the partial being continued) are always kept. If even those do
 * not fit, the answer is 400 `context_length_exceeded` and the provider is never called.
 *
 * @param request - The validated request.
 * @param options - Window, counter and calibration.
 * @returns The request to send and how many messages were left out.
 * @throws GatewayError 400 `context_length_exceeded`.
 */
export function trimContext(request: UpstreamRequest, options: TrimContextOptions): TrimmedContext {
  const scale = options.scale ?? 1;
  const count = (tokens: number): number => Math.ceil(tokens * scale);
  const available = options.window - request.maxTokens - safetyMargin(options.window);
  const costs = request.messages.map((message) => count(options.counter.message(message)));
  const fixed = count(REPLY_PRIMING_TOKENS + options.counter.tools(request.extra['tools']));
  let total = fixed + costs.reduce((sum, cost) => sum + cost, 0);
  if (total <= available) return { request, dropped: 0, promptTokens: total, available };

  let lastUser = -1;
  request.messages.forEach((message, index) => {
    if (message.role === 'user') lastUser = index;
  });
  // Exchanges of the history before the newest turn, oldest first, as message indexes.
  const exchanges: number[][] = [];
  for (let index = 0; index < lastUser; index++) {
    const message = request.messages[index];
    if (!message || message.role === 'system') continue;
    if (message.role === 'user' || exchanges.length === 0) exchanges.push([index]);
    else exchanges.at(-1)?.push(index);
  }
  const left = new Set<number>();
  for (const exchange of exchanges) {
    if (total <= available) break;
    for (const index of exchange) {
      left.add(index);
      total -= costs[index] ?? 0;
    }
  }
  if (total > available) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'context_length_exceeded',
      param: 'messages',
      message:
        `The newest message is too long for the model's context window (about ${total} tokens of prompt, ` +
        `${available} available after reserving ${request.maxTokens} for the answer). Shorten it or lower max_tokens.`,
    });
  }
  return {
    request: { ...request, messages: request.messages.filter((_message, index) => !left.has(index)) },
    dropped: left.size,
    promptTokens: total,
    available,
  };
}
