import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../../src/llm-chat.js';
import type { LlmChat } from '../../src/element/llm-chat.component.js';
import type { ChatMessage } from '../../src/core/types.js';
import { ChatHarness } from '../support/chat-harness.js';

const fence = '```';

function answer(content: string): ChatMessage[] {
  return [
    { id: 'u1', role: 'user', content: 'Show me', status: 'complete', createdAt: 1 },
    { id: 'a1', role: 'assistant', content, status: 'complete', createdAt: 2 },
  ];
}

async function mount(content: string, width = 420) {
  const el = await fixture<LlmChat>(html`<llm-chat endpoint="/x" persist="none" style=${`width: ${width}px; height: 500px`}></llm-chat>`);
  el.messages = answer(content);
  await el.updateComplete;
  return { el, chat: new ChatHarness(el) };
}

const LONG_LINE = `const message = "${'a very long string literal that does not fit '.repeat(8)}";`;
const WIDE_TABLE = `| ${Array.from({ length: 12 }, (_, i) => `Column number ${i}`).join(' | ')} |\n|${'---|'.repeat(12)}\n| ${Array.from({ length: 12 }, (_, i) => `value ${i}`).join(' | ')} |\n`;
const SMALL_TABLE = '| a | b |\n|---|---|\n| 1 | 2 |\n';

/** Every color category, from four languages. */
const ALL_COLORS = [
  `${fence}ts\n// comment\nexport function load(url: string): Promise<number> { return fetch(url).then(() => 42); }\n${fence}`,
  `${fence}html\n<section class="card">Text</section>\n${fence}`,
  `${fence}python\n@dataclass\nclass Point:\n    x: float = 0.0\n${fence}`,
  `${fence}diff\n-old line\n+new line\n${fence}`,
].join('\n\n');

function luminance(color: string): number {
  const [r = 0, g = 0, b = 0] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

describe('<llm-chat>', () => {
  describe('code blocks and tables', () => {
    afterEach(() => emulateMedia({ colorScheme: 'light' }));

    it('scrolls a long code line inside its block, never the message or the log', async () => {
      const { chat } = await mount(`Here:\n\n${fence}js\n${LONG_LINE}\nshort();\n${fence}\n\nAfter.`);
      const pre = chat.root.querySelector<HTMLElement>('.code-block > pre');
      if (!pre) throw new Error('no code block');
      expect(pre.scrollWidth).to.be.greaterThan(pre.clientWidth);
      // One line each: the long line did not wrap.
      const lineHeight = parseFloat(getComputedStyle(pre).lineHeight);
      expect(pre.querySelector('code')?.getBoundingClientRect().height).to.be.below(lineHeight * 2.5);
      const log = chat.part('log') as HTMLElement;
      expect(log.scrollWidth).to.equal(log.clientWidth);
      const message = chat.parts('message').at(-1) as HTMLElement;
      expect(message.scrollWidth).to.equal(message.clientWidth);
      // The scrolling block is a named tab stop, and the keyboard scrolls it.
      await waitUntil(() => pre.getAttribute('tabindex') === '0', 'the code block becomes focusable');
      expect(pre.getAttribute('role')).to.equal('region');
      expect(pre.getAttribute('aria-label')).to.equal('Code');
      pre.focus();
      await sendKeys({ press: 'ArrowRight' });
      await waitUntil(() => pre.scrollLeft > 0, 'the arrow key scrolls the focused block');
    });

    it('scrolls a wide table inside its own block, and names it', async () => {
      const { el, chat } = await mount(`Wide:\n\n${WIDE_TABLE}\nSmall:\n\n${SMALL_TABLE}`);
      const [wide, small] = Array.from(chat.root.querySelectorAll<HTMLElement>('.table-scroll'));
      if (!wide || !small) throw new Error('tables are not wrapped');
      expect(wide.firstElementChild?.localName).to.equal('table');
      expect(getComputedStyle(wide.firstElementChild as Element).display).to.equal('table');
      expect(wide.scrollWidth).to.be.greaterThan(wide.clientWidth);
      expect(small.scrollWidth).to.equal(small.clientWidth);
      const log = chat.part('log') as HTMLElement;
      expect(log.scrollWidth).to.equal(log.clientWidth);
      await waitUntil(() => wide.getAttribute('tabindex') === '0', 'the wide table becomes focusable');
      expect(wide.getAttribute('role')).to.equal('region');
      expect(wide.getAttribute('aria-label')).to.equal('Table');
      // A table that fits is no tab stop.
      expect(small.hasAttribute('tabindex')).to.equal(false);
      expect(small.hasAttribute('role')).to.equal(false);
      // Wide enough for the table, it is no tab stop any more.
      el.style.width = '2400px';
      await waitUntil(() => !wide.hasAttribute('tabindex'), 'the table stops being a tab stop when it fits');
      expect(wide.hasAttribute('aria-label')).to.equal(false);
    });

    it('names the regions in the configured language', async () => {
      const el = await fixture<LlmChat>(html`<llm-chat endpoint="/x" persist="none" style="width: 360px"></llm-chat>`);
      el.strings = { scrollableTable: 'Tabelle', scrollableCode: 'Quelltext' };
      el.messages = answer(`${WIDE_TABLE}\n${fence}\n${LONG_LINE}\n${fence}\n`);
      await el.updateComplete;
      const root = el.shadowRoot as ShadowRoot;
      await waitUntil(() => root.querySelectorAll('[role="region"]').length === 2, 'both blocks are regions');
      expect(Array.from(root.querySelectorAll('[role="region"]'), (region) => region.getAttribute('aria-label'))).to.deep.equal([
        'Tabelle',
        'Quelltext',
      ]);
    });

    for (const scheme of ['light', 'dark'] as const) {
      it(`colors highlighted code readably in the ${scheme} scheme (WCAG AA), and passes axe`, async () => {
        await emulateMedia({ colorScheme: scheme });
        const { el, chat } = await mount(ALL_COLORS, 640);
        await waitUntil(
          () => chat.root.querySelectorAll('.code-block').length === 4 && chat.root.querySelector('.hl-deletion'),
          'highlighted',
        );
        await waitUntil(
          () => chat.root.querySelectorAll('.code-block code').length === chat.root.querySelectorAll('.code-block code:has(span)').length,
        );
        const seen = new Set<string>();
        for (const span of Array.from(chat.root.querySelectorAll<HTMLElement>('.code-block [class^="hl-"]'))) {
          const block = span.closest('.code-block') as HTMLElement;
          const ratio = contrast(getComputedStyle(span).color, getComputedStyle(block).backgroundColor);
          expect(ratio, `${span.className} "${span.textContent}"`).to.be.at.least(4.5);
          seen.add(span.className);
        }
        for (const category of [
          'keyword',
          'string',
          'comment',
          'number',
          'function',
          'type',
          'attribute',
          'tag',
          'meta',
          'addition',
          'deletion',
        ]) {
          expect(seen.has(`hl-${category}`), category).to.equal(true);
        }
        // The colors are the scheme's own, not the other's.
        const keyword = getComputedStyle(chat.root.querySelector('.hl-keyword') as Element).color;
        expect(keyword).to.equal(scheme === 'light' ? 'rgb(207, 34, 46)' : 'rgb(255, 123, 114)');
        await expect(el).to.be.accessible();
      });
    }

    it('takes the colors from the public tokens', async () => {
      const { el, chat } = await mount(`${fence}js\nconst a = 'b';\n${fence}`);
      el.style.setProperty('--llm-chat-code-keyword-color', 'rgb(1, 2, 3)');
      await waitUntil(() => chat.root.querySelector('.hl-keyword'), 'highlighted');
      expect(getComputedStyle(chat.root.querySelector('.hl-keyword') as Element).color).to.equal('rgb(1, 2, 3)');
    });
  });
});
