/**
 * Limits beyond which markdown is shown as plain text. Marked recurses once per level of
 * nesting and some of its inline rules are superlinear, so inputs such as 5000 nested `>`, a
 * run of thousands of `*`, or a megabyte-long line either overflow the stack or block the main
 * thread for far longer than a frame. None of these limits is close to what real answers do.
 */
export interface MarkdownLimits {
  /** Longest line outside fenced code. @defaultValue 10000 */
  maxLineLength: number;
  /** Characters outside fenced code in one block. @defaultValue 32000 */
  maxMarkdownLength: number;
  /** Block quote and list markers opening one line. @defaultValue 32 */
  maxNesting: number;
  /** Columns of indentation outside fenced code (deep lists nest by indentation). @defaultValue 100 */
  maxIndent: number;
  /** Length of a run of `*` or `_` (emphasis nests once per pair). @defaultValue 64 */
  maxDelimiterRun: number;
  /**
   * Runs of `*`, `_` or `~` in one paragraph or list item: marked matches emphasis delimiters in
   * quadratic time (400 of them take ~50 ms, 1600 over a second). @defaultValue 100
   */
  maxDelimitersPerParagraph: number;
}

/** The limits used by the renderer. */
export const DEFAULT_MARKDOWN_LIMITS: Readonly<MarkdownLimits> = Object.freeze({
  maxLineLength: 10_000,
  maxMarkdownLength: 32_000,
  maxNesting: 32,
  maxIndent: 100,
  maxDelimiterRun: 64,
  maxDelimitersPerParagraph: 100,
});

/**
 * Decides, in one linear pass, whether a block is too deep or too long to hand to the markdown
 * parser. Fenced code is exempt: its content is literal text, which the parser handles in
 * linear time however long it is.
 *
 * @param source - one block of markdown
 * @param limits - the limits to apply
 * @returns `true` when the block should be shown as plain text
 */
export function isPathological(source: string, limits: MarkdownLimits = DEFAULT_MARKDOWN_LIMITS): boolean {
  let markdownLength = 0;
  let delimiters = 0;
  let fence: { char: number; length: number } | undefined;
  let start = 0;
  while (start <= source.length) {
    let end = source.indexOf('\n', start);
    if (end === -1) end = source.length;
    const prefix = scanPrefix(source, start, end);
    if (fence) {
      if (closesFence(source, prefix.end, end, fence)) fence = undefined;
    } else {
      const length = end - start;
      markdownLength += length + 1;
      if (length > limits.maxLineLength || markdownLength > limits.maxMarkdownLength) return true;
      if (prefix.markers > limits.maxNesting || prefix.indent > limits.maxIndent) return true;
      const char = source.charCodeAt(prefix.end);
      if (isFenceOpener(source, prefix.end, char)) {
        let length = 0;
        while (source.charCodeAt(prefix.end + length) === char) length++;
        fence = { char, length };
      } else {
        // Emphasis is matched within one inline context: a paragraph, a list item's text, a
        // heading or a table row. Count delimiter runs per context.
        const first = source.charCodeAt(prefix.end);
        if (prefix.end === end || prefix.listItem || first === 35 /* # */ || first === 124 /* | */) delimiters = 0;
        const runs = scanDelimiters(source, prefix.end, end);
        delimiters += runs.count;
        if (runs.longest > limits.maxDelimiterRun || delimiters > limits.maxDelimitersPerParagraph) return true;
      }
    }
    start = end + 1;
  }
  return false;
}

/** Leading indentation and container markers (`>`, `-`, `*`, `+`, `1.`, `1)`) of a line. */
function scanPrefix(source: string, start: number, end: number): { end: number; markers: number; indent: number; listItem: boolean } {
  let markers = 0;
  let listItem = false;
  let indent = 0;
  let i = start;
  while (i < end) {
    const code = source.charCodeAt(i);
    if (code === 32) {
      indent++;
      i++;
    } else if (code === 9) {
      indent += 4 - (indent % 4);
      i++;
    } else if (code === 62 /* > */) {
      markers++;
      i++;
    } else if ((code === 45 || code === 42 || code === 43) && isSpaceOrEnd(source, i + 1, end)) {
      markers++;
      listItem = true;
      i++;
    } else if (code >= 48 && code <= 57) {
      let j = i;
      while (j < end && j - i < 9 && source.charCodeAt(j) >= 48 && source.charCodeAt(j) <= 57) j++;
      const after = source.charCodeAt(j);
      if ((after === 46 || after === 41) && isSpaceOrEnd(source, j + 1, end)) {
        markers++;
        listItem = true;
        i = j + 1;
      } else {
        break;
      }
    } else {
      break;
    }
  }
  return { end: i, markers, indent, listItem };
}

/** Three backticks or tildes open a fence (the info string does not matter here). */
function isFenceOpener(source: string, at: number, char: number): boolean {
  return (char === 96 /* ` */ || char === 126) /* ~ */ && source.charCodeAt(at + 1) === char && source.charCodeAt(at + 2) === char;
}

function isSpaceOrEnd(source: string, i: number, end: number): boolean {
  if (i >= end) return true;
  const code = source.charCodeAt(i);
  return code === 32 || code === 9;
}

function closesFence(source: string, start: number, end: number, fence: { char: number; length: number }): boolean {
  let i = start;
  while (i < end && source.charCodeAt(i) === fence.char) i++;
  if (i - start < fence.length) return false;
  return source.slice(i, end).trim() === '';
}

/**
 * Counts the runs of `*`, `_` and `~` that could be emphasis delimiters (an `_` inside a word
 * cannot) and the longest run.
 */
function scanDelimiters(source: string, start: number, end: number): { count: number; longest: number } {
  let count = 0;
  let longest = 0;
  let i = start;
  while (i < end) {
    const code = source.charCodeAt(i);
    if (code !== 42 && code !== 95 && code !== 126) {
      i++;
      continue;
    }
    let run = 1;
    while (i + run < end && source.charCodeAt(i + run) === code) run++;
    if (run > longest) longest = run;
    const intraword = code === 95 && isWordCode(source.charCodeAt(i - 1)) && isWordCode(source.charCodeAt(i + run));
    if (!intraword) count++;
    i += run;
  }
  return { count, longest };
}

function isWordCode(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code > 127;
}
