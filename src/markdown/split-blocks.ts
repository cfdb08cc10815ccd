/**
 * Splits streamed markdown into top-level blocks.
 *
 * A block is *finished* only when the text after it proves that nothing appended later can
 * change how it renders: a blank line after a paragraph, the closing fence of a code block,
 * an unindented line after a list that spans blank lines, and so on. Everything after the last
 * finished block is the *tail*, the only part a streaming renderer has to redraw.
 *
 * The scanner looks at complete lines only, and each line exactly once, so the work done by a
 * {@link BlockSplitter.push} call is proportional to the text added since the previous call,
 * not to the length of the answer. Whether a block is finished depends only on the complete
 * lines seen so far, never on where the network happened to cut the text, which is what makes
 * any chunking of a document end in the same blocks.
 *
 * The line scanner mirrors CommonMark's top-level block structure, but where it is unsure it
 * keeps blocks together: rendering two blocks as one is always correct, splitting one block in
 * two is not. An optional {@link BlockSplitterOptions.confirm} callback lets the renderer check
 * every proposed boundary against the real markdown parser.
 */
import { ATX_HEADING, LIST_MARKER, THEMATIC_BREAK, closesFence, containerPrefix, fenceOpener } from './block-grammar.js';

/** A finished block: `text.slice(start, end)` of the text given to {@link BlockSplitter.push}. */
export interface FinishedBlock<T = undefined> {
  /** Offset of the block's first character. */
  start: number;
  /** Offset just after the block (including the blank lines that closed it). */
  end: number;
  /** Whatever {@link BlockSplitterOptions.confirm} returned for this block, if it was asked. */
  data: T | undefined;
}

/**
 * Asked before a block is declared finished. `block` is the block's source, `lookahead` the
 * line that follows it (or {@link CONTINUATION_PROBE}, a line that continues every block that
 * can still be continued). Return `false` to keep the block open, anything else to finish it;
 * the value is handed back in {@link FinishedBlock.data}. Must be a pure function of its
 * arguments, or chunking stops being irrelevant.
 */
export type ConfirmBlock<T> = (block: string, lookahead: string) => T | false;

/** Options for {@link BlockSplitter}. */
export interface BlockSplitterOptions<T> {
  /**
   * Confirms proposed boundaries, typically by lexing `block + lookahead` with the markdown
   * parser and checking that a token boundary falls exactly at the end of `block`.
   * @defaultValue every boundary the line scanner proposes is accepted
   */
  confirm?: ConfirmBlock<T>;
}

/**
 * The lookahead used when a block looks closed by its own last line (a blank line after a
 * paragraph, a closing fence). It is indented far enough to continue any list item or code
 * block, so a parser that still ends the block before it would end it before any line.
 */
export const CONTINUATION_PROBE = `${' '.repeat(128)}x\n`;

/** The line scanner's view of the open block. */
type OpenBlock =
  | { kind: 'none' }
  /** Paragraphs, tables, block quotes, setext headings: closed by a blank line. */
  | { kind: 'paragraph' }
  /** HTML blocks of CommonMark types 6 and 7: closed by a blank line, never interrupted. */
  | { kind: 'html-paragraph' }
  /**
   * An HTML block that opened an element (`<details>`, `<div>`) whose closing tag has not come
   * yet. Markdown between them is part of the element, so blank lines do not split it.
   */
  | { kind: 'html-element'; open: RegExp; close: RegExp; depth: number }
  /** HTML blocks of types 1–5 (`<pre>`, comments, …): closed by the line matching `end`. */
  | { kind: 'html'; end: RegExp }
  | { kind: 'fence'; fence: Fence }
  | { kind: 'indented-code' }
  /**
   * Lists, and anything the scanner misjudged: blank lines do not close it, only a later
   * unindented line that cannot belong to it does.
   */
  | { kind: 'container'; afterBlank: boolean; fence?: Fence; html?: RegExp };

interface Fence {
  char: '`' | '~';
  length: number;
  /** Columns of indentation of the opening fence. */
  indent: number;
  /** Offset of the opening fence's line. */
  lineStart: number;
  /** Offset of the first content line. */
  contentStart: number;
  /** The info string's first word. */
  lang: string;
}

/** A top-level fenced code block that is the whole open block, for a renderer's fast path. */
export interface OpenFence {
  /** Offset of the line with the opening fence. */
  start: number;
  /** Offset of the first line of code. */
  contentStart: number;
  char: '`' | '~';
  length: number;
  /** Columns of indentation of the opening fence; that much is removed from each code line. */
  indent: number;
  /** First word of the info string, with backslash escapes removed. */
  lang: string;
}

const BACKSLASH_ESCAPE = /\\([!-/:-@[-`{-~])/g;

/** CommonMark HTML block start conditions 1–5 and the text that ends each. */
const HTML_BLOCKS: ReadonlyArray<readonly [start: RegExp, end: RegExp]> = [
  [/^<(?:script|pre|style|textarea)(?:[\s>]|$)/i, /<\/(?:script|pre|style|textarea)>/i],
  [/^<!--/, /-->/],
  [/^<\?/, /\?>/],
  [/^<![A-Za-z]/, />/],
  [/^<!\[CDATA\[/, /\]\]>/],
];

/** Longest block kept together because an HTML element opened in it is still open. */
const HTML_ELEMENT_LIMIT = 8192;

/** Stop asking `confirm` about a block that was just rejected until it has grown this much. */
const REJECTION_BACKOFF = 1.5;

interface Line {
  /** The line without its terminator. */
  text: string;
  start: number;
  /** Offset just after the terminator. */
  next: number;
  /** Indentation in columns (tabs advance to the next multiple of 4). */
  indent: number;
  /** The line after its leading whitespace. */
  content: string;
  blank: boolean;
}

/**
 * Incremental block splitter. Give it the whole text so far on every call; it remembers where
 * it stopped and only scans what was appended.
 *
 * @example
 * ```ts
 * const splitter = new BlockSplitter();
 * splitter.push('# Title\n\nSome par');       // → [{start: 0, end: 8}]; tail "Some par"
 * splitter.push('# Title\n\nSome paragraph.\n\n'); // → [{start: 9, end: 27}]
 * ```
 */
export class BlockSplitter<T = undefined> {
  readonly #confirm: ConfirmBlock<T> | undefined;
  #text = '';
  /** Start of the first line not yet classified. */
  #lineStart = 0;
  /** How far the search for the current line's terminator has got. */
  #searchFrom = 0;
  /** Start of the open block (blank lines between blocks belong to no block). */
  #blockStart = 0;
  #block: OpenBlock = { kind: 'none' };
  /** Block length below which `confirm` is not asked again after a rejection. */
  #retryAt = 0;

  constructor(options: BlockSplitterOptions<T> = {}) {
    this.#confirm = options.confirm;
  }

  /** Offset where the unfinished tail starts. */
  get tailStart(): number {
    return this.#blockStart;
  }

  /** The open block when it is exactly one top-level fenced code block, else `undefined`. */
  get openFence(): OpenFence | undefined {
    const block = this.#block;
    if (block.kind !== 'fence' || block.fence.lineStart !== this.#blockStart) return undefined;
    const { char, length, indent, lineStart, contentStart, lang } = block.fence;
    return { start: lineStart, contentStart, char, length, indent, lang };
  }

  /**
   * Scans the text appended since the last call and returns the blocks it proved finished,
   * in order.
   *
   * @param text - the whole text so far; must start with the text of the previous call
   *   (call {@link reset} first otherwise)
   * @returns the newly finished blocks
   */
  push(text: string): FinishedBlock<T>[] {
    this.#text = text;
    const finished: FinishedBlock<T>[] = [];
    for (let line = this.#nextLine(); line; line = this.#nextLine()) {
      this.#lineStart = line.next;
      this.#searchFrom = line.next;
      this.#scan(line, finished);
    }
    this.#scanPartialLine(finished);
    return finished;
  }

  /**
   * A list or indented code block is proved closed by the first character of the line after a
   * blank line when that character is at the margin and cannot start a list item. Deciding
   * then, instead of when the line (often a whole paragraph) is complete, keeps the list out of
   * the live tail. The decision and its lookahead are exactly those the complete line gets in
   * #scan, so chunking still cannot change the outcome.
   */
  #scanPartialLine(finished: FinishedBlock<T>[]): void {
    const start = this.#lineStart;
    if (start >= this.#text.length) return;
    const first = this.#text.charAt(start);
    const block = this.#block;
    const eligible =
      block.kind === 'indented-code'
        ? !/\s/.test(first)
        : block.kind === 'container' && block.afterBlank && !block.fence && !block.html && isDecisive(first);
    if (!eligible) return;
    const result = this.#ask(start, `${first}\n`);
    // Rejected: nothing changes until the line is complete and scanned like any other.
    if (result === false) return;
    finished.push({ start: this.#blockStart, end: start, data: result });
    this.#blockStart = start;
    this.#block = { kind: 'none' };
  }

  /** Forgets everything, for a text that does not continue the previous one. */
  reset(): void {
    this.#text = '';
    this.#lineStart = 0;
    this.#searchFrom = 0;
    this.#blockStart = 0;
    this.#block = { kind: 'none' };
    this.#retryAt = 0;
  }

  /**
   * Finds the next complete line. A line ends at LF, CRLF or a lone CR; a CR at the very end
   * of the text might be the first half of a CRLF, so the line waits for the next character.
   */
  #nextLine(): Line | undefined {
    const text = this.#text;
    const start = this.#lineStart;
    for (let i = this.#searchFrom; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10 /* \n */ || code === 13 /* \r */) {
        let next = i + 1;
        if (code === 13) {
          if (next >= text.length) {
            this.#searchFrom = i;
            return undefined;
          }
          if (text.charCodeAt(next) === 10) next++;
        }
        return makeLine(text.slice(start, i), start, next);
      }
    }
    this.#searchFrom = text.length;
    return undefined;
  }

  #scan(line: Line, finished: FinishedBlock<T>[]): void {
    const block = this.#block;
    switch (block.kind) {
      case 'none':
        this.#startBlock(line, finished);
        return;
      case 'paragraph':
        if (line.blank) {
          this.#proposeAfter(line, finished);
        } else if (line.indent <= 3 && fenceOpener(line.content)) {
          // A fence interrupts a paragraph; splitting here lets the code stream on its own.
          if (!this.#proposeBefore(line, finished)) {
            this.#block = { kind: 'container', afterBlank: false, fence: makeFence(line) };
          }
        } else if (line.indent <= 3 && LIST_MARKER.test(line.content)) {
          // A list may interrupt the paragraph and then span blank lines: keep them together.
          this.#block = { kind: 'container', afterBlank: false };
        } else if (line.indent <= 3) {
          const end = htmlBlockEnd(line.content);
          if (end) this.#enterHtml(line, end, finished);
        }
        return;
      case 'html-paragraph':
        if (line.blank) this.#proposeAfter(line, finished);
        return;
      case 'html-element':
        block.depth += countMatches(block.open, line.text) - countMatches(block.close, line.text);
        if (block.depth <= 0) {
          this.#block = { kind: 'html-paragraph' };
        } else if (line.next - this.#blockStart > HTML_ELEMENT_LIMIT) {
          // An element that is never closed would otherwise keep the rest of the answer in the
          // live tail; past this size, blank lines split it as CommonMark's HTML blocks do.
          this.#block = { kind: 'html-paragraph' };
          if (line.blank) this.#proposeAfter(line, finished);
        }
        return;
      case 'html':
        if (block.end.test(line.text)) this.#proposeAfter(line, finished);
        return;
      case 'fence':
        if (isFenceCloser(line, block.fence)) this.#proposeAfter(line, finished);
        return;
      case 'indented-code':
        if (!line.blank && line.indent < 4 && !this.#proposeBefore(line, finished, lookaheadOf(line))) {
          this.#block = { kind: 'container', afterBlank: false };
          this.#scanContainer(line, finished, false);
        }
        return;
      case 'container':
        this.#scanContainer(line, finished, true);
        return;
    }
  }

  /** Classifies the first line of a new block. */
  #startBlock(line: Line, finished: FinishedBlock<T>[]): void {
    if (line.blank) {
      this.#blockStart = line.next;
      return;
    }
    this.#blockStart = line.start;
    this.#retryAt = 0;
    const { content } = line;
    if (line.indent >= 4) {
      this.#block = { kind: 'indented-code' };
    } else if (fenceOpener(content)) {
      this.#block = { kind: 'fence', fence: makeFence(line) };
    } else if (ATX_HEADING.test(content) || THEMATIC_BREAK.test(content)) {
      // Single-line blocks: closed as soon as the line is complete.
      this.#block = { kind: 'paragraph' };
      this.#proposeAfter(line, finished);
    } else if (LIST_MARKER.test(content)) {
      this.#block = { kind: 'container', afterBlank: false };
    } else if (content.startsWith('<')) {
      const end = htmlBlockEnd(content);
      if (end) this.#enterHtml(line, end, finished);
      else this.#block = openElement(content) ?? { kind: 'html-paragraph' };
    } else {
      this.#block = { kind: 'paragraph' };
    }
  }

  #enterHtml(line: Line, end: RegExp, finished: FinishedBlock<T>[]): void {
    this.#block = { kind: 'html', end };
    // The end condition may be on the opening line itself (`<!-- note -->`).
    const opener = /^<[!?]?[A-Za-z[-]*/.exec(line.content)?.[0].length ?? 1;
    if (end.test(line.content.slice(opener))) this.#proposeAfter(line, finished);
  }

  /**
   * Lists and misjudged blocks. Blank lines do not close them; an unindented line that is not
   * a list item after a blank line does, as does a fence at the margin.
   */
  #scanContainer(line: Line, finished: FinishedBlock<T>[], mayPropose: boolean): void {
    const block = this.#block;
    if (block.kind !== 'container') return;
    if (block.fence) {
      if (isNestedFenceCloser(line.text, block.fence)) block.fence = undefined;
      return;
    }
    if (block.html) {
      if (block.html.test(line.text)) block.html = undefined;
      return;
    }
    if (line.blank) {
      block.afterBlank = true;
      return;
    }
    // After a blank line, a line starting at the margin with anything but a list marker ends
    // the list, whatever follows on the line. The same proposal is made from the first
    // character of a partial line (see #scanPartialLine), with the same lookahead.
    if (mayPropose && block.afterBlank && line.indent === 0 && isDecisive(line.text.charAt(0))) {
      if (this.#proposeBefore(line, finished, `${line.text.charAt(0)}\n`)) return;
    }
    const inner = line.text.slice(containerPrefix(line.text).length);
    if (fenceOpener(inner)) {
      const atMargin = line.indent <= 1 && inner === line.content;
      if (!(mayPropose && atMargin && this.#proposeBefore(line, finished))) {
        block.fence = makeFence(line, inner);
        block.afterBlank = false;
      }
      return;
    }
    const htmlEnd = htmlBlockEnd(inner);
    if (htmlEnd) {
      const opener = /^<[!?]?[A-Za-z[-]*/.exec(inner)?.[0].length ?? 1;
      if (!htmlEnd.test(inner.slice(opener))) block.html = htmlEnd;
      block.afterBlank = false;
      return;
    }
    if (mayPropose && block.afterBlank && line.indent === 0 && !LIST_MARKER.test(line.content) && this.#proposeBefore(line, finished)) {
      return;
    }
    block.afterBlank = false;
  }

  /** Proposes that the open block ends after `line` (which is complete). */
  #proposeAfter(line: Line, finished: FinishedBlock<T>[]): void {
    const result = this.#ask(line.next, CONTINUATION_PROBE);
    if (result === false) {
      this.#block = { kind: 'container', afterBlank: line.blank };
      return;
    }
    finished.push({ start: this.#blockStart, end: line.next, data: result });
    this.#blockStart = line.next;
    this.#block = { kind: 'none' };
  }

  /**
   * Proposes that the open block ends just before `line`; on success `line` starts the next
   * block. Returns whether the boundary was accepted.
   */
  #proposeBefore(line: Line, finished: FinishedBlock<T>[], lookahead = this.#text.slice(line.start, line.next)): boolean {
    const result = this.#ask(line.start, lookahead);
    if (result === false) return false;
    finished.push({ start: this.#blockStart, end: line.start, data: result });
    this.#block = { kind: 'none' };
    this.#startBlock(line, finished);
    return true;
  }

  #ask(end: number, lookahead: string): T | undefined | false {
    if (!this.#confirm) return undefined;
    const length = end - this.#blockStart;
    // After a rejection, wait for the block to grow geometrically before lexing it again, so
    // a block the scanner misjudges costs amortised linear time, not quadratic.
    if (length < this.#retryAt) return false;
    const result = this.#confirm(this.#text.slice(this.#blockStart, end), lookahead);
    if (result === false) this.#retryAt = Math.ceil(length * REJECTION_BACKOFF);
    return result;
  }
}

/**
 * Splits a complete text at once. The last block is returned as `tail` because nothing proves
 * it closed; the finished blocks are exactly those an incremental {@link BlockSplitter} would
 * report for the same text, however it arrived.
 *
 * @param text - markdown source
 * @returns the finished blocks' sources and the unfinished tail
 */
export function splitBlocks(text: string): { finished: string[]; tail: string } {
  const splitter = new BlockSplitter();
  const finished = splitter.push(text).map((block) => text.slice(block.start, block.end));
  return { finished, tail: text.slice(splitter.tailStart) };
}

/** A first character at the margin that cannot begin a list item or continue a block. */
function isDecisive(char: string): boolean {
  return char !== '' && !/[\s0-9*+-]/.test(char);
}

/** What a proposal before `line` shows the parser: its first character when that decides. */
function lookaheadOf(line: Line): string {
  return line.indent === 0 ? `${line.text.charAt(0)}\n` : `${line.text}\n`;
}

function makeLine(text: string, start: number, next: number): Line {
  let indent = 0;
  let i = 0;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) indent++;
    else if (code === 9) indent += 4 - (indent % 4);
    else break;
  }
  const content = text.slice(i);
  return { text, start, next, indent, content, blank: content.trim() === '' };
}

function makeFence(line: Line, content = line.content): Fence {
  const marker = fenceOpener(content) ?? { char: '`', length: 3, info: '' };
  const lang = marker.info.trim().split(/\s/, 1)[0]?.replace(BACKSLASH_ESCAPE, '$1') ?? '';
  return {
    char: marker.char,
    length: marker.length,
    indent: line.indent,
    lineStart: line.start,
    contentStart: line.next,
    lang,
  };
}

function isFenceCloser(line: Line, fence: Fence): boolean {
  if (line.indent > 3) return false;
  return closesFence(line.content, fence);
}

/** Inside a container the closing fence may follow quote markers and indentation. */
function isNestedFenceCloser(text: string, fence: Fence): boolean {
  const inner = text.replace(/^(?:[ \t]*>)*[ \t]*/, '');
  return closesFence(inner, fence);
}

/** Elements without content, which never get a closing tag. */
const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** An HTML block that opens an element and does not close it on the same line. */
function openElement(content: string): OpenBlock | undefined {
  const name = /^<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>]|$)/.exec(content)?.[1]?.toLowerCase();
  if (!name || VOID_ELEMENTS.has(name)) return undefined;
  const open = new RegExp(`<${name}(?=[\\s/>]|$)`, 'gi');
  const close = new RegExp(`</${name}\\s*>`, 'gi');
  const depth = countMatches(open, content) - countMatches(close, content);
  return depth > 0 ? { kind: 'html-element', open, close, depth } : undefined;
}

function countMatches(pattern: RegExp, text: string): number {
  pattern.lastIndex = 0;
  let count = 0;
  while (pattern.exec(text)) count++;
  return count;
}

function htmlBlockEnd(content: string): RegExp | undefined {
  if (!content.startsWith('<')) return undefined;
  for (const [start, end] of HTML_BLOCKS) if (start.test(content)) return end;
  return undefined;
}
