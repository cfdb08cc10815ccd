import { markdownWarmUpSteps } from '../markdown/warm-up.js';

let started = false;

type IdleWindow = Window & { requestIdleCallback?: (callback: () => void, options?: { timeout: number }) => number };

/**
 * Warms up answer rendering once per page, one short step per idle period, so the first
 * answer's first delta does not pay for work done only the first time: compiling the markdown
 * engine (see `markdownWarmUpSteps`), and the browser's first layout of markdown content, in
 * which it looks up the bold, italic and monospace faces of the chat's fonts (measured at
 * 5–10 ms per frame on Linux). Idle time after the chat appears is almost always there: a
 * user reads the page and types before the first answer can start.
 *
 * The sample is laid out inside `root`, where the element's styles apply, invisible and
 * hidden from assistive technology, and removed in the same task: it is never painted.
 *
 * @param root - the element's render root
 */
export function warmUpRenderingWhenIdle(root: DocumentFragment | HTMLElement): void {
  const doc = root.ownerDocument;
  const win = doc.defaultView as IdleWindow | null;
  if (started || !win) return;
  started = true;
  const sample = doc.createElement('div');
  sample.className = 'content markdown';
  const steps = markdownWarmUpSteps(sample);
  steps.push(() => {
    sample.setAttribute('aria-hidden', 'true');
    sample.inert = true;
    // CSSOM, not a style attribute: allowed under a strict style-src.
    Object.assign(sample.style, { position: 'absolute', visibility: 'hidden', width: '40em', left: '0', top: '0', pointerEvents: 'none' });
    root.append(sample);
    void sample.offsetHeight;
    sample.remove();
  });
  const schedule = (callback: () => void) => {
    if (win.requestIdleCallback) win.requestIdleCallback(callback, { timeout: 2000 });
    else win.setTimeout(callback, 50);
  };
  const next = () => {
    const step = steps.shift();
    if (!step) return;
    try {
      step();
    } catch {
      // A warm-up that fails costs nothing but the warm-up; the real render reports its own errors.
      return;
    }
    schedule(next);
  };
  schedule(next);
}
