import { contextWindowFor } from './context-window.js';
import { promptTokenCounterFor, REPLY_PRIMING_TOKENS } from './token-count.js';
import { trimContext } from './trim-context.js';
import type { TrimmedContext } from './trim-context.js';
import type { Upstream, UpstreamContext, UpstreamRequest } from './upstream.js';

/** Options of {@link createContextBudget}. */
export interface ContextBudgetOptions {
  /** A window (tokens) that wins over the table, for models it does not know or gets wrong. */
  contextWindow?: number;
  /**
   * Ask the provider for an exact prompt count (Anthropic's and Gemini's count endpoints) and
   * calibrate the estimate with it; one extra provider call per request. Falls back to the
   * estimate when the count call fails.
   * @defaultValue false
   */
  exactCount?: boolean;
  /** Other models the request may be sent to (fallback targets): the smallest window applies. */
  extraModels?: readonly string[];
}

/** The pre-flight token check of every request. */
export interface ContextBudget {
  /**
   * Counts the prompt and trims old history to fit the smallest window of the models it may
   * go to; `undefined` when no window is known (nothing to check against).
   */
  fit(request: UpstreamRequest, upstream: Upstream, context: UpstreamContext): Promise<(TrimmedContext & { method: string }) | undefined>;
}

/**
 * Creates the pre-flight token budget: an exact BPE count for OpenAI-family models, the
 * conservative estimate for others (optionally calibrated by the provider's count endpoint),
 * then {@link trimContext} against the context window (`contextWindow` or the table).
 *
 * @param options - Window override, exact count, fallback models.
 * @returns The budget.
 */
export function createContextBudget(options: ContextBudgetOptions = {}): ContextBudget {
  return {
    async fit(request, upstream, context) {
      const windows = [request.model, ...(options.extraModels ?? [])]
        .map((model) => contextWindowFor(model, options.contextWindow))
        .filter((window): window is number => window !== undefined);
      if (windows.length === 0) return undefined;
      const window = Math.min(...windows);
      const counter = await promptTokenCounterFor(request.model);
      let scale = 1;
      let method: string = counter.method;
      if (options.exactCount && counter.method === 'estimate' && upstream.countTokens) {
        const exact = await upstream.countTokens(request, context).catch(() => undefined);
        const estimated =
          REPLY_PRIMING_TOKENS +
          counter.tools(request.extra['tools']) +
          request.messages.reduce((sum, message) => sum + counter.message(message), 0);
        if (exact !== undefined && exact > 0 && estimated > 0) {
          scale = exact / estimated;
          method = 'provider-count';
        }
      }
      return { ...trimContext(request, { window, counter, scale }), method };
    },
  };
}
