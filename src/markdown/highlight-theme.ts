/**
 * The colors of highlighted code, shipped with the highlighter chunk: until it loads there is
 * nothing to color, so pages without code do not download them either. They are adopted as a
 * constructed stylesheet into the shadow root that holds the code (the `<llm-chat>` element's):
 * a `<style>` element or inline styles would need `'unsafe-inline'` under a strict CSP, a
 * constructed sheet needs nothing. Code rendered into a page's own document gets no sheet; the
 * page styles the `hl-*` classes itself.
 *
 * The public tokens (`--llm-chat-code-<category>-color`, documented on the element) are read
 * once on :host into private `--_*` variables, with light defaults and then dark ones, like the
 * element's own styles. Every default has a contrast of at least 4.5:1 (WCAG AA) against the
 * default `--llm-chat-code-background` of its scheme.
 */
import type { HighlightCategory } from './highlight-emitter.js';

/** Class of the groups of lines a highlighted block is made of (see `highlight-runner.ts`). */
export const LINES_CLASS = 'hl-lines';

/** Light and dark defaults per colored category (`emphasis` and `strong` change the font only). */
const COLORS: Record<Exclude<HighlightCategory, 'emphasis' | 'strong'>, [light: string, dark: string]> = {
  keyword: ['#cf222e', '#ff7b72'],
  string: ['#0a3069', '#a5d6ff'],
  comment: ['#57606a', '#8b949e'],
  number: ['#0550ae', '#79c0ff'],
  function: ['#6639ba', '#d2a8ff'],
  type: ['#953800', '#ffa657'],
  attribute: ['#0b5394', '#7cc7e8'],
  tag: ['#116329', '#7ee787'],
  meta: ['#8250df', '#e0a8ff'],
  addition: ['#116329', '#7ee787'],
  deletion: ['#b31d28', '#ffa198'],
};

/** The theme's CSS, for documentation and tests. */
export const HIGHLIGHT_THEME_CSS: string = (() => {
  const entries = Object.entries(COLORS);
  const tokens = (scheme: 0 | 1) =>
    entries.map(([name, colors]) => `--_code-${name}: var(--llm-chat-code-${name}-color, ${colors[scheme]});`).join('\n');
  return [
    `:host {\n${tokens(0)}\n}`,
    `@media (prefers-color-scheme: dark) {\n:host {\n${tokens(1)}\n}\n}`,
    ...entries.map(([name]) => `.hl-${name} { color: var(--_code-${name}); }`),
    '.hl-comment, .hl-emphasis { font-style: italic; }',
    '.hl-strong { font-weight: 600; }',
    // A group is a block the browser skips while it is off screen; it is as wide as its longest
    // line (so nothing is clipped and the block scrolls sideways as before) and, until it has
    // been laid out once, counts as a full group of 64 lines.
    `.${LINES_CLASS} { display: block; width: max-content; min-width: 100%; content-visibility: auto; contain-intrinsic-size: auto 1px auto calc(64 * 1lh); }`,
  ].join('\n');
})();

const sheets = new WeakMap<Document, CSSStyleSheet>();

/**
 * Adds the theme to the shadow root that holds `code`, once.
 *
 * @param code - a code element about to be highlighted
 */
export function adoptHighlightTheme(code: Element): void {
  const root = code.getRootNode();
  const win = code.ownerDocument.defaultView;
  if (!win || !(root instanceof win.ShadowRoot)) return;
  let sheet = sheets.get(code.ownerDocument);
  if (!sheet) {
    sheet = new win.CSSStyleSheet();
    sheet.replaceSync(HIGHLIGHT_THEME_CSS);
    sheets.set(code.ownerDocument, sheet);
  }
  if (!root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
