/**
 * `npm run load` — the gateway under load (issues 11 and 14), not part of `npm test`.
 *
 * Part 1, relay cost: a fake OpenAI-compatible provider (own process) streams `--tokens`
 * tokens at `--tps` after `--first-token-ms`; for each level of `--streams` the client opens
 * that many concurrent streams straight to the provider, then through one gateway process
 * (`openai-compatible`, limits off), and prints issue 14's table: first token p50/p99 direct
 * and through the gateway, gateway CPU per relayed token (and the kernel's share of it), peak
 * RSS, memory per open stream, wrong streams (every text is verified character by character),
 * and the gateway's open sockets before and after. The largest level is run `--repeat` times
 * (default 3) to check that RSS does not grow from run to run; before each of those runs the
 * script waits `--settle-ms` (default 7000: a delivered stream is kept 5 s) so that the ended streams
 * of earlier levels and runs have left the replay buffers. Before that, `--warm-starts`
 * fresh gateways in turn (default 3) each serve `--sequential` single requests one after the
 * other (default 20): the first request after start (the median over the starts) must not
 * cost more than the later ones. Then one line per target of issue 14.
 *
 * The gateway runs as published (`bin/llm-chat-gateway.js`, compiled first with
 * `tsconfig.gateway.json`); `--tsx` runs the TypeScript sources instead, as before.
 *
 * Part 2, two instances sharing a real redis-server (`--no-cluster` skips it): limits across
 * both, retried Idempotency-Keys never generating twice, streams resumed on the other
 * instance after a cut, and a SIGKILLed instance's leases freed after the TTL.
 *
 * `--resume-grace-ms 0` runs the relay gateway with resuming off (no replay buffer).
 * `--gateway-root <dir>` runs the gateway of another checkout (with its node_modules), to
 * compare two revisions on the same machine; `--profile <dir>` writes the gateway's CPU profile
 * there (`node --cpu-prof`) and prints its top frames; `--node-flags "<flags>"` starts the
 * gateway's node with more options (e.g. V8 heap settings), to try them.
 *
 * Exits 1 when a stream was wrong, sockets did not return to their baseline, or a cluster
 * check failed; a target not met is reported, not a failure (the machine may be busy).
 * Bounded by `--timeout-s` (default 900).
 *
 *   npm run load -- --streams 10,200,1000 --tokens 300 --tps 50 --first-token-ms 200
 */
import { spawn } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startGatewayProcess } from '../test/support/gateway-process.js';
import type { GatewayProcess } from '../test/support/gateway-process.js';
import { startRedisServer } from '../test/support/redis-server.js';
import { closeIdleSockets, openStream } from './load-client.js';
import { runClusterChecks } from './load-cluster.js';
import { profileTopFrames } from './load-profile.js';
import { runRelayLevel } from './load-relay.js';
import type { RelayResult } from './load-relay.js';
import { clusterTable, relayTable, targetLines } from './load-report.js';
import { measureWarmStart } from './load-warm-start.js';
import type { WarmStartResult } from './load-warm-start.js';

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
const repeat = Number(option('repeat', '3'));
const sequential = Number(option('sequential', '20'));
const warmStarts = Number(option('warm-starts', '3'));
const settleMs = Number(option('settle-ms', '7000'));
const timeoutS = Number(option('timeout-s', '900'));
const cluster = !process.argv.includes('--no-cluster');
const compiled = !process.argv.includes('--tsx');
const gatewayRoot = option('gateway-root', '') || undefined;
const profileDir = option('profile', '') || undefined;
const resumeGraceMs = option('resume-grace-ms', '') || undefined;
const nodeFlags = option('node-flags', '').split(' ').filter(Boolean);
if (
  levels.length === 0 ||
  !(tokens > 0) ||
  !(tps > 0) ||
  !(firstTokenMs >= 0) ||
  !(resumes > 0) ||
  !(repeat >= 1) ||
  !(sequential >= 0) ||
  !(warmStarts >= 0)
) {
  process.stderr.write('load: --streams must list positive integers; --tokens, --tps, --resumes, --repeat must be positive.\n');
  process.exit(2);
}

const deadline = setTimeout(() => {
  process.stderr.write(`load: did not finish within ${timeoutS} s; giving up.\n`);
  process.exit(1);
}, timeoutS * 1000);

const say = (text: string): void => void process.stdout.write(`${text}\n`);
const load = (): string =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Compiles a checkout's gateway (`dist/node/gateway`), which `bin/llm-chat-gateway.js` runs. */
async function buildGateway(checkout: string): Promise<void> {
  const child = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.gateway.json'], {
    cwd: checkout,
    stdio: 'inherit',
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`building the gateway in ${checkout} failed`);
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

if (compiled) {
  say(`load: compiling the gateway${gatewayRoot ? ` of ${gatewayRoot}` : ''}...`);
  await buildGateway(gatewayRoot ?? root);
}
const upstream = await startUpstream();
let failed = false;
try {
  say(
    `load: ${cpus().length} CPUs (${availableParallelism()} available), load average ${load()}; provider: ${tokens} tokens at ${tps}/s ` +
      `after ${firstTokenMs} ms; levels ${levels.join(', ')}; gateway ${compiled ? 'compiled' : 'sources (tsx)'}${gatewayRoot ? ` from ${gatewayRoot}` : ''}`,
  );
  const env = {
    LLM_PROVIDER: 'openai-compatible',
    LLM_BASE_URL: upstream.baseURL,
    LLM_API_KEY: 'load-test',
    LLM_MODEL: 'fake-model',
    LLM_RATE_LIMIT: '0',
    LLM_MAX_CONCURRENT: '0',
    LLM_MAX_TOKENS: String(Math.max(4096, tokens)),
    ...(resumeGraceMs ? { LLM_RESUME_GRACE_MS: resumeGraceMs } : {}),
  };
  const start = (execArgv: string[] = []): Promise<GatewayProcess> =>
    startGatewayProcess(env, { compiled, execArgv: [...nodeFlags, ...execArgv], ...(gatewayRoot ? { root: gatewayRoot } : {}) });

  let warmStart: WarmStartResult | undefined;
  if (sequential > 1 && warmStarts > 0) {
    warmStart = await measureWarmStart({
      start: () => start(),
      starts: warmStarts,
      upstreamBaseURL: upstream.baseURL,
      requests: sequential,
      timeoutMs: 30_000,
    });
    for (const added of warmStart.addedMs) {
      say(
        `load: sequential requests through a fresh gateway, added to the first token (ms): ${added.map((value) => value.toFixed(1)).join(', ')}`,
      );
    }
  }

  const gateway = await start(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const results: RelayResult[] = [];
  const repeatedRss: number[] = [];
  const largest = Math.max(...levels);
  try {
    // One request first, so the table compares processes that have served something.
    await openStream({
      url: `${gateway.url}/api/chat`,
      body: { messages: [{ role: 'user', content: 'warm up' }], stream: true, max_tokens: 5 },
    });
    for (const streams of levels) {
      const runs = streams === largest ? repeat : 1;
      for (let run = 0; run < runs; run += 1) {
        if (runs > 1 && settleMs > 0) {
          // A delivered stream stays resumable for 5 s (DESIGN.md §4b), its frames with it: each
          // run of the repeated level starts once the earlier runs' are gone, so that RSS
          // compares like with like.
          say(`load: waiting ${Math.round(settleMs / 1000)} s for ended streams to leave the replay buffers...`);
          await new Promise((resolve) => setTimeout(resolve, settleMs));
        }
        say(`load: ${streams} streams${runs > 1 ? ` (run ${run + 1} of ${runs})` : ''}, load average ${load()}...`);
        const result = await runRelayLevel({
          streams,
          tokens,
          upstreamBaseURL: upstream.baseURL,
          gateway,
          timeoutMs: 120_000 + streams * 100,
          direct: run === 0,
        });
        if (run === 0) results.push(result);
        if (streams === largest) repeatedRss.push(result.rssAfter);
        for (const problem of result.problems) say(`load: wrong stream: ${problem}`);
        if (result.wrongStreams > 0 || result.sockets.after > result.sockets.before) failed = true;
      }
    }
  } finally {
    await gateway.stop();
    closeIdleSockets();
  }
  say(`\n${relayTable(results)}\n`);
  const targets = targetLines({ results, warmStart, repeatedRss, repeatedStreams: largest });
  for (const line of targets.lines) say(line);
  say(`load: load average at the end ${load()}`);
  if (profileDir) say(`\n${(await profileTopFrames(profileDir)).join('\n')}\n`);

  if (cluster) {
    say('load: two instances sharing a real redis-server...');
    const redis = await startRedisServer();
    try {
      const checks = await runClusterChecks({
        redisUrl: redis.url,
        upstreamBaseURL: upstream.baseURL,
        tokens: Math.min(tokens, 100),
        resumes,
        timeoutMs: 60_000,
        compiled,
      });
      if (checks.some((check) => !check.ok)) failed = true;
      say(`\n${clusterTable(checks)}\n`);
    } finally {
      await redis.close();
    }
  }
} finally {
  upstream.stop();
  clearTimeout(deadline);
}
say(failed ? 'load: FAILED (see the tables)' : 'load: every stream exact, sockets back to baseline, every cluster check passed');
process.exit(failed ? 1 : 0);
