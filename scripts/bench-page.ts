/**
 * Browser side of the markdown benchmark (bundled by scripts/bench.ts). Exposes
 * `window.markdownBench` with one function per phase so the Node side can read Chrome's
 * main-thread metrics between phases.
 */
import { IncrementalRenderer } from '../src/markdown/index.js';

/** One animation frame of the streamed render. */
export interface FrameSample {
  /** When the frame started (performance.now()). */
  at: number;
  /** Characters rendered so far. */
  textLength: number;
  /** Deltas coalesced into this frame. */
  chunks: number;
  /** Duration of `update()`. */
  updateMs: number;
  /** From the arrival of the oldest delta in this frame to the end of the frame's paint. */
  latencyMs: number;
  /** From that arrival to the start of the frame that rendered it (the wait for vsync). */
  waitMs: number;
  /** From the start of the frame to the end of its paint: update, style, layout, paint. */
  frameMs: number;
}

/** Result of {@link MarkdownBench.stream}. */
export interface StreamResult {
  frames: FrameSample[];
  finishMs: number;
  /** Median interval between animation frames while streaming. */
  frameIntervalMs: number;
  startedAt: number;
  endedAt: number;
  html: string;
}

/** Result of {@link MarkdownBench.once}. */
export interface OnceResult {
  renderMs: number;
  startedAt: number;
  endedAt: number;
  html: string;
}

export interface LongTask {
  startTime: number;
  duration: number;
}

export interface MarkdownBench {
  warmUp(text: string, chunks: string[]): Promise<void>;
  once(text: string): Promise<OnceResult>;
  stream(chunks: string[], chunksPerFrame: number): Promise<StreamResult>;
  longTasks(): LongTask[];
  violations(): string[];
}

declare global {
  interface Window {
    markdownBench: MarkdownBench;
  }
}

/**
 * The containment the element's stylesheet applies to groups of finished blocks: off-screen
 * groups skip style, layout and paint, so a frame's rendering work stays flat as the answer
 * grows (without it, pre-paint and compositing walk every block each frame). Set
 * BENCH_NO_CONTAINMENT=1 to measure without it.
 */
if (!location.hash.includes('no-containment')) {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync('.markdown-group { content-visibility: auto; contain-intrinsic-size: auto 600px; }');
  document.adoptedStyleSheets = [sheet];
}

const longTasks: LongTask[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ startTime: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective}: ${event.blockedURI} ${event.sample}`);
});

/** Resolves after the current frame has been rendered and painted. */
function afterPaint(): Promise<number> {
  return new Promise((resolve) => {
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    });
  });
}

function freshContainer(): HTMLElement {
  document.body.replaceChildren();
  const container = document.createElement('div');
  container.className = 'answer';
  document.body.append(container);
  return container;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The one-shot baseline: the whole answer rendered in one update. */
async function once(text: string): Promise<OnceResult> {
  const container = freshContainer();
  await afterPaint();
  const startedAt = performance.now();
  const renderer = new IncrementalRenderer(container);
  renderer.update(text);
  renderer.finish();
  const renderMs = performance.now() - startedAt;
  await afterPaint();
  const endedAt = performance.now();
  // Code blocks are highlighted in idle slices after they are placed; compare once settled.
  await renderer.whenHighlighted();
  const html = container.innerHTML;
  renderer.destroy();
  return { renderMs, startedAt, endedAt, html };
}

/**
 * Streams the chunks as a fast wire would deliver them: `chunksPerFrame` chunks per 16.7 ms,
 * arriving in timer tasks between frames. Like the element, every arrival requests at most one
 * animation frame, and the frame renders everything that arrived since the previous one.
 */
async function stream(chunks: string[], chunksPerFrame: number): Promise<StreamResult> {
  const container = freshContainer();
  await afterPaint();
  const renderer = new IncrementalRenderer(container);
  const frames: FrameSample[] = [];
  const frameTimes: number[] = [];
  const msPerChunk = 1000 / 60 / chunksPerFrame;
  const startedAt = performance.now();
  let delivered = 0;
  let rendered = 0;
  let text = '';
  let oldestArrival: number | undefined;
  let frameRequested = false;

  return new Promise((resolve) => {
    const channel = new MessageChannel();
    let pending: { sample: FrameSample; arrival: number; frameStart: number } | undefined;
    channel.port1.onmessage = () => {
      if (!pending) return;
      const paintedAt = performance.now();
      pending.sample.latencyMs = paintedAt - pending.arrival;
      pending.sample.frameMs = paintedAt - pending.frameStart;
      frames.push(pending.sample);
      pending = undefined;
      if (rendered === chunks.length) {
        const finishStart = performance.now();
        renderer.finish();
        const finishMs = performance.now() - finishStart;
        const endedAt = performance.now();
        // Serializing 160 KB of DOM for the comparison is the harness's work, not the
        // renderer's: do it in a later task, outside the measured window.
        setTimeout(async () => {
          await renderer.whenHighlighted();
          const html = container.innerHTML;
          renderer.destroy();
          const intervals = frameTimes.slice(1).map((time, index) => time - (frameTimes[index] ?? time));
          resolve({ frames, finishMs, frameIntervalMs: median(intervals), startedAt, endedAt, html });
        }, 0);
      }
    };

    const frame = (time: number) => {
      frameRequested = false;
      frameTimes.push(time);
      // `time` is when this frame began (its vsync), which can precede this callback.
      const arrival = oldestArrival ?? time;
      oldestArrival = undefined;
      const count = delivered - rendered;
      const start = performance.now();
      renderer.update(text);
      const updateMs = performance.now() - start;
      rendered = delivered;
      const sample = {
        at: time,
        textLength: text.length,
        chunks: count,
        updateMs,
        latencyMs: 0,
        waitMs: Math.max(0, time - arrival),
        frameMs: 0,
      };
      pending = { sample, arrival, frameStart: Math.min(time, start) };
      channel.port2.postMessage(null);
    };

    const deliver = () => {
      const now = performance.now();
      const due = Math.min(chunks.length, Math.floor((now - startedAt) / msPerChunk) + 1);
      if (due > delivered) {
        while (delivered < due) text += chunks[delivered++];
        oldestArrival ??= now;
        if (!frameRequested) {
          frameRequested = true;
          requestAnimationFrame(frame);
        }
      }
      if (delivered < chunks.length) setTimeout(deliver, 1);
    };
    deliver();
  });
}

async function warmUp(text: string, chunks: string[]): Promise<void> {
  await once(text);
  await stream(chunks, 200);
}

window.markdownBench = {
  warmUp,
  once,
  stream,
  longTasks: () => [...longTasks],
  violations: () => [...violations],
};
