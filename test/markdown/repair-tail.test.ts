import { expect } from '@open-wc/testing';
import { repairTail } from '../../src/markdown/index.js';
import { markedInstance } from '../../src/markdown/marked-instance.js';
import { CORPUS } from './markdown-corpus.js';

/** Parses marked's output into an inert document (no image loads) for inspection. */
function rendered(markdown: string): HTMLElement {
  return new DOMParser().parseFromString(markedInstance.parse(markdown, { async: false }), 'text/html').body;
}

describe('repairTail', () => {
  describe('inline syntax', () => {
    const cases: Array<[input: string, repaired: string]> = [
      ['**bold', '**bold**'],
      ['Hello **wor', 'Hello **wor**'],
      ['__strong', '__strong__'],
      ['*em and **both', '*em and **both***'],
      ['**a _b', '**a _b_**'],
      ['a ~~struck', 'a ~~struck~~'],
      ['**bold*', '**bold**'],
      ['**bold** done', '**bold** done'],
      ['Hello *', 'Hello '],
      ['Hello **  ', 'Hello **  '],
      ['see https://exam', 'see https\\://exam'],
      ['see www.exa', 'see www\\.exa'],
      ['done https://x.y/a now', 'done https://x.y/a now'],
      ['**bold \n', '**bold** \n'],
      ['use `foo', 'use `foo`'],
      ['use ``a ` b', 'use ``a ` b``'],
      ['use `', 'use '],
      ['see [docs](https://ex', 'see docs'],
      ['see [**docs**](https://ex', 'see **docs**'],
      ['see [docs', 'see docs'],
      ['see [docs]', 'see docs'],
      ['![alt text](https://img', 'alt text'],
      ['text <di', 'text '],
      ['x <https://exa', 'x '],
      ['snake_case_name', 'snake_case_name'],
      ['2 * 3 = 6', '2 * 3 = 6'],
      ['array[0', 'array[0'],
      ['a\n\n**b', 'a\n\n**b**'],
      ['> **quoted\n> more', '> **quoted\n> more**'],
    ];
    for (const [input, repaired] of cases) {
      it(`repairs ${JSON.stringify(input)}`, () => {
        expect(repairTail(input)).to.equal(repaired);
      });
    }

    it('never repairs across list items or earlier paragraphs', () => {
      expect(repairTail('- a **b\n- c')).to.equal('- a **b\n- c');
      expect(repairTail('x **y\n\nz')).to.equal('x **y\n\nz');
      expect(repairTail('## Title **x\nbody')).to.equal('## Title **x\nbody');
    });

    it('leaves task list markers alone', () => {
      expect(repairTail('- [x]')).to.equal('- [x]');
    });
  });

  describe('block syntax', () => {
    it('closes an open fence', () => {
      expect(repairTail('```js\ncode')).to.equal('```js\ncode\n```\n');
    });

    it('drops a closing fence that is still arriving', () => {
      expect(repairTail('```js\ncode\n``')).to.equal('```js\ncode\n```\n');
    });

    it('closes a fence inside a list item at its own indentation', () => {
      const repaired = repairTail('- step\n  ```sh\n  ls');
      expect(repaired).to.equal('- step\n  ```sh\n  ls\n  ```\n');
      expect(rendered(repaired).querySelectorAll('pre')).to.have.length(1);
      expect(rendered(repaired).querySelector('li pre')?.textContent).to.equal('ls\n');
    });

    it('does not show a half-written language name', () => {
      expect(repairTail('```pyth')).to.equal('```\n```\n');
    });

    it('does not touch inline markup inside an open fence', () => {
      expect(repairTail('```\n**not bold')).to.equal('```\n**not bold\n```\n');
    });

    it('drops a last line that is only block markup', () => {
      expect(repairTail('Title\n-')).to.equal('Title\n');
      expect(repairTail('Title\n==')).to.equal('Title\n');
      expect(repairTail('para\n1.')).to.equal('para\n');
      expect(repairTail('para\n#')).to.equal('para\n');
    });

    it('hides a table header until its delimiter row starts, then completes the delimiter', () => {
      expect(repairTail('| a | b |')).to.equal('');
      expect(repairTail('| a | b |\n|--')).to.equal('| a | b |\n| --- | --- |');
      expect(rendered(repairTail('| a | b |\n|:-')).querySelectorAll('th')).to.have.length(2);
    });

    it('repairs the cell being written in a table row', () => {
      expect(repairTail('| a |\n|---|\n| **x')).to.equal('| a |\n|---|\n| **x**');
    });
  });

  it('renders every prefix of the corpus without stray delimiters or partial links', () => {
    for (const doc of CORPUS) {
      const final = rendered(doc.text);
      const finalText = final.textContent ?? '';
      const finalLinks = new Set(Array.from(final.querySelectorAll('a'), (a) => a.getAttribute('href')));
      for (let end = 1; end <= doc.text.length; end++) {
        const html = rendered(repairTail(doc.text.slice(0, end)));
        const where = `${doc.name} @${end}`;
        for (const a of Array.from(html.querySelectorAll('a'))) {
          expect(finalLinks.has(a.getAttribute('href')), `${where}: ${a.getAttribute('href')}`).to.equal(true);
        }
        // Text inside code is literal; everywhere else no markup may show.
        for (const code of Array.from(html.querySelectorAll('code'))) code.remove();
        const text = html.textContent ?? '';
        for (const markup of ['**', '__', '~~', '](', '`']) {
          if (!finalText.includes(markup)) expect(text.includes(markup), `${where}: ${markup} in ${text}`).to.equal(false);
        }
      }
    }
  });

  it('handles a long paragraph in linear time', () => {
    const long = `${'word **bold** and `code` with [link](https://x.y) '.repeat(600)}**open`;
    const repaired = repairTail(long);
    expect(repaired.endsWith('**open**')).to.equal(true);
  });
});
