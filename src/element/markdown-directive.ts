import { nothing } from 'lit';
import { Directive, PartType, directive } from 'lit/directive.js';
import type { ElementPart, PartInfo } from 'lit/directive.js';
import { IncrementalRenderer } from '../markdown/incremental-renderer.js';
import type { IncrementalRendererOptions } from '../markdown/incremental-renderer.js';

/**
 * Renders streaming markdown into the element it is attached to. Lit never renders children
 * into that element; the {@link IncrementalRenderer} owns them, so finished blocks are never
 * touched again and only the live tail is re-rendered.
 */
class MarkdownDirective extends Directive {
  private renderer: IncrementalRenderer | undefined;
  private finished = false;

  constructor(partInfo: PartInfo) {
    super(partInfo);
    if (partInfo.type !== PartType.ELEMENT) throw new Error('markdown() must be used on an element.');
  }

  render(_text: string, _final: boolean, _options: IncrementalRendererOptions) {
    return nothing;
  }

  override update(part: ElementPart, [text, final, options]: [string, boolean, IncrementalRendererOptions]) {
    const container = part.element as HTMLElement;
    this.renderer ??= new IncrementalRenderer(container, options);
    // A finished answer can stream again (Continue): update() after finish() reopens the tail.
    if (this.finished && !final) this.finished = false;
    this.renderer.update(text);
    if (final && !this.finished) {
      this.renderer.finish();
      this.finished = true;
    }
    return nothing;
  }
}

/** `<div ${markdown(text, isFinal, options)}></div>` */
export const markdown = directive(MarkdownDirective);
