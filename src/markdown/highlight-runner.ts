import type { HighlightedSegment } from './highlight-engine.js';
import { adoptHighlightTheme } from './highlight-theme.js';

/** A code block to highlight. */
export interface HighlightJob {
  code: Element;
  /** The element the code must still be inside; otherwise it was replaced and is skipped. */
  owner: Node;
  /** The language, as the fence names it. */
  language: string;
}

/** Runs `slice` later, when the main thread has time. */
export type HighlightScheduler = (slice: () => void) => void;

/** Options for {@link HighlightRunner}. */
export interface HighlightRunnerOptions {
  /** Highlights a run of code (`highlightSegment` of the engine). */
  highlight: (doc: Document, code: string, language: string) => HighlightedSegment | undefined;
  /** @defaultValue `requestIdleCallback` (at most 1 s late), else `setTimeout` */
  schedule?: HighlightScheduler | undefined;
  /** Milliseconds of highlighting per slice, before yielding to the page. @defaultValue 8 */
  sliceMs?: number | undefined;
  /** @defaultValue `performance.now` */
  now?: (() => number) | undefined;
}

/**
 * Code longer than this, or with a line longer than {@link MAX_LINE_LENGTH}, stays plain: the
 * spans alone would weigh more than the page, and a line is never split.
 */
export const MAX_CODE_LENGTH = 200_000;
export const MAX_LINE_LENGTH = 5_000;
/**
 * Code is highlighted in runs of whole lines of about this many characters, so no single step
 * takes long (a few milliseconds for TypeScript, the slowest grammar: `npm run bench:highlight`).
 */
export const SEGMENT_LENGTH = 4_096;
/**
 * A run that ends inside a comment or string grows until it ends outside, by 256 characters,
 * then twice as many each time (most such constructs are a few lines long), up to this length.
 */
export const MAX_SEGMENT_LENGTH = 16_384;
const FIRST_GROWTH = 256;

interface Run extends HighlightJob {
  text: string;
  /** Where the next run starts, where it is tried to end, and by how much it grows next. */
  offset: number;
  end: number;
  growth: number;
  /** The code not highlighted yet, as one text node; set by the first step. */
  rest: Text | undefined;
}

/**
 * Highlights code blocks one after another, in slices of a few milliseconds between which the
 * page renders and handles input, so even a 2,000-line block never makes a long task. A block
 * is highlighted in runs of whole lines, each replacing its part of the plain text; a run that
 * would end inside a comment or string grows until it does not, so the result is what
 * highlighting the whole block at once gives.
 */
export class HighlightRunner {
  readonly #highlight: HighlightRunnerOptions['highlight'];
  readonly #schedule: HighlightScheduler;
  readonly #sliceMs: number;
  readonly #now: () => number;
  #runs: Run[] = [];
  #scheduled = false;
  #waiters: Array<() => void> = [];

  constructor(options: HighlightRunnerOptions) {
    this.#highlight = options.highlight;
    this.#schedule = options.schedule ?? defaultScheduler;
    this.#sliceMs = options.sliceMs ?? 8;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Queues a code block; it is highlighted once, unless it is too large or leaves its owner
   * before its turn.
   *
   * @param job - the block
   */
  add(job: HighlightJob): void {
    const text = job.code.textContent ?? '';
    if (!highlightable(text)) return;
    this.#runs.push({ ...job, text, offset: 0, end: lineEnd(text, SEGMENT_LENGTH), growth: FIRST_GROWTH, rest: undefined });
    this.#pump();
  }

  /** Resolves once every block added so far is highlighted or skipped. */
  settled(): Promise<void> {
    if (this.#runs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #pump(): void {
    if (this.#runs.length === 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      const deadline = this.#now() + this.#sliceMs;
      do this.#step();
      while (this.#runs.length > 0 && this.#now() < deadline);
      this.#pump();
    });
  }

  /** Highlights the next run of the first block. */
  #step(): void {
    const run = this.#runs[0];
    if (!run) return;
    const { code, text } = run;
    if (!run.owner.contains(code)) {
      this.#runs.shift();
      return;
    }
    const doc = code.ownerDocument;
    if (!run.rest) {
      // The parser may have split long text into several nodes; runs are cut from one.
      run.rest = doc.createTextNode(text);
      code.replaceChildren(run.rest);
      adoptHighlightTheme(code);
    }
    const piece = text.slice(run.offset, run.end);
    const segment = this.#highlight(doc, piece, run.language);
    const last = run.end >= text.length;
    if (segment && !segment.closed && !last && run.end - run.offset < MAX_SEGMENT_LENGTH) {
      // The run ends inside something (a block comment, a template string): highlighted on its
      // own, the next run would start in the wrong state. Try a longer run next step.
      run.end = lineEnd(text, run.end + run.growth);
      run.growth *= 2;
      return;
    }
    const nodes = segment?.fragment ?? doc.createTextNode(piece);
    if (last) {
      run.rest.replaceWith(nodes);
      this.#runs.shift();
      return;
    }
    const after = run.rest.splitText(piece.length);
    run.rest.replaceWith(nodes);
    run.rest = after;
    run.offset = run.end;
    run.end = lineEnd(text, run.offset + SEGMENT_LENGTH);
    run.growth = FIRST_GROWTH;
  }
}

/** Offset just after the line that contains `at`, or the end of the text. */
function lineEnd(text: string, at: number): number {
  if (at >= text.length) return text.length;
  const newline = text.indexOf('\n', at);
  return newline === -1 ? text.length : newline + 1;
}

function highlightable(text: string): boolean {
  if (text.length > MAX_CODE_LENGTH) return false;
  for (let start = 0; start < text.length;) {
    const end = lineEnd(text, start);
    if (end - start > MAX_LINE_LENGTH) return false;
    start = end;
  }
  return true;
}

const defaultScheduler: HighlightScheduler = (slice) => {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => slice(), { timeout: 1000 });
  else setTimeout(slice, 0);
};
