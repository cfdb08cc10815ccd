import { lookupModel } from './model-table.js';
import { asNumber, isRecord } from '../wire/guards.js';

/** A model's list price in USD per million tokens. */
export interface ModelPrice {
  /** Uncached prompt tokens. */
  input: number;
  /** Prompt tokens read from the provider's cache. */
  cachedInput: number;
  /** Prompt tokens written to the cache (Anthropic and Claude on Bedrock charge 1.25× input). */
  cacheWrite: number;
  /** Completion tokens, reasoning included. */
  output: number;
}

/** Prices by model family; looked up like `lookupModel` (dated ids and Bedrock ids match their family). */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Where {@link DEFAULT_PRICES} comes from. */
export const PRICE_TABLE_SOURCE =
  "the providers' public list prices (openai.com/api/pricing, anthropic.com/pricing, ai.google.dev/gemini-api/docs/pricing, " +
  'aws.amazon.com/bedrock/pricing; standard tier, prompts up to 200k tokens, us-east-1 for Bedrock)';
/** When {@link DEFAULT_PRICES} was compiled; prices change, so override with `LLM_PRICES_FILE`. */
export const PRICE_TABLE_DATE = '2026-03-01';

const price = (input: number, cachedInput: number, cacheWrite: number, output: number): ModelPrice => ({
  input,
  cachedInput,
  cacheWrite,
  output,
});

/** Default prices (USD per 1M tokens), from {@link PRICE_TABLE_SOURCE} as of {@link PRICE_TABLE_DATE}. */
export const DEFAULT_PRICES: PriceTable = {
  // OpenAI: cache writes cost nothing extra, cached reads are discounted.
  'gpt-5': price(1.25, 0.125, 1.25, 10),
  'gpt-5-mini': price(0.25, 0.025, 0.25, 2),
  'gpt-5-nano': price(0.05, 0.005, 0.05, 0.4),
  'gpt-4.1': price(2, 0.5, 2, 8),
  'gpt-4.1-mini': price(0.4, 0.1, 0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.025, 0.1, 0.4),
  'gpt-4o': price(2.5, 1.25, 2.5, 10),
  'gpt-4o-mini': price(0.15, 0.075, 0.15, 0.6),
  o1: price(15, 7.5, 15, 60),
  o3: price(2, 0.5, 2, 8),
  'o4-mini': price(1.1, 0.275, 1.1, 4.4),
  'gpt-3.5-turbo': price(0.5, 0.5, 0.5, 1.5),
  // Anthropic (same list prices for Claude on Bedrock): writes 1.25× input, reads 0.1× input.
  'claude-opus-4-5': price(5, 0.5, 6.25, 25),
  'claude-opus-4-1': price(15, 1.5, 18.75, 75),
  'claude-opus-4': price(15, 1.5, 18.75, 75),
  'claude-sonnet-4-5': price(3, 0.3, 3.75, 15),
  'claude-sonnet-4': price(3, 0.3, 3.75, 15),
  'claude-3-7-sonnet': price(3, 0.3, 3.75, 15),
  'claude-3-5-sonnet': price(3, 0.3, 3.75, 15),
  'claude-haiku-4-5': price(1, 0.1, 1.25, 5),
  'claude-3-5-haiku': price(0.8, 0.08, 1, 4),
  'claude-3-haiku': price(0.25, 0.03, 0.3, 1.25),
  // Google Gemini API (implicit caching: reads at 10 % of input, no per-token write charge).
  'gemini-2.5-pro': price(1.25, 0.125, 1.25, 10),
  'gemini-2.5-flash': price(0.3, 0.03, 0.3, 2.5),
  'gemini-2.5-flash-lite': price(0.1, 0.01, 0.1, 0.4),
  'gemini-2.0-flash': price(0.1, 0.025, 0.1, 0.4),
  // Amazon Nova on Bedrock (cached reads 75 % off).
  'amazon.nova-pro': price(0.8, 0.2, 0.8, 3.2),
  'amazon.nova-lite': price(0.06, 0.015, 0.06, 0.24),
  'amazon.nova-micro': price(0.035, 0.00875, 0.035, 0.14),
  // The mock costs nothing.
  mock: price(0, 0, 0, 0),
};

/** Token counts of one answer, as in the usage chunk. */
export interface UsageTokens {
  /** All prompt tokens, cached and cache-written ones included. */
  prompt: number;
  completion: number;
  /** Prompt tokens read from the cache. */
  cached?: number;
  /** Prompt tokens written to the cache. */
  cacheWrite?: number;
}

/**
 * The cost of one answer: uncached prompt tokens at `input`, cache reads at `cachedInput`,
 * cache writes at `cacheWrite`, completion tokens at `output` (per million).
 *
 * @param prices - The price table.
 * @param model - The model that answered (a dated or provider-specific id is fine).
 * @param usage - Token counts.
 * @returns USD, rounded to 1e-8, or `null` when the model has no price.
 */
export function costUsd(prices: PriceTable, model: string, usage: UsageTokens): number | null {
  const entry = lookupModel(prices, model)?.value;
  if (!entry) return null;
  const cached = usage.cached ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  const uncached = Math.max(0, usage.prompt - cached - cacheWrite);
  const micro = uncached * entry.input + cached * entry.cachedInput + cacheWrite * entry.cacheWrite + usage.completion * entry.output;
  return Math.round((micro / 1e6) * 1e8) / 1e8;
}

/**
 * Validates a price table from JSON (the `LLM_PRICES_FILE` format): an object of model →
 * `{input, output, cachedInput?, cacheWrite?}` in USD per million tokens. `cachedInput` and
 * `cacheWrite` default to `input`. Entries replace the defaults of the same key; others stay.
 *
 * @param json - Parsed JSON.
 * @returns The entries.
 * @throws Error listing every invalid entry.
 */
export function parsePriceTable(json: unknown): Record<string, ModelPrice> {
  if (!isRecord(json)) throw new Error('the price file must be a JSON object of model → {input, output, cachedInput?, cacheWrite?}');
  const problems: string[] = [];
  const table: Record<string, ModelPrice> = {};
  for (const [model, value] of Object.entries(json)) {
    const fields = isRecord(value) ? value : {};
    const read = (name: string, fallback?: number): number | undefined => {
      const raw = fields[name];
      if (raw === undefined) return fallback;
      const number = asNumber(raw);
      return number !== undefined && number >= 0 ? number : undefined;
    };
    const input = read('input');
    const output = read('output');
    if (input === undefined || output === undefined) {
      problems.push(`"${model.slice(0, 60)}" needs non-negative numbers input and output (USD per 1M tokens)`);
      continue;
    }
    const cachedInput = read('cachedInput', input);
    const cacheWrite = read('cacheWrite', input);
    if (cachedInput === undefined || cacheWrite === undefined) {
      problems.push(`"${model.slice(0, 60)}": cachedInput and cacheWrite must be non-negative numbers`);
      continue;
    }
    table[model.toLowerCase()] = { input, cachedInput, cacheWrite, output };
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return table;
}
