import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, ENV_VARIABLES, configFromEnv } from '../../src/gateway/index.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    configFromEnv(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configFromEnv', () => {
  it('defaults to the mock on 127.0.0.1:8787 with the §4 limits', () => {
    const config = configFromEnv({});
    assert.equal(config.provider, 'mock');
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8787);
    assert.equal(config.staticDir, undefined);
    assert.equal(config.handler.upstream.provider, 'mock');
    assert.deepEqual(config.handler.allowedModels, ['*']);
    assert.deepEqual(config.handler.allowedOrigins, []);
    assert.equal(config.handler.maxBodyBytes, 1_048_576);
    assert.equal(config.handler.maxTokens, 4096);
    assert.equal(config.handler.rateLimit, 60);
    assert.equal(config.handler.maxConcurrent, 4);
    assert.equal(config.handler.trustProxy, false);
    assert.equal(config.handler.logContent, false);
  });

  it('configures openai-compatible with lists, limits and the allowlist defaulting to LLM_MODEL', () => {
    const config = configFromEnv({
      LLM_PROVIDER: 'openai-compatible',
      LLM_API_KEY: 'sk-x',
      LLM_BASE_URL: 'https://api.openai.com/v1',
      LLM_MODEL: 'gpt-4o-mini',
      ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443',
      HOST: '0.0.0.0',
      PORT: '0',
      LLM_MAX_BODY_BYTES: '2048',
      LLM_MAX_TOKENS: '512',
      LLM_RATE_LIMIT: '0',
      LLM_MAX_CONCURRENT: '2',
      LLM_TRUST_PROXY: '2',
      LLM_LOG_CONTENT: 'true',
      LLM_STATIC_DIR: tmpdir(),
    });
    assert.equal(config.provider, 'openai-compatible');
    assert.equal(config.handler.upstream.provider, 'openai-compatible');
    assert.equal(config.handler.defaultModel, 'gpt-4o-mini');
    assert.deepEqual(config.handler.allowedModels, ['gpt-4o-mini']);
    assert.deepEqual(config.handler.allowedOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 0);
    assert.equal(config.handler.maxBodyBytes, 2048);
    assert.equal(config.handler.maxTokens, 512);
    assert.equal(config.handler.rateLimit, 0);
    assert.equal(config.handler.maxConcurrent, 2);
    assert.equal(config.handler.trustProxy, 2);
    assert.equal(config.handler.logContent, true);
    assert.equal(config.staticDir, tmpdir());
  });

  it('takes the default model from LLM_ALLOWED_MODELS when LLM_MODEL is unset', () => {
    const config = configFromEnv({ LLM_PROVIDER: 'anthropic', LLM_API_KEY: 'k', LLM_ALLOWED_MODELS: 'claude-a,claude-b' });
    assert.equal(config.handler.defaultModel, 'claude-a');
    assert.deepEqual(config.handler.allowedModels, ['claude-a', 'claude-b']);
    assert.equal(config.handler.upstream.provider, 'anthropic');
  });

  it('reports every problem at once, with clear messages and without the key', () => {
    const problems = problemsOf({
      LLM_PROVIDER: 'openai-compatible',
      PORT: 'abc',
      LLM_MAX_TOKENS: '-5',
      ALLOWED_ORIGINS: 'https://ok.example,not an origin',
    });
    const text = problems.join('\n');
    assert.match(text, /LLM_API_KEY is required for LLM_PROVIDER=openai-compatible/);
    assert.match(text, /LLM_BASE_URL is required for LLM_PROVIDER=openai-compatible/);
    assert.match(text, /LLM_MODEL is required/);
    assert.match(text, /PORT must be an integer from 0 to 65535 \(got "abc"\)/);
    assert.match(text, /LLM_MAX_TOKENS must be an integer of at least 1/);
    assert.match(text, /ALLOWED_ORIGINS entries .*not an origin/);
    assert.equal(problems.length, 6);

    const keyed = problemsOf({ LLM_PROVIDER: 'openai-compatible', LLM_API_KEY: 'sk-very-secret', LLM_BASE_URL: 'ftp://x', LLM_MODEL: 'm' });
    assert.match(keyed.join('\n'), /LLM_BASE_URL must be an http/);
    assert.doesNotMatch(keyed.join('\n'), /sk-very-secret/);
  });

  it('rejects unknown providers, bad booleans and a missing static directory', () => {
    assert.match(
      problemsOf({ LLM_PROVIDER: 'vertex' }).join(),
      /LLM_PROVIDER must be one of mock, openai-compatible, anthropic, gemini, bedrock \(got "vertex"\)/,
    );
    assert.match(problemsOf({ LLM_LOG_CONTENT: 'maybe' }).join(), /LLM_LOG_CONTENT must be true or false/);
    assert.match(problemsOf({ LLM_TRUST_PROXY: 'sure' }).join(), /LLM_TRUST_PROXY/);
    assert.match(problemsOf({ LLM_STATIC_DIR: '/definitely/not/here' }).join(), /LLM_STATIC_DIR must be an existing directory/);
    assert.match(problemsOf({ LLM_MOCK_TPS: 'fast' }).join(), /LLM_MOCK_TPS/);
  });

  it('configures gemini with its key and bedrock without one (the AWS credential chain provides it)', () => {
    const gemini = configFromEnv({ LLM_PROVIDER: 'gemini', LLM_API_KEY: 'AIza-k', LLM_MODEL: 'gemini-2.5-flash' });
    assert.equal(gemini.handler.upstream.provider, 'gemini');
    assert.match(
      problemsOf({ LLM_PROVIDER: 'gemini', LLM_MODEL: 'gemini-2.5-flash' }).join(),
      /LLM_API_KEY is required for LLM_PROVIDER=gemini/,
    );
    const bedrock = configFromEnv({
      LLM_PROVIDER: 'bedrock',
      LLM_MODEL: 'amazon.nova-lite-v1:0',
      LLM_BASE_URL: 'https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com',
    });
    assert.equal(bedrock.handler.upstream.provider, 'bedrock');
  });

  it('reads fallback targets, retries, breaker, context window, prices and budgets, and reports their problems', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-prices-'));
    const pricesFile = join(dir, 'prices.json');
    writeFileSync(pricesFile, JSON.stringify({ 'my-model': { input: 1, output: 2 } }));
    const config = configFromEnv({
      LLM_PROVIDER: 'openai-compatible',
      LLM_API_KEY: 'sk-x',
      LLM_BASE_URL: 'https://api.openai.com/v1',
      LLM_MODEL: 'gpt-4o-mini',
      LLM_FALLBACK: 'anthropic:claude-haiku-4-5, openai-compatible:gpt-4.1-mini, bedrock:amazon.nova-lite-v1:0',
      LLM_ANTHROPIC_API_KEY: 'sk-ant-x',
      LLM_UPSTREAM_RETRIES: '1',
      LLM_BREAKER_FAILURES: '3',
      LLM_BREAKER_COOLDOWN_MS: '10000',
      LLM_CONTEXT_WINDOW: '16000',
      LLM_EXACT_TOKEN_COUNT: 'true',
      LLM_PRICES_FILE: pricesFile,
      LLM_DAILY_BUDGET_USD: '2.5',
    });
    assert.deepEqual(
      config.handler.fallback?.map((target) => `${target.upstream.provider}:${target.model}`),
      ['anthropic:claude-haiku-4-5', 'openai-compatible:gpt-4.1-mini', 'bedrock:amazon.nova-lite-v1:0'],
    );
    assert.equal(config.handler.upstreamRetries, 1);
    assert.deepEqual(config.handler.circuitBreaker, { failureThreshold: 3, coolDownMs: 10_000 });
    assert.equal(config.handler.contextWindow, 16_000);
    assert.equal(config.handler.exactTokenCount, true);
    assert.equal(config.handler.dailyBudgetUsd, 2.5);
    assert.deepEqual(config.handler.prices?.['my-model'], { input: 1, output: 2, cachedInput: 1, cacheWrite: 1 });
    assert.ok(config.handler.prices?.['gpt-4o-mini'], 'the defaults stay');
    rmSync(dir, { recursive: true, force: true });

    const problems = problemsOf({
      LLM_FALLBACK: 'gemini:gemini-2.5-flash,nonsense',
      LLM_UPSTREAM_RETRIES: '9',
      LLM_DAILY_BUDGET_USD: 'lots',
      LLM_PRICES_FILE: '/definitely/not/here.json',
      LLM_EXACT_TOKEN_COUNT: 'maybe',
    }).join('\n');
    assert.match(problems, /LLM_FALLBACK target gemini:gemini-2.5-flash: LLM_GEMINI_API_KEY is required/);
    assert.match(problems, /LLM_FALLBACK entries must be provider:model .*nonsense/);
    assert.match(problems, /LLM_UPSTREAM_RETRIES must be an integer from 0 to 5/);
    assert.match(problems, /LLM_DAILY_BUDGET_USD must be a number/);
    assert.match(problems, /LLM_PRICES_FILE/);
    assert.match(problems, /LLM_EXACT_TOKEN_COUNT must be true or false/);
  });

  it('documents every variable of the §4 contract', () => {
    const names = ENV_VARIABLES.map((variable) => variable.name);
    for (const name of [
      'LLM_PROVIDER',
      'LLM_API_KEY',
      'LLM_BASE_URL',
      'LLM_MODEL',
      'LLM_ALLOWED_MODELS',
      'ALLOWED_ORIGINS',
      'HOST',
      'PORT',
      'LLM_MAX_BODY_BYTES',
      'LLM_MAX_TOKENS',
      'LLM_RATE_LIMIT',
      'LLM_MAX_CONCURRENT',
      'LLM_STATIC_DIR',
      'LLM_FALLBACK',
      'LLM_CONTEXT_WINDOW',
      'LLM_DAILY_BUDGET_USD',
      'LLM_PRICES_FILE',
      'AWS_REGION',
    ]) {
      assert.ok(names.includes(name), name);
    }
  });
});
