import { IncrementalRenderer } from './incremental-renderer.js';

/**
 * A short answer that uses every kind of block and inline markup the renderer builds directly,
 * so that rendering it once runs every path a typical answer takes. Raw HTML, images and
 * entities are left out: they would load the sanitizer, which only pages that chat need.
 */
const SAMPLE = [
  '## Warm-up heading',
  '',
  'A paragraph with **strong**, *emphasis*, ~~deleted~~, `code`, a [link](https://example.com/a "title"), https://example.com/auto, and an escape \\*.',
  '',
  '- item one',
  '  - nested item',
  '- [x] task',
  '',
  '1. first',
  '2. second',
  '',
  '> a quote',
  '',
  '| a | b |',
  '|:--|--:|',
  '| `x` | **y** |',
  '',
  '```ts',
  'const answer = 42;',
  '```',
  '',
  '---',
  '',
  'Setext heading',
  '==============',
  '',
  'The end.',
  '',
].join('\n');

/** Where the sample is cut: the live tail, live code fences and finished blocks each get a turn. */
const CUTS = [24, 90, 198, 220, 262, 290, 315, 330, SAMPLE.length];

/**
 * The first answer on a page pays for everything the markdown engine does for the first time:
 * V8 compiling marked's many regular expressions and the renderer's functions. Measured in
 * Chromium that is tens of milliseconds, all of it on the first delta's path to the screen. Rendering
 * a sample answer into a detached element beforehand, while the page is idle, moves that cost
 * off the path; every later answer reuses the compiled code.
 *
 * The work comes in steps, each far shorter than a long task, so a caller can spread them over
 * idle periods. The last step leaves the rendered sample in `container`, for a caller that
 * also wants the browser's first layout of such content (font lookups) done early.
 *
 * @param container - a detached element to render the sample into
 * @returns steps to run in order; each returns when its part is done
 */
export function markdownWarmUpSteps(container: HTMLElement): Array<() => void> {
  let renderer: IncrementalRenderer | undefined;
  const steps: Array<() => void> = CUTS.map((cut) => () => {
    // Never highlighted: only pages whose answers hold such code download the highlighter.
    renderer ??= new IncrementalRenderer(container, { highlighter: null });
    renderer.update(SAMPLE.slice(0, cut));
  });
  steps.push(() => renderer?.finish());
  return steps;
}
