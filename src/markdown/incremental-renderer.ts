import type { Token } from 'marked';
import { decorateFragment, DEFAULT_MARKDOWN_STRINGS } from './decorate-fragment.js';
import type { DecorateOptions, MarkdownStrings } from './decorate-fragment.js';
import { confirmBlock } from './confirm-block.js';
import { HighlightQueue } from './highlight-queue.js';
import { codeLanguage } from './marked-instance.js';
import { renderBlock } from './render-block.js';
import { loadSanitizer } from './sanitizer-loader.js';
import { repairTail } from './repair-tail.js';
import { ScrollRegions } from './scroll-regions.js';
import { BlockSplitter } from './split-blocks.js';
import type { FinishedBlock, OpenFence } from './split-blocks.js';

/** Options for {@link IncrementalRenderer}. */
export interface IncrementalRendererOptions {
  /** User-visible strings (copy button labels, image placeholder). @defaultValue English */
  strings?: Partial<MarkdownStrings>;
  /**
   * Origins whose images are loaded, e.g. `['https://images.example.com']`. Images from any
   * other origin render as a placeholder naming the host, because loading an image a model
   * chose can leak the conversation to that host. @defaultValue `[]`
   */
  allowedImageOrigins?: readonly string[];
  /** How long a copy button shows "Copied" or "Copy failed". @defaultValue 2000 */
  copyFeedbackMs?: number;
  /**
   * Highlights the code blocks of finished blocks (see {@link HighlightQueue}); `null` leaves
   * code plain. @defaultValue `HighlightQueue.shared`
   */
  highlighter?: HighlightQueue | null;
}

/** Class of each block's element; the live tail's element also has {@link LIVE_BLOCK_CLASS}. */
export const BLOCK_CLASS = 'markdown-block';
/** Class of the elements grouping finished blocks, {@link GROUP_SIZE} at a time. */
export const GROUP_CLASS = 'markdown-group';
/**
 * Finished blocks per group. The browser lays out a container's children one by one on every
 * frame the tail changes; grouping keeps that list short, so layout per frame stays flat as the
 * answer grows instead of growing with the number of blocks.
 */
export const GROUP_SIZE = 16;
/** Class of the element holding the live, still-changing tail. */
export const LIVE_BLOCK_CLASS = 'markdown-live';

/** Characters given to the splitter at a time while catching up with a deadline. */
const CATCH_UP_SLICE = 2048;
/** Below this many finished characters the continuation check compares everything. */
const EXACT_CHECK_LIMIT = 4096;
const SAMPLE_LENGTH = 256;
const PROBE_COUNT = 16;
const PROBE_LENGTH = 32;

/** State of a live fenced code block rendered by appending text instead of re-parsing. */
interface LiveFence {
  start: number;
  /** Offset up to which complete lines have been appended. */
  consumed: number;
  char: string;
  /** Leading whitespace of the opening fence, removed from each code line like marked does. */
  strip: number;
  complete: Text;
  partial: Text;
}

/**
 * Renders a streaming markdown answer into a container, incrementally.
 *
 * The text is split into top-level blocks (see `BlockSplitter`). A finished block is rendered
 * once, through the sanitizer, into its own `div.markdown-block` (inside a `div.markdown-group`
 * of up to {@link GROUP_SIZE} blocks) and never touched again. Only the live tail's element
 * (`div.markdown-block.markdown-live`, always the container's last child) is redrawn: from the
 * tail's source after `repairTail` (built as DOM directly when it holds no raw HTML), or, for an
 * open code fence, by appending the new lines as text. The work of an update is therefore
 * proportional to the new text plus the current block, not to the answer.
 *
 * DOM: `container > div.markdown-group > div.markdown-block`, then the live block. Style
 * `.markdown-group` with `content-visibility: auto` (and a `contain-intrinsic-size`) so the
 * browser skips off-screen groups each frame; scripts/bench.ts measures with that rule.
 *
 * `update()` is synchronous and does no scheduling: the caller coalesces deltas, typically to
 * one update per animation frame. The container belongs to the renderer; its content is
 * replaced on {@link reset}.
 *
 * Copy buttons of code blocks are handled by one delegated click listener on the container.
 *
 * Syntax highlighting is the one later change to a finished block: each finished block is
 * handed to the highlighter once, when it is placed, and its code blocks are highlighted once,
 * in the background (see {@link HighlightQueue}). A code fence that is still open is live tail
 * and is never highlighted; after {@link whenHighlighted} the DOM is again exactly what
 * rendering the whole text at once gives.
 */
export class IncrementalRenderer {
  readonly #container: HTMLElement;
  readonly #doc: Document;
  readonly #decorate: DecorateOptions;
  readonly #feedbackMs: number;
  readonly #splitter = new BlockSplitter<Token[] | null>({ confirm: confirmBlock });
  readonly #feedbackTimers = new Map<HTMLButtonElement, ReturnType<typeof setTimeout>>();
  readonly #highlighter: HighlightQueue | null;
  readonly #regions: ScrollRegions;
  #text = '';
  /** How much of `#text` the splitter has been given (the rest waits for the next update). */
  #fed = 0;
  #tail: HTMLElement | undefined;
  /** The tail source last rendered, to skip identical redraws. */
  #tailSource: string | undefined;
  #fence: LiveFence | undefined;
  /** The group finished blocks are currently appended to, and how many it holds. */
  #group: HTMLElement | undefined;
  #groupSize = 0;
  /** The element `finish()` rendered the tail into, and the group state before it. */
  #final: { element: HTMLElement; group: HTMLElement | undefined; groupSize: number } | undefined;
  #finished = false;
  #destroyed = false;
  /** Finished blocks shown as plain text until the sanitizer has loaded, with their source. */
  readonly #waiting = new Map<HTMLElement, { source: string; tokens: Token[] | undefined }>();
  #sanitizerPending = false;

  /**
   * @param container - the element to render into (its content is owned by the renderer)
   * @param options - strings, image allowlist, copy feedback duration
   */
  constructor(container: HTMLElement, options: IncrementalRendererOptions = {}) {
    this.#container = container;
    this.#doc = container.ownerDocument;
    const origins = new Set<string>();
    for (const origin of options.allowedImageOrigins ?? []) {
      try {
        origins.add(new URL(origin).origin);
      } catch {
        // Not a URL: it could never match an image's origin.
      }
    }
    this.#decorate = {
      strings: { ...DEFAULT_MARKDOWN_STRINGS, ...options.strings },
      allowedImageOrigins: origins,
    };
    this.#feedbackMs = options.copyFeedbackMs ?? 2000;
    this.#highlighter = options.highlighter === undefined ? HighlightQueue.shared : options.highlighter;
    this.#regions = new ScrollRegions(this.#decorate.strings);
    container.addEventListener('click', this.#handleClick);
  }

  /**
   * Renders the text so far.
   *
   * When `text` continues the previous text, only what changed is processed: newly finished
   * blocks are rendered once and the tail is redrawn. Otherwise (a Retry replaced the answer)
   * everything is re-rendered. To keep the cost independent of the answer's length, the part
   * of the previous text already rendered as finished blocks is compared by samples (its start,
   * the text before the last boundary and fixed probes) rather than in full; a caller that
   * replaces an answer by a longer one differing only inside those blocks must call
   * {@link reset} first.
   *
   * A lot of new text at once (a whole answer in one network chunk, a long message shown when
   * a transcript is restored) can take far longer than a frame. With a `deadline`, the work
   * stops at the first line boundary after it: what is shown is then the answer up to there,
   * exactly as if the network had delivered only that much so far.
   *
   * @param text - the whole answer so far
   * @param deadline - `performance.now()` time after which to stop and leave the rest for the
   *   next call @defaultValue no limit
   * @returns `true` when all of `text` is rendered; `false` when the deadline cut the work
   *   short and another call (with this text or a continuation) is needed
   */
  update(text: string, deadline = Infinity): boolean {
    this.#assertUsable();
    if (text === this.#text && this.#fed === text.length) return true;
    if (!this.#continues(text)) this.#clear();
    else if (text.length === this.#text.length && this.#fed === text.length) return true;
    if (this.#finished) this.#reopen();
    this.#text = text;
    const done = this.#catchUp(deadline);
    this.#renderTail();
    return done;
  }

  /**
   * The stream ended: renders the tail as a finished block, from its real source (no repair).
   * The DOM is then exactly what rendering the whole text at once gives. A later `update()`
   * that continues the text (Continue) reopens the tail.
   */
  finish(): void {
    this.#assertUsable();
    if (this.#finished) return;
    this.#catchUp(Infinity);
    this.#finished = true;
    const source = this.#text.slice(this.#splitter.tailStart);
    this.#tail?.remove();
    this.#tail = undefined;
    this.#tailSource = undefined;
    this.#fence = undefined;
    if (source.trim() === '') return;
    const element = this.#createBlockElement();
    this.#fill(element, source);
    this.#final = { element, group: this.#group, groupSize: this.#groupSize };
    this.#place(element);
  }

  /**
   * Resolves once the code blocks of the blocks finished so far are highlighted (or left plain).
   */
  whenHighlighted(): Promise<void> {
    return this.#highlighter?.settled() ?? Promise.resolve();
  }

  /** Clears the container and forgets the text. */
  reset(): void {
    this.#assertUsable();
    this.#clear();
  }

  /** Clears the container and removes the listeners and timers; the renderer is unusable after. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#clear();
    this.#container.removeEventListener('click', this.#handleClick);
    this.#destroyed = true;
  }

  #assertUsable(): void {
    if (this.#destroyed) throw new Error('IncrementalRenderer: used after destroy()');
  }

  #clear(): void {
    for (const timer of this.#feedbackTimers.values()) clearTimeout(timer);
    this.#feedbackTimers.clear();
    this.#container.replaceChildren();
    this.#waiting.clear();
    this.#regions.disconnect();
    this.#splitter.reset();
    this.#text = '';
    this.#fed = 0;
    this.#tail = undefined;
    this.#tailSource = undefined;
    this.#fence = undefined;
    this.#final = undefined;
    this.#group = undefined;
    this.#groupSize = 0;
    this.#finished = false;
  }

  #reopen(): void {
    const final = this.#final;
    if (final) {
      const group = final.element.parentElement;
      final.element.remove();
      this.#regions.unobserve(final.element);
      // A group opened for the final block alone goes too, so the grouping stays what a
      // one-shot render of the continued text produces.
      if (group && group !== final.group) group.remove();
      this.#group = final.group;
      this.#groupSize = final.groupSize;
    }
    this.#final = undefined;
    this.#finished = false;
  }

  /**
   * Whether `text` continues the previous text. The unfinished region, which is re-rendered
   * anyway, is compared exactly; the finished region by samples beyond a small size.
   */
  #continues(text: string): boolean {
    const previous = this.#text;
    if (text.length < previous.length) return false;
    const boundary = this.#splitter.tailStart;
    if (!sameRange(previous, text, boundary, previous.length)) return false;
    if (boundary <= EXACT_CHECK_LIMIT) return sameRange(previous, text, 0, boundary);
    if (!sameRange(previous, text, 0, SAMPLE_LENGTH)) return false;
    if (!sameRange(previous, text, boundary - SAMPLE_LENGTH, boundary)) return false;
    for (let probe = 1; probe <= PROBE_COUNT; probe++) {
      const at = Math.floor((boundary * probe) / (PROBE_COUNT + 1));
      if (!sameRange(previous, text, at, Math.min(at + PROBE_LENGTH, boundary))) return false;
    }
    return true;
  }

  /**
   * Gives the splitter the text it has not seen, a line-aligned slice at a time, rendering the
   * blocks each slice finishes, until all is fed or the deadline has passed.
   */
  #catchUp(deadline: number): boolean {
    const text = this.#text;
    while (this.#fed < text.length) {
      let end = text.length;
      if (end - this.#fed > CATCH_UP_SLICE) {
        const newline = text.indexOf('\n', this.#fed + CATCH_UP_SLICE);
        if (newline !== -1) end = newline + 1;
      }
      const blocks = this.#splitter.push(end === text.length ? text : text.slice(0, end));
      this.#fed = end;
      if (blocks.length > 0) this.#appendFinished(blocks);
      if (this.#fed < text.length && performance.now() >= deadline) return false;
    }
    return true;
  }

  /** The part of the text rendered so far (all of it unless a deadline cut an update short). */
  #shown(): string {
    return this.#fed === this.#text.length ? this.#text : this.#text.slice(0, this.#fed);
  }

  #createBlockElement(): HTMLElement {
    const element = this.#doc.createElement('div');
    element.className = BLOCK_CLASS;
    return element;
  }

  #appendFinished(blocks: FinishedBlock<Token[] | null>[]): void {
    for (const block of blocks) {
      const element = this.#createBlockElement();
      this.#fill(element, this.#text.slice(block.start, block.end), block.data ?? undefined);
      this.#place(element);
    }
  }

  /** Appends a finished block to the current group, opening a new group when it is full. */
  #place(element: HTMLElement): void {
    if (!this.#group || this.#groupSize >= GROUP_SIZE) {
      this.#group = this.#doc.createElement('div');
      this.#group.className = GROUP_CLASS;
      this.#groupSize = 0;
      this.#container.insertBefore(this.#group, this.#tail ?? null);
    }
    this.#group.append(element);
    this.#groupSize++;
    this.#highlighter?.add(element, this.#container);
    this.#regions.observe(element);
  }

  #renderTail(): void {
    let tail = this.#tail;
    if (!tail) {
      tail = this.#createBlockElement();
      tail.classList.add(LIVE_BLOCK_CLASS);
      this.#container.append(tail);
      this.#tail = tail;
    }
    const fence = this.#splitter.openFence;
    if (fence) {
      this.#renderLiveFence(tail, fence);
      return;
    }
    this.#fence = undefined;
    const source = this.#shown().slice(this.#splitter.tailStart);
    if (source === this.#tailSource) return;
    this.#tailSource = source;
    if (source.trim() === '') tail.replaceChildren();
    else {
      const { fragment, waiting } = renderBlock(repairTail(source), this.#decorate, this.#doc);
      tail.replaceChildren(fragment);
      // The tail is drawn again from its source once the sanitizer is there.
      if (waiting) this.#awaitSanitizer();
    }
  }

  /** Renders a finished block into its element, remembering it if it waits for the sanitizer. */
  #fill(element: HTMLElement, source: string, tokens?: Token[]): void {
    const { fragment, waiting } = renderBlock(source, this.#decorate, this.#doc, tokens);
    element.append(fragment);
    if (!waiting) return;
    this.#waiting.set(element, { source, tokens });
    this.#awaitSanitizer();
  }

  /**
   * Blocks that need the sanitizer show their source as plain text until it has loaded; then
   * they are rendered for good, once, like any finished block (and the tail is redrawn).
   */
  #awaitSanitizer(): void {
    if (this.#sanitizerPending) return;
    this.#sanitizerPending = true;
    loadSanitizer().then(
      () => {
        this.#sanitizerPending = false;
        if (this.#destroyed) return;
        for (const [element, { source, tokens }] of this.#waiting) {
          if (this.#container.contains(element)) element.replaceChildren(renderBlock(source, this.#decorate, this.#doc, tokens).fragment);
        }
        this.#waiting.clear();
        if (this.#tail && !this.#fence) {
          this.#tailSource = undefined;
          this.#renderTail();
        }
      },
      () => {
        // The chunk did not load (offline): those blocks stay plain text, and the next one
        // that needs it tries again.
        this.#sanitizerPending = false;
        this.#waiting.clear();
      },
    );
  }

  /**
   * An open code fence grows by whole lines of literal text, so instead of re-parsing it on
   * every update the new lines are appended to a text node: constant work per delta however
   * long the code gets. It is rendered from its real source once its closing fence arrives.
   */
  #renderLiveFence(tail: HTMLElement, fence: OpenFence): void {
    const text = this.#shown();
    let live = this.#fence;
    if (!live || live.start !== fence.start) {
      const pre = this.#doc.createElement('pre');
      const code = this.#doc.createElement('code');
      const language = codeLanguage(fence.lang);
      if (language) code.className = `language-${language}`;
      const complete = this.#doc.createTextNode('');
      const partial = this.#doc.createTextNode('');
      code.append(complete, partial);
      pre.append(code);
      const fragment = this.#doc.createDocumentFragment();
      fragment.append(pre);
      decorateFragment(fragment, this.#decorate);
      tail.replaceChildren(fragment);
      const strip = /^[ \t]*/.exec(text.slice(fence.start, fence.contentStart))?.[0].length ?? 0;
      live = { start: fence.start, consumed: fence.contentStart, char: fence.char, strip, complete, partial };
      this.#fence = live;
      this.#tailSource = undefined;
    }
    const completeEnd = endOfLastLine(text, live.consumed);
    if (completeEnd > live.consumed) {
      live.complete.appendData(codeLines(text.slice(live.consumed, completeEnd), live.strip));
      live.consumed = completeEnd;
    }
    const partialLine = text.slice(completeEnd);
    // The last line may be the closing fence arriving character by character.
    const shown = isClosingFencePrefix(partialLine, live.char) ? '' : codeLines(partialLine, live.strip);
    if (live.partial.data !== shown) live.partial.data = shown;
  }

  readonly #handleClick = (event: Event): void => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest('button[data-copy]');
    if (!(button instanceof HTMLButtonElement) || !this.#container.contains(button)) return;
    const pre = button.closest('.code-block')?.querySelector('pre');
    if (!pre) return;
    void this.#copy(button, (pre.textContent ?? '').replace(/\n$/, ''));
  };

  async #copy(button: HTMLButtonElement, text: string): Promise<void> {
    let copied: boolean;
    try {
      // No fallback through a hidden textarea: that would need a form control in the
      // transcript, which the strict profile forbids.
      await navigator.clipboard.writeText(text);
      copied = true;
    } catch {
      copied = false;
    }
    if (this.#destroyed || !button.isConnected) return;
    const { strings } = this.#decorate;
    button.textContent = copied ? strings.copied : strings.copyFailed;
    const previous = this.#feedbackTimers.get(button);
    if (previous !== undefined) clearTimeout(previous);
    this.#feedbackTimers.set(
      button,
      setTimeout(() => {
        this.#feedbackTimers.delete(button);
        button.textContent = strings.copy;
      }, this.#feedbackMs),
    );
  }
}

function sameRange(previous: string, text: string, from: number, to: number): boolean {
  if (to <= from) return true;
  return text.startsWith(previous.slice(from, to), from);
}

/**
 * Offset just after the last line terminator at or after `from`, or `from` when there is none.
 * Scans backwards from the end, so it only reads the unfinished last line. A CR at the very
 * end may be the first half of a CRLF and does not end a line yet.
 */
function endOfLastLine(text: string, from: number): number {
  for (let i = text.length - 1; i >= from; i--) {
    const code = text.charCodeAt(i);
    if (code === 10 || (code === 13 && i < text.length - 1)) return i + 1;
  }
  return from;
}

/** Normalizes line endings and removes the opening fence's indentation, as marked does. */
function codeLines(chunk: string, strip: number): string {
  const normalized = chunk.replace(/\r\n?/g, '\n');
  if (strip === 0) return normalized;
  return normalized.replace(/^[ \t]+/gm, (indent) => (indent.length >= strip ? indent.slice(strip) : indent));
}

function isClosingFencePrefix(line: string, char: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || (line.length - line.trimStart().length <= 3 && [...trimmed].every((c) => c === char));
}
