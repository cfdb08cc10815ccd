import type { Token } from 'marked';
import { decorateFragment } from './decorate-fragment.js';
import type { DecorateOptions } from './decorate-fragment.js';
import { markedInstance } from './marked-instance.js';
import { isPathological } from './pathological-input.js';
import { sanitizeHtml } from './sanitize.js';
import { tokensToDom } from './tokens-to-dom.js';

/**
 * Renders one block of markdown to sanitized, decorated nodes, ready to insert.
 *
 * Pathological blocks (see `isPathological`) and anything the parser or sanitizer throws on
 * become plain text instead: a chat must keep showing the answer, never hang or go blank.
 *
 * @param source - the block's markdown
 * @param options - strings and image allowlist for the decorations
 * @param tokens - the block's tokens when the caller already lexed it, to avoid lexing twice
 * @returns nodes owned by `doc` or by the sanitizer's inert document
 */
export function renderBlock(source: string, options: DecorateOptions, doc: Document, tokens?: Token[]): DocumentFragment {
  if (isPathological(source)) return renderPlainText(source, doc);
  try {
    const html = tokens ? markedInstance.parser(tokens) : markedInstance.parse(source, { async: false });
    const fragment = sanitizeHtml(html);
    decorateFragment(fragment, options);
    return fragment;
  } catch {
    return renderPlainText(source, doc);
  }
}

/**
 * Renders the live tail, which is redrawn on every frame. The same as {@link renderBlock},
 * except that tokens without raw HTML are turned into DOM directly (`tokensToDom`, identical
 * output) instead of through markup and the sanitizer, which would dominate the frame.
 *
 * @param source - the repaired tail
 * @param options - strings and image allowlist for the decorations
 * @param doc - the document to create nodes in
 * @returns nodes ready to insert
 */
export function renderLiveBlock(source: string, options: DecorateOptions, doc: Document): DocumentFragment {
  if (isPathological(source)) return renderPlainText(source, doc);
  try {
    const tokens = markedInstance.lexer(source);
    const fragment = tokensToDom(tokens, doc) ?? sanitizeHtml(markedInstance.parser(tokens));
    decorateFragment(fragment, options);
    return fragment;
  } catch {
    return renderPlainText(source, doc);
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
