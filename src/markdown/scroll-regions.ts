/** Class of the element a table is wrapped in, which scrolls sideways when the table is wide. */
export const TABLE_SCROLL_CLASS = 'table-scroll';

/** Accessible names of the regions, from `MarkdownStrings`. */
export interface ScrollRegionNames {
  /** A code block whose lines are wider than the message. */
  scrollableCode: string;
  /** A table wider than the message. */
  scrollableTable: string;
}

/**
 * Makes code blocks and tables that scroll sideways reachable from the keyboard: a scrolling
 * box with nothing focusable inside cannot be scrolled without a mouse. Only boxes that really
 * scroll become a tab stop (`tabindex="0"`, `role="region"` and a name, the pattern for
 * scrollable regions), and they stop being one when the chat grows wide enough; a tab stop on
 * every small table would only be in the way. Whether a box scrolls is known after layout, so
 * a `ResizeObserver` checks each one when its width changes (it reports every new box once).
 *
 * Used for finished blocks only: they are never re-rendered, while the live tail is redrawn
 * every frame and is still changing anyway.
 */
export class ScrollRegions {
  readonly #names: ScrollRegionNames;
  readonly #observer: ResizeObserver | undefined;

  /**
   * @param names - the regions' accessible names
   */
  constructor(names: ScrollRegionNames) {
    this.#names = names;
    this.#observer =
      typeof ResizeObserver === 'function'
        ? new ResizeObserver((entries) => {
            for (const entry of entries) this.#update(entry.target);
          })
        : undefined;
  }

  /**
   * Watches the code blocks and tables inside a finished block.
   *
   * @param block - the block's element
   */
  observe(block: Element): void {
    if (!this.#observer) return;
    for (const box of boxes(block)) this.#observer.observe(box);
  }

  /**
   * Stops watching a block that left the page.
   *
   * @param block - the block's element
   */
  unobserve(block: Element): void {
    if (!this.#observer) return;
    for (const box of boxes(block)) this.#observer.unobserve(box);
  }

  /** Stops watching everything (the container was cleared). */
  disconnect(): void {
    this.#observer?.disconnect();
  }

  #update(box: Element): void {
    // Read inside the observer's callback, after layout: no extra layout is forced.
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls === box.hasAttribute('tabindex')) return;
    if (scrolls) {
      box.setAttribute('tabindex', '0');
      box.setAttribute('role', 'region');
      box.setAttribute('aria-label', box.localName === 'pre' ? this.#names.scrollableCode : this.#names.scrollableTable);
    } else {
      box.removeAttribute('tabindex');
      box.removeAttribute('role');
      box.removeAttribute('aria-label');
    }
  }
}

function boxes(block: Element): Element[] {
  return Array.from(block.querySelectorAll(`.code-block > pre, .${TABLE_SCROLL_CLASS}`));
}
