import type { HighlightedSegment } from './highlight-engine.js';
import { adoptHighlightTheme, LINES_CLASS } from './highlight-theme.js';

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
 * Code is highlighted in groups of at most {@link GROUP_LINES} lines and about this many
 * characters, so no single step takes long: a few milliseconds for TypeScript, the slowest
 * grammar measured (`npm run bench:highlight`).
 */
export const SEGMENT_LENGTH = 4_096;
/**
 * Lines per group. The first groups of a block are smaller (8, 16, 32 lines), so the top of
 * the block, which the reader sees first, is colored first, and a grammar used for the first
 * time compiles its expressions on little code.
 */
export const GROUP_LINES = 64;
/**
 * A group that ends inside a comment or string is highlighted together with the next one, then
 * the next two, and so on, until the run ends outside (or reaches this length).
 */
export const MAX_SEGMENT_LENGTH = 16_384;

interface Group {
  start: number;
  end: number;
  element: HTMLElement;
}

interface Run extends HighlightJob {
  text: string;
  /** The groups not highlighted yet; made by the first step. */
  groups: Group[] | undefined;
  /** How many groups the next step highlights together. */
  take: number;
}

/**
 * Highlights code blocks one after another, in slices of a few milliseconds between which the
 * page renders and handles input, so even a 2,000-line block never makes a long task.
 *
 * The first step splits the block's text into groups of lines, each a `span.hl-lines` (the
 * theme makes them blocks that the browser skips while off screen: `content-visibility:
 * auto`). Each later step replaces one group's plain text by its highlighted nodes. Without
 * groups, every replacement made the browser lay out the whole block again (40–80 ms for 2,000
 * lines on the benchmark machine); with them, only that group, if it is on screen. The text is
 * unchanged: `textContent`, selection and copy give the same code (only `innerText` adds a line
 * break between groups).
 *
 * A group that ends inside a comment or string is merged with the next until the run ends
 * outside, so the colors are what highlighting the whole block at once gives.
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
    if (text === '' || !highlightable(text)) return;
    this.#runs.push({ ...job, text, groups: undefined, take: 1 });
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

  /** Highlights the next group (or groups) of the first block. */
  #step(): void {
    const run = this.#runs[0];
    if (!run) return;
    const { code, text } = run;
    if (!run.owner.contains(code)) {
      this.#runs.shift();
      return;
    }
    const doc = code.ownerDocument;
    if (!run.groups) {
      run.groups = groupLines(doc, text);
      code.replaceChildren(...run.groups.map((group) => group.element));
      adoptHighlightTheme(code);
      return;
    }
    const groups = run.groups;
    const taken = groups.slice(0, run.take);
    const first = taken[0] as Group;
    const last = taken[taken.length - 1] as Group;
    const piece = text.slice(first.start, last.end);
    const segment = this.#highlight(doc, piece, run.language);
    if (segment && !segment.closed && taken.length < groups.length && piece.length < MAX_SEGMENT_LENGTH) {
      // The run ends inside something (a block comment, a template string): highlighted on its
      // own, the next group would start in the wrong state. Try with more groups next step.
      run.take *= 2;
      return;
    }
    first.element.replaceChildren(segment?.fragment ?? doc.createTextNode(piece));
    // Groups highlighted together become one, so no span is cut at a group's edge.
    for (const group of taken.slice(1)) group.element.remove();
    groups.splice(0, taken.length);
    run.take = 1;
    if (groups.length === 0) this.#runs.shift();
  }
}

/** Splits code into groups of whole lines, each in its own `span.hl-lines`. */
function groupLines(doc: Document, text: string): Group[] {
  const groups: Group[] = [];
  let lines = 8;
  for (let start = 0; start < text.length;) {
    let end = start;
    for (let count = 0; count < lines && end < text.length && (count === 0 || end - start < SEGMENT_LENGTH); count++) {
      end = lineEnd(text, end);
    }
    const element = doc.createElement('span');
    element.className = LINES_CLASS;
    element.textContent = text.slice(start, end);
    groups.push({ start, end, element });
    start = end;
    lines = Math.min(lines * 2, GROUP_LINES);
  }
  return groups;
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
