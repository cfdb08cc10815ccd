/**
 * Browser side of the highlighting benchmark (bundled by scripts/bench-highlight.ts). Exposes
 * `window.highlightBench`; each call renders one answer with a long code block into a shadow
 * root, as the element does, and measures how highlighting it used the main thread.
 */
import * as chunk from '../src/markdown/highlight-engine.js';
import { HighlightQueue, IncrementalRenderer } from '../src/markdown/index.js';
import { longCode } from '../test/markdown/highlight-samples.js';

export type BenchLanguage = 'typescript' | 'python' | 'xml';

/** Result of {@link HighlightBench.block}. */
export interface BlockResult {
  language: string;
  lines: number;
  characters: number;
  /** From `finish()` to the last run applied. */
  wallMs: number;
  /** Time spent inside the highlighter, summed over its runs. */
  highlightMs: number;
  /** Runs highlighted (a run that ended inside a comment and was retried longer counts twice). */
  runs: number;
  /** The longest single run. */
  longestRunMs: number;
  /** How long `finish()` took (rendering the block, before any highlighting). */
  finishMs: number;
  /** Long tasks (≥ 50 ms) after `finish()` until the highlighted block was painted. */
  longTasks: number[];
  /** Colored spans in the result. */
  spans: number;
}

export interface HighlightBench {
  block(language: BenchLanguage, lines: number): Promise<BlockResult>;
  /** Highlighting the whole block in one call, as a highlighter without runs would. */
  oneShot(language: BenchLanguage, lines: number): number;
  violations(): string[];
}

declare global {
  interface Window {
    highlightBench: HighlightBench;
  }
}

const longTasks: Array<{ startTime: number; duration: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ startTime: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

/** Long animation frames: where the time of a long frame went (scripts vs. style and layout). */
const frames: Array<{ startTime: number; duration: number; script: number; layout: number }> = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries() as unknown as Array<{
    startTime: number;
    duration: number;
    styleAndLayoutStart: number;
    renderStart: number;
    scripts: Array<{ duration: number }>;
  }>) {
    const layout = entry.styleAndLayoutStart > 0 ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0;
    frames.push({
      startTime: entry.startTime,
      duration: entry.duration,
      script: entry.scripts.reduce((sum, script) => sum + script.duration, 0),
      layout,
    });
  }
}).observe({ type: 'long-animation-frame', buffered: true });
(window as unknown as { frames: typeof frames }).frames = frames;

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective}: ${event.sample}`));

function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

async function block(language: BenchLanguage, lines: number): Promise<BlockResult> {
  document.body.replaceChildren();
  const host = document.createElement('div');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const container = document.createElement('div');
  root.append(container);
  const timings: number[] = [];
  const queue = new HighlightQueue({
    load: () =>
      Promise.resolve({
        HighlightRunner: chunk.HighlightRunner,
        highlightSegment: (doc, code, name) => {
          const start = performance.now();
          const result = chunk.highlightSegment(doc, code, name);
          timings.push(performance.now() - start);
          return result;
        },
      }),
  });
  const code = longCode(lines, language);
  const renderer = new IncrementalRenderer(container, { highlighter: queue });
  renderer.update(`Here is the file:\n\n\`\`\`${language}\n${code}\`\`\`\n`);
  await afterPaint();
  const finishStart = performance.now();
  renderer.finish();
  const startedAt = performance.now();
  await renderer.whenHighlighted();
  const wallMs = performance.now() - startedAt;
  await afterPaint();
  await afterPaint();
  const result: BlockResult = {
    language,
    lines,
    characters: code.length,
    wallMs,
    finishMs: startedAt - finishStart,
    highlightMs: timings.reduce((sum, time) => sum + time, 0),
    runs: timings.length,
    longestRunMs: Math.max(0, ...timings),
    longTasks: longTasks.filter((task) => task.startTime + task.duration > startedAt).map((task) => task.duration),
    spans: container.querySelectorAll('code [class^="hl-"]').length,
  };
  renderer.destroy();
  return result;
}

function oneShot(language: BenchLanguage, lines: number): number {
  const code = longCode(lines, language);
  const start = performance.now();
  chunk.highlightSegment(document, code, language);
  return performance.now() - start;
}

window.highlightBench = { block, oneShot, violations: () => [...violations] };
