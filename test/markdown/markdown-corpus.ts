/**
 * Documents for the markdown tests: each exercises block boundaries a streaming splitter can
 * get wrong. `semantic: false` marks documents whose whole-document rendering legitimately
 * differs from block-by-block rendering (link reference definitions in another block).
 */
import { createRandom } from '../support/random.js';

export { createRandom };
export interface CorpusDocument {
  name: string;
  text: string;
  semantic?: boolean;
}

const fence = '```';

export const CORPUS: CorpusDocument[] = [
  {
    name: 'prose with inline markup',
    text:
      '# Streaming answers\n\nThis is **bold text that spans\ntwo lines** and *emphasis*, `inline code`, ' +
      '~~struck~~ and a [link](https://example.com/path?q=1 "Title").\n\nSecond paragraph with an ' +
      'autolink https://example.org and <https://example.net>.\n',
  },
  {
    name: 'multibyte and emoji',
    text:
      'Héllo wörld 👋🏽 — 日本語のテキスト、**太字**と`コード`。\n\n- 🍎 apple\n- 🍐 pear 🇫🇷\n\n' +
      '> Zitat mit Ümlauten: «ça va?»\n\nΩ≈ç√∫ 𝕏 𝔘𝔫𝔦𝔠𝔬𝔡𝔢\n',
  },
  {
    name: 'nested lists with blank lines',
    text:
      '1. First item\n\n   continued paragraph of the first item\n\n2. Second item\n   - nested a\n   - nested b\n\n' +
      '     - deeper\n\n3. Third\n\n- other list\n- [x] done task\n- [ ] open task\n\nAfter the lists.\n',
  },
  {
    name: 'list with code inside items',
    text:
      `Steps:\n\n1. Install:\n\n   ${fence}bash\n   npm install\n\n   npm test\n   ${fence}\n\n` +
      `2. Run it:\n   ${fence}js\n   run();\n   ${fence}\n\nDone.\n`,
  },
  {
    name: 'sloppy fence under a list item',
    text: `1. a\n   ${fence}js\n   x\n${fence}\n\nfoo\n\n${fence}\nbar\n${fence}\n\nend\n`,
  },
  {
    name: 'tables',
    text:
      '| Left | Center | Right |\n|:-----|:------:|------:|\n| a | **b** | `c` |\n| d | e | f |\n\n' +
      'Text between.\n\n| One |\n|-----|\n| only |\n\nEnd.\n',
  },
  {
    name: 'fenced code with blank lines and tildes',
    text:
      `Here is code:\n${fence}python\ndef f():\n\n    return 1\n\n\n# done\n${fence}\nAfter.\n\n` +
      '~~~\ntilde fence\n\n```\nnot a closer inside tildes\n```\n~~~\n\n' +
      '````markdown\n```js\ninner\n```\n````\n',
  },
  {
    name: 'indented code',
    text: 'Para.\n\n    indented code\n\n    still code\n\nNot code.\n\n\tTabbed code\n\nEnd.\n',
  },
  {
    name: 'blockquotes',
    text:
      '> Quote line one\n> line two\n>\n> - list in quote\n> - second\n>\n> ```\n> code in quote\n> ```\n\n' +
      '> Another quote\nlazy continuation\n\n> > nested quote\n\nPlain.\n',
  },
  {
    name: 'headings',
    text: '# H1\n## H2 ##\n### H3\nSetext heading\n==============\n\nAnother\n---\n\n#### H4\n\nText\n',
  },
  {
    name: 'html blocks',
    text:
      '<div>\n\n**markdown inside**\n\n</div>\n\n<!-- a comment\n\nwith a blank line -->\n\n' +
      '<details>\n<summary>More</summary>\n\nHidden *text*.\n\n</details>\n\nInline <kbd>Ctrl</kbd>+<kbd>C</kbd>.\n',
  },
  {
    name: 'thematic breaks',
    text: 'Above\n\n***\n\nMiddle\n\n- - -\n\n___\nBelow\n',
  },
  {
    name: 'paragraph straight into fence and list',
    text: `Run this:\n${fence}sh\nls -la\n${fence}\nThen:\n- one\n- two\n\nOk.\n`,
  },
  {
    name: 'crlf line endings',
    text: '# Title\r\n\r\nLine one\r\nline two\r\n\r\n- a\r\n- b\r\n\r\n```js\r\ncode();\r\n\r\nmore();\r\n```\r\n\r\nEnd\r\n',
  },
  {
    name: 'lone cr line endings',
    text: 'First\r\rSecond paragraph\rcontinues\r\r- item\r',
  },
  {
    name: 'unclosed fence at the end',
    text: `Intro.\n\n${fence}ts\nconst a = 1;\n\nconst b = 2;\n`,
  },
  {
    name: 'reference links',
    text: 'See [the docs][docs] and [more].\n\n[docs]: https://example.com/docs\n[more]: https://example.com/more\n',
    semantic: false,
  },
  {
    name: 'no trailing newline and trailing blank lines',
    text: 'Alpha **beta**\n\n\n\nGamma `delta`\n\n\n',
  },
  {
    name: 'escapes and punctuation',
    text: 'Not \\*emphasis\\*, 2 * 3 * 4, snake_case_name, a_b_c, 5 < 6 > 4 & co.\n\n\\# not a heading\n',
  },
  {
    name: 'images and html inline',
    text: 'An image ![alt text](https://images.example.com/cat.png "Cat") inline.\n\n![local](/relative.png)\n',
  },
];

/** Cuts `text` into chunks of `min`..`max` characters (possibly inside a surrogate pair). */
export function randomChunks(text: string, random: () => number, min = 1, max = 20): string[] {
  const chunks: string[] = [];
  let at = 0;
  while (at < text.length) {
    const size = min + Math.floor(random() * (max - min + 1));
    chunks.push(text.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** A longer, realistic answer assembled from the corpus with a PRNG. */
export function largeDocument(seed: number, blocks: number): string {
  const random = createRandom(seed);
  const parts: string[] = [];
  for (let i = 0; i < blocks; i++) {
    const pick = CORPUS[Math.floor(random() * CORPUS.length)];
    if (pick && pick.semantic !== false && !pick.text.includes('\r')) parts.push(pick.text);
  }
  return parts.join('\n');
}
