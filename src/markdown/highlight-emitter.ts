/**
 * A highlight.js emitter that builds DOM instead of HTML. highlight.js hands every token to an
 * emitter (its `__emitter` option; the interface is exported in its types); the default one
 * writes an HTML string, which would have to be parsed again, through the sanitizer and a
 * Trusted Types policy. This one creates `<span class="hl-…">` elements and text nodes directly:
 * no markup is ever parsed, nothing needs sanitizing, no inline style exists, and the spans'
 * classes come from a fixed list, never from the code.
 */
import type { Emitter } from 'highlight.js';

/**
 * The token categories that get a color, each one `--llm-chat-code-<category>-color` in the
 * element's styles (`emphasis` and `strong` only change the font).
 */
export type HighlightCategory =
  | 'keyword'
  | 'string'
  | 'comment'
  | 'number'
  | 'function'
  | 'type'
  | 'attribute'
  | 'tag'
  | 'meta'
  | 'addition'
  | 'deletion'
  | 'emphasis'
  | 'strong';

/**
 * highlight.js scopes (https://highlightjs.readthedocs.io/en/latest/css-classes-reference.html)
 * by category, the most specific name first (`title.class` before `title`). Scopes that wrap
 * whole constructs (`function`, `class`, `params`, `tag`, `subst`) are left out on purpose:
 * coloring them would color everything inside that has no scope of its own.
 */
const CATEGORIES: ReadonlyMap<string, HighlightCategory> = new Map([
  ['keyword', 'keyword'],
  ['selector-tag', 'keyword'],
  ['doctag', 'keyword'],
  ['template-tag', 'keyword'],
  ['variable.language', 'keyword'],
  ['string', 'string'],
  ['regexp', 'string'],
  ['char', 'string'],
  ['code', 'string'],
  ['link', 'string'],
  ['comment', 'comment'],
  ['quote', 'comment'],
  ['number', 'number'],
  ['literal', 'number'],
  ['symbol', 'number'],
  ['bullet', 'number'],
  ['variable.constant', 'number'],
  ['title.class', 'type'],
  ['title', 'function'],
  ['section', 'function'],
  ['type', 'type'],
  ['built_in', 'type'],
  ['attr', 'attribute'],
  ['attribute', 'attribute'],
  ['property', 'attribute'],
  ['variable', 'attribute'],
  ['template-variable', 'attribute'],
  ['selector-id', 'attribute'],
  ['selector-class', 'attribute'],
  ['selector-attr', 'attribute'],
  ['selector-pseudo', 'attribute'],
  ['name', 'tag'],
  ['meta', 'meta'],
  ['addition', 'addition'],
  ['deletion', 'deletion'],
  ['emphasis', 'emphasis'],
  ['strong', 'strong'],
]);

const cache = new Map<string, HighlightCategory | null>();

/**
 * The category of a highlight.js scope: its full name, else its shorter prefixes
 * (`title.function.invoke` → `title`).
 *
 * @param scope - a scope as highlight.js emits it
 * @returns the category, or `undefined` when the scope is not colored
 */
export function highlightCategory(scope: string): HighlightCategory | undefined {
  let category = cache.get(scope);
  if (category === undefined) {
    category = null;
    for (let name = scope; name !== ''; name = name.slice(0, Math.max(0, name.lastIndexOf('.')))) {
      const found = CATEGORIES.get(name);
      if (found) {
        category = found;
        break;
      }
    }
    cache.set(scope, category);
  }
  return category ?? undefined;
}

/** Class of a span of the given category. */
export const highlightClass = (category: HighlightCategory): string => `hl-${category}`;

interface Frame {
  node: Node;
  category: HighlightCategory | undefined;
}

/** The document the emitters create nodes in; set only while {@link emitInto} runs. */
let target: Document | undefined;

/**
 * Runs a highlight with emitters that create their nodes in `doc`. highlight.js constructs
 * emitters itself (one per language, sub-languages included), so the document cannot be
 * passed to them; highlighting is synchronous, so a variable set around the call is enough.
 *
 * @param doc - the document the code element belongs to
 * @param highlight - calls highlight.js and returns its emitter
 * @returns that emitter's nodes
 */
export function emitInto(doc: Document, highlight: () => Emitter): DocumentFragment {
  const previous = target;
  target = doc;
  try {
    return (highlight() as DomEmitter).root;
  } finally {
    target = previous;
  }
}

/**
 * The emitter. Besides the typed interface, highlight.js calls `openNode` and `closeNode`
 * directly, so they are implemented too.
 */
export class DomEmitter implements Emitter {
  readonly root: DocumentFragment;
  readonly #doc: Document;
  readonly #stack: Frame[];

  constructor(_options: unknown) {
    if (!target) throw new Error('llm-chat: highlight emitter used outside emitInto()');
    this.#doc = target;
    this.root = target.createDocumentFragment();
    this.#stack = [{ node: this.root, category: undefined }];
  }

  get #top(): Frame {
    return this.#stack[this.#stack.length - 1] as Frame;
  }

  addText(text: string): void {
    if (text === '') return;
    const parent = this.#top.node;
    const last = parent.lastChild;
    // Adjacent text merges, as the HTML parser would merge it: fewer nodes, same document.
    if (last instanceof Text) last.appendData(text);
    else parent.appendChild(this.#doc.createTextNode(text));
  }

  startScope(scope: string): void {
    this.openNode(scope);
  }

  endScope(): void {
    this.closeNode();
  }

  openNode(scope: string): void {
    const top = this.#top;
    const category = highlightCategory(String(scope));
    // Uncolored scopes and a scope of the color it is already in add no element.
    if (!category || category === top.category) {
      this.#stack.push(top);
      return;
    }
    const span = this.#doc.createElement('span');
    span.className = highlightClass(category);
    top.node.appendChild(span);
    this.#stack.push({ node: span, category });
  }

  closeNode(): void {
    if (this.#stack.length > 1) this.#stack.pop();
  }

  __addSublanguage(emitter: Emitter, _name: string): void {
    if (emitter instanceof DomEmitter) this.#top.node.appendChild(emitter.root);
  }

  finalize(): void {
    this.#stack.length = 1;
  }

  /** The HTML string is never used; building it would only cost time. */
  toHTML(): string {
    return '';
  }
}
