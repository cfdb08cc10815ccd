import { expect } from '@open-wc/testing';
import { highlightSegment } from '../../src/markdown/highlight-engine.js';
import { HighlightQueue } from '../../src/markdown/highlight-queue.js';
import type { HighlightChunk } from '../../src/markdown/highlight-queue.js';
import { HighlightRunner, MAX_CODE_LENGTH, MAX_LINE_LENGTH, MAX_SEGMENT_LENGTH } from '../../src/markdown/highlight-runner.js';
import { HIGHLIGHT_THEME_CSS } from '../../src/markdown/highlight-theme.js';
import { longCode } from './highlight-samples.js';

/** A code block as the renderer places it: `div > pre > code.language-…`. */
function block(code: string, language?: string): HTMLElement {
  const element = document.createElement('div');
  const pre = document.createElement('pre');
  const inner = document.createElement('code');
  if (language) inner.className = `language-${language}`;
  inner.textContent = code;
  pre.append(inner);
  element.append(pre);
  return element;
}

/**
 * A queue with a manual scheduler and clock: `flush()` runs the scheduled slices, and every
 * highlighted character costs `msPerChar` of fake time.
 */
function harness(options: { fail?: number; msPerChar?: number } = {}) {
  const runs: Array<{ code: string; language: string; slice: number }> = [];
  const slices: Array<() => void> = [];
  let loads = 0;
  let failures = options.fail ?? 0;
  let clock = 0;
  let slice = 0;
  const chunk: HighlightChunk = {
    HighlightRunner,
    highlightSegment(doc, code, language) {
      runs.push({ code, language, slice });
      clock += code.length * (options.msPerChar ?? 0);
      return highlightSegment(doc, code, language);
    },
  };
  const queue = new HighlightQueue({
    load: () => {
      loads++;
      if (failures > 0) {
        failures--;
        return Promise.reject(new TypeError('Failed to fetch dynamically imported module'));
      }
      return Promise.resolve(chunk);
    },
    schedule: (run) => slices.push(run),
    sliceMs: 8,
    now: () => clock,
  });
  async function flush(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      await Promise.resolve();
      await Promise.resolve();
      const next = slices.shift();
      if (!next) return;
      slice++;
      next();
    }
    throw new Error('the queue never settled');
  }
  return {
    queue,
    runs,
    flush,
    get loads() {
      return loads;
    },
    get slices() {
      return slice;
    },
  };
}

const spans = (element: Element) => element.querySelectorAll('code span').length;

describe('HighlightQueue and HighlightRunner', () => {
  it('loads nothing for blocks without code in a highlighted language', async () => {
    const h = harness();
    const paragraph = document.createElement('div');
    paragraph.innerHTML = '<p>Text with <code>inline</code> code.</p>';
    h.queue.add(paragraph);
    h.queue.add(block('plain code'));
    h.queue.add(block('+[----->+++<]>+.', 'brainfuck'));
    h.queue.add(block('some text', 'text'));
    await h.queue.settled();
    await h.flush();
    expect(h.loads).to.equal(0);
    expect(h.runs).to.have.length(0);
  });

  it('loads once and highlights each block once, however often it is added', async () => {
    const h = harness();
    const blocks = [block('const a = 1;\n', 'js'), block('x = 1\n', 'Python'), block('SELECT 1;\n', 'sql')];
    for (const element of blocks) h.queue.add(element);
    h.queue.add(blocks[0] as HTMLElement);
    const settled = h.queue.settled();
    await h.flush();
    await settled;
    h.queue.add(blocks[0] as HTMLElement);
    await h.flush();
    expect(h.loads).to.equal(1);
    expect(h.runs.map((run) => run.language)).to.deep.equal(['js', 'Python', 'sql']);
    for (const element of blocks) expect(spans(element)).to.be.greaterThan(0);
    expect(blocks[0]?.textContent).to.equal('const a = 1;\n');
  });

  it('highlights a long block in runs of whole lines, in slices of a few milliseconds', async () => {
    const h = harness({ msPerChar: 0.001 });
    const code = longCode(2000);
    const element = block(code, 'typescript');
    h.queue.add(element);
    await h.flush();
    expect(element.querySelector('code')?.textContent).to.equal(code);
    expect(h.runs.length).to.be.greaterThan(10);
    let offset = 0;
    for (const run of h.runs) {
      expect(run.code.length).to.be.at.most(MAX_SEGMENT_LENGTH + MAX_LINE_LENGTH);
      // Runs start where the previous accepted run ended, on a line start.
      if (!code.startsWith(run.code, offset)) offset = code.indexOf(run.code, offset);
      expect(offset === 0 || code[offset - 1] === '\n', `run at ${offset}`).to.equal(true);
    }
    // At 1 µs a character and 8 ms a slice, each slice did about two 4 KB runs, never all.
    const perSlice = new Map<number, number>();
    for (const run of h.runs) perSlice.set(run.slice, (perSlice.get(run.slice) ?? 0) + run.code.length);
    expect(perSlice.size).to.be.greaterThan(5);
    for (const characters of perSlice.values()) expect(characters).to.be.below(8_000 + MAX_SEGMENT_LENGTH + MAX_LINE_LENGTH);
  });

  it('ends up with exactly what highlighting the whole block at once gives, in groups of lines', async () => {
    for (const grammar of ['typescript', 'python', 'xml'] as const) {
      const h = harness();
      const code = longCode(2000, grammar);
      const element = block(code, grammar);
      h.queue.add(element);
      await h.flush();
      const result = element.querySelector('code') as HTMLElement;
      const groups = Array.from(result.children);
      expect(groups.length, grammar).to.be.greaterThan(20);
      for (const group of groups) {
        expect(group.className).to.equal('hl-lines');
        expect(group.textContent?.endsWith('\n'), 'groups end at a line end').to.equal(true);
      }
      // The first groups are small, so the top is colored first.
      expect(groups[0]?.textContent?.split('\n')).to.have.length(9);
      const unwrapped = result.cloneNode(true) as HTMLElement;
      for (const group of Array.from(unwrapped.children)) group.replaceWith(...Array.from(group.childNodes));
      unwrapped.normalize();
      const whole = document.createElement('code');
      whole.append(highlightSegment(document, code, grammar)?.fragment ?? '');
      expect(unwrapped.innerHTML === whole.innerHTML, grammar).to.equal(true);
    }
  });

  it('grows a run that would end inside a comment until the comment is closed', async () => {
    const h = harness();
    const comment = `/*\n${'  * a long comment line that goes on\n'.repeat(200)} */\n`;
    const code = `${'let a = 1;\n'.repeat(300)}${comment}${'let b = "x";\n'.repeat(50)}`;
    const element = block(code, 'js');
    h.queue.add(element);
    await h.flush();
    const rejected = h.runs.filter((run, index) => h.runs[index + 1]?.code.startsWith(run.code));
    expect(rejected.length).to.be.greaterThan(0);
    const comments = Array.from(element.querySelectorAll('.hl-comment'), (span) => span.textContent);
    expect(comments).to.deep.equal([comment.trimEnd()]);
    expect(element.querySelectorAll('.hl-string')).to.have.length(50);
  });

  it('leaves code plain when the highlighter cannot be loaded, and tries again for the next block', async () => {
    const h = harness({ fail: 1 });
    const first = block('const a = 1;\n', 'js');
    h.queue.add(first);
    await h.queue.settled();
    await h.flush();
    expect(h.loads).to.equal(1);
    expect(spans(first)).to.equal(0);
    expect(first.querySelector('code')?.textContent).to.equal('const a = 1;\n');
    const second = block('const b = 2;\n', 'js');
    h.queue.add(second);
    await h.flush();
    expect(h.loads).to.equal(2);
    expect(spans(second)).to.be.greaterThan(0);
    expect(spans(first)).to.equal(0);
  });

  it('skips a block that left its container before its turn', async () => {
    const h = harness();
    const container = document.createElement('div');
    const gone = block('const gone = 1;\n', 'js');
    const kept = block('const kept = 1;\n', 'js');
    container.append(gone, kept);
    h.queue.add(gone, container);
    h.queue.add(kept, container);
    gone.remove();
    await h.flush();
    expect(h.runs.map((run) => run.code)).to.deep.equal(['const kept = 1;\n']);
    expect(spans(gone)).to.equal(0);
  });

  it('leaves huge code and code with a very long line plain', async () => {
    const h = harness();
    const huge = block('x'.repeat(MAX_CODE_LENGTH + 1), 'js');
    const wide = block(`short();\n${'y'.repeat(MAX_LINE_LENGTH + 1)}\n`, 'js');
    h.queue.add(huge);
    h.queue.add(wide);
    h.queue.add(block('fits();\n', 'js'));
    await h.flush();
    expect(h.runs.map((run) => run.code)).to.deep.equal(['fits();\n']);
    expect(huge.querySelector('code')?.childNodes).to.have.length(1);
    expect(wide.querySelector('code')?.childNodes).to.have.length(1);
  });

  it('brings the colors into the shadow root that holds the code, once, never into the page', async () => {
    const h = harness();
    const host = document.createElement('div');
    document.body.append(host);
    const root = host.attachShadow({ mode: 'open' });
    const before = root.adoptedStyleSheets.length;
    const inShadow = [block('const a = 1;\n', 'js'), block('x = 1\n', 'py')];
    root.append(...inShadow);
    const inPage = block('let b = 2;\n', 'js');
    document.body.append(inPage);
    const pageSheets = document.adoptedStyleSheets.length;
    for (const element of [...inShadow, inPage]) h.queue.add(element);
    await h.flush();
    expect(spans(inPage)).to.be.greaterThan(0);
    expect(document.adoptedStyleSheets).to.have.length(pageSheets);
    expect(root.adoptedStyleSheets).to.have.length(before + 1);
    const sheet = root.adoptedStyleSheets.at(-1) as CSSStyleSheet;
    expect(Array.from(sheet.cssRules, (rule) => rule.cssText).join('\n')).to.include('--llm-chat-code-keyword-color');
    expect(HIGHLIGHT_THEME_CSS).to.include('prefers-color-scheme: dark');
    expect(getComputedStyle(root.querySelector('.hl-keyword') as Element).color).to.equal('rgb(207, 34, 46)');
    host.remove();
    inPage.remove();
  });
});
