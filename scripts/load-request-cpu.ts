/**
 * The gateway's CPU per chat request, measured from outside through /proc: a fake provider
 * answering one token at once, a compiled gateway, and N streamed requests sent one after the
 * other (after a warm-up), so what is measured is a request's setup and teardown, not relay.
 * `node --import tsx scripts/load-request-cpu.ts [requests] [concurrency]`; compile first
 * (`npm run load` does).
 */
import { spawn } from 'node:child_process';
import { openStream } from './load-client.js';
import { cpuTimes } from './load-process-stats.js';
import { startGatewayProcess } from '../test/support/gateway-process.js';

const requests = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 1);
const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/load-upstream.ts'], {
  env: { ...process.env, LOAD_FIRST_TOKEN_MS: '0', LOAD_TPS: '1000', LOAD_TOKENS: '1' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const baseURL = await new Promise<string>((resolve) => {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
    if (line) resolve((JSON.parse(line) as { baseURL: string }).baseURL);
  });
});
const gateway = await startGatewayProcess(
  {
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: baseURL,
    LLM_API_KEY: 'k',
    LLM_MODEL: 'fake-model',
    LLM_RATE_LIMIT: '0',
    LLM_MAX_CONCURRENT: '0',
  },
  { compiled: true, ...(process.env.PROFILE_DIR ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE_DIR}`] } : {}) },
);
const body = { model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'Hello there, how are you?' }] };
async function run(count: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) {
        const outcome = await openStream({ url: `${gateway.url}/api/chat`, body });
        if (outcome.status !== 200 || !outcome.done) throw new Error(`request failed: ${outcome.status} ${outcome.error ?? ''}`);
      }
    }),
  );
}
try {
  await run(500);
  const before = await cpuTimes(gateway.pid);
  const started = performance.now();
  await run(requests);
  const after = await cpuTimes(gateway.pid);
  const user = after.user - before.user;
  const system = after.system - before.system;
  console.log(
    `${requests} requests (${concurrency} at a time) in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `gateway CPU ${((user + system) * 1000).toFixed(0)} ms, ${(((user + system) * 1e6) / requests).toFixed(0)} µs per request ` +
      `(${((system * 1e6) / requests).toFixed(0)} µs of it in the kernel)`,
  );
} finally {
  await gateway.stop();
  child.kill('SIGTERM');
}
