/**
 * Highlighting inside the incremental renderer. The first two tests watch the page's own
 * module loads, so they must run first in this file and nothing here may import the
 * highlighter statically.
 */
import { expect } from '@open-wc/testing';
import { HighlightQueue, IncrementalRenderer } from '../../src/markdown/index.js';
import { CORPUS, createRandom, randomChunks } from './markdown-corpus.js';

const fence = '```';

/** Module files the page fetched whose path contains `name`. */
function fetched(name: string): string[] {
  return performance
    .getEntriesByType('resource')
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.includes(name));
}

async function renderSettled(chunks: readonly string[], highlighter?: HighlightQueue): Promise<string> {
  const container = document.createElement('div');
  const renderer = new IncrementalRenderer(container, highlighter ? { highlighter } : {});
  let text = '';
  for (const chunk of chunks) {
    text += chunk;
    renderer.update(text);
  }
  renderer.finish();
  await renderer.whenHighlighted();
  const html = container.innerHTML;
  renderer.destroy();
  return html;
}

/** A queue around the real highlighter that records every run it highlights. */
function countingQueue(): { queue: HighlightQueue; runs: string[] } {
  const runs: string[] = [];
  const queue = new HighlightQueue({
    load: async () => {
      const chunk = await import('../../src/markdown/highlight-engine.js');
      return {
        HighlightRunner: chunk.HighlightRunner,
        highlightSegment: (doc, code, language) => {
          runs.push(code);
          return chunk.highlightSegment(doc, code, language);
        },
      };
    },
  });
  return { queue, runs };
}

const MIXED = [
  '# Examples\n\n',
  `${fence}ts\nconst answer: number = 42; // the answer\n${fence}\n\n`,
  'Some prose with `inline code` between.\n\n',
  `${fence}python\ndef f(x):\n    """Doc."""\n    return x * 2\n${fence}\n\n`,
  '| a | b |\n|---|---|\n| 1 | 2 |\n\n',
  `${fence}brainfuck\n+[----->+++<]>+.\n${fence}\n\n`,
  `${fence}\nno language\n${fence}\n\n`,
  `- item\n\n  ${fence}bash\n  echo "in a list" # comment\n  ${fence}\n\n`,
  `${fence}html\n<p class="x">hi</p>\n${fence}`,
].join('');

describe('highlighting in the renderer', () => {
  it('does not load the highlighter for answers without code in a known language', async () => {
    const answer =
      '# Title\n\nProse with `inline code`, **bold** and a [link](https://example.com).\n\n' +
      `| a | b |\n|---|---|\n| 1 | 2 |\n\n${fence}\nno language\n${fence}\n\n${fence}brainfuck\n+[->+<]\n${fence}\n`;
    await renderSettled([...answer]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fetched('highlight-engine')).to.deep.equal([]);
    expect(fetched('highlight.js')).to.deep.equal([]);
  });

  it('loads it once, when the first finished block has code in a known language', async () => {
    const container = document.createElement('div');
    const renderer = new IncrementalRenderer(container);
    renderer.update(`Intro.\n\n${fence}js\nlet a = 1;\n`);
    await renderer.whenHighlighted();
    // The fence is still open: nothing to highlight, nothing loaded.
    expect(fetched('highlight-engine')).to.deep.equal([]);
    renderer.update(
      `Intro.\n\n${fence}js\nlet a = 1;\n${fence}\n\nMore.\n\n${fence}py\nimport os\n${fence}\n\n${fence}go\nvar x = 1\n${fence}\n`,
    );
    renderer.finish();
    await renderer.whenHighlighted();
    expect(fetched('highlight-engine')).to.have.length(1);
    expect(fetched('highlight.js/lib/core')).to.have.length(1);
    expect(container.querySelectorAll('code .hl-keyword').length).to.equal(3);
    renderer.destroy();
  });

  it('highlights a streamed code block only after its fence closes, and only once', async () => {
    const { queue, runs } = countingQueue();
    const container = document.createElement('div');
    const renderer = new IncrementalRenderer(container, { highlighter: queue });
    const code = 'const greeting = "hello";\nconsole.log(greeting); // say it\n';
    const opened = `Here:\n\n${fence}js\n`;
    let text = '';
    for (const char of `${opened}${code}${fence}`) {
      text += char;
      renderer.update(text);
      await renderer.whenHighlighted();
      expect(container.querySelectorAll('[class^="hl-"]'), JSON.stringify(text)).to.have.length(0);
    }
    expect(runs).to.have.length(0);
    // The block is finished once the line after the fence proves it is closed.
    text += '\n\nAfter';
    renderer.update(text);
    await renderer.whenHighlighted();
    expect(runs).to.deep.equal([code]);
    const element = container.querySelector('code.language-js');
    expect(element?.querySelector('.hl-string')?.textContent).to.equal('"hello"');
    const records: MutationRecord[] = [];
    const observer = new MutationObserver((mutations) => records.push(...mutations));
    if (element) observer.observe(element, { subtree: true, childList: true, characterData: true, attributes: true });
    for (const char of ` the code, more text.\n\n${fence}py\nx = 1\n${fence}`) {
      text += char;
      renderer.update(text);
    }
    renderer.finish();
    await renderer.whenHighlighted();
    records.push(...observer.takeRecords());
    observer.disconnect();
    expect(records).to.have.length(0);
    // The last block, closed by the end of the stream, once too.
    expect(runs).to.deep.equal([code, 'x = 1\n']);
    expect(container.querySelector('code.language-py .hl-number')?.textContent).to.equal('1');
    renderer.destroy();
  });

  it('renders the same DOM for any chunking once highlighting has settled', async () => {
    const documents = [{ name: 'mixed languages', text: MIXED }, ...CORPUS.filter((doc) => doc.text.includes(fence))];
    for (const doc of documents) {
      const expected = await renderSettled([doc.text]);
      if (doc.text === MIXED) expect(expected.match(/class="hl-/g)?.length).to.be.greaterThan(10);
      const random = createRandom(doc.text.length);
      for (let round = 0; round < 6; round++) {
        const chunks = randomChunks(doc.text, random);
        const actual = await renderSettled(chunks);
        if (actual !== expected) expect(actual, `${doc.name}: ${JSON.stringify(chunks)}`).to.equal(expected);
      }
      expect(await renderSettled([...doc.text]), doc.name).to.equal(expected);
    }
  });

  it('leaves code without a language or in an unknown one plain', async () => {
    const holder = document.createElement('div');
    holder.innerHTML = await renderSettled([MIXED]);
    for (const code of Array.from(holder.querySelectorAll('pre code'))) {
      const known = /language-(ts|python|bash|html)\b/.test(code.className);
      expect(code.children.length > 0, code.className).to.equal(known);
    }
  });

  it('still strips everything hostile, around code and inside it', async () => {
    const answer = [
      '<pre><code class="language-js hl-keyword" style="color: red">alert(1)</code></pre>',
      '',
      '<pre><code class="language-js" onclick="window.pwned = 1">alert(2)</code></pre>',
      '',
      '<span class="hl-keyword">fake token</span> <img src=x onerror="window.pwned = 2">',
      '',
      `${fence}html`,
      '<script>window.pwned = 3</script><img src=x onerror="window.pwned = 4"><a href="javascript:alert(1)">x</a>',
      fence,
      '',
      `${fence}js\nel.innerHTML = '<b onmouseover="x()">' + user;\n${fence}`,
    ].join('\n');
    const holder = document.createElement('div');
    holder.innerHTML = await renderSettled([answer]);
    expect(holder.querySelectorAll('script, img, iframe, [style], [onclick], [onerror], [onmouseover]')).to.have.length(0);
    expect(Array.from(holder.querySelectorAll('a[href]'), (link) => link.getAttribute('href'))).to.deep.equal([]);
    // Model markup cannot set our classes: a class list with one loses all of it (so that raw
    // <pre> stays plain), and markup with a handler is shown as the text it is.
    expect(holder.querySelector('span:not([class])')?.textContent).to.equal('fake token');
    expect(holder.textContent).to.include('<pre><code class="language-js" onclick="window.pwned = 1">alert(2)</code></pre>');
    const codes = Array.from(holder.querySelectorAll('pre code'));
    expect(codes.map((code) => code.className)).to.deep.equal(['', 'language-html', 'language-js']);
    expect(codes[0]?.children).to.have.length(0);
    expect(codes[1]?.textContent).to.include('<script>window.pwned = 3</script>');
    expect(codes[1]?.querySelectorAll('.hl-tag').length).to.be.greaterThan(2);
    for (const span of Array.from(holder.querySelectorAll('pre span'))) expect(span.className).to.match(/^hl-[a-z]+$/);
    expect(codes[2]?.querySelector('.hl-string')?.textContent).to.equal(`'<b onmouseover="x()">'`);
    expect((window as unknown as { pwned?: number }).pwned).to.equal(undefined);
  });
});
