import { expect } from '@open-wc/testing';
import type { Token } from 'marked';
import { BlockSplitter, CONTINUATION_PROBE, splitBlocks } from '../../src/markdown/index.js';
import { confirmBlock } from '../../src/markdown/confirm-block.js';
import { markedInstance } from '../../src/markdown/marked-instance.js';
import { CORPUS, createRandom, largeDocument, randomChunks } from './markdown-corpus.js';

function blocksOf(splitter: BlockSplitter<unknown>, text: string, chunks: readonly string[]): string[] {
  const blocks: string[] = [];
  let streamed = '';
  for (const chunk of chunks) {
    streamed += chunk;
    for (const block of splitter.push(streamed)) blocks.push(streamed.slice(block.start, block.end));
  }
  expect(streamed).to.equal(text);
  return [...blocks, `TAIL:${text.slice(splitter.tailStart)}`];
}

/** Renders each block on its own and the tail, the way the incremental renderer does. */
function renderByBlocks(text: string): string {
  const splitter = new BlockSplitter<Token[] | null>({ confirm: confirmBlock });
  let html = '';
  for (const block of splitter.push(text)) {
    html += block.data ? markedInstance.parser(block.data) : markedInstance.parse(text.slice(block.start, block.end), { async: false });
  }
  return html + markedInstance.parse(text.slice(splitter.tailStart), { async: false });
}

const squash = (html: string) => html.replace(/\s+/g, ' ').replace(/> </g, '><').trim();

describe('splitBlocks', () => {
  it('finishes a paragraph at the blank line after it', () => {
    expect(splitBlocks('One\ntwo\n\nThree')).to.deep.equal({ finished: ['One\ntwo\n\n'], tail: 'Three' });
  });

  it('finishes headings and thematic breaks at the end of their line', () => {
    expect(splitBlocks('# Title\n***\nText')).to.deep.equal({ finished: ['# Title\n', '***\n'], tail: 'Text' });
  });

  it('keeps blank lines inside fenced code, with backticks and tildes', () => {
    const text = '```js\na\n\n\nb\n```\n~~~\nc\n\nd\n~~~\nx';
    expect(splitBlocks(text)).to.deep.equal({
      finished: ['```js\na\n\n\nb\n```\n', '~~~\nc\n\nd\n~~~\n'],
      tail: 'x',
    });
  });

  it('does not close a fence with a shorter or different fence', () => {
    expect(splitBlocks('````\n```\n\n~~~~\n````\n\nz').finished).to.deep.equal(['````\n```\n\n~~~~\n````\n']);
  });

  it('keeps a list that spans blank lines together until an unindented line', () => {
    expect(splitBlocks('- a\n\n- b\n\n  more b\n\nafter\n\n')).to.deep.equal({
      finished: ['- a\n\n- b\n\n  more b\n\n', 'after\n\n'],
      tail: '',
    });
  });

  it('keeps indented code with blank lines together', () => {
    expect(splitBlocks('    a\n\n    b\nc\n\n').finished).to.deep.equal(['    a\n\n    b\n', 'c\n\n']);
  });

  it('keeps HTML comments and elements with blank lines together', () => {
    expect(splitBlocks('<!-- a\n\nb -->\n<details>\n\n*x*\n\n</details>\n\nend\n\n').finished).to.deep.equal([
      '<!-- a\n\nb -->\n',
      '<details>\n\n*x*\n\n</details>\n\n',
      'end\n\n',
    ]);
  });

  it('stops waiting for an HTML element that is never closed', () => {
    const text = `<div>\n\n${'A paragraph inside the open div.\n\n'.repeat(400)}`;
    const { finished } = splitBlocks(text);
    expect(finished.length).to.be.greaterThan(100);
    expect(Math.max(...finished.map((block) => block.length))).to.be.lessThan(9000);
  });

  it('splits a paragraph from a fence that interrupts it', () => {
    expect(splitBlocks('Code:\n```\nx\n\ny\n```\n').finished).to.deep.equal(['Code:\n', '```\nx\n\ny\n```\n']);
  });

  it('treats CRLF and lone CR as line endings', () => {
    expect(splitBlocks('a\r\n\r\nb\r\rc').finished).to.deep.equal(['a\r\n\r\n', 'b\r\r']);
  });

  it('waits for the character after a CR before ending the line', () => {
    const splitter = new BlockSplitter();
    expect(splitter.push('a\r\n\r')).to.deep.equal([]);
    expect(splitter.push('a\r\n\r\nb')).to.deep.equal([{ start: 0, end: 5, data: undefined }]);
  });

  it('reports a top-level open fence for the fast path', () => {
    const splitter = new BlockSplitter();
    splitter.push('Text\n\n  ```py title\nprint(1)\n');
    expect(splitter.openFence).to.deep.equal({
      start: 6,
      contentStart: 20,
      char: '`',
      length: 3,
      indent: 2,
      lang: 'py',
    });
    splitter.push('Text\n\n  ```py title\nprint(1)\n  ```\n');
    expect(splitter.openFence).to.equal(undefined);
  });

  it('finds the same blocks for every chunking', () => {
    for (const doc of CORPUS) {
      const expected = blocksOf(new BlockSplitter(), doc.text, [doc.text]);
      for (let cut = 1; cut < doc.text.length; cut++) {
        const actual = blocksOf(new BlockSplitter(), doc.text, [doc.text.slice(0, cut), doc.text.slice(cut)]);
        expect(actual, `${doc.name} split at ${cut}`).to.deep.equal(expected);
      }
      expect(blocksOf(new BlockSplitter(), doc.text, doc.text.split('')), doc.name).to.deep.equal(expected);
    }
  });

  it('asks confirm about each block about once, however the text is chunked', () => {
    const text = largeDocument(11, 150);
    let asked = 0;
    const splitter = new BlockSplitter<Token[] | null>({
      confirm: (block, lookahead) => {
        asked += block.length;
        return confirmBlock(block, lookahead);
      },
    });
    blocksOf(splitter, text, randomChunks(text, createRandom(1), 1, 12));
    expect(asked).to.be.lessThan(text.length * 2);
  });

  it('bounds the work spent on a block the parser keeps rejecting', () => {
    // The scanner sees the list's fence closed by the unindented fence and the list ending at
    // every unindented line after a blank; marked sees that fence open a new, endless one.
    const text = `1. a\n   \`\`\`js\n   x\n\`\`\`\n${'\nline\n'.repeat(2000)}`;
    let asked = 0;
    const splitter = new BlockSplitter<Token[] | null>({
      confirm: (block, lookahead) => {
        asked += block.length;
        return confirmBlock(block, lookahead);
      },
    });
    const blocks = blocksOf(splitter, text, randomChunks(text, createRandom(2), 1, 40));
    expect(blocks).to.have.length(1);
    expect(asked).to.be.greaterThan(0);
    expect(asked).to.be.lessThan(text.length * 4);
  });

  it('only ever splits where marked, parsing the whole document, has a block boundary', () => {
    const vocabulary = [
      '',
      '',
      '',
      'text',
      'more *em*',
      '- item',
      '* item',
      '1. one',
      '2) two',
      '  - nested',
      '    indented',
      '   cont',
      '> quote',
      '> - q item',
      '>',
      '```',
      '```js',
      '~~~',
      '    ```',
      '  ```',
      '# h',
      '---',
      '===',
      '| a | b |',
      '|---|---|',
      '<div>',
      '</div>',
      '<!-- c',
      '-->',
      '<pre>',
      '</pre>',
      '<details>',
      '</details>',
      '\t\ttab',
      '- [ ] task',
      '***',
      'para [x]',
      '`code',
      '**bold',
    ];
    const random = createRandom(2024);
    let finishedBlocks = 0;
    for (let round = 0; round < 1500; round++) {
      const lines = Array.from({ length: 3 + Math.floor(random() * 25) }, () => vocabulary[Math.floor(random() * vocabulary.length)]);
      const text = lines.join('\n') + (random() < 0.5 ? '\n' : '');
      finishedBlocks += new BlockSplitter<Token[] | null>({ confirm: confirmBlock }).push(text).length;
      const whole = markedInstance.parse(text, { async: false });
      expect(squash(renderByBlocks(text)), JSON.stringify(text)).to.equal(squash(whole));
    }
    expect(finishedBlocks).to.be.greaterThan(300);
  });

  it('uses a probe line that continues any open list item', () => {
    const tokens = markedInstance.lexer(`- a\n\n  - b\n\n${CONTINUATION_PROBE}`);
    expect(tokens.filter((token) => token.type !== 'space')).to.have.length(1);
  });
});
