import { nothing } from 'lit';
import { AsyncDirective, PartType, directive } from 'lit/async-directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';
import { IncrementalRenderer } from '../markdown/incremental-renderer.js';
import type { IncrementalRendererOptions } from '../markdown/incremental-renderer.js';
import { loadSanitizer } from '../markdown/sanitizer-loader.js';
import { cancelRender, deferRender } from './deferred-render-queue.js';
import type { DeferredRender } from './deferred-render-queue.js';

/**
 * Markdown work per frame. A lot of text at once (a whole answer in one network chunk, a long
 * message shown finished) is rendered over several frames in slices of this size, leaving the
 * rest of the frame to style, layout and paint.
 */
const FRAME_BUDGET_MS = 8;

/**
 * Renders streaming markdown into the element it is attached to. Lit never renders children
 * into that element; the {@link IncrementalRenderer} owns them, so finished blocks are never
 * touched again and only the live tail is re-rendered.
 *
 * An answer that is already finished when it first appears (a restored transcript) is shown
 * as plain text and formatted through the deferred render queue, newest first; a streamed
 * answer is rendered at once. Options (strings, the image allowlist) that change are applied
 * by rendering the text again with a new renderer: rare, and the only way an image that is now
 * allowed gets loaded. When the message leaves the page the renderer is released (its
 * listeners and timers with it); when it comes back, it is rendered again.
 */
class MarkdownDirective extends AsyncDirective {
  private renderer: IncrementalRenderer | undefined;
  private container: HTMLElement | undefined;
  private text = '';
  private final = false;
  private finished = false;
  private options: IncrementalRendererOptions = {};
  private optionsKey = '';
  private deferred: DeferredRender | undefined;
  private frame = 0;

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('markdown() must be used on an element.');
  }

  render(_text: string, _final: boolean, _options: IncrementalRendererOptions) {
    return nothing;
  }

  override update(part: ElementPart, [text, final, options]: [string, boolean, IncrementalRendererOptions]) {
    this.container = part.element as HTMLElement;
    const key = JSON.stringify(options);
    if (key !== this.optionsKey) {
      this.release();
      this.options = options;
      this.optionsKey = key;
    }
    const changed = text !== this.text || final !== this.final;
    if (this.deferred) {
      if (!changed) return nothing;
      this.undefer();
    }
    this.text = text;
    this.final = final;
    // Every message of the transcript is updated on every frame of a stream; only the one
    // that changed has anything to do.
    if (this.isConnected && (changed || !this.renderer)) this.draw();
    return nothing;
  }

  protected override disconnected(): void {
    this.release();
  }

  protected override reconnected(): void {
    this.draw();
  }

  private draw(): void {
    const container = this.container;
    if (!container) return;
    if (!this.renderer && this.final && this.text !== '') {
      this.defer(container);
      return;
    }
    if (!this.renderer) {
      // An answer is on its way: fetch the sanitizer now, in parallel with the request, so a
      // block with raw HTML need not wait for it.
      if (!this.final) loadSanitizer().catch(() => undefined);
      this.renderer = new IncrementalRenderer(container, this.options);
    }
    this.step(performance.now() + FRAME_BUDGET_MS);
  }

  /** Renders within the deadline; what is left is rendered in the next frames. */
  private step(deadline: number): void {
    if (this.advance(deadline)) return;
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      if (this.isConnected) this.step(performance.now() + FRAME_BUDGET_MS);
    });
  }

  /** Renders what fits before the deadline; finishes the answer once all is rendered. */
  private advance(deadline: number): boolean {
    const renderer = this.renderer;
    if (!renderer) return true;
    // A finished answer can stream again (Continue): update() after finish() reopens the tail.
    if (this.finished && !this.final) this.finished = false;
    if (!renderer.update(this.text, deadline)) return false;
    if (this.final && !this.finished) {
      renderer.finish();
      this.finished = true;
    }
    return true;
  }

  /**
   * Shows the text as it is and leaves the formatting to the deferred render queue, which
   * calls the job (newest answers first, or when it nears the view) until it is done.
   */
  private defer(container: HTMLElement): void {
    container.textContent = this.text;
    const job: DeferredRender = {
      container,
      run: (deadline) => {
        if (this.deferred !== job) return true;
        if (!this.renderer) {
          container.replaceChildren();
          this.renderer = new IncrementalRenderer(container, this.options);
        }
        const done = this.advance(deadline);
        if (done) this.deferred = undefined;
        return done;
      },
    };
    this.deferred = job;
    deferRender(job);
  }

  /** Renders a deferred answer the ordinary way after all (its text changed, or it left). */
  private undefer(): void {
    if (!this.deferred) return;
    cancelRender(this.deferred);
    this.deferred = undefined;
    this.renderer?.destroy();
    this.renderer = undefined;
    this.finished = false;
    this.container?.replaceChildren();
  }

  private release(): void {
    this.undefer();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.renderer?.destroy();
    this.renderer = undefined;
    this.finished = false;
  }
}

/** `<div ${markdown(text, isFinal, options)}></div>` */
export const markdown = directive(MarkdownDirective);
