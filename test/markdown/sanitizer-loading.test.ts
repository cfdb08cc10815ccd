import { expect, waitUntil } from '@open-wc/testing';
import { IncrementalRenderer } from '../../src/markdown/incremental-renderer.js';
import { markedInstance } from '../../src/markdown/marked-instance.js';
import { loadSanitizer, loadedSanitizer } from '../../src/markdown/sanitizer-loader.js';
import { decorateFragment, DEFAULT_MARKDOWN_STRINGS } from '../../src/markdown/decorate-fragment.js';

// This file must run in a page where nothing has loaded the sanitizer yet: it imports neither
// sanitize.ts nor the markdown index (wtr gives every test file a page of its own).

function renderOnce(text: string): string {
  const sanitize = loadedSanitizer();
  if (!sanitize) throw new Error('sanitizer not loaded');
  const fragment = sanitize(markedInstance.parse(text, { async: false }));
  decorateFragment(fragment, { strings: DEFAULT_MARKDOWN_STRINGS, allowedImageOrigins: new Set() });
  const div = document.createElement('div');
  div.append(fragment);
  return div.innerHTML;
}

function blocks(container: HTMLElement): string {
  return [...container.querySelectorAll('.markdown-block')].map((block) => block.innerHTML).join('');
}

describe('IncrementalRenderer before the sanitizer has loaded', () => {
  it('builds plain markdown without it, shows blocks with raw HTML as plain text, then renders them once it is there', async () => {
    expect(loadedSanitizer()).to.equal(undefined);
    const container = document.createElement('div');
    const renderer = new IncrementalRenderer(container);
    const text = '# Title\n\nPlain **markdown** needs no sanitizer.\n\nPress <kbd>Ctrl</kbd> &amp; <b>go</b>.\n\nLive <i>tail';
    renderer.update(text);

    const [heading, paragraph, html] = [...container.querySelectorAll('.markdown-block')];
    expect(heading?.innerHTML).to.equal('<h1>Title</h1>\n');
    expect(paragraph?.querySelector('strong')?.textContent).to.equal('markdown');
    // Not parsed as markup: the source, as text, until the choke point is available.
    expect(html?.querySelector('pre.plain-text')?.textContent).to.equal('Press <kbd>Ctrl</kbd> &amp; <b>go</b>.');
    expect(container.querySelector('kbd, b, i')).to.equal(null);

    await loadSanitizer();
    await waitUntil(() => container.querySelector('kbd') !== null, 'the waiting block was rendered');
    expect(html?.innerHTML).to.equal(renderOnce('Press <kbd>Ctrl</kbd> &amp; <b>go</b>.\n\n'));
    expect(container.querySelector('.markdown-live i')?.textContent).to.equal('tail');
    // The first blocks were not rendered again.
    expect(container.querySelectorAll('.markdown-block')[0]).to.equal(heading);

    renderer.finish();
    const reference = document.createElement('div');
    const once = new IncrementalRenderer(reference);
    once.update(text);
    once.finish();
    expect(blocks(container)).to.equal(blocks(reference));
    renderer.destroy();
    once.destroy();
  });
});
