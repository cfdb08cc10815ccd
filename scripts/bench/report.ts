/**
 * Turns the runs into the benchmark's tables (Markdown, printed and pasted into the README)
 * and the element's budget checks. Every figure is the median over the repetitions with the
 * range beside it.
 */
import type { TextCheck } from './correctness.js';
import type { RunResult } from './run.js';
import type { SubjectName } from './subjects.js';

export interface StreamSample {
  subject: SubjectName;
  mode: 'paced' | 'firehose';
  sizeKb: number;
  /** Deltas the answer was streamed in. */
  deltas: number;
  result: RunResult;
  text: TextCheck;
}

export interface LongSample {
  subject: SubjectName;
  /** Size of the answer streamed at the end (an empty chat's run of this size is the baseline). */
  sizeKb: number;
  result: RunResult;
  text: TextCheck;
  /** Deltas in the answer streamed at the end. */
  deltas: number;
}

export interface OnceSample {
  sizeKb: number;
  result: RunResult;
}

export function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function digits(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const size = Math.abs(value);
  return size >= 100 ? value.toFixed(0) : size >= 10 ? value.toFixed(1) : value.toFixed(2);
}

/** `median (min–max)`, or the median alone when every run agrees. */
export function spread(values: number[], unit = ''): string {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return '–';
  const low = Math.min(...finite);
  const high = Math.max(...finite);
  const middle = `${digits(median(finite))}${unit}`;
  return low === high || finite.length === 1 ? middle : `${middle} (${digits(low)}–${digits(high)})`;
}

const since = (to: number | undefined, from: number | undefined) => (to === undefined || from === undefined ? Number.NaN : to - from);

/** The per-run figures of a streamed answer. */
export function figures(sample: { result: RunResult; sizeKb?: number }) {
  const { probe, cpuMs, peakHeapBytes } = sample.result;
  return {
    cpuMs,
    cpuPerKb: sample.sizeKb ? cpuMs / sample.sizeKb : Number.NaN,
    longTasks: probe.longTasks.length,
    longestTask: Math.max(0, ...probe.longTasks.map((task) => task.duration)),
    frameGap: probe.longestFrameGap,
    byteToDom: since(probe.firstTextAt, probe.responseStart),
    byteToPaint: since(probe.firstPaintAt, probe.responseStart),
    jsToDom: since(probe.firstTextAt, probe.bytesInJsAt),
    jsToPaint: since(probe.firstPaintAt, probe.bytesInJsAt),
    framesToPaint: probe.framesToFirstPaint ?? Number.NaN,
    lastByteToPaint: since(probe.lastPaintAt, probe.responseEnd),
    heapMb: peakHeapBytes / 1024 / 1024,
  };
}

type Figures = ReturnType<typeof figures>;

function column(samples: { result: RunResult; sizeKb?: number }[], pick: (figures: Figures) => number, unit = ''): string {
  return spread(
    samples.map((sample) => pick(figures(sample))),
    unit,
  );
}

function textColumn(samples: { text: TextCheck; result: RunResult }[]): string {
  const failed = samples.find((sample) => !sample.text.ok || sample.result.timedOut);
  if (!failed) return 'ok';
  return failed.result.timedOut ? 'timed out' : `NO: ${failed.text.note}`;
}

function longTaskColumn(samples: { result: RunResult }[]): string {
  const counts = samples.map((sample) => figures(sample).longTasks);
  const longest = Math.max(0, ...samples.map((sample) => figures(sample).longestTask));
  return `${counts.join('/')}${longest > 0 ? ` (≤ ${longest.toFixed(0)} ms)` : ''}`;
}

/** CPU per delta from the first text on screen to the end (see `RunResult.streaming`). */
export function streamingPerDelta(sample: { result: RunResult }): number {
  const streaming = sample.result.streaming;
  return streaming && streaming.deltas > 0 ? streaming.cpuMs / streaming.deltas : Number.NaN;
}

export function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** The streaming table of one mode: a row per size and subject. */
export function streamTable(samples: StreamSample[], mode: 'paced' | 'firehose'): string {
  const header = [
    'answer',
    'subject',
    'main-thread CPU ms',
    'CPU ms per KB',
    'long tasks per run',
    'longest frame gap ms',
    'first byte → text in DOM ms',
    'first byte → painted ms',
    'bytes in JS → painted ms (frames)',
    'last byte → final paint ms',
    'peak JS heap MB',
    'final text',
  ];
  const rows: string[][] = [];
  const sizes = [...new Set(samples.filter((s) => s.mode === mode).map((s) => s.sizeKb))].sort((a, b) => a - b);
  for (const sizeKb of sizes) {
    const subjects = [...new Set(samples.filter((s) => s.mode === mode && s.sizeKb === sizeKb).map((s) => s.subject))];
    for (const subject of subjects) {
      const runs = samples.filter((s) => s.mode === mode && s.sizeKb === sizeKb && s.subject === subject);
      rows.push([
        `${sizeKb} KB`,
        subject,
        column(runs, (f) => f.cpuMs),
        column(runs, (f) => f.cpuPerKb),
        longTaskColumn(runs),
        column(runs, (f) => f.frameGap),
        column(runs, (f) => f.byteToDom),
        column(runs, (f) => f.byteToPaint),
        `${column(runs, (f) => f.jsToPaint)} (${runs.map((run) => figures(run).framesToPaint).join('/')})`,
        column(runs, (f) => f.lastByteToPaint),
        column(runs, (f) => f.heapMb),
        textColumn(runs),
      ]);
    }
  }
  return table(header, rows);
}

/** The long-conversation table: a row per subject. */
export function longTable(samples: LongSample[], empty: StreamSample[]): string {
  const sizeKb = samples[0]?.sizeKb ?? 0;
  const header = [
    'subject',
    'interactive after load ms',
    'long tasks while loading (longest ms)',
    'CPU ms per delta while streaming at the end of 1,000 messages',
    `same in an empty chat (${sizeKb} KB, paced)`,
    'ratio',
    'long tasks while streaming',
    'final text',
  ];
  const rows: string[][] = [];
  for (const subject of [...new Set(samples.map((sample) => sample.subject))]) {
    const runs = samples.filter((sample) => sample.subject === subject);
    const baseline = empty.filter((sample) => sample.subject === subject && sample.mode === 'paced' && sample.sizeKb === sizeKb);
    const perDelta = runs.map(streamingPerDelta);
    const emptyPerDelta = median(baseline.map(streamingPerDelta));
    const loadTasks = runs.map(
      (run) => run.result.load?.longTasks.filter((task) => task.start <= (run.result.load?.interactiveAt ?? 0)) ?? [],
    );
    rows.push([
      subject,
      spread(runs.map((run) => run.result.load?.interactiveAt ?? Number.NaN)),
      `${loadTasks.map((tasks) => tasks.length).join('/')} (${Math.max(0, ...loadTasks.flat().map((task) => task.duration)).toFixed(0)})`,
      spread(perDelta),
      digits(emptyPerDelta),
      `${digits(median(perDelta) / emptyPerDelta)}×`,
      longTaskColumn(runs),
      textColumn(runs),
    ]);
  }
  return table(header, rows);
}
