import { readFileSync, statSync } from 'node:fs';
import type { ChatHandlerOptions } from './chat-handler.js';
import { createMockUpstream } from './mock-upstream.js';
import type { ContinueMode } from './openai-compatible-upstream.js';
import { DEFAULT_PRICES, parsePriceTable, PRICE_TABLE_DATE } from './price-table.js';
import type { PriceTable } from './price-table.js';
import { createProviderUpstream, fallbackFromEnv, providerProblems, REAL_PROVIDERS } from './provider-from-env.js';
import type { FallbackTarget } from './fallback-upstream.js';
import { lookupModel } from './model-table.js';
import type { Upstream } from './upstream.js';
import { GATEWAY_DEFAULTS as D } from './defaults.js';
import { createRedisStateStore } from './failover-state-store.js';
import type { FailoverStateStore } from './failover-state-store.js';

/** The providers the CLI can configure. */
export type ProviderName = 'mock' | 'openai-compatible' | 'anthropic' | 'gemini' | 'bedrock';

/** A complete gateway configuration, ready for `startGateway({...handler, host, port, staticDir})`. */
export interface GatewayConfig {
  provider: ProviderName;
  host: string;
  port: number;
  staticDir: string | undefined;
  /** Options for `createChatHandler`, with the upstream (and the Redis store, if any) already built. */
  handler: ChatHandlerOptions & { upstream: Upstream };
  /**
   * The shared store built for `REDIS_URL` (also in `handler.stateStore`); call `connect()`
   * before serving and `close()` after.
   */
  redis: FailoverStateStore | undefined;
  /** Non-fatal remarks (e.g. a setting the chosen provider ignores). */
  warnings: string[];
}

/** Thrown by {@link configFromEnv}; `problems` lists every invalid setting at once. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid gateway configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** One environment variable the gateway reads, for `--help`. */
export interface EnvVariable {
  name: string;
  description: string;
  /** The default, as text; absent when there is none. */
  defaultValue?: string;
}

/** Every environment variable the gateway reads (DESIGN.md §4 plus a few extras). */
export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'LLM_PROVIDER', description: 'mock | openai-compatible | anthropic | gemini | bedrock', defaultValue: 'mock' },
  {
    name: 'LLM_API_KEY',
    description: 'Provider API key (server-side only; never sent to browsers). Bedrock uses the AWS credential chain instead',
  },
  {
    name: 'LLM_BASE_URL',
    description:
      'openai-compatible: API base including /v1 (e.g. https://api.openai.com/v1, http://127.0.0.1:11434/v1); anthropic: API origin; ' +
      'gemini: API base including the version; bedrock: runtime endpoint override (VPC endpoint)',
    defaultValue:
      'anthropic: https://api.anthropic.com; gemini: https://generativelanguage.googleapis.com/v1beta; bedrock: the regional endpoint',
  },
  {
    name: 'AWS_REGION',
    description: 'bedrock: AWS region (read by the AWS SDK, with its default credential chain: role, environment, profile)',
  },
  { name: 'LLM_MODEL', description: 'Default model (required for real providers unless LLM_ALLOWED_MODELS is set)' },
  {
    name: 'LLM_ALLOWED_MODELS',
    description: 'Comma-separated models clients may request; * allows any',
    defaultValue: 'LLM_MODEL only (mock without LLM_MODEL: any)',
  },
  {
    name: 'ALLOWED_ORIGINS',
    description: 'Comma-separated exact origins allowed to call from a browser; * allows any',
    defaultValue: 'same-origin only',
  },
  { name: 'HOST', description: 'Interface to listen on', defaultValue: D.host },
  { name: 'PORT', description: 'Port to listen on (0 picks a free one)', defaultValue: String(D.port) },
  { name: 'LLM_MAX_BODY_BYTES', description: 'Largest request body', defaultValue: String(D.maxBodyBytes) },
  { name: 'LLM_MAX_TOKENS', description: 'Cap for max_tokens (requests above are clamped)', defaultValue: String(D.maxTokens) },
  { name: 'LLM_RATE_LIMIT', description: 'Requests per minute per client; 0 disables', defaultValue: String(D.rateLimit) },
  { name: 'LLM_MAX_CONCURRENT', description: 'Concurrent streams per client; 0 disables', defaultValue: String(D.maxConcurrent) },
  { name: 'LLM_STATIC_DIR', description: 'Directory served at / (optional)' },
  {
    name: 'LLM_MOCK_TPS',
    description: 'Mock streaming speed in tokens per second; 0 = as fast as possible',
    defaultValue: String(D.mockTokensPerSecond),
  },
  {
    name: 'LLM_TRUST_PROXY',
    description: 'Use X-Forwarded-For for client identity: true (one proxy) or a number of proxy hops',
    defaultValue: 'false',
  },
  { name: 'LLM_LOG_CONTENT', description: 'Log message text (true/false)', defaultValue: 'false' },
  { name: 'LLM_KEEPALIVE_MS', description: 'Silence before a ": ping" keep-alive comment', defaultValue: String(D.keepAliveMs) },
  {
    name: 'LLM_CONTINUE_MODE',
    description: 'openai-compatible Continue strategy: instruction | prefill | vllm',
    defaultValue: 'instruction',
  },
  {
    name: 'REDIS_URL',
    description:
      'redis:// or rediss:// URL (Redis 7 or Valkey) shared by several instances: limits, idempotency, resume buffers. If it is unreachable the gateway keeps serving on local state',
    defaultValue: 'none: state in this process',
  },
  {
    name: 'LLM_LEASE_TTL_MS',
    description: 'With REDIS_URL: how long a crashed instance keeps its concurrency slots and Idempotency-Keys (heartbeat every third)',
    defaultValue: String(D.leaseTtlMs),
  },
  {
    name: 'LLM_RESUME_GRACE_MS',
    description: 'How long a generation whose client disconnected without a stop waits for a resume; 0 aborts at once',
    defaultValue: String(D.resumeGraceMs),
  },
  {
    name: 'LLM_API_KEY_HEADER',
    description: 'openai-compatible key header: authorization (Bearer) | api-key (Azure)',
    defaultValue: 'authorization',
  },
  {
    name: 'LLM_FALLBACK',
    description: 'Comma-separated provider:model targets tried, in order, when the primary fails retryably before the first token',
  },
  {
    name: 'LLM_<PROVIDER>_API_KEY',
    description:
      'Key of a fallback target whose provider differs from LLM_PROVIDER (LLM_ANTHROPIC_API_KEY, LLM_GEMINI_API_KEY, LLM_OPENAI_COMPATIBLE_API_KEY)',
  },
  {
    name: 'LLM_<PROVIDER>_BASE_URL',
    description: 'Base URL of such a fallback target (LLM_OPENAI_COMPATIBLE_BASE_URL is required for one)',
  },
  {
    name: 'LLM_UPSTREAM_RETRIES',
    description: 'Gateway retries per target before the first token (full jitter, Retry-After honoured)',
    defaultValue: String(D.upstreamRetries),
  },
  {
    name: 'LLM_BREAKER_FAILURES',
    description: "Retryable failures in a row that open a target's circuit breaker",
    defaultValue: String(D.breakerFailures),
  },
  {
    name: 'LLM_BREAKER_COOLDOWN_MS',
    description: 'Time an open circuit waits before one probe',
    defaultValue: String(D.breakerCoolDownMs),
  },
  { name: 'LLM_CONTEXT_WINDOW', description: "Context window (tokens) for pre-flight trimming, overriding the model table's" },
  {
    name: 'LLM_EXACT_TOKEN_COUNT',
    description:
      "true: calibrate the pre-flight estimate with the provider's count endpoint (anthropic, gemini; one extra call per request)",
    defaultValue: 'false',
  },
  { name: 'LLM_PROMPT_CACHING', description: 'Mark cacheable prompt prefixes for Claude (anthropic, bedrock)', defaultValue: 'true' },
  {
    name: 'LLM_PRICES_FILE',
    description: 'JSON file of model → {input, output, cachedInput?, cacheWrite?} in USD per 1M tokens, over the built-in table',
    defaultValue: `built-in list prices of ${PRICE_TABLE_DATE}`,
  },
  {
    name: 'LLM_DAILY_BUDGET_USD',
    description: 'Per-client daily spend cap in USD (429 budget_exceeded until 00:00 UTC); 0 disables',
    defaultValue: '0',
  },
];

const PROVIDERS: readonly ProviderName[] = ['mock', ...REAL_PROVIDERS];
const CONTINUE_MODES: readonly ContinueMode[] = ['instruction', 'prefill', 'vllm'];

/**
 * Reads the gateway configuration from environment variables ({@link ENV_VARIABLES}),
 * validating all of them and reporting every problem at once. The API key's value never
 * appears in a message.
 *
 * @param env - The environment.
 * @returns The configuration, with the upstream built.
 * @throws ConfigError listing every invalid or missing setting.
 */
export function configFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): GatewayConfig {
  const problems: string[] = [];
  const warnings: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const integer = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
      problems.push(`${name} must be an integer ${range} (got "${raw.slice(0, 40)}").`);
      return fallback;
    }
    return value;
  };
  const list = (name: string): string[] | undefined =>
    get(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const boolean = (name: string, fallback: boolean): boolean => {
    const raw = get(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (['true', '1', 'yes'].includes(raw)) return true;
    if (['false', '0', 'no'].includes(raw)) return false;
    problems.push(`${name} must be true or false (got "${raw.slice(0, 40)}").`);
    return fallback;
  };

  const providerRaw = get('LLM_PROVIDER') ?? 'mock';
  const provider = PROVIDERS.includes(providerRaw as ProviderName) ? (providerRaw as ProviderName) : undefined;
  if (!provider) problems.push(`LLM_PROVIDER must be one of ${PROVIDERS.join(', ')} (got "${providerRaw.slice(0, 40)}").`);

  const apiKey = get('LLM_API_KEY');
  const baseURL = get('LLM_BASE_URL');
  if (baseURL !== undefined && !isHttpUrl(baseURL)) {
    problems.push('LLM_BASE_URL must be an http:// or https:// URL.');
  }
  const model = get('LLM_MODEL');
  const allowedList = list('LLM_ALLOWED_MODELS');
  const defaultModel = model ?? allowedList?.find((name) => name !== '*');

  const continueMode = (get('LLM_CONTINUE_MODE') ?? 'instruction') as ContinueMode;
  const keyHeader = get('LLM_API_KEY_HEADER')?.toLowerCase() ?? 'authorization';
  const promptCaching = boolean('LLM_PROMPT_CACHING', true);
  const providerSettings = {
    apiKey,
    baseURL,
    defaultModel,
    continueMode,
    apiKeyHeader: keyHeader as 'authorization' | 'api-key',
    promptCaching,
  };
  if (provider && provider !== 'mock') {
    problems.push(
      ...providerProblems(provider, providerSettings, 'LLM_API_KEY', 'LLM_BASE_URL').map((problem) =>
        problem.replace(/ for (openai-compatible|anthropic|gemini|bedrock)\b/g, ' for LLM_PROVIDER=$1'),
      ),
    );
    if (!defaultModel) {
      problems.push(`LLM_MODEL is required for LLM_PROVIDER=${provider} (or LLM_ALLOWED_MODELS; its first entry becomes the default).`);
    }
  } else if (provider === 'mock') {
    if (apiKey) warnings.push('LLM_API_KEY is ignored by the mock provider.');
    if (baseURL) warnings.push('LLM_BASE_URL is ignored by the mock provider.');
  }

  const allowedOrigins = list('ALLOWED_ORIGINS') ?? [];
  for (const origin of allowedOrigins) {
    if (origin !== '*' && !isOrigin(origin)) {
      problems.push(`ALLOWED_ORIGINS entries must be * or an origin like https://app.example.com (got "${origin.slice(0, 80)}").`);
    }
  }

  const host = get('HOST') ?? D.host;
  const port = integer('PORT', D.port, 0, 65_535);
  const maxBodyBytes = integer('LLM_MAX_BODY_BYTES', D.maxBodyBytes, 1);
  const maxTokens = integer('LLM_MAX_TOKENS', D.maxTokens, 1);
  const rateLimit = integer('LLM_RATE_LIMIT', D.rateLimit, 0);
  const maxConcurrent = integer('LLM_MAX_CONCURRENT', D.maxConcurrent, 0);
  const keepAliveMs = integer('LLM_KEEPALIVE_MS', D.keepAliveMs, 100);
  const resumeGraceMs = integer('LLM_RESUME_GRACE_MS', D.resumeGraceMs, 0, 3_600_000);
  const leaseTtlMs = integer('LLM_LEASE_TTL_MS', D.leaseTtlMs, 300, 3_600_000);
  const redisUrl = get('REDIS_URL');
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) {
    problems.push('REDIS_URL must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379.');
  }

  const tpsRaw = get('LLM_MOCK_TPS');
  let tokensPerSecond: number = D.mockTokensPerSecond;
  if (tpsRaw !== undefined) {
    const value = Number(tpsRaw);
    if (!Number.isFinite(value) || value < 0) problems.push(`LLM_MOCK_TPS must be a number of at least 0 (got "${tpsRaw.slice(0, 40)}").`);
    else tokensPerSecond = value;
  }

  const trustRaw = get('LLM_TRUST_PROXY')?.toLowerCase();
  let trustProxy: boolean | number = false;
  if (trustRaw === 'true' || trustRaw === 'yes') trustProxy = true;
  else if (trustRaw !== undefined && /^\d+$/.test(trustRaw)) trustProxy = Number(trustRaw);
  else if (trustRaw !== undefined && trustRaw !== 'false' && trustRaw !== 'no') {
    problems.push(`LLM_TRUST_PROXY must be true, false or a number of proxy hops (got "${trustRaw.slice(0, 40)}").`);
  }

  const logRaw = get('LLM_LOG_CONTENT')?.toLowerCase();
  if (logRaw !== undefined && !['true', 'false', '1', '0', 'yes', 'no'].includes(logRaw)) {
    problems.push(`LLM_LOG_CONTENT must be true or false (got "${logRaw.slice(0, 40)}").`);
  }
  const logContent = logRaw === 'true' || logRaw === '1' || logRaw === 'yes';

  if (!CONTINUE_MODES.includes(continueMode)) {
    problems.push(`LLM_CONTINUE_MODE must be one of ${CONTINUE_MODES.join(', ')}.`);
  }
  if (keyHeader !== 'authorization' && keyHeader !== 'api-key') {
    problems.push('LLM_API_KEY_HEADER must be authorization or api-key.');
  }

  const staticDir = get('LLM_STATIC_DIR');
  if (staticDir !== undefined) {
    let isDirectory = false;
    try {
      isDirectory = statSync(staticDir).isDirectory();
    } catch {
      isDirectory = false;
    }
    if (!isDirectory) problems.push(`LLM_STATIC_DIR must be an existing directory (got "${staticDir.slice(0, 200)}").`);
  }

  const upstreamRetries = integer('LLM_UPSTREAM_RETRIES', D.upstreamRetries, 0, 5);
  const breakerFailures = integer('LLM_BREAKER_FAILURES', D.breakerFailures, 1);
  const breakerCoolDownMs = integer('LLM_BREAKER_COOLDOWN_MS', D.breakerCoolDownMs, 0);
  const contextWindowRaw = get('LLM_CONTEXT_WINDOW');
  const contextWindow = contextWindowRaw === undefined ? undefined : integer('LLM_CONTEXT_WINDOW', 0, 1024);
  const exactTokenCount = boolean('LLM_EXACT_TOKEN_COUNT', false);
  const budgetRaw = get('LLM_DAILY_BUDGET_USD');
  let dailyBudgetUsd: number = D.dailyBudgetUsd;
  if (budgetRaw !== undefined) {
    const value = Number(budgetRaw);
    if (!Number.isFinite(value) || value < 0)
      problems.push(`LLM_DAILY_BUDGET_USD must be a number of at least 0 (got "${budgetRaw.slice(0, 40)}").`);
    else dailyBudgetUsd = value;
  }
  let prices: PriceTable = DEFAULT_PRICES;
  const pricesFile = get('LLM_PRICES_FILE');
  if (pricesFile !== undefined) {
    try {
      prices = { ...DEFAULT_PRICES, ...parsePriceTable(JSON.parse(readFileSync(pricesFile, 'utf8')) as unknown) };
    } catch (error) {
      problems.push(`LLM_PRICES_FILE (${pricesFile.slice(0, 200)}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  let fallback: FallbackTarget[] = [];
  const fallbackRaw = get('LLM_FALLBACK');
  if (fallbackRaw !== undefined && provider) {
    const parsed = fallbackFromEnv(fallbackRaw, { primary: provider, primarySettings: providerSettings, get });
    fallback = parsed.targets;
    problems.push(...parsed.problems);
  }

  if (problems.length > 0 || !provider) throw new ConfigError(problems);

  const upstream: Upstream =
    provider === 'mock'
      ? createMockUpstream({ tokensPerSecond, ...(model ? { model } : {}) })
      : createProviderUpstream(provider, providerSettings);
  if (dailyBudgetUsd > 0 && defaultModel && provider !== 'mock' && !lookupPrice(prices, defaultModel)) {
    warnings.push(
      `LLM_DAILY_BUDGET_USD is set but ${defaultModel} has no price (add it with LLM_PRICES_FILE); its answers are not charged.`,
    );
  }

  const redis = redisUrl === undefined ? undefined : createRedisStateStore({ url: redisUrl, leaseTtlMs });

  return {
    provider,
    host,
    port,
    staticDir,
    warnings,
    redis,
    handler: {
      upstream,
      defaultModel,
      // §4: the allowlist defaults to LLM_MODEL only; the mock without a model accepts any.
      allowedModels: allowedList ?? (defaultModel ? [defaultModel] : provider === 'mock' ? ['*'] : []),
      allowedOrigins,
      maxBodyBytes,
      maxTokens,
      rateLimit,
      maxConcurrent,
      keepAliveMs,
      trustProxy,
      logContent,
      fallback,
      upstreamRetries,
      circuitBreaker: { failureThreshold: breakerFailures, coolDownMs: breakerCoolDownMs },
      ...(contextWindow ? { contextWindow } : {}),
      exactTokenCount,
      prices,
      dailyBudgetUsd,
      resumeGraceMs,
      ...(redis ? { stateStore: redis } : {}),
    },
  };
}

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '').toLowerCase();
  } catch {
    return false;
  }
}

function lookupPrice(prices: PriceTable, model: string): boolean {
  return lookupModel(prices, model) !== undefined;
}
