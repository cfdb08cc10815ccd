import type { Token } from 'marked';
import { decorateFragment } from './decorate-fragment.js';
import type { DecorateOptions } from './decorate-fragment.js';
import { markedInstance } from './marked-instance.js';
import { isPathological } from './pathological-input.js';
import { loadSanitizer, loadedSanitizer } from './sanitizer-loader.js';
import { tokensToDom } from './tokens-to-dom.js';

/** A rendered block. */
export interface RenderedBlock {
  /** Nodes ready to insert, owned by the renderer's document or the sanitizer's inert one. */
  fragment: DocumentFragment;
  /**
   * True when the block needs the sanitizer, which has not loaded yet: `fragment` is then its
   * source as plain text, and the block should be rendered again once `loadSanitizer()` resolves.
   */
  waiting: boolean;
}

/**
 * Renders one block of markdown to safe, decorated nodes.
 *
 * Tokens without raw HTML, images or entities (nearly every block a model writes) are built as
 * DOM directly (`tokensToDom`, node for node what the markup path gives), which is several
 * times faster than writing markup, parsing it into an inert document and sanitizing it there.
 * The rest takes that markup path through the one DOMPurify choke point, which is loaded on
 * demand; until it is there the block is shown as plain text (`waiting`).
 *
 * Pathological blocks (see `isPathological`) and anything the parser or sanitizer throws on
 * become plain text: a chat must keep showing the answer, never hang or go blank.
 *
 * @param source - the block's markdown (for the live tail: after `repairTail`)
 * @param options - strings and image allowlist for the decorations
 * @param doc - the document to create nodes in
 * @param tokens - the block's tokens when the caller already lexed it, to avoid lexing twice
 */
export function renderBlock(source: string, options: DecorateOptions, doc: Document, tokens?: Token[]): RenderedBlock {
  if (isPathological(source)) return { fragment: renderPlainText(source, doc), waiting: false };
  try {
    const lexed = tokens ?? markedInstance.lexer(source);
    let fragment = tokensToDom(lexed, doc);
    if (!fragment) {
      const sanitize = loadedSanitizer();
      if (!sanitize) {
        loadSanitizer().catch(() => undefined);
        return { fragment: renderPlainText(source, doc), waiting: true };
      }
      fragment = sanitize(markedInstance.parser(lexed));
    }
    decorateFragment(fragment, options);
    return { fragment, waiting: false };
  } catch {
    return { fragment: renderPlainText(source, doc), waiting: false };
  }
}

/**
 * The fallback: the source as one text node in `<pre class="plain-text">`, so nothing in it is
 * ever parsed as markup and even a megabyte of it costs one copy. (Style `.plain-text` with
 * `white-space: pre-wrap` to wrap long lines.)
 *
 * @param source - any text
 * @param doc - the document to create nodes in
 * @returns a fragment holding the `<pre>`
 */
export function renderPlainText(source: string, doc: Document): DocumentFragment {
  const fragment = doc.createDocumentFragment();
  const pre = doc.createElement('pre');
  pre.className = 'plain-text';
  pre.textContent = source.replace(/\r\n?/g, '\n').replace(/\n+$/, '');
  fragment.append(pre);
  return fragment;
}
