/**
 * One measured run: a fresh browser context (cold caches, cold JIT, as a user's first answer
 * on a page), the subject's page, one answer streamed (or, for llm-chat's baseline, shown at
 * once), and everything the probe and the DevTools protocol saw.
 *
 * Main-thread CPU is CDP `Performance.getMetrics` `ThreadTime` (the renderer main thread's
 * CPU time, which other processes on a loaded machine do not inflate the way they inflate
 * wall-clock durations); peak heap is the largest `JSHeapUsedSize` sampled every 250 ms.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { LoadProbe, StreamProbe } from './probe.js';
import type { SubjectName } from './subjects.js';

export interface RunSpec {
  subject: SubjectName;
  answerId: string;
  mode: 'paced' | 'firehose';
  /** Messages seeded into sessionStorage before load (a reload of a long conversation). */
  transcript?: { role: string; content: string }[];
  /** llm-chat only: show the answer finished at once instead of streaming it. */
  once?: string;
  /** Give up after this long. */
  timeoutMs: number;
  /** Paced runs: the answer's deltas and their rate, for the per-delta cost while streaming. */
  deltas?: number;
  deltasPerSecond?: number;
}

export interface RunResult {
  cpuMs: number;
  /**
   * CPU from the first text on screen to the end, and the deltas that arrived in that time:
   * the cost of streaming itself, without sending the request (which carries the history).
   */
  streaming?: { cpuMs: number; deltas: number };
  peakHeapBytes: number;
  probe: StreamProbe;
  /** For runs with a transcript: what loading it measured, and when the page was interactive. */
  load?: LoadProbe & { interactiveAt: number };
  errors: string[];
  timedOut: boolean;
}

const PROMPT = 'Write the long technical answer.';
/** An answer is complete when its stream ended and its DOM has not changed for this long. */
const QUIET_MS = 1000;

async function metric(cdp: CDPSession, names: string[]): Promise<number[]> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return names.map((name) => metrics.find((entry) => entry.name === name)?.value ?? 0);
}

/**
 * Waits until the main thread is nearly idle: under 10 % busy over half a second (the probe's
 * own frame loop takes a few per cent), at most 8 s.
 */
async function settle(cdp: CDPSession): Promise<void> {
  const deadline = Date.now() + 8_000;
  let [last = 0] = await metric(cdp, ['ThreadTime']);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [now = 0] = await metric(cdp, ['ThreadTime']);
    if (now - last < 0.05) return;
    last = now;
  }
}

async function waitFor(page: Page, predicate: () => boolean, timeoutMs: number): Promise<void> {
  await page.waitForFunction(predicate, undefined, { timeout: timeoutMs, polling: 50 });
}

/**
 * Load time to interactive, after the classic definition: the end of the last long task
 * before a quiet window (no long task for `quietMs`), and never before the transcript is shown.
 */
async function measureLoad(page: Page, quietMs: number, timeoutMs: number): Promise<LoadProbe & { interactiveAt: number }> {
  await waitFor(page, () => window.__bench.loadProbe().contentAt !== undefined, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const probe = await page.evaluate(() => window.__bench.loadProbe());
    const now = await page.evaluate(() => performance.now());
    const lastEnd = Math.max(0, ...probe.longTasks.map((task) => task.start + task.duration));
    const interactiveAt = Math.max(probe.contentAt ?? 0, lastEnd);
    if (now - interactiveAt >= quietMs || Date.now() > deadline) return { ...probe, interactiveAt };
    await page.waitForTimeout(100);
  }
}

export async function runOnce(browser: Browser, baseUrl: string, spec: RunSpec): Promise<RunResult> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const errors: string[] = [];
  try {
    if (spec.transcript) {
      const key = spec.subject === 'llm-chat' ? 'llm-chat:bench:transcript' : 'bench-transcript';
      const value = JSON.stringify(spec.transcript);
      await context.addInitScript(([storageKey, stored]) => sessionStorage.setItem(storageKey, stored), [key, value] as const);
    }
    const page = await context.newPage();
    page.setDefaultTimeout(spec.timeoutMs);
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const query = new URLSearchParams({ answer: spec.answerId, mode: spec.mode, transcript: String(spec.transcript?.length ?? 0) });
    await page.goto(`${baseUrl}/page/${spec.subject}?${query}`);
    await waitFor(page, () => '__bench' in window && window.__bench.ready(), spec.timeoutMs);
    const load = spec.transcript ? await measureLoad(page, 1500, spec.timeoutMs) : undefined;
    // A user reads the page before sending: start-up work (idle callbacks, a transcript
    // rendered in the background) is over by then.
    await settle(cdp);

    const [cpuBefore = 0, heapBefore = 0] = await metric(cdp, ['ThreadTime', 'JSHeapUsedSize']);
    let peakHeapBytes = heapBefore;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [heap = 0] = await metric(cdp, ['JSHeapUsedSize']).catch(() => [0]);
        peakHeapBytes = Math.max(peakHeapBytes, heap);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    if (spec.once !== undefined) {
      await page.evaluate(([prompt, answer]) => window.__bench.showFinished(prompt, answer), [PROMPT, spec.once] as const);
    } else {
      await page.evaluate((prompt) => window.__bench.send(prompt), PROMPT);
    }
    let timedOut = false;
    let steadyFrom: { cpu: number; at: number } | undefined;
    if (spec.once === undefined) {
      await page
        .waitForFunction(() => window.__bench.streamProbe().firstTextAt !== undefined, undefined, { timeout: spec.timeoutMs, polling: 20 })
        .then(async () => {
          const [cpu = 0] = await metric(cdp, ['ThreadTime']);
          steadyFrom = { cpu, at: await page.evaluate(() => performance.now()) };
        })
        .catch(() => undefined);
    }
    try {
      const streamed = spec.once === undefined;
      await page.waitForFunction(
        ([quiet, needsResponse]) => {
          const bench = window.__bench;
          const ended = !needsResponse || performance.getEntriesByType('resource').some((entry) => entry.name.includes('/api/'));
          return ended && bench.quietFor() >= quiet;
        },
        [QUIET_MS, streamed] as const,
        { timeout: spec.timeoutMs, polling: 250 },
      );
    } catch {
      timedOut = true;
    }
    const [cpuAfter = 0] = await metric(cdp, ['ThreadTime']);
    sampling = false;
    await sampler;
    const probe = await page.evaluate(() => window.__bench.streamProbe());
    const streaming =
      steadyFrom && probe.bytesInJsAt !== undefined && spec.deltas !== undefined && spec.deltasPerSecond !== undefined
        ? {
            cpuMs: (cpuAfter - steadyFrom.cpu) * 1000,
            // Paced deltas arrive at a known rate from the first one on.
            deltas: spec.deltas - Math.min(spec.deltas, Math.ceil(((steadyFrom.at - probe.bytesInJsAt) * spec.deltasPerSecond) / 1000) + 1),
          }
        : undefined;
    return {
      cpuMs: (cpuAfter - cpuBefore) * 1000,
      ...(streaming ? { streaming } : {}),
      peakHeapBytes,
      probe,
      ...(load ? { load } : {}),
      errors,
      timedOut,
    };
  } finally {
    await context.close();
  }
}
