import type { HighlightedSegment } from './highlight-engine.js';
import { highlightGrammar } from './highlight-languages.js';
import type { HighlightGrammar } from './highlight-languages.js';

/** What the queue needs from the highlighter chunk. */
export interface HighlightEngine {
  highlightSegment(doc: Document, code: string, grammar: HighlightGrammar): HighlightedSegment | undefined;
}

/** Runs `slice` later, when the main thread has time. */
export type HighlightScheduler = (slice: () => void) => void;

/** Options for {@link HighlightQueue}. */
export interface HighlightQueueOptions {
  /**
   * Loads the highlighter. Called the first time a code block with a highlighted language is
   * added, and again after a failed load when the next one is. @defaultValue the lazy chunk
   */
  load?: () => Promise<HighlightEngine>;
  /** @defaultValue `requestIdleCallback` (at most 1 s late), else `setTimeout` */
  schedule?: HighlightScheduler;
  /** Milliseconds of highlighting per slice, before yielding to the page. @defaultValue 8 */
  sliceMs?: number;
  /** @defaultValue `performance.now` */
  now?: () => number;
}

/**
 * Code longer than this, or with a line longer than {@link MAX_LINE_LENGTH}, stays plain: the
 * spans alone would weigh more than the page, and a line is never split.
 */
export const MAX_CODE_LENGTH = 200_000;
export const MAX_LINE_LENGTH = 5_000;
/**
 * Code is highlighted in runs of whole lines of about this many characters, so no single step
 * takes long: ~4 ms for TypeScript, the slowest grammar measured (`npm run bench:highlight`).
 */
export const SEGMENT_LENGTH = 4_096;
/**
 * A run that ends inside a comment or string grows until it ends outside, by 256 characters,
 * then twice as many each time (most such constructs are a few lines long), up to this length.
 */
export const MAX_SEGMENT_LENGTH = 16_384;
const FIRST_GROWTH = 256;

const LANGUAGE_CLASS = /(?:^|\s)language-(\S+)/;

interface Job {
  code: Element;
  /** The element whose descendant the code must still be; otherwise it was replaced. */
  owner: Node;
  grammar: HighlightGrammar;
  text: string;
  /** Where the next run starts, where it is tried to end, and by how much it grows next. */
  offset: number;
  end: number;
  growth: number;
  /** The code not highlighted yet, as one text node; set by the first step. */
  rest: Text | undefined;
}

let shared: HighlightQueue | undefined;

/**
 * Highlights finished code blocks: one after another, in slices of a few milliseconds between
 * which the page renders and handles input, so even a 2,000-line block never makes a long
 * task. A block is highlighted in runs of lines, each replacing its part of the plain text,
 * and each block once: adding it again does nothing.
 *
 * The highlighter is loaded the first time a block with a highlighted language is added, not
 * before; blocks without a language or with another one are never queued. If it cannot be
 * loaded (offline), the queued blocks stay plain and the next block tries again.
 */
export class HighlightQueue {
  /** The queue every renderer uses unless given another: one highlighter and one load per page. */
  static get shared(): HighlightQueue {
    shared ??= new HighlightQueue();
    return shared;
  }

  readonly #load: () => Promise<HighlightEngine>;
  readonly #schedule: HighlightScheduler;
  readonly #sliceMs: number;
  readonly #now: () => number;
  readonly #seen = new WeakSet<Element>();
  #jobs: Job[] = [];
  #engine: HighlightEngine | undefined;
  #loading = false;
  #scheduled = false;
  #waiters: Array<() => void> = [];

  constructor(options: HighlightQueueOptions = {}) {
    this.#load = options.load ?? (() => import('./highlight-engine.js'));
    this.#schedule = options.schedule ?? defaultScheduler;
    this.#sliceMs = options.sliceMs ?? 8;
    this.#now = options.now ?? (() => performance.now());
  }

  /**
   * Queues the code blocks inside a finished block.
   *
   * @param block - a finished block (it is scanned for `pre > code.language-…`)
   * @param owner - a block is skipped once it is no longer inside `owner` (a Retry replaced
   *   it, Continue reopened it) @defaultValue `block`
   */
  add(block: Element, owner: Node = block): void {
    for (const code of Array.from(block.querySelectorAll('pre > code[class*="language-"]'))) {
      if (this.#seen.has(code)) continue;
      this.#seen.add(code);
      const language = LANGUAGE_CLASS.exec(code.className)?.[1];
      const grammar = language === undefined ? undefined : highlightGrammar(language);
      if (!grammar) continue;
      const text = code.textContent ?? '';
      if (!highlightable(text)) continue;
      this.#jobs.push({ code, owner, grammar, text, offset: 0, end: lineEnd(text, SEGMENT_LENGTH), growth: FIRST_GROWTH, rest: undefined });
    }
    this.#pump();
  }

  /** Resolves once every block added so far is highlighted, skipped or left plain. */
  settled(): Promise<void> {
    if (this.#jobs.length === 0 && !this.#loading) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #pump(): void {
    if (this.#jobs.length === 0) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const resolve of waiters) resolve();
      return;
    }
    if (!this.#engine) {
      if (!this.#loading) void this.#loadEngine();
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.#schedule(() => {
      this.#scheduled = false;
      const deadline = this.#now() + this.#sliceMs;
      do this.#step();
      while (this.#jobs.length > 0 && this.#now() < deadline);
      this.#pump();
    });
  }

  async #loadEngine(): Promise<void> {
    this.#loading = true;
    try {
      this.#engine = await this.#load();
    } catch {
      // Offline, or the chunk is gone after a deploy: what is queued stays plain. A later block
      // tries again (the browser does not remember a failed dynamic import).
      this.#jobs = [];
    } finally {
      this.#loading = false;
    }
    this.#pump();
  }

  /** Highlights the next run of the first block. */
  #step(): void {
    const job = this.#jobs[0];
    const engine = this.#engine;
    if (!job || !engine) return;
    const { code, text } = job;
    if (!job.owner.contains(code)) {
      this.#jobs.shift();
      return;
    }
    const doc = code.ownerDocument;
    if (!job.rest) {
      // The parser may have split long text into several nodes; runs are cut from one.
      job.rest = doc.createTextNode(text);
      code.replaceChildren(job.rest);
    }
    const run = text.slice(job.offset, job.end);
    const segment = engine.highlightSegment(doc, run, job.grammar);
    const last = job.end >= text.length;
    if (segment && !segment.closed && !last && job.end - job.offset < MAX_SEGMENT_LENGTH) {
      // The run ends inside something (a block comment, a template string): highlighted on its
      // own, the next run would start in the wrong state. Try a longer run next step.
      job.end = lineEnd(text, job.end + job.growth);
      job.growth *= 2;
      return;
    }
    const nodes = segment?.fragment ?? doc.createTextNode(run);
    if (last) {
      job.rest.replaceWith(nodes);
      this.#jobs.shift();
      return;
    }
    const after = job.rest.splitText(run.length);
    job.rest.replaceWith(nodes);
    job.rest = after;
    job.offset = job.end;
    job.end = lineEnd(text, job.offset + SEGMENT_LENGTH);
    job.growth = FIRST_GROWTH;
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
