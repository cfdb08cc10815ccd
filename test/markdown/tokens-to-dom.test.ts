import { expect } from '@open-wc/testing';
import { markedInstance } from '../../src/markdown/marked-instance.js';
import { repairTail } from '../../src/markdown/repair-tail.js';
import { sanitizeHtml } from '../../src/markdown/sanitize.js';
import { tokensToDom } from '../../src/markdown/tokens-to-dom.js';
import { CORPUS, createRandom } from './markdown-corpus.js';

function holder(fragment: DocumentFragment): HTMLElement {
  const div = document.createElement('div');
  div.append(fragment);
  return div;
}

/** Builds `markdown` both ways; returns whether the direct path applied. */
function compare(markdown: string, label: string): boolean {
  const tokens = markedInstance.lexer(markdown);
  const built = tokensToDom(tokens, document);
  if (!built) return false;
  const direct = holder(built);
  const sanitized = holder(sanitizeHtml(markedInstance.parser(markedInstance.lexer(markdown))));
  if (!direct.isEqualNode(sanitized)) expect(direct.innerHTML, label).to.equal(sanitized.innerHTML);
  expect(direct.isEqualNode(sanitized), label).to.equal(true);
  return true;
}

describe('tokensToDom', () => {
  it('builds the same DOM as the sanitized markup path for every repaired prefix of the corpus', () => {
    let direct = 0;
    let total = 0;
    for (const doc of CORPUS) {
      for (let end = 1; end <= doc.text.length; end++) {
        total++;
        if (compare(repairTail(doc.text.slice(0, end)), `${doc.name} @${end}`)) direct++;
      }
    }
    // Most tails take the direct path; raw HTML, images and entities take the other.
    expect(direct / total).to.be.greaterThan(0.6);
  });

  it('builds the same DOM for random markdown', () => {
    const pieces = [
      '',
      '',
      'text',
      '**bold** and *em*',
      '`code`',
      '[link](https://example.com "t")',
      '[rel](/x)',
      '[js](javascript:x)',
      '- item',
      '1. one',
      '3) three',
      '  - nested',
      '- [x] done',
      '- [ ] open',
      '> quote',
      '# h1',
      '### h3',
      '---',
      '***',
      '| a | b |',
      '|:--|--:|',
      '| 1 | 2 |',
      '```js',
      '```',
      '    indented',
      'a  ',
      'line\\',
      '~~del~~',
      'https://auto.link/x',
      'a & b',
      'x < y > z',
      '"quotes" \'single\'',
      'emoji 👋',
      'tab\there',
    ];
    const random = createRandom(77);
    let direct = 0;
    for (let round = 0; round < 800; round++) {
      const lines = Array.from({ length: 2 + Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]);
      if (compare(lines.join('\n'), JSON.stringify(lines))) direct++;
    }
    expect(direct).to.be.greaterThan(400);
  });

  it('refuses raw HTML, images and entity references', () => {
    for (const markdown of ['<b>x</b>', '<div>\nx\n</div>', '![a](https://x.y/a.png)', 'AT&amp;T', '[x](https://a.b/?q=&amp;)']) {
      expect(tokensToDom(markedInstance.lexer(markdown), document), markdown).to.equal(undefined);
    }
  });

  it('drops unsafe link targets like the sanitizer does', () => {
    const fragment = tokensToDom(markedInstance.lexer('[a](javascript:alert(1)) [b](data:text/html,x) [c](https://ok.example)'), document);
    const links = Array.from(holder(fragment ?? document.createDocumentFragment()).querySelectorAll('a'), (a) => [
      a.getAttribute('href'),
      a.getAttribute('rel'),
    ]);
    expect(links).to.deep.equal([
      [null, null],
      [null, null],
      ['https://ok.example/', 'noopener noreferrer nofollow'],
    ]);
  });
});
