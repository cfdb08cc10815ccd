/**
 * The benchmark (`npm run bench`): the built embed in headless Chromium over a real streaming
 * HTTP response, against peers in the same run — a naive page re-rendering the whole answer
 * per delta (`naive-delta`), the same coalesced to one render per frame (`naive-frame`), and
 * deep-chat 2.4 (`deep-chat`).
 *
 * Scenarios, each repeated (subjects interleaved, so a change in the machine's load hits all):
 * - paced: 8, 40 and 160 KB answers at 64 characters per delta and 200 deltas per second;
 * - firehose: the same answers, each written to the connection in one go;
 * - long conversation: 1,000 messages restored from sessionStorage on load, then a 40 KB
 *   answer streamed at their end (compared per delta with the empty chat);
 * - llm-chat only: each answer shown finished at once (the one-shot baseline for the
 *   "streamed DOM = one-shot DOM" check and the streamed/once CPU ratio).
 *
 * Prints Markdown tables and the element's budget checks with the machine's load average,
 * writes `.bench/results.json`, exits 1 when a budget is exceeded (2 when the benchmark itself
 * failed). Environment: BENCH_REPS (default 3), BENCH_SIZES (KB, default 8,40,160),
 * BENCH_SUBJECTS (default all), BENCH_SCENARIOS (paced,firehose,long; default all).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEmbed } from '../test/e2e/browser.js';
import { launchChromium } from '../test/support/chromium.js';
import { cutDeltas, generateAnswer } from './bench/answer.js';
import { elementBudgets } from './bench/budgets.js';
import { checkText, expectedText } from './bench/correctness.js';
import { bundleScripts, renderPage } from './bench/pages.js';
import { longTable, streamTable, table } from './bench/report.js';
import type { LongSample, OnceSample, StreamSample } from './bench/report.js';
import { runOnce } from './bench/run.js';
import { startBenchServer } from './bench/server.js';
import { SUBJECTS } from './bench/subjects.js';
import type { SubjectName } from './bench/subjects.js';
import { generateTranscript } from './bench/transcript.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const list = (name: string, fallback: string) => (process.env[name] ?? fallback).split(',').map((item) => item.trim());
const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const SIZES = list('BENCH_SIZES', '8,40,160').map(Number);
const SUBJECT_LIST = list('BENCH_SUBJECTS', SUBJECTS.join(',')) as SubjectName[];
const SCENARIOS = list('BENCH_SCENARIOS', 'paced,firehose,long');
const DELTA_SIZE = 64;
const DELTAS_PER_SECOND = 200;
const LONG_ANSWER_KB = 40;
const RUN_TIMEOUT_MS = 400_000;

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

async function main(): Promise<number> {
  const startedAt = Date.now();
  const loadBefore = load();
  console.error(`bench: load average ${loadBefore} on ${availableParallelism()} CPUs; building the embed…`);
  const embed = await buildEmbed();
  const server = await startBenchServer({
    embedDir: embed.dir,
    scripts: await bundleScripts(),
    page: renderPage,
    deltaSize: DELTA_SIZE,
    deltasPerSecond: DELTAS_PER_SECOND,
  });
  const browser = await launchChromium();
  const streams: StreamSample[] = [];
  const once: OnceSample[] = [];
  const long: LongSample[] = [];
  try {
    const answers = new Map(SIZES.map((sizeKb) => [sizeKb, generateAnswer(sizeKb * 1024)]));
    for (const [sizeKb, text] of answers) server.setAnswer(String(sizeKb), text);
    const expected = new Map([...answers].map(([sizeKb, text]) => [sizeKb, expectedText(text)]));
    const deltas = (sizeKb: number) => cutDeltas(answers.get(sizeKb) ?? '', DELTA_SIZE).length;
    const progress = (label: string, seconds: number) =>
      console.error(`bench: ${label} (${seconds.toFixed(1)} s, load ${loadavg()[0]?.toFixed(2)})`);

    for (const mode of ['paced', 'firehose'] as const) {
      if (!SCENARIOS.includes(mode)) continue;
      for (const sizeKb of SIZES) {
        for (let rep = 1; rep <= REPS; rep++) {
          for (const subject of SUBJECT_LIST) {
            const began = Date.now();
            const result = await runOnce(browser, server.url, {
              subject,
              answerId: String(sizeKb),
              mode,
              timeoutMs: RUN_TIMEOUT_MS,
              ...(mode === 'paced' ? { deltas: deltas(sizeKb), deltasPerSecond: DELTAS_PER_SECOND } : {}),
            });
            const text = checkText(expected.get(sizeKb) ?? '', result.probe.text);
            streams.push({ subject, mode, sizeKb, deltas: deltas(sizeKb), result, text });
            progress(`${mode} ${sizeKb} KB run ${rep} ${subject}`, (Date.now() - began) / 1000);
          }
          if (mode === 'paced' && SUBJECT_LIST.includes('llm-chat')) {
            const result = await runOnce(browser, server.url, {
              subject: 'llm-chat',
              answerId: String(sizeKb),
              mode,
              once: answers.get(sizeKb) ?? '',
              timeoutMs: RUN_TIMEOUT_MS,
            });
            once.push({ sizeKb, result });
          }
        }
      }
    }

    if (SCENARIOS.includes('long')) {
      const transcript = generateTranscript(1000);
      const answerId = 'long';
      const text = answers.get(LONG_ANSWER_KB) ?? generateAnswer(LONG_ANSWER_KB * 1024);
      server.setAnswer(answerId, text);
      const reference = expectedText(text);
      for (let rep = 1; rep <= REPS; rep++) {
        for (const subject of SUBJECT_LIST) {
          const began = Date.now();
          const deltaCount = cutDeltas(text, DELTA_SIZE).length;
          const result = await runOnce(browser, server.url, {
            subject,
            answerId,
            mode: 'paced',
            transcript,
            timeoutMs: RUN_TIMEOUT_MS,
            deltas: deltaCount,
            deltasPerSecond: DELTAS_PER_SECOND,
          });
          long.push({ subject, sizeKb: LONG_ANSWER_KB, deltas: deltaCount, result, text: checkText(reference, result.probe.text) });
          progress(`1,000 messages run ${rep} ${subject}`, (Date.now() - began) / 1000);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
    embed.cleanup();
  }

  const loadAfter = load();
  const lines: string[] = [];
  lines.push(
    `Machine: ${availableParallelism()} CPUs, load average (1, 5, 15 min) ${loadBefore} before and ${loadAfter} after; ` +
      `${REPS} runs each, median (min–max); ${DELTA_SIZE} characters per delta, ${DELTAS_PER_SECOND} deltas per second.`,
  );
  for (const mode of ['paced', 'firehose'] as const) {
    if (!streams.some((sample) => sample.mode === mode)) continue;
    lines.push('', mode === 'paced' ? '### Streaming, paced' : '### Streaming, firehose (the whole answer in one network write)', '');
    lines.push(streamTable(streams, mode));
  }
  if (long.length > 0) {
    lines.push('', '### 1,000 messages restored, then an answer streamed at their end', '');
    lines.push(longTable(long, streams));
  }
  const checks = elementBudgets(streams, once, long);
  lines.push('', '### llm-chat budgets', '');
  lines.push(
    table(
      ['check', 'measured', 'budget', ''],
      checks.map((check) => [check.name, check.value, check.budget, check.ok ? 'ok' : 'OVER BUDGET']),
    ),
  );
  console.log(lines.join('\n'));

  await mkdir(resolve(root, '.bench'), { recursive: true });
  const strip = <T extends { result: { probe: { html?: string | undefined; text: string } } }>(sample: T) => ({
    ...sample,
    result: { ...sample.result, probe: { ...sample.result.probe, html: undefined, text: sample.result.probe.text.slice(0, 200) } },
  });
  await writeFile(
    resolve(root, '.bench/results.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        load: { before: loadBefore, after: loadAfter },
        cpus: availableParallelism(),
        minutes: (Date.now() - startedAt) / 60_000,
        streams: streams.map(strip),
        once: once.map(strip),
        long: long.map(strip),
        checks,
      },
      null,
      2,
    )}\n`,
  );
  const failed = checks.filter((check) => !check.ok);
  console.log(`\n${failed.length === 0 ? 'All budgets met.' : `Over budget: ${failed.map((check) => check.name).join('; ')}.`}`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
