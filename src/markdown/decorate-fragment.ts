import { LINK_REL, safeUrl } from './safe-url.js';
import { TABLE_SCROLL_CLASS } from './scroll-regions.js';

/** User-visible strings of rendered markdown, for i18n. */
export interface MarkdownStrings {
  /** Label of a code block's copy button. @defaultValue 'Copy' */
  copy: string;
  /** Shown on the copy button after a successful copy. @defaultValue 'Copied' */
  copied: string;
  /** Shown on the copy button when the clipboard refused. @defaultValue 'Copy failed' */
  copyFailed: string;
  /**
   * Text of the placeholder shown instead of a remote image; `{host}` becomes a link to the
   * image, and the image's alt text follows after a colon. @defaultValue 'Image from {host}'
   */
  imageBlocked: string;
  /** Name of a code block whose lines scroll sideways (it becomes a tab stop). @defaultValue 'Code' */
  scrollableCode: string;
  /** Name of a table that scrolls sideways (it becomes a tab stop). @defaultValue 'Table' */
  scrollableTable: string;
}

/** English defaults for {@link MarkdownStrings}. */
export const DEFAULT_MARKDOWN_STRINGS: Readonly<MarkdownStrings> = Object.freeze({
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Copy failed',
  imageBlocked: 'Image from {host}',
  scrollableCode: 'Code',
  scrollableTable: 'Table',
});

/** What {@link decorateFragment} needs to know. */
export interface DecorateOptions {
  strings: MarkdownStrings;
  /** Origins (`https://example.com`) whose images may load. */
  allowedImageOrigins: ReadonlySet<string>;
}

/**
 * Adds the renderer's own chrome to sanitized markdown, as DOM, after sanitizing: a header with
 * the language and a copy button around every `<pre>`, a scroll container around every table,
 * and a placeholder instead of every image whose origin is not allowlisted. Doing it here rather than in the markdown renderer means
 * model output can never produce a button or anything that looks like our chrome (the
 * sanitizer strips buttons, `part` and foreign classes).
 *
 * Must run before the fragment is inserted into the page: until then it belongs to an inert
 * document and no image in it has been requested.
 *
 * @param fragment - sanitized nodes
 * @param options - strings and the image allowlist
 */
export function decorateFragment(fragment: DocumentFragment, options: DecorateOptions): void {
  for (const image of Array.from(fragment.querySelectorAll('img'))) {
    decorateImage(image, options);
  }
  for (const pre of Array.from(fragment.querySelectorAll('pre'))) {
    wrapCodeBlock(pre, options.strings);
  }
  for (const table of Array.from(fragment.querySelectorAll('table'))) {
    wrapTable(table);
  }
}

/**
 * Wraps a table in `div.table-scroll`, which scrolls sideways when the table is wider than the
 * message. The table itself keeps `display: table`: making it the scroll box (`display:
 * block`) would drop its table semantics in some screen readers.
 *
 * @param table - a `<table>`, attached to a parent
 * @returns the wrapper
 */
export function wrapTable(table: HTMLTableElement): HTMLElement {
  const wrapper = table.ownerDocument.createElement('div');
  wrapper.className = TABLE_SCROLL_CLASS;
  table.replaceWith(wrapper);
  wrapper.append(table);
  return wrapper;
}

/**
 * Wraps a `<pre>` in the code-block structure:
 * `div.code-block[part=code-block] > (div.code-header > span.code-lang + button.copy-button) + pre`.
 *
 * @param pre - a `<pre>`, attached to a parent
 * @param strings - labels
 * @returns the wrapper
 */
export function wrapCodeBlock(pre: HTMLElement, strings: MarkdownStrings): HTMLElement {
  const doc = pre.ownerDocument;
  const wrapper = doc.createElement('div');
  wrapper.className = 'code-block';
  wrapper.setAttribute('part', 'code-block');
  const header = doc.createElement('div');
  header.className = 'code-header';
  const language = /(?:^|\s)language-(\S+)/.exec(pre.querySelector('code')?.className ?? '')?.[1];
  if (language) {
    const label = doc.createElement('span');
    label.className = 'code-lang';
    label.textContent = language;
    header.append(label);
  }
  const button = doc.createElement('button');
  button.type = 'button';
  button.className = 'copy-button';
  button.setAttribute('part', 'copy-button');
  button.dataset['copy'] = '';
  button.textContent = strings.copy;
  header.append(button);
  pre.replaceWith(wrapper);
  wrapper.append(header, pre);
  return wrapper;
}

function decorateImage(image: HTMLImageElement, options: DecorateOptions): void {
  const source = image.getAttribute('src');
  const url = source === null ? undefined : safeUrl(source);
  const parsed = url === undefined ? undefined : new URL(url);
  const loadable = parsed !== undefined && (parsed.protocol === 'https:' || parsed.protocol === 'http:');
  if (loadable && options.allowedImageOrigins.has(parsed.origin)) {
    // An allowlisted image still should not tell its host which page embedded it.
    image.setAttribute('referrerpolicy', 'no-referrer');
    image.setAttribute('loading', 'lazy');
    image.setAttribute('decoding', 'async');
    return;
  }
  image.replaceWith(imagePlaceholder(image, loadable ? parsed : undefined, options.strings));
}

/**
 * Remote images are not loaded by default: a prompt-injected answer could otherwise leak the
 * conversation through an image URL the moment it renders. The placeholder names the host and
 * links to the image, so loading it is the user's explicit choice.
 */
function imagePlaceholder(image: HTMLImageElement, url: URL | undefined, strings: MarkdownStrings): HTMLElement {
  const doc = image.ownerDocument;
  const placeholder = doc.createElement('span');
  placeholder.className = 'image-placeholder';
  placeholder.setAttribute('part', 'image-placeholder');
  const alt = image.getAttribute('alt')?.trim() ?? '';
  if (url) {
    const [before = '', ...rest] = strings.imageBlocked.split('{host}');
    const link = doc.createElement('a');
    link.href = url.href;
    link.target = '_blank';
    link.rel = LINK_REL;
    link.textContent = url.host;
    placeholder.append(before, link, rest.join(url.host));
    if (alt) placeholder.append(`: ${alt}`);
  } else {
    // Nothing could be loaded anyway (no or unsafe URL): keep the alt text only.
    placeholder.append(alt);
  }
  return placeholder;
}
