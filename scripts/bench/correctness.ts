/**
 * The correctness check every subject's final answer must pass, so that a fast renderer that
 * drops or garbles text cannot win: the visible text of the answer, whitespace ignored, must
 * contain the text of the reference rendering (marked, whole answer at once) in order, with
 * little else (a subject's own chrome — a code block's language label and copy button — is
 * allowed; markdown shown as raw syntax is not).
 */
import { marked } from 'marked';

/** Share of extra characters tolerated beyond the reference text. */
const EXTRA_ALLOWED = 0.03;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };

function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

/** The reference: the answer's visible text, rendered at once by marked. */
export function expectedText(markdown: string): string {
  const html = marked.parse(markdown, { async: false });
  const text = html.replace(/<[^>]*>/g, '').replace(/&(#?\w+);/g, (entity, name: string) => ENTITIES[name] ?? entity);
  return squeeze(text);
}

export interface TextCheck {
  ok: boolean;
  /** Why not, in a few words. */
  note: string;
}

/**
 * @param expected - from {@link expectedText}
 * @param shown - the subject's answer text
 */
export function checkText(expected: string, shown: string): TextCheck {
  const actual = squeeze(shown);
  let at = 0;
  for (let index = 0; index < actual.length && at < expected.length; index++) {
    if (actual[index] === expected[at]) at++;
  }
  if (at < expected.length) {
    return { ok: false, note: `missing text after ${at} of ${expected.length} characters` };
  }
  const extra = (actual.length - expected.length) / expected.length;
  if (extra > EXTRA_ALLOWED) return { ok: false, note: `${(extra * 100).toFixed(1)} % extra characters` };
  return { ok: true, note: '' };
}
