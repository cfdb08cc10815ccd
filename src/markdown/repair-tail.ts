/**
 * Closes the syntax a streaming answer has opened but not yet closed, so the live tail renders
 * as it will once complete instead of flickering through raw markup: `**bold` shows bold, an
 * open code fence shows a code block, `[text](http://exa` shows `text` rather than a broken
 * link. Only the tail is repaired, and only for display; finished blocks are rendered from
 * their real source.
 *
 * Every step is a single linear pass, and the repair never adds markup that could change
 * anything before the current paragraph.
 */
import { ATX_HEADING, FENCE_LINE, closesFence, containerPrefix, fenceOpener } from './block-grammar.js';

/** A line whose content so far is only block markup (`-`, `1.`, `#`, `==`, a fence start). */
const MARKUP_ONLY = /^(?:[-=+*#_`~]+|\d{1,9}[.)]?)[ \t]*$/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:/;
const TABLE_DELIMITER_PREFIX = /^\|?[ \t]*:?-[-: \t|]*$/;
/** A partial HTML tag or autolink at the very end: `<di`, `</spa`, `<https://exa`. */
const PARTIAL_TAG = /<[A-Za-z/!][^\s<>]*$/;
const TASK_MARKER = /^\[[ xX]\]$/;
/** A bare URL still being written at the very end (GFM autolinks these). */
const PARTIAL_URL = /(?:^|[\s*_~(])((?:https?|ftp):\/\/|www\.)[^\s<]*$/i;
const MAX_REPAIR_LENGTH = 32_000;
/** Open emphasis tracked at once; deeper nesting is left alone (and is pathological anyway). */
const MAX_OPEN_EMPHASIS = 16;

interface FenceState {
  char: '`' | '~';
  length: number;
  /** The opening line's container prefix, with list markers turned into spaces. */
  indent: string;
  /** Index of the opening line. */
  line: number;
}

/**
 * Repairs the live tail of a streaming answer for display.
 *
 * @param tail - the unfinished end of the markdown (line endings may be CRLF)
 * @returns markdown that renders like the finished text most likely will
 */
export function repairTail(tail: string): string {
  const lines = tail.replace(/\r\n?/g, '\n').split('\n');
  const fence = openFence(lines);
  if (fence) return closeFence(lines, fence);
  dropPartialMarkup(lines);
  repairTable(lines);
  return repairInline(lines.join('\n'));
}

function openFence(lines: string[]): FenceState | undefined {
  let fence: FenceState | undefined;
  lines.forEach((line, index) => {
    const prefix = containerPrefix(line);
    const inner = line.slice(prefix.length);
    if (fence) {
      if (closesFence(inner, fence)) fence = undefined;
      return;
    }
    const marker = fenceOpener(inner);
    if (!marker) return;
    fence = {
      char: marker.char,
      length: marker.length,
      indent: prefix.replace(/[-+*]|\d{1,9}[.)]/g, (marker) => ' '.repeat(marker.length)),
      line: index,
    };
  });
  return fence;
}

/**
 * Appends the closing fence, indented like the opening one so that it closes the block inside
 * its list item or quote instead of ending the container and opening a new, empty block.
 */
function closeFence(lines: string[], fence: FenceState): string {
  const last = lines.length - 1;
  const lastLine = lines[last] ?? '';
  if (last === fence.line) {
    // The info string is still arriving ("```pyth"): show the block without a language for now.
    lines[last] = lastLine.slice(0, containerPrefix(lastLine).length) + fence.char.repeat(fence.length);
  } else {
    // The closing fence itself may be arriving ("``"); shown as code it would flicker.
    const inner = lastLine.slice(containerPrefix(lastLine).length);
    if (
      inner !== '' &&
      inner
        .trim()
        .split('')
        .every((char) => char === fence.char)
    )
      lines[last] = '';
  }
  const body = lines.join('\n');
  return `${body}${body.endsWith('\n') ? '' : '\n'}${fence.indent}${fence.char.repeat(fence.length)}\n`;
}

/**
 * An incomplete last line holding only block markup would briefly turn the paragraph above
 * into a setext heading (`-`, `=`) or show an empty heading or list item.
 */
function dropPartialMarkup(lines: string[]): void {
  const last = lines.length - 1;
  const line = lines[last] ?? '';
  if (line === '') return;
  const prefix = containerPrefix(line);
  const inner = line.slice(prefix.length);
  // A link reference definition renders nothing, but half-written it would point the links
  // above at a truncated URL.
  if (inner === '' || MARKUP_ONLY.test(inner) || LINK_DEFINITION.test(line)) lines[last] = '';
}

function isTableRow(line: string | undefined): boolean {
  return line !== undefined && line.trimStart().startsWith('|');
}

function countCells(row: string): number {
  const cells = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/);
  return Math.max(cells.length, 1);
}

/**
 * A table only renders once its delimiter row is complete. Until then the header row would show
 * as a paragraph of pipes; hide it, and complete a partial delimiter row from the header.
 */
function repairTable(lines: string[]): void {
  let last = lines.length - 1;
  if (lines[last] === '' && last > 0) last--;
  const line = lines[last];
  if (!isTableRow(line) || line === undefined) return;
  const previous = last > 0 ? lines[last - 1] : undefined;
  const beforePrevious = last > 1 ? lines[last - 2] : undefined;
  if (isTableRow(previous) && previous !== undefined && !isTableRow(beforePrevious)) {
    if (TABLE_DELIMITER_PREFIX.test(line.trim())) {
      lines[last] = `|${' --- |'.repeat(countCells(previous))}`;
    }
  } else if (!isTableRow(previous)) {
    lines[last] = '';
  }
}

interface Delimiter {
  /** `*`, `**`, `_`, `__` or `~~`. */
  marker: string;
  /** Offset of the delimiter run. */
  at: number;
}

interface Bracket {
  /** Offset of `[`, or of the `!` of an image. */
  at: number;
  /** Offset of `[`. */
  open: number;
}

/**
 * Finds where the current paragraph starts: inline markup never spans a blank line, a new list
 * item, a heading or a table row, and repairing across them could only break what is above.
 */
function paragraphStart(text: string): number {
  let end = text.length;
  if (text.endsWith('\n')) end--;
  let start = text.lastIndexOf('\n', end - 1) + 1;
  const lastLine = text.slice(start, end);
  if (isTableRow(lastLine)) {
    // Cells are inline contexts of their own: repair the one still being written.
    if (/(?<!\\)\|[ \t]*$/.test(lastLine)) return text.length;
    return start + Math.max(lastLine.lastIndexOf('|') + 1, 0);
  }
  while (start > 0) {
    const line = text.slice(start, end);
    const prefix = containerPrefix(line);
    const inner = line.slice(prefix.length);
    if (inner.trim() === '') return end + 1;
    if (/[-+*]|\d[.)]/.test(prefix) || ATX_HEADING.test(inner)) return start;
    const previousEnd = start - 1;
    const previousStart = text.lastIndexOf('\n', previousEnd - 1) + 1;
    const previous = text.slice(previousStart, previousEnd);
    const previousInner = previous.slice(containerPrefix(previous).length);
    if (ATX_HEADING.test(previousInner) || FENCE_LINE.test(previousInner) || isTableRow(previous)) return start;
    end = previousEnd;
    start = previousStart;
  }
  return start;
}

function isWhitespace(char: string | undefined): boolean {
  return char === undefined || char === '' || /\s/.test(char);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && /[\p{L}\p{N}]/u.test(char);
}

/**
 * Closes unmatched code spans, emphasis and strikethrough in the current paragraph, turns an
 * unfinished link into its text, and drops a half-written tag or delimiter at the very end.
 */
function repairInline(text: string): string {
  const start = paragraphStart(text);
  // Beyond this the block renders as plain text anyway (see isPathological).
  if (start >= text.length || text.length - start > MAX_REPAIR_LENGTH) return text;
  const cuts: Array<[from: number, to: number]> = [];
  const emphasis: Delimiter[] = [];
  const brackets: Bracket[] = [];
  let code: { at: number; length: number } | undefined;
  let destination: { bracket: Bracket; close: number; depth: number } | undefined;
  let trailingRun: { at: number; length: number } | undefined;
  // A table cell starts mid-line; everywhere else the container prefix of each line is markup,
  // not inline content (the `*` of a list item is not emphasis).
  let lineStart = start === 0 || text.charAt(start - 1) === '\n';

  let i = start;
  while (i < text.length) {
    if (lineStart) {
      lineStart = false;
      const lineEnd = text.indexOf('\n', i);
      i += containerPrefix(text.slice(i, lineEnd === -1 ? text.length : lineEnd)).length;
      continue;
    }
    const char = text.charAt(i);
    if (char === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (code) {
      const run = runLength(text, i, '`');
      if (run === code.length) code = undefined;
      i += Math.max(run, 1);
      continue;
    }
    if (destination) {
      if (char === '\\') i++;
      else if (char === '(') destination.depth++;
      else if (char === ')' && destination.depth-- === 0) destination = undefined;
      i++;
      continue;
    }
    switch (char) {
      case '\\':
        i += 2;
        continue;
      case '`': {
        const run = runLength(text, i, '`');
        code = { at: i, length: run };
        i += run;
        continue;
      }
      case '[':
        brackets.push({ at: text.charAt(i - 1) === '!' ? i - 1 : i, open: i });
        i++;
        continue;
      case ']': {
        const bracket = brackets.pop();
        if (bracket && text.charAt(i + 1) === '(') {
          destination = { bracket, close: i, depth: 0 };
          i += 2;
          continue;
        }
        if (bracket && i === text.length - 1 && !TASK_MARKER.test(text.slice(bracket.open, i + 1))) {
          // "[text]" may be a link whose "(url)" is about to arrive: show the text alone.
          cuts.push([bracket.at, bracket.open + 1], [i, i + 1]);
        }
        i++;
        continue;
      }
      case '*':
      case '_':
      case '~': {
        const run = runLength(text, i, char);
        if (i + run >= text.length) trailingRun = { at: i, length: run };
        else handleDelimiterRun(text, i, run, emphasis);
        i += run;
        continue;
      }
      default:
        i++;
    }
  }

  let end = text.length;
  if (destination) {
    // An unfinished link or image: keep its text, drop the brackets and the partial URL.
    const { bracket, close } = destination;
    cuts.push([bracket.at, bracket.open + 1], [close, end]);
    end = close;
  } else if (code) {
    if (code.at + code.length >= end) {
      cuts.push([code.at, end]);
      end = code.at;
      code = undefined;
    }
  } else {
    if (trailingRun) {
      // A delimiter at the very end may open or close something; decide when more arrives.
      const closes = closeMatching(text, trailingRun.at, trailingRun.length, emphasis);
      if (!closes) {
        cuts.push([trailingRun.at, end]);
        end = trailingRun.at;
      }
    }
    const partialTag = PARTIAL_TAG.exec(text.slice(Math.max(start, end - 256), end));
    if (partialTag) {
      const at = end - partialTag[0].length;
      cuts.push([at, end]);
      end = at;
    }
    for (const bracket of brackets) {
      // "[" at the start of a word is most likely a link being written; inside a word ("a[0")
      // it is plain text and stays.
      if (bracket.open < end && !isWordChar(text.charAt(bracket.at - 1))) cuts.push([bracket.at, bracket.open + 1]);
    }
  }

  const inserts: Array<[at: number, text: string]> = [];
  if (!code && !destination) {
    // GFM links a bare URL as soon as it starts; while it is still arriving that would be a
    // link to a truncated address. Escaping its punctuation shows it as text until a space
    // (or the end of the answer) completes it.
    const url = PARTIAL_URL.exec(text.slice(Math.max(start, end - 2048), end));
    if (url?.[1]) {
      const at = end - url[0].length + url[0].indexOf(url[1]) + url[1].search(/[:.]/);
      inserts.push([at, '\\']);
    }
  }

  const closers: string[] = [];
  if (code) closers.push('`'.repeat(code.length));
  for (let k = emphasis.length - 1; k >= 0; k--) {
    const delimiter = emphasis[k];
    if (!delimiter || delimiter.at >= end) continue;
    const content = text.slice(delimiter.at + delimiter.marker.length, end);
    if (content.trim() === '') cuts.push([delimiter.at, delimiter.at + delimiter.marker.length]);
    else closers.push(delimiter.marker);
  }
  return applyRepairs(text, cuts, inserts, closers.join(''));
}

function runLength(text: string, at: number, char: string): number {
  let run = 0;
  while (text.charAt(at + run) === char) run++;
  return run;
}

/** The delimiters a run stands for: `***` is `**` and `*`; `~` only counts doubled. */
function markersOf(char: string, run: number): string[] {
  if (char === '~') return run === 2 ? ['~~'] : [];
  if (run === 1) return [char];
  if (run === 2) return [char + char];
  if (run === 3) return [char + char, char];
  return [];
}

/**
 * Applies a simplified form of CommonMark's flanking rules: a run after non-space can close an
 * open delimiter of the same kind; a run before non-space can open one. Intraword `_` does
 * neither.
 */
function handleDelimiterRun(text: string, at: number, run: number, emphasis: Delimiter[]): void {
  const char = text.charAt(at);
  const before = text.charAt(at - 1);
  const after = text.charAt(at + run);
  if (char === '_' && isWordChar(before) && isWordChar(after)) return;
  if (!isWhitespace(before) && closeMatching(text, at, run, emphasis)) return;
  if (isWhitespace(after)) return;
  if (emphasis.length >= MAX_OPEN_EMPHASIS) return;
  let offset = 0;
  for (const marker of markersOf(char, run)) {
    emphasis.push({ marker, at: at + offset });
    offset += marker.length;
  }
}

/** Closes the open delimiters a run matches; returns whether it matched any. */
function closeMatching(text: string, at: number, run: number, emphasis: Delimiter[]): boolean {
  const char = text.charAt(at);
  if (isWhitespace(text.charAt(at - 1))) return false;
  let matched = false;
  for (const marker of markersOf(char, run)) {
    const index = emphasis.map((delimiter) => delimiter.marker).lastIndexOf(marker);
    if (index === -1) continue;
    // Whatever opened inside the closed span and is still open can no longer close.
    emphasis.length = index;
    matched = true;
  }
  return matched;
}

/**
 * Removes the cut ranges and inserts the closers before any trailing whitespace (a closing `**`
 * after a space would not close anything).
 */
function applyRepairs(text: string, cuts: Array<[number, number]>, inserts: Array<[number, string]>, closers: string): string {
  // An insert is a zero-width cut that adds text; sorting puts it before a cut starting there.
  const edits = [
    ...inserts.map(([at, insert]): [number, number, string] => [at, at, insert]),
    ...cuts.filter(([from, to]) => to > from).map(([from, to]): [number, number, string] => [from, to, '']),
  ].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let kept = '';
  let position = 0;
  for (const [from, to, insert] of edits) {
    if (from >= position) kept += text.slice(position, from) + insert;
    position = Math.max(position, to, from);
  }
  kept += text.slice(position);
  if (closers === '') return kept;
  let insertAt = kept.length;
  while (insertAt > 0 && /\s/.test(kept.charAt(insertAt - 1))) insertAt--;
  return kept.slice(0, insertAt) + closers + kept.slice(insertAt);
}
