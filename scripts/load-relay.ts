/**
 * One concurrency level of the relay measurement (issue 14's table): N streams straight to
 * the fake provider, then the same N through one gateway process, with the gateway's CPU,
 * memory and sockets measured from outside and every stream's text verified.
 */
import { fakeAnswer } from '../test/support/fake-openai.js';
import type { GatewayProcess } from '../test/support/gateway-process.js';
import { closeIdleSockets, openStream, percentile } from './load-client.js';
import type { StreamOutcome } from './load-client.js';
import { cpuSeconds, memory, openSockets, sampleRss } from './load-process-stats.js';

/** The figures of one level. */
export interface RelayResult {
  streams: number;
  direct: { p50: number; p99: number };
  gateway: { p50: number; p99: number };
  /** Gateway CPU seconds over the run, and content tokens relayed. */
  cpuSeconds: number;
  tokens: number;
  /** Highest RSS sampled during the run, and RSS before it. */
  peakRss: number;
  rssBefore: number;
  /** Streams whose text differed from what the provider sent, or that had no [DONE], or bad ids. */
  wrongStreams: number;
  /** Characters missing or extra, summed over wrong streams. */
  charErrors: number;
  /** What went wrong with the first few wrong streams. */
  problems: string[];
  sockets: { before: number; after: number };
  durationMs: number;
}

/** Options of {@link runRelayLevel}. */
export interface RelayLevelOptions {
  streams: number;
  tokens: number;
  upstreamBaseURL: string;
  gateway: GatewayProcess;
  timeoutMs: number;
}

function body(seed: string, tokens: number): Record<string, unknown> {
  return { model: 'fake-model', messages: [{ role: 'user', content: seed }], stream: true, max_tokens: tokens };
}

/** Streams that are not exactly right, and by how many characters they are off. */
function verify(
  outcomes: readonly StreamOutcome[],
  seeds: readonly string[],
  tokens: number,
): { wrong: number; chars: number; problems: string[] } {
  let wrong = 0;
  let chars = 0;
  const problems: string[] = [];
  outcomes.forEach((outcome, index) => {
    const expected = fakeAnswer(seeds[index] as string, tokens).join('');
    if (outcome.status !== 200 || !outcome.done || outcome.idProblems > 0 || outcome.text !== expected) {
      wrong += 1;
      chars += Math.abs(expected.length - outcome.text.length) || (outcome.text === expected ? 0 : 1);
      if (problems.length < 5) {
        problems.push(
          `status ${outcome.status}, done ${outcome.done}, error ${outcome.error ?? 'none'}, id problems ${outcome.idProblems}, ` +
            `${outcome.tokens}/${tokens} tokens, ${outcome.text.length}/${expected.length} chars, prefix ok ${expected.startsWith(outcome.text)}`,
        );
      }
    }
  });
  return { wrong, chars, problems };
}

async function waitForSockets(pid: number, target: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let count = await openSockets(pid);
  while (count > target && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    count = await openSockets(pid);
  }
  return count;
}

/**
 * Runs one level: direct, then through the gateway.
 *
 * @param options - Level size, answer length, where the provider and the gateway are.
 * @returns The figures.
 */
export async function runRelayLevel(options: RelayLevelOptions): Promise<RelayResult> {
  const { streams, tokens, gateway } = options;
  const seeds = Array.from({ length: streams }, (_, index) => `load ${streams} #${index} ${Math.random().toString(36).slice(2)}`);
  const first = (outcomes: readonly StreamOutcome[]): number[] =>
    outcomes.map((outcome) => outcome.firstTokenMs).filter((value): value is number => value !== undefined);

  const direct = await Promise.all(
    seeds.map((seed) =>
      openStream({ url: `${options.upstreamBaseURL}/chat/completions`, body: body(seed, tokens), timeoutMs: options.timeoutMs }),
    ),
  );
  const directCheck = verify(direct, seeds, tokens);
  if (directCheck.wrong > 0) throw new Error(`${directCheck.wrong} direct streams were wrong: the fake provider or the client is broken`);

  // Let the previous level's connections close (the gateway's idle upstream pool times out
  // after ~4 s) before taking the baseline: ideally only the listening socket is left.
  closeIdleSockets();
  const socketsBefore = await waitForSockets(gateway.pid, 1, 6000);
  const rssBefore = (await memory(gateway.pid)).rss;
  const cpuBefore = await cpuSeconds(gateway.pid);
  const sampler = sampleRss(gateway.pid);
  const logsBefore = gateway.logs.length;
  const started = performance.now();
  const relayed = await Promise.all(
    seeds.map((seed) => openStream({ url: `${gateway.url}/api/chat`, body: body(seed, tokens), timeoutMs: options.timeoutMs })),
  );
  const durationMs = performance.now() - started;
  const cpu = (await cpuSeconds(gateway.pid)) - cpuBefore;
  const peakRss = await sampler.stop();
  const relayCheck = verify(relayed, seeds, tokens);
  // What the gateway itself said about the requests that failed (its log lines).
  const failures = new Map<string, number>();
  for (const line of gateway.logs.slice(logsBefore)) {
    if (line['msg'] !== 'chat_request' || (line['status'] === 200 && !line['error_code'])) continue;
    const label = `${String(line['status'])} ${String(line['error_code'] ?? '')}`.trim();
    failures.set(label, (failures.get(label) ?? 0) + 1);
  }
  for (const [label, count] of failures) relayCheck.problems.push(`gateway logged ${count} × ${label}`);
  closeIdleSockets();
  const socketsAfter = await waitForSockets(gateway.pid, socketsBefore, 6000);

  const directFirst = first(direct);
  const gatewayFirst = first(relayed);
  return {
    streams,
    direct: { p50: percentile(directFirst, 50), p99: percentile(directFirst, 99) },
    gateway: { p50: percentile(gatewayFirst, 50), p99: percentile(gatewayFirst, 99) },
    cpuSeconds: cpu,
    tokens: relayed.reduce((sum, outcome) => sum + outcome.tokens, 0),
    peakRss,
    rssBefore,
    wrongStreams: relayCheck.wrong,
    charErrors: relayCheck.chars,
    problems: relayCheck.problems,
    sockets: { before: socketsBefore, after: socketsAfter },
    durationMs,
  };
}
