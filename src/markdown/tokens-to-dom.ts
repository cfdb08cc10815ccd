import type { Token, Tokens } from 'marked';
import { codeLanguage } from './marked-instance.js';
import { LINK_REL, safeUrl } from './safe-url.js';

/**
 * Text that marked passes through as an entity reference (`&amp;`, `&#169;`), which the HTML
 * parser would decode and a text node would not.
 */
const ENTITY = /&(?:#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);/;

/** Thrown inside the builder when a token needs the markup path; never escapes this module. */
class NeedsMarkup extends Error {}

/**
 * Builds the DOM for markdown tokens directly, for the live tail, which is redrawn on every
 * frame: building nodes costs a fraction of rendering markup, parsing it into a new document
 * and sanitizing it there.
 *
 * This is safe by construction rather than by sanitizing: no markup is parsed, only a fixed set
 * of elements is created, text goes into text nodes, and the only attributes are `href` (through
 * the same `safeUrl` check as the sanitizer, with the same forced `target`/`rel`), `title`,
 * `class` (a validated `language-…`), `align` and `start`. Anything else, raw HTML above all,
 * returns `undefined` and takes the one sanitized markup path. The output is node-for-node what
 * that path produces for the same tokens (see the parity tests), so the preview does not change
 * when the block is finished and rendered for good.
 *
 * @param tokens - block tokens from the private Marked instance
 * @param doc - the document to create nodes in
 * @returns the nodes, or `undefined` when the tokens need the markup path
 */
export function tokensToDom(tokens: Token[], doc: Document): DocumentFragment | undefined {
  const fragment = doc.createDocumentFragment();
  try {
    appendBlocks(fragment, tokens, doc);
  } catch (error) {
    if (error instanceof NeedsMarkup) return undefined;
    throw error;
  }
  // The HTML parser merges adjacent text (a task box and its label, escapes and text).
  fragment.normalize();
  return fragment;
}

function element(doc: Document, name: string, parent: Node): HTMLElement {
  const node = doc.createElement(name);
  parent.appendChild(node);
  return node;
}

function text(doc: Document, value: string, parent: Node): void {
  if (ENTITY.test(value) || value.includes('\0')) throw new NeedsMarkup();
  parent.appendChild(doc.createTextNode(value));
}

/** Marked writes a newline after every block element; the parser keeps it as a text node. */
function newline(doc: Document, parent: Node): void {
  parent.appendChild(doc.createTextNode('\n'));
}

function appendBlocks(parent: Node, tokens: Token[], doc: Document): void {
  for (const token of tokens) appendBlock(parent, token, doc);
}

function appendBlock(parent: Node, token: Token, doc: Document): void {
  switch (token.type) {
    case 'space':
    case 'def':
      return;
    case 'paragraph': {
      appendInline(element(doc, 'p', parent), (token as Tokens.Paragraph).tokens, doc);
      newline(doc, parent);
      return;
    }
    case 'heading': {
      const heading = token as Tokens.Heading;
      appendInline(element(doc, `h${heading.depth}`, parent), heading.tokens, doc);
      newline(doc, parent);
      return;
    }
    case 'hr':
      element(doc, 'hr', parent);
      newline(doc, parent);
      return;
    case 'blockquote': {
      const quote = element(doc, 'blockquote', parent);
      newline(doc, quote);
      appendBlocks(quote, (token as Tokens.Blockquote).tokens, doc);
      newline(doc, parent);
      return;
    }
    case 'code': {
      const code = token as Tokens.Code;
      if (code.escaped) throw new NeedsMarkup();
      const pre = element(doc, 'pre', parent);
      const inner = element(doc, 'code', pre);
      const language = codeLanguage(code.lang);
      if (language) inner.className = `language-${language}`;
      inner.appendChild(doc.createTextNode(`${code.text.replace(/\n$/, '')}\n`));
      newline(doc, parent);
      return;
    }
    case 'list': {
      const list = token as Tokens.List;
      const node = element(doc, list.ordered ? 'ol' : 'ul', parent);
      if (list.ordered && list.start !== 1 && list.start !== '') node.setAttribute('start', String(list.start));
      newline(doc, node);
      for (const item of list.items) {
        appendBlocks(element(doc, 'li', node), item.tokens, doc);
        newline(doc, node);
      }
      newline(doc, parent);
      return;
    }
    case 'table': {
      const table = token as Tokens.Table;
      const node = element(doc, 'table', parent);
      newline(doc, node);
      const head = element(doc, 'thead', node);
      newline(doc, head);
      appendRow(head, table.header, doc);
      newline(doc, node);
      if (table.rows.length > 0) {
        const body = element(doc, 'tbody', node);
        for (const row of table.rows) appendRow(body, row, doc);
      }
      newline(doc, parent);
      return;
    }
    case 'text': {
      const block = token as Tokens.Text;
      if (block.tokens) appendInline(parent, block.tokens, doc);
      else if (block.escaped) throw new NeedsMarkup();
      else text(doc, block.text, parent);
      return;
    }
    case 'checkbox':
      parent.appendChild(doc.createTextNode((token as Tokens.Checkbox).checked ? '\u2611 ' : '\u2610 '));
      return;
    default:
      // Raw HTML and anything unforeseen go through the sanitizer.
      throw new NeedsMarkup();
  }
}

function appendRow(parent: Node, cells: Tokens.TableCell[], doc: Document): void {
  const row = element(doc, 'tr', parent);
  newline(doc, row);
  for (const cell of cells) {
    const node = element(doc, cell.header ? 'th' : 'td', row);
    if (cell.align) node.setAttribute('align', cell.align);
    appendInline(node, cell.tokens, doc);
    newline(doc, row);
  }
  newline(doc, parent);
}

function appendInline(parent: Node, tokens: Token[], doc: Document): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'text':
      case 'escape': {
        const inline = token as Tokens.Text | Tokens.Escape;
        if ('tokens' in inline && inline.tokens) appendInline(parent, inline.tokens, doc);
        else if ('escaped' in inline && inline.escaped) throw new NeedsMarkup();
        else if (token.type === 'escape') parent.appendChild(doc.createTextNode(inline.text));
        else text(doc, inline.text, parent);
        break;
      }
      case 'strong':
      case 'em':
      case 'del':
        appendInline(element(doc, token.type, parent), (token as Tokens.Strong | Tokens.Em | Tokens.Del).tokens, doc);
        break;
      case 'codespan':
        // Marked escapes code fully, so the parser gives back exactly the token's text.
        element(doc, 'code', parent).appendChild(doc.createTextNode((token as Tokens.Codespan).text));
        break;
      case 'br':
        element(doc, 'br', parent);
        break;
      case 'link':
        appendLink(parent, token as Tokens.Link, doc);
        break;
      case 'checkbox':
        parent.appendChild(doc.createTextNode((token as Tokens.Checkbox).checked ? '\u2611 ' : '\u2610 '));
        break;
      default:
        // Images (placeholders need the alt text marked computes) and raw HTML.
        throw new NeedsMarkup();
    }
  }
}

/** Marked's own URL clean-up before it writes `href`. */
function cleanUrl(href: string): string | undefined {
  try {
    return encodeURI(href).replace(/%25/g, '%');
  } catch {
    return undefined;
  }
}

function appendLink(parent: Node, link: Tokens.Link, doc: Document): void {
  const url = cleanUrl(link.href);
  if (url === undefined) {
    appendInline(parent, link.tokens, doc);
    return;
  }
  if (ENTITY.test(url) || (link.title && ENTITY.test(link.title))) throw new NeedsMarkup();
  const anchor = element(doc, 'a', parent);
  const safe = safeUrl(url);
  // In the order the markup path gives them (marked writes href and title, the sanitizer adds
  // target and rel), so the markup is the same string either way, not only the same DOM.
  if (safe !== undefined) anchor.setAttribute('href', safe);
  if (link.title) anchor.setAttribute('title', link.title);
  if (safe !== undefined) {
    anchor.setAttribute('target', '_blank');
    anchor.setAttribute('rel', LINK_REL);
  }
  appendInline(anchor, link.tokens, doc);
}
