/**
 * The block-level markdown grammar the splitter and the tail repair must agree on: what opens
 * and closes a fenced code block, what a heading, a list marker and a container prefix look
 * like. One definition, so the repair never "closes" a fence the splitter does not see, or the
 * other way round.
 */

export const FENCE_OPEN = /^(`{3,}|~{3,})(.*)$/;
export const ATX_HEADING = /^#{1,6}(?:[ \t]|$)/;
export const THEMATIC_BREAK = /^(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$/;
export const LIST_MARKER = /^(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)/;
/** Leading container markup: block quote markers and list markers, with their spacing. */
export const CONTAINER_PREFIX = /^(?:[ \t]*(?:>|(?:[-+*]|\d{1,9}[.)])(?=[ \t]|$)))*[ \t]*/;
/** A line that starts like a fence (of either kind), opener or closer. */
export const FENCE_LINE = /^(?:`{3,}|~{3,})/;

/** The fence characters and run length that opened a code block. */
export interface FenceMarker {
  char: '`' | '~';
  length: number;
  /** The info string after the marker, untrimmed. */
  info: string;
}

/** The container prefix of a line (quote markers, list markers, indentation), possibly empty. */
export function containerPrefix(line: string): string {
  return CONTAINER_PREFIX.exec(line)?.[0] ?? '';
}

/**
 * The fence a line opens, if it opens one. Backtick fences may not have backticks in their
 * info string: that is inline code, not a fence.
 *
 * @param content - the line without its indentation (and without any container prefix)
 */
export function fenceOpener(content: string): FenceMarker | undefined {
  const match = FENCE_OPEN.exec(content);
  const marker = match?.[1];
  if (!marker) return undefined;
  const info = match[2] ?? '';
  if (marker.startsWith('`') && info.includes('`')) return undefined;
  return { char: marker.startsWith('~') ? '~' : '`', length: marker.length, info };
}

/**
 * Whether a line closes a fence: a run of the same character at least as long, then only
 * whitespace.
 *
 * @param content - the line without its indentation (and without any container prefix)
 */
export function closesFence(content: string, fence: Pick<FenceMarker, 'char' | 'length'>): boolean {
  let run = 0;
  while (run < content.length && content[run] === fence.char) run++;
  return run >= fence.length && content.slice(run).trim() === '';
}
