import { nothing } from 'lit';
import { AsyncDirective, PartType, directive } from 'lit/async-directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';
import { IncrementalRenderer } from '../markdown/incremental-renderer.js';
import type { IncrementalRendererOptions } from '../markdown/incremental-renderer.js';

/**
 * Renders streaming markdown into the element it is attached to. Lit never renders children
 * into that element; the {@link IncrementalRenderer} owns them, so finished blocks are never
 * touched again and only the live tail is re-rendered.
 *
 * Options (strings, the image allowlist) that change are applied by rendering the text again
 * with a new renderer: rare, and the only way an image that is now allowed gets loaded. When
 * the message leaves the page the renderer is released (its listeners and timers with it);
 * when it comes back, it is rendered again.
 */
class MarkdownDirective extends AsyncDirective {
  private renderer: IncrementalRenderer | undefined;
  private container: HTMLElement | undefined;
  private text = '';
  private final = false;
  private finished = false;
  private options: IncrementalRendererOptions = {};
  private optionsKey = '';

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
    this.text = text;
    this.final = final;
    if (this.isConnected) this.draw();
    return nothing;
  }

  protected override disconnected(): void {
    this.release();
  }

  protected override reconnected(): void {
    this.draw();
  }

  private draw(): void {
    if (!this.container) return;
    this.renderer ??= new IncrementalRenderer(this.container, this.options);
    // A finished answer can stream again (Continue): update() after finish() reopens the tail.
    if (this.finished && !this.final) this.finished = false;
    this.renderer.update(this.text);
    if (this.final && !this.finished) {
      this.renderer.finish();
      this.finished = true;
    }
  }

  private release(): void {
    this.renderer?.destroy();
    this.renderer = undefined;
    this.finished = false;
  }
}

/** `<div ${markdown(text, isFinal, options)}></div>` */
export const markdown = directive(MarkdownDirective);
