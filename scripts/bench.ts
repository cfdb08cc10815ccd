/**
 * Markdown rendering benchmark (DESIGN.md §7), run with `npm run bench`.
 *
 * Streams a deterministic ~160 KB answer into an IncrementalRenderer in headless Chromium, as
 * fast as a fast wire delivers it (4–20 character chunks, many per animation frame, one update
 * per frame, like the element), on a page that enforces Trusted Types, and checks the budgets:
 *
 * - no long task (≥ 50 ms) while streaming;
 * - the renderer's main-thread scripting time for the streamed answer within a small constant
 *   factor of rendering the same answer once;
 * - the cost of an update does not grow with the length of the answer;
 * - every delta is painted within one frame of its arrival: the frame that renders it is the
 *   next one, and that frame's work (update, style, layout, paint) fits in a frame;
 * - the streamed DOM ends identical to the one-shot DOM, with no CSP violation or page error.
 *
 * Prints a table, writes `.bench/markdown.json`, exits 1 when a budget is exceeded (2 when the
 * benchmark itself failed). `BENCH_CHUNKS_PER_FRAME` changes the wire speed (default 24);
 * `BENCH_NO_CONTAINMENT=1` drops the group containment rule from the page (see bench-page.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { CDPSession } from 'playwright-core';
import { chunkAnswer, generateAnswer } from './bench-answer.js';
import type { FrameSample, LongTask, OnceResult, StreamResult } from './bench-page.js';
import { launchChromium } from '../test/support/chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHUNKS_PER_FRAME = Number(process.env['BENCH_CHUNKS_PER_FRAME'] ?? 24);
const CONTAINMENT = process.env['BENCH_NO_CONTAINMENT'] !== '1';
const ANSWER_LENGTH = 160_000;
const FRAME_MS = 1000 / 60;

/** The budgets. */
const BUDGET = {
  /** No task while streaming may reach this (the Long Tasks API threshold). */
  longTaskMs: 50,
  /**
   * Renderer scripting time, streamed over once. DESIGN.md §7 asks for "a small constant
   * factor"; measured 2.7–4.7× on this 2-core machine (noisy: the one-shot render is ~110 ms),
   * so the line is drawn at 6×. What must not happen is growth with length (`updateGrowth`).
   */
  scriptingRatio: 6,
  /** Median update() in the last fifth of the answer over the first fifth. */
  updateGrowth: 1.5,
  /** 95th percentile of the wait from a delta's arrival to the start of the frame rendering it. */
  waitMs: FRAME_MS + 1,
  /** 95th percentile of a frame's own work, from its start to the end of its paint. */
  frameMs: FRAME_MS,
};

/** The bench page enforces Trusted Types and allows only the policy the renderer declares. */
const CSP = ["default-src 'none'", "script-src 'self'", "require-trusted-types-for 'script'", 'trusted-types llm-chat'].join('; ');

interface Metrics {
  script: number;
  layout: number;
  style: number;
  task: number;
}

async function readMetrics(cdp: CDPSession): Promise<Metrics> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => (metrics.find((metric) => metric.name === name)?.value ?? 0) * 1000;
  return {
    script: value('ScriptDuration'),
    layout: value('LayoutDuration'),
    style: value('RecalcStyleDuration'),
    task: value('TaskDuration'),
  };
}

function since(before: Metrics, after: Metrics): Metrics {
  return {
    script: after.script - before.script,
    layout: after.layout - before.layout,
    style: after.style - before.style,
    task: after.task - before.task,
  };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [resolve(root, 'scripts/bench-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

async function serve(script: string): Promise<{ url: string; close: () => Promise<void> }> {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>markdown bench</title>' +
    '<script type="module" src="/bench.js"></script></head><body></body></html>';
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
      response.end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

/** One streamed run and what it measured. */
interface StreamRun {
  result: StreamResult;
  metrics: Metrics;
  longTasks: LongTask[];
}

interface Measurements {
  answer: string;
  chunks: string[];
  once: OnceResult[];
  onceMetrics: Metrics[];
  streams: StreamRun[];
  violations: string[];
  errors: string[];
}

/** Each phase runs this often; every figure reported is the median over the runs. */
const RUNS = 3;

async function measure(): Promise<Measurements> {
  const answer = generateAnswer(ANSWER_LENGTH);
  const chunks = chunkAnswer(answer);
  const warmAnswer = generateAnswer(20_000, 99);
  const warmChunks = chunkAnswer(warmAnswer, 98);
  const server = await serve(await bundlePage());
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.setDefaultTimeout(90_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') errors.push(message.text());
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.url}${CONTAINMENT ? '' : '#no-containment'}`);
    await page.waitForFunction(() => 'markdownBench' in window);

    // Warm the JIT on a different answer, so no measured run pays for compilation.
    await page.evaluate(([text, parts]) => window.markdownBench.warmUp(text, parts), [warmAnswer, warmChunks] as const);

    const once: OnceResult[] = [];
    const onceMetrics: Metrics[] = [];
    const streams: StreamRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      const beforeOnce = await readMetrics(cdp);
      once.push(await page.evaluate((text) => window.markdownBench.once(text), answer));
      onceMetrics.push(since(beforeOnce, await readMetrics(cdp)));

      const beforeStream = await readMetrics(cdp);
      const result = await page.evaluate(([parts, perFrame]) => window.markdownBench.stream(parts, perFrame), [
        chunks,
        CHUNKS_PER_FRAME,
      ] as const);
      const metrics = since(beforeStream, await readMetrics(cdp));
      const longTasks = (await page.evaluate(() => window.markdownBench.longTasks())).filter(
        (task) => task.startTime >= result.startedAt && task.startTime <= result.endedAt,
      );
      streams.push({ result, metrics, longTasks });
    }
    const violations = await page.evaluate(() => window.markdownBench.violations());
    return { answer, chunks, once, onceMetrics, streams, violations, errors };
  } finally {
    await browser.close();
    await server.close();
  }
}

interface Row {
  metric: string;
  value: string;
  budget?: string;
  ok?: boolean;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

/** The per-run figures of one streamed run. */
function summarize(run: StreamRun, onceMs: number) {
  const frames: FrameSample[] = run.result.frames;
  const fifth = Math.max(1, Math.floor(frames.length / 5));
  const early = frames.slice(0, fifth);
  const late = frames.slice(-fifth);
  const updates = frames.map((frame) => frame.updateMs);
  const earlyUpdate = median(early.map((frame) => frame.updateMs));
  const lateUpdate = median(late.map((frame) => frame.updateMs));
  const scripting = updates.reduce((sum, value) => sum + value, 0) + run.result.finishMs;
  const waits = frames.map((frame) => frame.waitMs);
  const work = frames.map((frame) => frame.frameMs);
  const latencies = frames.map((frame) => frame.latencyMs);
  const first = frames[0];
  return {
    updates: frames.length,
    frameInterval: run.result.frameIntervalMs,
    longTasks: run.longTasks.length,
    longestTask: Math.max(0, ...run.longTasks.map((task) => task.duration)),
    updateMax: Math.max(...updates),
    earlyUpdate,
    lateUpdate,
    growth: lateUpdate / Math.max(earlyUpdate, 0.05),
    scripting,
    scriptingRatio: scripting / onceMs,
    earlyWork: median(early.map((frame) => frame.frameMs)),
    lateWork: median(late.map((frame) => frame.frameMs)),
    firstWait: first?.waitMs ?? Infinity,
    firstWork: first?.frameMs ?? Infinity,
    firstLatency: first?.latencyMs ?? Infinity,
    waitP50: median(waits),
    waitP95: percentile(waits, 0.95),
    waitMax: Math.max(...waits),
    workP50: median(work),
    workP95: percentile(work, 0.95),
    workMax: Math.max(...work),
    latencyP50: median(latencies),
    latencyP95: percentile(latencies, 0.95),
    latencyMax: Math.max(...latencies),
    task: run.metrics.task,
    script: run.metrics.script,
    layout: run.metrics.layout,
    style: run.metrics.style,
  };
}

type Summary = ReturnType<typeof summarize>;

async function report(m: Measurements): Promise<number> {
  const onceMs = median(m.once.map((run) => run.renderMs));
  const runs = m.streams.map((run) => summarize(run, onceMs));
  const med = (pick: (summary: Summary) => number) => median(runs.map(pick));
  const onceMetric = (pick: (metrics: Metrics) => number) => median(m.onceMetrics.map(pick));
  const identical = m.streams.every((run) => run.result.html === m.once[0]?.html);
  const ms = (value: number, digits = 1) => `${value.toFixed(digits)} ms`;
  const growth = med((run) => run.growth);
  const ratio = med((run) => run.scriptingRatio);
  const longTasks = med((run) => run.longTasks);
  const firstWait = med((run) => run.firstWait);
  const firstWork = med((run) => run.firstWork);

  const rows: Row[] = [
    { metric: 'answer', value: `${(m.answer.length / 1024).toFixed(1)} KB in ${m.chunks.length} chunks of 4–20 chars` },
    { metric: 'wire speed', value: `${CHUNKS_PER_FRAME} chunks per frame, ${med((run) => run.updates)} updates` },
    { metric: 'group containment (CSS)', value: CONTAINMENT ? 'content-visibility: auto' : 'none' },
    { metric: 'frame interval', value: ms(med((run) => run.frameInterval)) },
    // Timings are wall-clock: other processes competing for the CPUs inflate them.
    { metric: 'machine load (1 min) / CPUs', value: `${loadavg()[0]?.toFixed(2)} / ${availableParallelism()}` },
    {
      metric: 'long tasks while streaming',
      value: `${longTasks} (per run: ${runs.map((run) => `${run.longTasks}/${run.longestTask.toFixed(0)} ms`).join(', ')})`,
      budget: `none ≥ ${BUDGET.longTaskMs} ms`,
      ok: longTasks === 0,
    },
    {
      metric: 'update() max',
      value: ms(
        med((run) => run.updateMax),
        2,
      ),
    },
    {
      metric: 'update() median, first / last fifth',
      value: `${ms(
        med((run) => run.earlyUpdate),
        2,
      )} / ${ms(
        med((run) => run.lateUpdate),
        2,
      )}`,
    },
    {
      metric: 'update() growth (last / first fifth)',
      value: `${growth.toFixed(2)}×`,
      budget: `≤ ${BUDGET.updateGrowth}×`,
      ok: growth <= BUDGET.updateGrowth,
    },
    { metric: 'renderer scripting, streamed', value: ms(med((run) => run.scripting)) },
    { metric: 'renderer scripting, once', value: ms(onceMs) },
    {
      metric: 'scripting ratio (streamed / once)',
      value: `${ratio.toFixed(2)}×`,
      budget: `≤ ${BUDGET.scriptingRatio}×`,
      ok: ratio <= BUDGET.scriptingRatio,
    },
    {
      metric: 'main thread, streamed (CDP)',
      value: `${ms(med((run) => run.task))} (script ${ms(med((run) => run.script))}, layout ${ms(med((run) => run.layout))}, style ${ms(med((run) => run.style))})`,
    },
    {
      metric: 'main thread, once (CDP)',
      value: `${ms(onceMetric((x) => x.task))} (layout ${ms(onceMetric((x) => x.layout))}, style ${ms(onceMetric((x) => x.style))})`,
    },
    { metric: 'frame work median, first / last fifth', value: `${ms(med((run) => run.earlyWork))} / ${ms(med((run) => run.lateWork))}` },
    {
      metric: 'first delta: wait + frame = paint',
      value: `${ms(firstWait)} + ${ms(firstWork)} = ${ms(med((run) => run.firstLatency))}`,
      budget: `wait ≤ ${BUDGET.waitMs.toFixed(1)}, frame ≤ ${BUDGET.frameMs.toFixed(1)}`,
      ok: firstWait <= BUDGET.waitMs && firstWork <= BUDGET.frameMs,
    },
    {
      metric: 'wait for frame p50 / p95 / max',
      value: `${ms(med((run) => run.waitP50))} / ${ms(med((run) => run.waitP95))} / ${ms(med((run) => run.waitMax))}`,
      budget: `p95 ≤ ${BUDGET.waitMs.toFixed(1)} ms`,
      ok: med((run) => run.waitP95) <= BUDGET.waitMs,
    },
    {
      metric: 'frame work p50 / p95 / max',
      value: `${ms(med((run) => run.workP50))} / ${ms(med((run) => run.workP95))} / ${ms(med((run) => run.workMax))}`,
      budget: `p95 ≤ ${BUDGET.frameMs.toFixed(1)} ms`,
      ok: med((run) => run.workP95) <= BUDGET.frameMs,
    },
    {
      metric: 'delta → paint p50 / p95 / max',
      value: `${ms(med((run) => run.latencyP50))} / ${ms(med((run) => run.latencyP95))} / ${ms(med((run) => run.latencyMax))}`,
    },
    { metric: 'streamed DOM = one-shot DOM (all runs)', value: identical ? 'yes' : 'NO', budget: 'yes', ok: identical },
    { metric: 'CSP / Trusted Types violations', value: String(m.violations.length), budget: '0', ok: m.violations.length === 0 },
    { metric: 'page errors and warnings', value: String(m.errors.length), budget: '0', ok: m.errors.length === 0 },
  ];

  const width = (pick: (row: Row) => string) => Math.max(...rows.map((row) => pick(row).length));
  const widths = [width((row) => row.metric), width((row) => row.value), width((row) => row.budget ?? '')];
  console.log(`\nMarkdown streaming benchmark — headless Chromium, Trusted Types enforced, median of ${RUNS} runs\n`);
  for (const row of rows) {
    const status = row.ok === undefined ? '' : row.ok ? 'ok' : 'OVER BUDGET';
    console.log(
      `${row.metric.padEnd(widths[0] ?? 0)}  ${row.value.padEnd(widths[1] ?? 0)}  ${(row.budget ?? '').padEnd(widths[2] ?? 0)}  ${status}`.trimEnd(),
    );
  }
  for (const line of [...m.violations, ...m.errors].slice(0, 10)) console.log(`  ! ${line}`);

  const failed = rows.filter((row) => row.ok === false).map((row) => row.metric);
  await mkdir(resolve(root, '.bench'), { recursive: true });
  const json = {
    date: new Date().toISOString(),
    load: loadavg(),
    cpus: availableParallelism(),
    budgets: BUDGET,
    answerChars: m.answer.length,
    chunks: m.chunks.length,
    chunksPerFrame: CHUNKS_PER_FRAME,
    containment: CONTAINMENT,
    onceMs: m.once.map((run) => run.renderMs),
    onceMainThread: m.onceMetrics,
    runs: runs.map((run, index) => ({ ...run, longTaskList: m.streams[index]?.longTasks ?? [] })),
    median: { longTasks, growth, scriptingRatio: ratio, firstWait, firstWork },
    identicalDom: identical,
    violations: m.violations,
    errors: m.errors,
    failed,
  };
  await writeFile(resolve(root, '.bench/markdown.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\n${failed.length === 0 ? 'All budgets met.' : `Over budget: ${failed.join(', ')}.`} Results in .bench/markdown.json`);
  return failed.length === 0 ? 0 : 1;
}

// The whole run takes about 45 s; anything near this means the browser is stuck.
const watchdog = setTimeout(() => {
  console.error('bench: timed out after 150 s');
  process.exit(2);
}, 150_000);
watchdog.unref();

measure()
  .then(report)
  .then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
