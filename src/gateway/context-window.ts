import { lookupModel } from './model-table.js';

/**
 * Context windows (prompt plus answer, in tokens) of common models, from the providers' model
 * pages. Unknown models are not trimmed unless `LLM_CONTEXT_WINDOW` names their window.
 */
export const CONTEXT_WINDOWS: Readonly<Record<string, number>> = {
  'gpt-5': 400_000,
  'gpt-4.1': 1_047_576,
  'gpt-4o': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
  o1: 200_000,
  o3: 200_000,
  'o4-mini': 200_000,
  claude: 200_000,
  'gemini-2.5-pro': 1_048_576,
  'gemini-2.5-flash': 1_048_576,
  'gemini-2.5-flash-lite': 1_048_576,
  'gemini-2.0-flash': 1_048_576,
  'gemini-1.5-pro': 2_097_152,
  'gemini-1.5-flash': 1_048_576,
  'amazon.nova-pro': 300_000,
  'amazon.nova-lite': 300_000,
  'amazon.nova-micro': 128_000,
  'meta.llama3-1': 128_000,
  'meta.llama3-3': 128_000,
  'mistral.mistral-large': 128_000,
};

/**
 * The context window of a model: `override` (from `LLM_CONTEXT_WINDOW`) when set, else the
 * table's entry for the model's family.
 *
 * @param model - The model id.
 * @param override - An operator-set window that wins over the table.
 * @returns Tokens, or `undefined` when unknown.
 */
export function contextWindowFor(model: string, override?: number): number | undefined {
  return override ?? lookupModel(CONTEXT_WINDOWS, model)?.value;
}
