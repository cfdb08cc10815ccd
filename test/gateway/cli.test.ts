import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ENV_VARIABLES } from '../../src/gateway/index.js';
import { within } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = 'src/gateway/cli.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI through tsx with a clean environment (plus PATH) and waits for it to exit. */
function runCli(env: Record<string, string>, args: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return within(
    new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr }))),
    15_000,
    'the CLI to exit',
  ).finally(() => child.kill());
}

describe('llm-chat-gateway CLI', () => {
  it('--help lists every environment variable and exits 0', async () => {
    const run = await runCli({}, ['--help']);
    assert.equal(run.code, 0);
    for (const variable of ENV_VARIABLES) assert.match(run.stdout, new RegExp(`\\b${variable.name}\\b`));
    assert.match(run.stdout, /rate-limit/);
  });

  it('exits 2 with a clear message for invalid configuration, never echoing the key', async () => {
    const [missing, port, flag] = await Promise.all([
      runCli({ LLM_PROVIDER: 'openai-compatible', LLM_API_KEY: 'sk-cli-secret-123' }),
      runCli({ PORT: 'eighty' }),
      runCli({}, ['--port', '80']),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /LLM_BASE_URL is required/);
    assert.match(missing.stderr, /LLM_MODEL is required/);
    assert.doesNotMatch(missing.stderr + missing.stdout, /sk-cli-secret-123/);

    assert.equal(port.code, 2);
    assert.match(port.stderr, /PORT must be an integer from 0 to 65535 \(got "eighty"\)/);

    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown argument "--port"/);
  });

  it('prints the URL, serves requests and shuts down on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', PORT: '0', LLM_MOCK_TPS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stdout = '';
      const url = await within(
        new Promise<string>((resolve) => {
          child.stdout.on('data', (chunk: Buffer) => {
            stdout += chunk.toString();
            const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
            if (match?.[1]) resolve(match[1]);
          });
        }),
        15_000,
        'the URL',
      );
      assert.match(stdout, /provider: mock/);
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      const chat = await fetch(`${url}/api/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], stream: false }),
      });
      assert.equal(chat.status, 200);
      assert.equal(((await chat.json()) as { object: string }).object, 'chat.completion');

      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await within(exited, 10_000, 'the exit'), 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
