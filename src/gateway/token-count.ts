import type { GatewayMessage } from './wire-types.js';

/** Counts the tokens of one text. */
export type TextTokenCounter = (text: string) => number;

/** A token counter for one model's prompts. */
export interface PromptTokenCounter {
  /** `tokenizer` (an exact BPE count, OpenAI-family models) or `estimate` (a conservative guess). */
  readonly method: 'tokenizer' | 'estimate';
  /** Tokens of one message, including its per-message overhead. */
  message(message: GatewayMessage): number;
  /** Tokens of the tool definitions (sent with every request). */
  tools(tools: unknown): number;
}

/**
 * Tokens every message costs besides its text (role markers), and the reply priming added once
 * per prompt, as in OpenAI's cookbook (`tokens_per_message = 3`, `+3` for the reply); we round
 * the per-message overhead up to 4 to cover names and tool-call ids.
 */
export const MESSAGE_OVERHEAD_TOKENS = 4;
export const REPLY_PRIMING_TOKENS = 3;

/**
 * The BPE encoding of OpenAI models: `o200k_base` for GPT-4o, GPT-4.1, GPT-4.5, GPT-5, the
 * o-series and chatgpt-4o; `cl100k_base` for GPT-4 and GPT-3.5. Other models have no public
 * tokenizer we can run, and get {@link estimateTextTokens}.
 *
 * @param model - A model id (a provider prefix such as `openai/` is ignored).
 * @returns The encoding name, or `undefined` for non-OpenAI models.
 */
export function openAIEncodingFor(model: string): 'o200k_base' | 'cl100k_base' | undefined {
  const name = model.toLowerCase().replace(/^.*\//, '');
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|chatgpt-4o|o1|o3|o4|gpt-oss)/.test(name)) return 'o200k_base';
  if (/^(gpt-4|gpt-3\.5)/.test(name)) return 'cl100k_base';
  return undefined;
}

/**
 * A conservative token estimate for models whose tokenizer we cannot run (Claude, Gemini,
 * Bedrock's Nova/Llama/Mistral, unknown models): one token per 3 ASCII characters (English
 * prose averages about 4 per token, code and JSON about 3) and one per non-ASCII character
 * (CJK text is roughly one token per character, accented Latin text less). Meant to err on the
 * high side, so a prompt that passes the pre-flight check fits; the cost is trimming a little
 * early. The opt-in exact count (Anthropic's and Gemini's count endpoints) calibrates it.
 *
 * @param text - Any text.
 * @returns Estimated tokens.
 */
export function estimateTextTokens(text: string): number {
  let ascii = 0;
  let other = 0;
  for (const char of text) {
    if (char.charCodeAt(0) < 128) ascii++;
    else other++;
  }
  return Math.ceil(ascii / 3) + other;
}

/**
 * Builds a prompt counter for a model from a text counter: message text, tool calls'
 * names and arguments, and the per-message overhead.
 *
 * @param method - Whether `count` is an exact tokenizer or an estimate.
 * @param count - The text counter.
 * @returns The prompt counter.
 */
export function createPromptTokenCounter(method: PromptTokenCounter['method'], count: TextTokenCounter): PromptTokenCounter {
  return {
    method,
    message(message) {
      let tokens = MESSAGE_OVERHEAD_TOKENS + count(message.content);
      for (const call of message.tool_calls ?? [])
        tokens += MESSAGE_OVERHEAD_TOKENS + count(call.function.name) + count(call.function.arguments);
      return tokens;
    },
    tools(tools) {
      return Array.isArray(tools) && tools.length > 0 ? count(JSON.stringify(tools)) : 0;
    },
  };
}

const tokenizers = new Map<string, Promise<TextTokenCounter>>();

/**
 * The prompt counter for a model: gpt-tokenizer's exact BPE count for OpenAI-family models
 * (the encoding tables are loaded on first use, ~0.5 s, so a gateway that never serves an
 * OpenAI model never pays for them), else the conservative {@link estimateTextTokens}.
 *
 * @param model - The model id.
 * @returns The counter.
 */
export async function promptTokenCounterFor(model: string): Promise<PromptTokenCounter> {
  const encoding = openAIEncodingFor(model);
  if (!encoding) return createPromptTokenCounter('estimate', estimateTextTokens);
  let loading = tokenizers.get(encoding);
  if (!loading) {
    loading = (encoding === 'o200k_base' ? import('gpt-tokenizer/encoding/o200k_base') : import('gpt-tokenizer/encoding/cl100k_base')).then(
      (module) => (text: string) => module.countTokens(text),
    );
    tokenizers.set(encoding, loading);
  }
  return createPromptTokenCounter('tokenizer', await loading);
}
