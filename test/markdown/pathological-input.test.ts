import { expect } from '@open-wc/testing';
import { IncrementalRenderer, isPathological } from '../../src/markdown/index.js';

const PATHOLOGICAL: Array<[name: string, text: string, sample: string]> = [
  ['5000 nested block quotes', `${'>'.repeat(5000)} deep`, 'deep'],
  ['5000 nested quotes with spaces', `${'> '.repeat(5000)}deep`, 'deep'],
  ['1000 nested list levels', Array.from({ length: 1000 }, (_, i) => `${'  '.repeat(i)}- level ${i}`).join('\n'), 'level 999'],
  ['5000 list markers on one line', `${'- '.repeat(5000)}item`, 'item'],
  ['a 1 MB single line', `start ${'lorem ipsum *dolor* '.repeat(52_000)} end`, ' end'],
  ['10000 asterisks around a word', `${'*'.repeat(10_000)}a${'*'.repeat(10_000)}`, 'a'],
  ['50000 opening brackets', `${'['.repeat(50_000)}x`, 'x'],
  ['50000 angle brackets', `${'<'.repeat(50_000)}x`, 'x'],
  ['100000 list items', '- item\n'.repeat(100_000), 'item'],
  ['3000 emphasis openers and a closer', `${`${'*a '.repeat(1000)}x\n`.repeat(3)}*`, 'x'],
  ['2000 strong openers and a closer', `${'**a '.repeat(2000)}x**`, 'x'],
];

describe('pathological markdown', () => {
  for (const [name, text, sample] of PATHOLOGICAL) {
    it(`renders ${name} as text without throwing`, () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      expect(() => {
        renderer.update(text);
        renderer.finish();
      }).to.not.throw();
      expect(container.textContent).to.include(sample);
      expect(container.querySelector('pre.plain-text')).to.not.equal(null);
      renderer.destroy();
    });

    it(`streams ${name} in large chunks without throwing`, () => {
      const container = document.createElement('div');
      const renderer = new IncrementalRenderer(container);
      const step = Math.ceil(text.length / 8);
      for (let end = step; end < text.length + step; end += step) renderer.update(text.slice(0, end));
      renderer.finish();
      expect(container.textContent).to.include(sample);
      renderer.destroy();
    });
  }

  it('escapes markup in the plain-text fallback', () => {
    const container = document.createElement('div');
    const renderer = new IncrementalRenderer(container);
    renderer.update(`${'>'.repeat(100)} <img src=x onerror="window.llmChatPwned = 1"> <b>bold</b>`);
    renderer.finish();
    expect(container.querySelector('img, b')).to.equal(null);
    expect(container.textContent).to.include('<b>bold</b>');
    renderer.destroy();
  });

  it('does not flag ordinary answers', () => {
    const code = `\`\`\`js\n${'const x = "a very long line of code";'.repeat(2000)}\n\`\`\`\n`;
    expect(isPathological(code)).to.equal(false);
    expect(isPathological('> quote\n> > nested\n\n- a\n  - b\n    - c\n\n**bold** and __strong__\n')).to.equal(false);
    expect(isPathological(`${'word '.repeat(1500)}\n`)).to.equal(false);
    // Many emphasised list items are many small inline contexts, not one big one.
    expect(isPathological('- **Term**: *meaning* and `code`\n'.repeat(300))).to.equal(false);
    expect(isPathological(`${'snake_case_identifier '.repeat(400)}\n`)).to.equal(false);
  });

  it('renders a very long code block as code, not as text', () => {
    const container = document.createElement('div');
    const renderer = new IncrementalRenderer(container);
    const code = Array.from({ length: 5000 }, (_, i) => `line ${i} = compute(${i});`).join('\n');
    renderer.update(`\`\`\`py\n${code}\n\`\`\`\n`);
    renderer.finish();
    expect(container.querySelector('pre code.language-py')?.textContent).to.equal(`${code}\n`);
    renderer.destroy();
  });
});
