import { expect, waitUntil } from '@open-wc/testing';
import { BLOCK_CLASS, GROUP_CLASS, GROUP_SIZE, IncrementalRenderer, LIVE_BLOCK_CLASS } from '../../src/markdown/incremental-renderer.js';
import { decorateFragment, DEFAULT_MARKDOWN_STRINGS } from '../../src/markdown/decorate-fragment.js';
import { markedInstance } from '../../src/markdown/marked-instance.js';
import { sanitizeHtml } from '../../src/markdown/sanitize.js';
import { loadSanitizer } from '../../src/markdown/sanitizer-loader.js';
import { CORPUS, createRandom, largeDocument, randomChunks } from './markdown-corpus.js';

function renderAtOnce(text: string): string {
  const container = document.createElement('div');
  const renderer = new IncrementalRenderer(container);
  renderer.update(text);
  renderer.finish();
  const html = container.innerHTML;
  renderer.destroy();
  return html;
}

function renderChunks(chunks: readonly string[]): string {
  const container = document.createElement('div');
  const renderer = new IncrementalRenderer(container);
  let text = '';
  for (const chunk of chunks) {
    text += chunk;
    renderer.update(text);
  }
  renderer.finish();
  const html = container.innerHTML;
  renderer.destroy();
  return html;
}

/** Whole-document rendering through the same parser, sanitizer and decorations, unsplit. */
function renderUnsplit(text: string): string {
  const fragment = sanitizeHtml(markedInstance.parse(text, { async: false }));
  decorateFragment(fragment, { strings: DEFAULT_MARKDOWN_STRINGS, allowedImageOrigins: new Set() });
  const holder = document.createElement('div');
  holder.append(fragment);
  return normalize(holder.innerHTML);
}

function normalize(html: string): string {
  return html.replace(/>\s+</g, '><').trim();
}

function blockContents(html: string): string {
  const holder = document.createElement('div');
  holder.innerHTML = html;
  return normalize(Array.from(holder.querySelectorAll(`.${BLOCK_CLASS}`), (block) => block.innerHTML).join(''));
}

describe('IncrementalRenderer', () => {
  // Blocks with raw HTML wait for the sanitizer's chunk (see sanitizer-loading.test.ts); here
  // it is there from the start, as it is once a page has sent its first request.
  before(() => loadSanitizer());

  describe('with a deadline (a whole answer at once, spread over frames)', () => {
    const past = () => performance.now() - 1;

    it('stops at a line boundary showing the answer up to there, and catches up to the same DOM', () => {
      const text = largeDocument(3, 200);
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      expect(renderer.update(text, past())).to.equal(false);
      const shown = container.textContent ?? '';
      expect(shown.length).to.be.greaterThan(0);
      expect(shown.length).to.be.lessThan(text.length / 4);
      let calls = 1;
      while (!renderer.update(text, past())) calls++;
      expect(calls).to.be.greaterThan(3);
      renderer.finish();
      expect(container.innerHTML).to.equal(renderAtOnce(text));
      renderer.destroy();
    });

    it('ends in the same DOM for any mix of chunkings, deadlines and an early finish()', () => {
      const text = largeDocument(11, 80);
      const expected = renderAtOnce(text);
      const random = createRandom(7);
      for (let round = 0; round < 8; round++) {
        const container = document.createElement('div');
        const renderer = new IncrementalRenderer(container);
        let sofar = '';
        for (const chunk of randomChunks(text, random, 1, 1 + Math.floor(random() * 3000))) {
          sofar += chunk;
          renderer.update(sofar, random() < 0.5 ? past() : Infinity);
        }
        // finish() renders whatever a deadline left behind.
        renderer.finish();
        if (container.innerHTML !== expected) expect(container.innerHTML, `round ${round}`).to.equal(expected);
        renderer.destroy();
      }
    });
  });

  describe('chunking invariant', () => {
    for (const doc of CORPUS) {
      it(`renders "${doc.name}" the same for every two-chunk split`, () => {
        const expected = renderAtOnce(doc.text);
        expect(expected).to.not.equal('');
        for (let cut = 1; cut < doc.text.length; cut++) {
          const actual = renderChunks([doc.text.slice(0, cut), doc.text.slice(cut)]);
          if (actual !== expected) expect(actual, `split at ${cut}`).to.equal(expected);
        }
      });

      it(`renders "${doc.name}" the same character by character`, () => {
        expect(renderChunks([...doc.text.split('')])).to.equal(renderAtOnce(doc.text));
      });

      it(`renders "${doc.name}" the same for random chunkings`, () => {
        const expected = renderAtOnce(doc.text);
        const random = createRandom(doc.text.length);
        for (let round = 0; round < 25; round++) {
          const chunks = randomChunks(doc.text, random);
          const actual = renderChunks(chunks);
          if (actual !== expected) expect(actual, `chunks ${JSON.stringify(chunks)}`).to.equal(expected);
        }
      });
    }

    it('renders a large document the same for many random chunkings', () => {
      const text = largeDocument(7, 120);
      expect(text.length).to.be.greaterThan(10_000);
      const expected = renderAtOnce(text);
      const random = createRandom(42);
      for (let round = 0; round < 12; round++) {
        const actual = renderChunks(randomChunks(text, random, 1, 1 + Math.floor(random() * 400)));
        if (actual !== expected) expect(actual, `round ${round}`).to.equal(expected);
      }
    });

    it('splits only where the whole-document parse has a block boundary', () => {
      for (const doc of CORPUS) {
        if (doc.semantic === false) continue;
        expect(blockContents(renderAtOnce(doc.text)), doc.name).to.equal(renderUnsplit(doc.text));
      }
    });

    it('renders finished blocks into separate elements, in groups', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update('# One\n\nTwo\n\nThree');
      expect(Array.from(container.children, (child) => child.className)).to.deep.equal([GROUP_CLASS, `${BLOCK_CLASS} ${LIVE_BLOCK_CLASS}`]);
      expect(container.firstElementChild?.children).to.have.length(2);
      renderer.finish();
      expect(container.children).to.have.length(1);
      expect(Array.from(container.querySelectorAll(`.${BLOCK_CLASS}`), (block) => block.textContent?.trim())).to.deep.equal([
        'One',
        'Two',
        'Three',
      ]);
      const many = Array.from({ length: GROUP_SIZE * 2 + 3 }, (_, i) => `Paragraph ${i}.`).join('\n\n');
      renderer.update(many);
      renderer.finish();
      expect(Array.from(container.children, (group) => group.children.length)).to.deep.equal([GROUP_SIZE, GROUP_SIZE, 3]);
      renderer.destroy();
    });
  });

  describe('finished blocks', () => {
    it('are never touched again while the answer streams on', async () => {
      const container = document.createElement('div');
      document.body.append(container);
      // Without highlighting, its one later change to finished code blocks (tested on its own in
      // highlight-rendering.test.ts).
      const renderer = new IncrementalRenderer(container, { highlighter: null });
      const text = largeDocument(3, 25);
      const random = createRandom(5);
      const observed = new Map<Element, string>();
      const records: MutationRecord[] = [];
      const observer = new MutationObserver((mutations) => records.push(...mutations));
      let streamed = '';
      for (const chunk of randomChunks(text, random, 1, 30)) {
        streamed += chunk;
        renderer.update(streamed);
        for (const child of Array.from(container.querySelectorAll(`.${GROUP_CLASS} > .${BLOCK_CLASS}`))) {
          if (observed.has(child)) continue;
          observed.set(child, child.innerHTML);
          observer.observe(child, { subtree: true, childList: true, characterData: true, attributes: true });
        }
      }
      renderer.finish();
      await Promise.resolve();
      records.push(...observer.takeRecords());
      observer.disconnect();
      expect(observed.size).to.be.greaterThan(10);
      expect(records).to.have.length(0);
      for (const [element, html] of observed) {
        expect(element.parentElement?.parentElement).to.equal(container);
        expect(element.innerHTML).to.equal(html);
      }
      renderer.destroy();
      container.remove();
    });

    it('keeps the first block element when later blocks arrive', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update('First paragraph.\n\nSecond');
      const first = container.querySelector(`.${BLOCK_CLASS}`);
      expect(first?.textContent).to.equal('First paragraph.\n');
      renderer.update('First paragraph.\n\nSecond paragraph.\n\n- a list\n- more\n\n| t |\n|---|\n| x |\n');
      renderer.finish();
      expect(container.querySelector(`.${BLOCK_CLASS}`)).to.equal(first);
      renderer.destroy();
    });
  });

  describe('live tail', () => {
    function live(text: string): HTMLElement {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update(text);
      const tail = container.querySelector<HTMLElement>(`.${LIVE_BLOCK_CLASS}`);
      if (!tail) throw new Error('no live tail');
      return tail;
    }

    it('shows unclosed bold as bold, without asterisks', () => {
      const tail = live('Intro.\n\nThis is **very important');
      expect(tail.querySelector('strong')?.textContent).to.equal('very important');
      expect(tail.textContent).to.not.include('*');
    });

    it('shows an unclosed code span as code', () => {
      const tail = live('Call `render(');
      expect(tail.querySelector('code')?.textContent).to.equal('render(');
      expect(tail.textContent).to.not.include('`');
    });

    it('shows an unfinished link as its text, without a broken link', () => {
      const tail = live('Read [the guide](https://exam');
      expect(tail.querySelector('a')).to.equal(null);
      expect(tail.textContent?.trim()).to.equal('Read the guide');
    });

    it('shows an open code fence as a code block, without fence markers', () => {
      const tail = live('```js\nconst a = 1;\n\nconst b = 2;\n``');
      const code = tail.querySelector('.code-block pre code');
      expect(code?.className).to.equal('language-js');
      expect(code?.textContent).to.equal('const a = 1;\n\nconst b = 2;\n');
      expect(tail.textContent).to.not.include('``');
      expect(tail.querySelector('[part="copy-button"]')).to.not.equal(null);
    });

    it('appends to an open fence instead of re-rendering it', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      let text = 'Code:\n\n```py\n';
      renderer.update(text);
      const pre = container.querySelector(`.${LIVE_BLOCK_CLASS} pre`);
      for (let line = 0; line < 50; line++) {
        text += `print(${line})\n`;
        renderer.update(text);
      }
      expect(container.querySelector(`.${LIVE_BLOCK_CLASS} pre`)).to.equal(pre);
      expect(pre?.textContent?.split('\n')).to.have.length(51);
      renderer.update(`${text}\`\`\`\n\nAfter.`);
      renderer.finish();
      expect(container.innerHTML).to.equal(renderAtOnce(`${text}\`\`\`\n\nAfter.`));
      renderer.destroy();
    });

    it('does not turn a paragraph into a heading while a list marker arrives', () => {
      const tail = live('Options:\n-');
      expect(tail.querySelector('h2')).to.equal(null);
      expect(tail.querySelector('p')?.textContent).to.equal('Options:');
    });

    it('renders a table as soon as its delimiter row starts', () => {
      const tail = live('| Name | Value |\n|--');
      expect(tail.querySelectorAll('th')).to.have.length(2);
    });
  });

  describe('replacement and continuation', () => {
    it('re-renders from scratch when the text is replaced (Retry)', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update('# Old answer\n\nWith a paragraph.\n\nAnd more');
      renderer.update('Fresh');
      renderer.update('Fresh answer **now**\n\n- a\n');
      renderer.finish();
      expect(container.innerHTML).to.equal(renderAtOnce('Fresh answer **now**\n\n- a\n'));
      expect(container.textContent).to.not.include('Old');
      renderer.destroy();
    });

    it('detects a replacement that is longer than the previous text', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      const first = `${'Paragraph one.\n\n'.repeat(400)}Tail`;
      renderer.update(first);
      const replaced = `Different start.\n\n${first}`;
      renderer.update(replaced);
      renderer.finish();
      expect(container.innerHTML).to.equal(renderAtOnce(replaced));
      renderer.destroy();
    });

    it('reopens a finished answer that is continued (Continue)', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update('A truncated sent');
      renderer.finish();
      renderer.update('A truncated sentence, now continued.\n\n```js\nx();\n```\n');
      renderer.finish();
      expect(container.innerHTML).to.equal(renderAtOnce('A truncated sentence, now continued.\n\n```js\nx();\n```\n'));
      renderer.destroy();
    });

    it('clears everything on reset and refuses to work after destroy', () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      renderer.update('Some **text**\n\nmore');
      renderer.reset();
      expect(container.childNodes).to.have.length(0);
      renderer.update('New');
      renderer.finish();
      expect(container.textContent?.trim()).to.equal('New');
      renderer.destroy();
      expect(container.childNodes).to.have.length(0);
      expect(() => renderer.update('x')).to.throw(/destroy/);
    });
  });

  describe('copy button', () => {
    const original = Object.getOwnPropertyDescriptor(navigator, 'clipboard');
    let copied: string[] = [];
    let fail = false;

    beforeEach(() => {
      copied = [];
      fail = false;
      Object.defineProperty(navigator, 'clipboard', {
        configurable: true,
        value: {
          writeText: (text: string) => {
            if (fail) return Promise.reject(new DOMException('denied', 'NotAllowedError'));
            copied.push(text);
            return Promise.resolve();
          },
        },
      });
    });

    afterEach(() => {
      if (original) Object.defineProperty(navigator, 'clipboard', original);
      else Reflect.deleteProperty(navigator, 'clipboard');
    });

    function renderCode(options: ConstructorParameters<typeof IncrementalRenderer>[1] = {}) {
      const container = document.createElement('div');
      document.body.append(container);
      const renderer = new IncrementalRenderer(container, options);
      renderer.update('Example:\n\n```ts\nconst answer = 42;\nconsole.log(answer);\n```\n');
      renderer.finish();
      const button = container.querySelector<HTMLButtonElement>('button[part="copy-button"]');
      if (!button) throw new Error('no copy button');
      return { container, renderer, button };
    }

    it('copies the code text and says so', async () => {
      const { container, renderer, button } = renderCode();
      expect(button.textContent).to.equal('Copy');
      expect(container.querySelector('.code-lang')?.textContent).to.equal('ts');
      button.click();
      await waitUntil(() => button.textContent === 'Copied');
      expect(copied).to.deep.equal(['const answer = 42;\nconsole.log(answer);']);
      renderer.destroy();
      container.remove();
    });

    it('says when the clipboard refused, in the configured language, then resets', async () => {
      fail = true;
      const { container, renderer, button } = renderCode({
        strings: { copy: 'Kopieren', copied: 'Kopiert', copyFailed: 'Fehlgeschlagen' },
        copyFeedbackMs: 150,
      });
      expect(button.textContent).to.equal('Kopieren');
      button.click();
      await waitUntil(() => button.textContent === 'Fehlgeschlagen', undefined, { interval: 5 });
      await waitUntil(() => button.textContent === 'Kopieren', undefined, { interval: 5 });
      expect(copied).to.deep.equal([]);
      renderer.destroy();
      container.remove();
    });

    it('copies from a code block that is still streaming', async () => {
      const container = document.createElement('div');
      document.body.append(container);
      const renderer = new IncrementalRenderer(container);
      renderer.update('```sh\nnpm install\nnpm t');
      container.querySelector<HTMLButtonElement>('button[data-copy]')?.click();
      await waitUntil(() => copied.length === 1);
      expect(copied).to.deep.equal(['npm install\nnpm t']);
      renderer.destroy();
      container.remove();
    });
  });
});
