/**
 * Browser side of the benchmark, loaded as a classic script before anything else on every
 * subject's page (bundled by scripts/bench/pages.ts). It measures from outside, the same way
 * for every subject:
 *
 * - when the first response bytes reach JavaScript (`ReadableStreamDefaultReader.read` is
 *   wrapped before any subject code runs);
 * - when the answer's first text enters the DOM, and when it and the last change are painted
 *   (a MutationObserver on the subject's root, and a frame-end probe);
 * - long tasks, and the longest gap between animation frames (a rAF loop);
 * - the answer's final text, for the correctness check.
 *
 * The frame-end probe: this script's rAF callback is registered a frame ahead, so it runs
 * before any callback a subject registers for the same frame; it posts a message, which runs
 * after that frame's style, layout and paint. A DOM change made before that message (in a
 * task, or in a rAF callback of the same frame) is painted by the time it runs.
 */
import { subjectGlue } from './subjects.js';
import type { SubjectName } from './subjects.js';

export interface LongTask {
  start: number;
  duration: number;
}

/** A long animation frame and what ran in it (for finding where time goes; not a budget). */
export interface LongFrame {
  start: number;
  duration: number;
  /** Style and layout time of the frame. */
  renderMs: number;
  scripts: { invoker: string; source: string; duration: number; forcedLayoutMs: number }[];
}

/** What one streamed answer measured, all times from `performance.timeOrigin`. */
export interface StreamProbe {
  sendAt: number;
  /** First response body bytes returned by a reader (the first delta arrives in JavaScript). */
  bytesInJsAt: number | undefined;
  firstTextAt: number | undefined;
  firstPaintAt: number | undefined;
  lastChangeAt: number | undefined;
  lastPaintAt: number | undefined;
  /** Resource Timing of the streaming request. */
  responseStart: number | undefined;
  responseEnd: number | undefined;
  longTasks: LongTask[];
  longFrames: LongFrame[];
  /** Longest interval between two animation frames in [sendAt, lastPaintAt]. */
  longestFrameGap: number;
  /** The answer's text content, whitespace collapsed. */
  text: string;
  /** The answer's markup (llm-chat only, for the streamed = one-shot check). */
  html: string | undefined;
  /** Animation frames that started between the bytes reaching JavaScript and the first paint. */
  framesToFirstPaint: number | undefined;
  violations: string[];
}

/** What loading a long transcript measured. */
export interface LoadProbe {
  /** When the last restored message's text was in the DOM. */
  contentAt: number | undefined;
  longTasks: LongTask[];
  violations: string[];
}

export interface BenchProbe {
  subject: SubjectName;
  /** Starts observing and sends `prompt` through the subject's own API. */
  send(prompt: string): void;
  /** Starts observing and shows `answer` finished at once (llm-chat only). */
  showFinished(prompt: string, answer: string): void;
  ready(): boolean;
  /** Milliseconds since the last change to the answer (Infinity before the first). */
  quietFor(): number;
  streamProbe(): StreamProbe;
  loadProbe(): LoadProbe;
  /** Whether the composer takes input and the last restored message is shown. */
  restored(): boolean;
}

declare global {
  interface Window {
    __bench: BenchProbe;
  }
}

const subject = (document.querySelector('meta[name="bench-subject"]')?.getAttribute('content') ?? 'llm-chat') as SubjectName;
const glue = subjectGlue(subject);

const longTasks: LongTask[] = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) longTasks.push({ start: entry.startTime, duration: entry.duration });
}).observe({ type: 'longtask', buffered: true });

interface LoafEntry extends PerformanceEntry {
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { invoker: string; sourceURL: string; sourceFunctionName: string; duration: number; forcedStyleAndLayoutDuration: number }[];
}
const longFrames: LongFrame[] = [];
if (PerformanceObserver.supportedEntryTypes.includes('long-animation-frame')) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as LoafEntry[]) {
      longFrames.push({
        start: entry.startTime,
        duration: entry.duration,
        renderMs: entry.styleAndLayoutStart ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0,
        scripts: entry.scripts.map((script) => ({
          invoker: script.invoker,
          source: `${script.sourceFunctionName}@${script.sourceURL.split('/').pop() ?? ''}`,
          duration: script.duration,
          forcedLayoutMs: script.forcedStyleAndLayoutDuration,
        })),
      });
    }
  }).observe({ type: 'long-animation-frame', buffered: true });
}

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => {
  violations.push(`${event.violatedDirective}: ${event.blockedURI} ${event.sample}`);
});

let sendAt = Infinity;
let bytesInJsAt: number | undefined;
const read = ReadableStreamDefaultReader.prototype.read;
ReadableStreamDefaultReader.prototype.read = function (this: ReadableStreamDefaultReader) {
  const result = read.call(this) as Promise<ReadableStreamReadResult<unknown>>;
  if (bytesInJsAt === undefined && performance.now() >= sendAt) {
    void result.then((chunk) => {
      if (!chunk.done && bytesInJsAt === undefined) bytesInJsAt = performance.now();
    });
  }
  return result;
} as typeof read;

const frames: number[] = [];
let frameSeq = 0;
/** True from this script's rAF callback until layout of the same frame is done. */
let renderPhase = false;
/** The frame whose paint shows the latest change to the answer. */
let changePaintedBy: number | undefined;
/** The frame whose paint shows the answer's first text (later changes do not move it). */
let firstTextPaintedBy: number | undefined;
let firstTextAt: number | undefined;
let firstPaintAt: number | undefined;
let lastChangeAt: number | undefined;
let lastPaintAt: number | undefined;

// Resize observations are delivered after a frame's rAF callbacks and layout, before its
// paint: a change seen before then is painted in this frame, one seen after it in the next.
const sentinel = document.createElement('div');
sentinel.style.cssText = 'position:fixed;left:-10px;top:0;width:1px;height:1px;contain:strict;pointer-events:none';
new ResizeObserver(() => {
  renderPhase = false;
}).observe(sentinel);
addEventListener('DOMContentLoaded', () => document.body.append(sentinel));

const channel = new MessageChannel();
channel.port1.onmessage = (event: MessageEvent<number>) => {
  if (firstTextPaintedBy !== undefined && firstPaintAt === undefined && firstTextPaintedBy <= event.data) firstPaintAt = performance.now();
  if (changePaintedBy === undefined || changePaintedBy > event.data) return;
  changePaintedBy = undefined;
  lastPaintAt = performance.now();
};
// Callback times rather than the frame's timestamp: a frame whose vsync preceded the bytes'
// arrival can still run after them, and does render them.
const loop = () => {
  const now = performance.now();
  if (now >= sendAt) frames.push(now);
  frameSeq++;
  renderPhase = true;
  sentinel.style.width = sentinel.style.width === '1px' ? '2px' : '1px';
  // Runs after this frame's paint.
  channel.port2.postMessage(frameSeq);
  requestAnimationFrame(loop);
};
requestAnimationFrame(loop);

let answerIndex = 0;
let answerElement: Element | null = null;
/** The streamed answer's element, looked up again only if the subject replaced it. */
function currentAnswer(): Element | null {
  if (!answerElement?.isConnected) answerElement = glue.answer(answerIndex);
  return answerElement;
}
const observer = new MutationObserver((records) => {
  const answer = currentAnswer();
  if (!answer || !records.some((record) => answer.contains(record.target))) return;
  const now = performance.now();
  if (firstTextAt === undefined) {
    if ((answer.textContent ?? '').trim() === '') return;
    firstTextAt = now;
  }
  lastChangeAt = now;
  changePaintedBy = renderPhase ? frameSeq : frameSeq + 1;
  firstTextPaintedBy ??= changePaintedBy;
});

function observe(): void {
  answerIndex = glue.assistantCount();
  answerElement = null;
  const root = glue.root();
  if (!root) throw new Error(`bench: ${subject} has no root to observe`);
  observer.observe(root, { childList: true, subtree: true, characterData: true });
  sendAt = performance.now();
}

function send(prompt: string): void {
  observe();
  glue.send(prompt);
}

function showFinished(prompt: string, answer: string): void {
  if (!glue.showFinished) throw new Error(`bench: ${subject} has no one-shot mode`);
  observe();
  // setMessages replaces the transcript: the answer is the first assistant message.
  answerIndex = 0;
  glue.showFinished(prompt, answer);
}

function streamProbe(): StreamProbe {
  const entry = performance
    .getEntriesByType('resource')
    .find((resource): resource is PerformanceResourceTiming => resource.name.includes('/api/') && resource.startTime >= sendAt - 1);
  const end = lastPaintAt ?? performance.now();
  const window = frames.filter((time) => time >= sendAt && time <= end);
  let longestFrameGap = 0;
  for (let index = 1; index < window.length; index++) {
    longestFrameGap = Math.max(longestFrameGap, (window[index] ?? 0) - (window[index - 1] ?? 0));
  }
  return {
    sendAt,
    bytesInJsAt,
    firstTextAt,
    firstPaintAt,
    lastChangeAt,
    lastPaintAt,
    responseStart: entry?.responseStart,
    responseEnd: entry?.responseEnd,
    longTasks: longTasks.filter((task) => task.start + task.duration >= sendAt && task.start <= end),
    longFrames: longFrames.filter((frame) => frame.start + frame.duration >= sendAt && frame.start <= end),
    longestFrameGap,
    text: (currentAnswer()?.textContent ?? '').replace(/\s+/g, ' ').trim(),
    html: subject === 'llm-chat' ? currentAnswer()?.innerHTML : undefined,
    framesToFirstPaint:
      bytesInJsAt === undefined || firstPaintAt === undefined
        ? undefined
        : frames.filter((time) => time > (bytesInJsAt ?? 0) && time <= (firstPaintAt ?? 0)).length,
    violations: [...violations],
  };
}

let contentAt: number | undefined;
// Checked once per frame: a restore done in one long task is seen right after it, and
// "interactive" is judged from the long tasks anyway.
const contentWatch = () => {
  if (glue.restored()) contentAt = performance.now();
  else requestAnimationFrame(contentWatch);
};
requestAnimationFrame(contentWatch);

window.__bench = {
  subject,
  send,
  showFinished,
  ready: () => glue.ready(),
  quietFor: () => (lastChangeAt === undefined ? Infinity : performance.now() - lastChangeAt),
  streamProbe,
  loadProbe: () => ({ contentAt, longTasks: [...longTasks], violations: [...violations] }),
  restored: () => glue.restored(),
};
