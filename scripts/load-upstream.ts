/**
 * The load script's provider, in a process of its own so that its work is neither the
 * client's nor the gateway's: the fake OpenAI-compatible upstream of test/support at the pace
 * given in the environment (LOAD_FIRST_TOKEN_MS, LOAD_TPS, LOAD_TOKENS). Prints one JSON line
 * with its base URL, then serves until killed.
 */
import { startFakeOpenAI } from '../test/support/fake-openai.js';

const provider = await startFakeOpenAI({
  firstTokenMs: Number(process.env['LOAD_FIRST_TOKEN_MS'] ?? 200),
  tokensPerSecond: Number(process.env['LOAD_TPS'] ?? 50),
  tokens: Number(process.env['LOAD_TOKENS'] ?? 300),
});
process.stdout.write(`${JSON.stringify({ baseURL: provider.baseURL })}\n`);
process.on('SIGTERM', () => void provider.close().then(() => process.exit(0)));
