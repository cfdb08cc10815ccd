/**
 * `npm run load` — the gateway under load (issues 11 and 14), not part of `npm test`.
 *
 * Part 1, relay cost: a fake OpenAI-compatible provider (own process) streams `--tokens`
 * tokens at `--tps` after `--first-token-ms`; for each level of `--streams` the client opens
 * that many concurrent streams straight to the provider, then through one gateway process
 * (`openai-compatible`, limits off), and prints issue 14's table: first token p50/p99 direct
 * and through the gateway, gateway CPU per relayed token (and per 1,000), peak RSS, memory
 * per open stream, wrong streams (every text is verified character by character), and the
 * gateway's open sockets before and after.
 *
 * Part 2, two instances sharing a real redis-server (`--no-cluster` skips it): limits across
 * both, retried Idempotency-Keys never generating twice, streams resumed on the other
 * instance after a cut, and a SIGKILLed instance's leases freed after the TTL.
 *
 * `--resume-grace-ms 0` runs the relay gateway with resuming off (no replay buffer).
 * `--gateway-root <dir>` runs the gateway of another checkout (with its node_modules), to
 * compare two revisions on the same machine; `--profile <dir>` writes the gateway's CPU profile
 * there (`node --cpu-prof`).
 *
 * Exits 1 when a stream was wrong, sockets did not return to their baseline, or a cluster
 * check failed. Bounded by `--timeout-s` (default 900).
 *
 *   npm run load -- --streams 10,200,1000 --tokens 300 --tps 50 --first-token-ms 200
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from '../test/support/gateway-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { closeIdleSockets, openStream } from './load-client.js';
import { runClusterChecks } from './load-cluster.js';
import type { ClusterCheck } from './load-cluster.js';
import { runRelayLevel } from './load-relay.js';
import type { RelayResult } from './load-relay.js';

const root = fileURLToPath(new URL('../', import.meta.url));

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index === -1 ? undefined : process.argv[index + 1];
  return value ?? process.env[`LOAD_${name.toUpperCase().replaceAll('-', '_')}`] ?? fallback;
}

const levels = option('streams', '10,200,1000')
  .split(',')
  .map((value) => Number(value.trim()))
  .filter((value) => Number.isInteger(value) && value > 0);
const tokens = Number(option('tokens', '300'));
const tps = Number(option('tps', '50'));
const firstTokenMs = Number(option('first-token-ms', '200'));
const resumes = Number(option('resumes', '100'));
const timeoutS = Number(option('timeout-s', '900'));
const cluster = !process.argv.includes('--no-cluster');
const gatewayRoot = option('gateway-root', '') || undefined;
const profileDir = option('profile', '') || undefined;
const resumeGraceMs = option('resume-grace-ms', '') || undefined;
if (levels.length === 0 || !(tokens > 0) || !(tps > 0) || !(firstTokenMs >= 0) || !(resumes > 0)) {
  process.stderr.write('load: --streams must list positive integers; --tokens, --tps, --resumes must be positive.\n');
  process.exit(2);
}

const deadline = setTimeout(() => {
  process.stderr.write(`load: did not finish within ${timeoutS} s; giving up.\n`);
  process.exit(1);
}, timeoutS * 1000);

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)}` : '–');
const mb = (bytes: number): string => `${Math.round(bytes / 1_048_576)} MB`;
const int = (value: number): string => value.toLocaleString('en-US');

function relayTable(results: readonly RelayResult[]): string {
  const rows = results.map((result) => {
    const perToken = (result.cpuSeconds / Math.max(1, result.tokens)) * 1e6;
    const perStream = (result.peakRss - result.rssBefore) / result.streams;
    return [
      int(result.streams),
      `${ms(result.direct.p50)} / ${ms(result.direct.p99)} ms`,
      `${ms(result.gateway.p50)} / ${ms(result.gateway.p99)} ms`,
      `~${perToken.toFixed(1)} µs (${result.cpuSeconds.toFixed(2)} s / ${int(result.tokens)})`,
      `${((result.cpuSeconds / Math.max(1, result.tokens)) * 1000 * 1000).toFixed(1)} ms`,
      mb(result.peakRss),
      `${Math.max(0, Math.round(perStream / 1024))} KB`,
      result.wrongStreams === 0 ? '0' : `${result.wrongStreams} streams (${result.charErrors} chars)`,
      `${result.sockets.before} → ${result.sockets.after}`,
    ];
  });
  const header = [
    'concurrent streams',
    'first token p50 / p99, client → upstream directly',
    'through the gateway',
    'gateway CPU per relayed token',
    'CPU per 1,000 tokens',
    'gateway peak RSS',
    'memory per open stream',
    'lost / duplicated',
    'gateway sockets before → after',
  ];
  return markdown(header, rows);
}

function clusterTable(checks: readonly ClusterCheck[]): string {
  return markdown(
    ['two instances sharing redis-server', 'expected', 'observed', 'ok'],
    checks.map((check) => [check.check, check.expected, check.observed, check.ok ? 'yes' : 'NO']),
  );
}

function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Starts the provider process and reads its URL. */
async function startUpstream(): Promise<{ baseURL: string; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/load-upstream.ts'], {
    cwd: root,
    env: { ...process.env, LOAD_FIRST_TOKEN_MS: String(firstTokenMs), LOAD_TPS: String(tps), LOAD_TOKENS: String(tokens) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseURL = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { baseURL: string }).baseURL);
    });
    child.once('exit', (code) => reject(new Error(`the fake provider exited with ${code}`)));
  });
  return { baseURL, stop: () => child.kill('SIGTERM') };
}

const upstream = await startUpstream();
let failed = false;
try {
  process.stdout.write(
    `load: ${cpus().length} CPUs (${availableParallelism()} available), load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}; provider: ${tokens} tokens at ${tps}/s after ${firstTokenMs} ms; levels ${levels.join(', ')}\n`,
  );
  const gateway = await startGatewayProcess(
    {
      LLM_PROVIDER: 'openai-compatible',
      LLM_BASE_URL: upstream.baseURL,
      LLM_API_KEY: 'load-test',
      LLM_MODEL: 'fake-model',
      LLM_RATE_LIMIT: '0',
      LLM_MAX_CONCURRENT: '0',
      LLM_MAX_TOKENS: String(Math.max(4096, tokens)),
      ...(resumeGraceMs ? { LLM_RESUME_GRACE_MS: resumeGraceMs } : {}),
    },
    { ...(gatewayRoot ? { root: gatewayRoot } : {}), ...(profileDir ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}) },
  );
  const results: RelayResult[] = [];
  try {
    // One request first, so the table compares warm processes (issue 14 measures the cold one separately).
    await openStream({
      url: `${gateway.url}/api/chat`,
      body: { messages: [{ role: 'user', content: 'warm up' }], stream: true, max_tokens: 5 },
    });
    for (const streams of levels) {
      process.stdout.write(`load: ${streams} streams...\n`);
      const result = await runRelayLevel({
        streams,
        tokens,
        upstreamBaseURL: upstream.baseURL,
        gateway,
        timeoutMs: 120_000 + streams * 100,
      });
      results.push(result);
      for (const problem of result.problems) process.stdout.write(`load: wrong stream: ${problem}\n`);
      if (result.wrongStreams > 0 || result.sockets.after > result.sockets.before) failed = true;
    }
  } finally {
    await gateway.stop();
    closeIdleSockets();
  }
  process.stdout.write(`\n${relayTable(results)}\n\n`);

  if (cluster) {
    process.stdout.write('load: two instances sharing a real redis-server...\n');
    const redis = await startRedisServer();
    try {
      const checks = await runClusterChecks({
        redisUrl: redis.url,
        upstreamBaseURL: upstream.baseURL,
        tokens: Math.min(tokens, 100),
        resumes,
        timeoutMs: 60_000,
      });
      if (checks.some((check) => !check.ok)) failed = true;
      process.stdout.write(`\n${clusterTable(checks)}\n\n`);
    } finally {
      await redis.close();
    }
  }
} finally {
  upstream.stop();
  clearTimeout(deadline);
}
process.stdout.write(
  failed ? 'load: FAILED (see the tables)\n' : 'load: every stream exact, sockets back to baseline, every cluster check passed\n',
);
process.exit(failed ? 1 : 0);
