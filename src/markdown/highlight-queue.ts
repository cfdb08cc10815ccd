import type { HighlightedSegment } from './highlight-engine.js';
import { isHighlighted } from './highlight-languages.js';
import type { HighlightJob, HighlightRunner, HighlightRunnerOptions, HighlightScheduler } from './highlight-runner.js';

/** What the highlighter chunk provides. */
export interface HighlightChunk {
  HighlightRunner: new (options: HighlightRunnerOptions) => HighlightRunner;
  highlightSegment: (doc: Document, code: string, language: string) => HighlightedSegment | undefined;
}

/** Options for {@link HighlightQueue}. */
export interface HighlightQueueOptions {
  /**
   * Loads the highlighter. Called the first time a code block in a highlighted language is
   * added, and again after a failed load when the next one is. @defaultValue the lazy chunk
   */
  load?: () => Promise<HighlightChunk>;
  /** How slices of highlighting are scheduled. @defaultValue `requestIdleCallback`, else `setTimeout` */
  schedule?: HighlightScheduler;
  /** Milliseconds of highlighting per slice. @defaultValue 8 */
  sliceMs?: number;
  /** @defaultValue `performance.now` */
  now?: () => number;
}

const LANGUAGE_CLASS = /(?:^|\s)language-(\S+)/;

let shared: HighlightQueue | undefined;

/**
 * Syntax highlighting of finished code blocks. This part is in the embed; the highlighter and
 * its scheduling (`HighlightRunner`) are a separate chunk, loaded the first time a code block
 * in a highlighted language is added, never before: blocks without a language or in another
 * one are not even queued. Each code element is highlighted once; adding it again does
 * nothing. If the chunk cannot be loaded (offline), the blocks waiting for it stay plain and
 * nothing else changes; the next block asks again (Chromium answers a failed dynamic import
 * from its module map for the rest of the page's life, so in practice code stays plain until
 * a reload).
 */
export class HighlightQueue {
  /** The queue every renderer uses unless given another: one highlighter and one load per page. */
  static get shared(): HighlightQueue {
    shared ??= new HighlightQueue();
    return shared;
  }

  readonly #options: HighlightQueueOptions;
  readonly #seen = new WeakSet<Element>();
  #pending: HighlightJob[] = [];
  #runner: HighlightRunner | undefined;
  #loading: Promise<void> | undefined;

  constructor(options: HighlightQueueOptions = {}) {
    this.#options = options;
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
      const language = LANGUAGE_CLASS.exec(code.className)?.[1] ?? '';
      if (!isHighlighted(language)) continue;
      const job = { code, owner, language };
      if (this.#runner) this.#runner.add(job);
      else this.#pending.push(job);
    }
    if (this.#pending.length > 0) this.#loading ??= this.#start();
  }

  /** Resolves once every block added so far is highlighted, skipped or left plain. */
  async settled(): Promise<void> {
    while (this.#loading) await this.#loading;
    await this.#runner?.settled();
  }

  async #start(): Promise<void> {
    const { load = () => import('./highlight-engine.js'), ...options } = this.#options;
    try {
      const chunk = await load();
      this.#runner = new chunk.HighlightRunner({ ...options, highlight: chunk.highlightSegment });
      for (const job of this.#pending) this.#runner.add(job);
    } catch {
      // Offline, or the chunk is gone after a deploy: what waited for it stays plain.
    } finally {
      this.#pending = [];
      this.#loading = undefined;
    }
  }
}
