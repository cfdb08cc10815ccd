import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
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
      problemsOf({ LLM_PROVIDER: 'gemini' }).join(),
      /LLM_PROVIDER must be one of mock, openai-compatible, anthropic \(got "gemini"\)/,
    );
    assert.match(problemsOf({ LLM_LOG_CONTENT: 'maybe' }).join(), /LLM_LOG_CONTENT must be true or false/);
    assert.match(problemsOf({ LLM_TRUST_PROXY: 'sure' }).join(), /LLM_TRUST_PROXY/);
    assert.match(problemsOf({ LLM_STATIC_DIR: '/definitely/not/here' }).join(), /LLM_STATIC_DIR must be an existing directory/);
    assert.match(problemsOf({ LLM_MOCK_TPS: 'fast' }).join(), /LLM_MOCK_TPS/);
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
    ]) {
      assert.ok(names.includes(name), name);
    }
  });
});
