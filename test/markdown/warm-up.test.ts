import { expect } from '@open-wc/testing';
import { loadedSanitizer } from '../../src/markdown/sanitizer-loader.js';
import { markdownWarmUpSteps } from '../../src/markdown/warm-up.js';

describe('markdownWarmUpSteps', () => {
  it('renders a sample through every direct path (live tail, live fence, finished blocks) without loading the sanitizer', async () => {
    const container = document.createElement('div');
    const steps = markdownWarmUpSteps(container);
    expect(steps.length).to.be.greaterThan(5);
    const seen = new Set<string>();
    for (const step of steps) {
      step();
      if (container.querySelector('.markdown-live pre')) seen.add('live fence');
      if (container.querySelector('.markdown-live > *')) seen.add('live tail');
    }
    for (const selector of [
      'h2',
      'strong',
      'em',
      'del',
      'a[rel]',
      'ul ul',
      'ol',
      'blockquote',
      'table',
      '.code-block pre code',
      'hr',
      'h1',
    ]) {
      expect(container.querySelector(`.markdown-group ${selector}`), selector).to.exist;
    }
    expect([...seen].sort()).to.deep.equal(['live fence', 'live tail']);
    // Pages that never chat never download the sanitizer.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(loadedSanitizer()).to.equal(undefined);
  });
});
