/**
 * What the load script prints: issue 14's table (direct and through the gateway side by side,
 * one run), one line per target of issue 14 saying met or not met with the measured value,
 * and the cluster table of issue 11.
 */
import type { ClusterCheck } from './load-cluster.js';
import type { RelayResult } from './load-relay.js';
import type { WarmStartResult } from './load-warm-start.js';

const ms = (value: number): string => (Number.isFinite(value) ? `${Math.round(value)}` : '–');
const mb = (bytes: number): string => `${Math.round(bytes / 1_048_576)} MB`;
const int = (value: number): string => value.toLocaleString('en-US');
const perToken = (result: RelayResult): number => (result.cpuSeconds / Math.max(1, result.tokens)) * 1e6;

/** The relay table, one row per level. */
export function relayTable(results: readonly RelayResult[]): string {
  const rows = results.map((result) => {
    const perStream = (result.peakRss - result.rssBefore) / result.streams;
    return [
      int(result.streams),
      `${ms(result.direct.p50)} / ${ms(result.direct.p99)} ms`,
      `${ms(result.gateway.p50)} / ${ms(result.gateway.p99)} ms`,
      `~${perToken(result).toFixed(1)} µs (${result.cpuSeconds.toFixed(2)} s / ${int(result.tokens)})`,
      `${Math.round((100 * result.cpuSystemSeconds) / Math.max(0.01, result.cpuSeconds))} %`,
      mb(result.peakRss),
      `${Math.max(0, Math.round(perStream / 1024))} KB`,
      result.wrongStreams === 0 ? '0' : `${result.wrongStreams} streams (${result.charErrors} chars)`,
      `${result.sockets.before} → ${result.sockets.after}`,
    ];
  });
  return markdown(
    [
      'concurrent streams',
      'first token p50 / p99, client → upstream directly',
      'through the gateway',
      'gateway CPU per relayed token',
      'of it in the kernel',
      'gateway peak RSS',
      'memory per open stream',
      'lost / duplicated',
      'gateway sockets before → after',
    ],
    rows,
  );
}

/** The cluster table. */
export function clusterTable(checks: readonly ClusterCheck[]): string {
  return markdown(
    ['two instances sharing redis-server', 'expected', 'observed', 'ok'],
    checks.map((check) => [check.check, check.expected, check.observed, check.ok ? 'yes' : 'NO']),
  );
}

/** What the target lines are computed from. */
export interface TargetInputs {
  results: readonly RelayResult[];
  warmStart: WarmStartResult | undefined;
  /** RSS after each run of the largest level (the first, then the repeats). */
  repeatedRss: readonly number[];
  repeatedStreams: number;
}

/**
 * One line per target of issue 14: `met` or `NOT met`, with the measured value.
 *
 * @param inputs - The measurements.
 * @returns The lines and whether every measured target was met.
 */
export function targetLines(inputs: TargetInputs): { lines: string[]; allMet: boolean } {
  const lines: string[] = [];
  let allMet = true;
  const line = (target: string, met: boolean | undefined, value: string): void => {
    if (met === false) allMet = false;
    lines.push(`target: ${target} — ${met === undefined ? 'not measured' : met ? 'met' : 'NOT met'} (${value})`);
  };
  const at = (streams: number): RelayResult | undefined => inputs.results.find((result) => result.streams === streams);
  const delta = (result: RelayResult, p: 'p50' | 'p99'): number => result.gateway[p] - result.direct[p];
  const signed = (value: number): string => `${value >= 0 ? '+' : ''}${ms(value)} ms`;

  const thousand = at(1000);
  const twoHundred = at(200);
  line(
    'gateway CPU per relayed token ≤ 15 µs at 1,000 streams',
    thousand && perToken(thousand) <= 15,
    thousand ? `${perToken(thousand).toFixed(1)} µs` : 'no 1,000 level',
  );
  line(
    'first token through − direct, p50 ≤ 10 ms at 200 streams',
    twoHundred && delta(twoHundred, 'p50') <= 10,
    twoHundred ? signed(delta(twoHundred, 'p50')) : 'no 200 level',
  );
  line(
    'first token through − direct, p99 ≤ 50 ms at 200 streams',
    twoHundred && delta(twoHundred, 'p99') <= 50,
    twoHundred ? signed(delta(twoHundred, 'p99')) : 'no 200 level',
  );
  line(
    'first token through − direct, p99 ≤ 250 ms at 1,000 streams',
    thousand && delta(thousand, 'p99') <= 250,
    thousand ? signed(delta(thousand, 'p99')) : 'no 1,000 level',
  );
  line(
    'peak RSS ≤ 200 MB at 1,000 streams',
    thousand && thousand.peakRss <= 200 * 1_048_576,
    thousand ? mb(thousand.peakRss) : 'no 1,000 level',
  );
  const wrong = inputs.results.reduce((sum, result) => sum + result.charErrors, 0);
  line(
    'zero lost or duplicated characters at every level',
    inputs.results.every((result) => result.wrongStreams === 0),
    `${inputs.results.reduce((sum, result) => sum + result.wrongStreams, 0)} wrong streams, ${wrong} characters`,
  );
  const warm = inputs.warmStart;
  line(
    'warm start: the first request after start adds no more than later ones',
    warm && warm.first <= warm.laterMax,
    warm
      ? `first (median of ${warm.addedMs.length} starts) ${signed(warm.first)}, later median ${signed(warm.laterMedian)}, max ${signed(warm.laterMax)}`
      : 'skipped',
  );
  const [first, ...rest] = inputs.repeatedRss;
  line(
    `no growth across repeated runs: RSS after each ${int(inputs.repeatedStreams)}-stream run within 10 % of the first`,
    first !== undefined && rest.length > 0 ? rest.every((rss) => rss <= first * 1.1) : undefined,
    inputs.repeatedRss.map(mb).join(', ') || 'one run',
  );
  return { lines, allMet };
}

function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}
