import type { GatewayMessage } from './wire-types.js';

/**
 * Rough token count of a prompt: about four characters per token plus a small per-message
 * overhead, as in OpenAI's cookbook. Good enough for the mock's usage chunk; never used as
 * a hard limit (real tokenizers differ per provider).
 *
 * @param messages - The prompt.
 * @returns Estimated prompt tokens.
 */
export function estimateTokens(messages: readonly GatewayMessage[]): number {
  let tokens = 2;
  for (const message of messages) tokens += 4 + Math.ceil(message.content.length / 4);
  return tokens;
}
