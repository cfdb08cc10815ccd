import { createBedrockUpstream } from './bedrock-upstream.js';
import type { FallbackTarget } from './fallback-upstream.js';
import { createAnthropicUpstream, createGeminiUpstream, createOpenAICompatibleUpstream } from './node-upstreams.js';
import type { ContinueMode } from './openai-compatible-upstream.js';
import type { Upstream } from './upstream.js';

/** The real providers the CLI can configure (besides the mock). */
export type RealProvider = 'openai-compatible' | 'anthropic' | 'gemini' | 'bedrock';

/** Every real provider, in `--help` order. */
export const REAL_PROVIDERS: readonly RealProvider[] = ['openai-compatible', 'anthropic', 'gemini', 'bedrock'];

/** What it takes to build one provider's upstream. */
export interface ProviderSettings {
  apiKey: string | undefined;
  baseURL: string | undefined;
  defaultModel: string | undefined;
  continueMode: ContinueMode;
  apiKeyHeader: 'authorization' | 'api-key';
  promptCaching: boolean;
}

/**
 * What a provider needs that is missing (Bedrock needs no key: the AWS credential chain
 * provides it; openai-compatible needs a base URL).
 *
 * @param provider - The provider.
 * @param settings - Its settings.
 * @param keyVariable - The variable that would hold its key, for the message.
 * @param urlVariable - The variable that would hold its base URL, for the message.
 * @returns Problems, empty when it can be built.
 */
export function providerProblems(provider: RealProvider, settings: ProviderSettings, keyVariable: string, urlVariable: string): string[] {
  const problems: string[] = [];
  if (provider !== 'bedrock' && !settings.apiKey) {
    problems.push(
      `${keyVariable} is required for ${provider}.` +
        (provider === 'openai-compatible' ? ' For a local server that needs no key (Ollama, vLLM), set any placeholder, e.g. local.' : ''),
    );
  }
  if (provider === 'openai-compatible' && !settings.baseURL) {
    problems.push(
      `${urlVariable} is required for openai-compatible, including /v1 ` +
        '(e.g. https://api.openai.com/v1, https://openrouter.ai/api/v1, http://127.0.0.1:11434/v1).',
    );
  }
  return problems;
}

/**
 * Builds a provider's upstream from its settings (validated by {@link providerProblems}).
 *
 * @param provider - The provider.
 * @param settings - Key, base URL, default model and switches.
 * @returns The upstream.
 */
export function createProviderUpstream(provider: RealProvider, settings: ProviderSettings): Upstream {
  const { apiKey = '', baseURL, defaultModel } = settings;
  switch (provider) {
    case 'openai-compatible':
      return createOpenAICompatibleUpstream({
        baseURL: baseURL ?? '',
        apiKey,
        apiKeyHeader: settings.apiKeyHeader,
        defaultModel,
        continueMode: settings.continueMode,
      });
    case 'anthropic':
      return createAnthropicUpstream({ apiKey, baseURL, defaultModel, promptCaching: settings.promptCaching });
    case 'gemini':
      return createGeminiUpstream({ apiKey, baseURL, defaultModel });
    case 'bedrock':
      return createBedrockUpstream({ ...(baseURL ? { endpoint: baseURL } : {}), defaultModel, promptCaching: settings.promptCaching });
  }
}

/** Options of {@link fallbackFromEnv}. */
export interface FallbackFromEnvOptions {
  /** The primary provider: targets of the same provider reuse its settings. */
  primary: string;
  primarySettings: ProviderSettings;
  /** Reads a variable (trimmed; undefined when empty). */
  get: (name: string) => string | undefined;
}

/**
 * Parses `LLM_FALLBACK` (`provider:model,provider:model`, e.g.
 * `anthropic:claude-haiku-4-5,gemini:gemini-2.5-flash`) into fallback targets. A target of the
 * primary's provider reuses `LLM_API_KEY`/`LLM_BASE_URL`; another provider reads
 * `LLM_<PROVIDER>_API_KEY` and `LLM_<PROVIDER>_BASE_URL` (`LLM_ANTHROPIC_API_KEY`,
 * `LLM_GEMINI_API_KEY`, `LLM_OPENAI_COMPATIBLE_BASE_URL`, `LLM_BEDROCK_BASE_URL`, ...).
 *
 * @param text - The variable's value.
 * @param options - Primary provider, its settings, and the environment.
 * @returns The targets and every problem found.
 */
export function fallbackFromEnv(text: string, options: FallbackFromEnvOptions): { targets: FallbackTarget[]; problems: string[] } {
  const targets: FallbackTarget[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(':');
    const provider = (colon > 0 ? entry.slice(0, colon) : '') as RealProvider;
    const model = colon > 0 ? entry.slice(colon + 1).trim() : '';
    if (!REAL_PROVIDERS.includes(provider) || !model) {
      problems.push(
        `LLM_FALLBACK entries must be provider:model with provider one of ${REAL_PROVIDERS.join(', ')} (got "${entry.slice(0, 80)}").`,
      );
      continue;
    }
    const prefix = `LLM_${provider.toUpperCase().replace(/-/g, '_')}`;
    const same = provider === options.primary;
    const settings: ProviderSettings = {
      ...options.primarySettings,
      apiKey: same ? options.primarySettings.apiKey : options.get(`${prefix}_API_KEY`),
      baseURL: same ? options.primarySettings.baseURL : options.get(`${prefix}_BASE_URL`),
      defaultModel: model,
    };
    const found = providerProblems(
      provider,
      settings,
      same ? 'LLM_API_KEY' : `${prefix}_API_KEY`,
      same ? 'LLM_BASE_URL' : `${prefix}_BASE_URL`,
    );
    if (found.length > 0) {
      problems.push(...found.map((problem) => `LLM_FALLBACK target ${entry}: ${problem}`));
      continue;
    }
    targets.push({ upstream: createProviderUpstream(provider, settings), model });
  }
  return { targets, problems };
}
