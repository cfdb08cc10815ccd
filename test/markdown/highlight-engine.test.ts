import { expect } from '@open-wc/testing';
import HighlightJS from 'highlight.js/lib/core';
import { highlightCategory } from '../../src/markdown/highlight-emitter.js';
import { highlightedLanguages, highlightSegment } from '../../src/markdown/highlight-engine.js';
import { highlightedLanguageNames, isHighlighted } from '../../src/markdown/highlight-languages.js';
import { SAMPLES } from './highlight-samples.js';
import type { SampleLanguage } from './highlight-samples.js';

const CLASSES = new Set([
  'hl-keyword',
  'hl-string',
  'hl-comment',
  'hl-number',
  'hl-function',
  'hl-type',
  'hl-attribute',
  'hl-tag',
  'hl-meta',
  'hl-addition',
  'hl-deletion',
  'hl-emphasis',
  'hl-strong',
]);

function highlight(code: string, grammar: string) {
  const result = highlightSegment(document, code, grammar);
  if (!result) throw new Error(`${grammar} failed`);
  const holder = document.createElement('code');
  holder.append(result.fragment);
  return { holder, closed: result.closed };
}

/** Text of every span of a category, in order. */
function tokens(holder: Element, category: string): string[] {
  return Array.from(holder.querySelectorAll(`.hl-${category}`), (span) => span.textContent ?? '');
}

describe('highlight engine', () => {
  it('knows exactly the languages the embed decides to load it for', () => {
    // The embed's list decides whether the chunk is loaded; it must not promise a language the
    // chunk lacks, nor leave out one it has.
    expect(highlightedLanguageNames()).to.deep.equal(highlightedLanguages());
    expect(highlightedLanguages()).to.include.members(['js', 'jsx', 'ts', 'tsx', 'py', 'sh', 'shell', 'html', 'yml', 'c++', 'c#', 'toml']);
    expect(isHighlighted('TSX')).to.equal(true);
    expect(isHighlighted('brainfuck')).to.equal(false);
    expect(isHighlighted('')).to.equal(false);
    expect(highlightSegment(document, 'x', 'brainfuck')).to.equal(undefined);
  });

  it('reads ```shell as commands (bash), and console sessions with their prompts', () => {
    const commands = highlight('npm install --save-dev llm-chat\n', 'shell').holder;
    expect(commands.querySelector('.hl-meta')).to.equal(null);
    const session = highlight('$ npm test\nok\n', 'console').holder;
    expect(session.querySelector('.hl-meta')?.textContent?.trim()).to.equal('$');
  });

  it('keeps the code exactly and adds only spans with its own classes, for every grammar', () => {
    expect(Object.keys(SAMPLES)).to.have.length(22);
    for (const [grammar, code] of Object.entries(SAMPLES) as Array<[SampleLanguage, string]>) {
      const { holder } = highlight(code, grammar);
      expect(holder.textContent, grammar).to.equal(code);
      const elements = Array.from(holder.querySelectorAll('*'));
      expect(elements.length, `${grammar} has tokens`).to.be.greaterThan(2);
      for (const element of elements) {
        expect(element.localName, grammar).to.equal('span');
        expect(element.getAttributeNames(), grammar).to.deep.equal(['class']);
        expect(CLASSES.has(element.className), `${grammar}: ${element.className}`).to.equal(true);
      }
    }
  });

  it('colors the tokens a reader expects', () => {
    const { holder } = highlight(SAMPLES.typescript, 'typescript');
    expect(tokens(holder, 'keyword')).to.include.members(['export', 'async', 'function', 'const', 'await', 'return']);
    expect(tokens(holder, 'string')).to.include("'https://example.com'");
    expect(tokens(holder, 'comment')).to.include('// Retries with full jitter.');
    expect(tokens(holder, 'number')).to.include('500');
    expect(tokens(holder, 'type')).to.include('Promise');
    expect(tokens(highlight(SAMPLES.javascript, 'javascript').holder, 'function')).to.include('count');
    const python = highlight(SAMPLES.python, 'python').holder;
    expect(tokens(python, 'keyword')).to.include.members(['def', 'for', 'in', 'return']);
    expect(tokens(python, 'meta')).to.include('@dataclass');
    const diff = highlight(SAMPLES.diff, 'diff').holder;
    expect(tokens(diff, 'addition')).to.deep.equal(['+  return retry(fetchJson);']);
    expect(tokens(diff, 'deletion')).to.deep.equal(['-  return fetchJson();']);
    const html = highlight(SAMPLES.xml, 'xml').holder;
    expect(tokens(html, 'tag')).to.include.members(['section', 'script']);
    // The script inside the page is highlighted as JavaScript.
    expect(tokens(html, 'keyword')).to.include('const');
  });

  it('maps scopes by their most specific known name', () => {
    expect(highlightCategory('title.class.inherited')).to.equal('type');
    expect(highlightCategory('title.function.invoke')).to.equal('function');
    expect(highlightCategory('variable.language')).to.equal('keyword');
    expect(highlightCategory('variable')).to.equal('attribute');
    expect(highlightCategory('params')).to.equal(undefined);
    expect(highlightCategory('language:javascript')).to.equal(undefined);
  });

  it('leaves markup in code as text: nothing in it becomes an element', () => {
    const code =
      '<img src=x onerror="window.pwned = 1"><script>window.pwned = 2</script>\n' +
      '<a href="javascript:alert(1)" style="color: red">x</a><iframe srcdoc="<b>x</b>"></iframe>\n';
    for (const grammar of ['xml', 'javascript', 'markdown', 'php'] as const) {
      const { holder } = highlight(code, grammar);
      expect(holder.textContent, grammar).to.equal(code);
      expect(holder.querySelectorAll(':not(span)'), grammar).to.have.length(0);
      expect(holder.querySelectorAll('[style], [href], [src], [onerror]'), grammar).to.have.length(0);
    }
    expect((window as unknown as { pwned?: number }).pwned).to.equal(undefined);
  });

  it('says whether a piece of code ends at the top level of its grammar', () => {
    expect(highlight('const a = 1;\n', 'javascript').closed).to.equal(true);
    expect(highlight('const a = 1;\n/* a comment\nthat goes on\n', 'javascript').closed).to.equal(false);
    expect(highlight('const s = `template\n', 'javascript').closed).to.equal(false);
    expect(highlight('x = 1\n"""docstring\n', 'python').closed).to.equal(false);
    expect(highlight('x = 1\n', 'python').closed).to.equal(true);
  });

  it('uses a private highlight.js: the shared instance an application may use gets no languages', () => {
    expect(highlightSegment(document, 'let x = 1;', 'javascript')).to.not.equal(undefined);
    expect(HighlightJS.listLanguages()).to.deep.equal([]);
  });
});
