import { expect, waitUntil } from '@open-wc/testing';
import DOMPurify from 'dompurify';
import { IncrementalRenderer, LINK_REL, safeUrl, sanitizeHtml, TRUSTED_TYPES_POLICIES } from '../../src/markdown/index.js';

declare global {
  interface Window {
    llmChatPwned?: number;
  }
}

function render(markdown: string, options: ConstructorParameters<typeof IncrementalRenderer>[1] = {}) {
  const container = document.createElement('div');
  document.body.append(container);
  const renderer = new IncrementalRenderer(container, options);
  renderer.update(markdown);
  renderer.finish();
  return {
    container,
    done: () => {
      renderer.destroy();
      container.remove();
    },
  };
}

/** Streams char by char, checking the live tail (rendered after repair) at every step. */
function renderStreamed(markdown: string): void {
  const container = document.createElement('div');
  document.body.append(container);
  const renderer = new IncrementalRenderer(container);
  for (let end = 1; end <= markdown.length; end++) {
    renderer.update(markdown.slice(0, end));
    assertSafe(container);
  }
  renderer.finish();
  assertSafe(container);
  renderer.destroy();
  container.remove();
}

/** Checks the strict profile on rendered DOM. */
function assertSafe(container: HTMLElement): void {
  expect(
    container.querySelector(
      'script, style, iframe, object, embed, form, input, textarea, select, option, link, meta, base, svg, math, template',
    ),
  ).to.equal(null);
  // The only buttons are code blocks' copy buttons, and there is no code block here.
  expect(container.querySelector('button')).to.equal(null);
  for (const element of Array.from(container.querySelectorAll('*'))) {
    for (const { name, value } of Array.from(element.attributes)) {
      expect(name.startsWith('on'), name).to.equal(false);
      expect(['id', 'name', 'style', 'aria-hidden', 'data-copy'].includes(name), name).to.equal(false);
      expect(/^\s*(?:javascript|data|vbscript):/i.test(value), `${name}=${value}`).to.equal(false);
      if (name === 'part') expect(['code-block', 'copy-button', 'image-placeholder']).to.include(value);
      if (name === 'class')
        expect(value).to.match(
          /^(?:markdown-block(?: markdown-live)?|markdown-group|plain-text|language-\S+|image-placeholder|code-block|code-header|code-lang|copy-button)$/,
        );
    }
  }
  for (const anchor of Array.from(container.querySelectorAll('a'))) {
    const href = anchor.getAttribute('href');
    if (href !== null) expect(safeUrl(href)).to.equal(href);
  }
}

const ATTACKS = [
  '<script>window.llmChatPwned = 1</script>',
  '<img src="x" onerror="window.llmChatPwned = 2">',
  '<svg onload="window.llmChatPwned = 3"><circle r="1"/></svg>',
  '<iframe src="javascript:window.llmChatPwned = 4"></iframe>',
  '<a href="javascript:window.llmChatPwned = 5">click</a>',
  '[click](javascript:window.llmChatPwned=6)',
  '[click](JaVaScRiPt:alert(1))',
  '[click](java\tscript:alert(1))',
  '<a href="&#106;avascript:alert(1)">entity</a>',
  '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[vb](vbscript:msgbox(1))',
  '![pixel](data:image/png;base64,iVBORw0KGgo=)',
  '<form action="https://evil.example/"><input name="q"><button>Go</button></form>',
  '<textarea>t</textarea><select><option>o</option></select>',
  '<style>body { display: none }</style>',
  '<link rel="stylesheet" href="https://evil.example/x.css"><meta http-equiv="refresh" content="0">',
  '<base href="https://evil.example/">',
  '<object data="https://evil.example/x"></object><embed src="https://evil.example/y">',
  '<p id="messages" name="x" style="color: red" class="copy-button" part="retry-button" data-copy aria-hidden="true" onclick="window.llmChatPwned = 7">styled</p>',
  '<math><mtext><img src=x onerror="window.llmChatPwned = 8"></mtext></math>',
  '<template><img src=x onerror="window.llmChatPwned = 9"></template>',
  '<details open ontoggle="window.llmChatPwned = 10"><summary>s</summary>d</details>',
];

describe('sanitizer', () => {
  afterEach(() => {
    delete window.llmChatPwned;
  });

  it('lists the Trusted Types policies it creates', () => {
    expect(TRUSTED_TYPES_POLICIES).to.deep.equal(['llm-chat']);
  });

  it('returns nodes, never markup', () => {
    expect(sanitizeHtml('<p>hi</p>')).to.be.instanceOf(DocumentFragment);
  });

  for (const attack of ATTACKS) {
    it(`neutralizes ${attack}`, async () => {
      const { container, done } = render(`Before\n\n${attack}\n\nAfter with ${attack} inline.\n`);
      assertSafe(container);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(window.llmChatPwned).to.equal(undefined);
      done();
    });
  }

  for (const attack of ATTACKS) {
    it(`strips ${attack} at the choke point itself`, async () => {
      const holder = document.createElement('div');
      holder.append(sanitizeHtml(attack));
      document.body.append(holder);
      assertSafe(holder);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(window.llmChatPwned).to.equal(undefined);
      holder.remove();
    });
  }

  it('shows script, style and event-handler markup as text instead of parsing it', () => {
    const { container, done } = render('<script>alert(1)</script> and <img src=x onerror="alert(2)"> and <style>p{}</style>');
    expect(container.textContent).to.include('<script>alert(1)</script>');
    expect(container.textContent).to.include('<img src=x onerror="alert(2)">');
    expect(container.querySelector('script, img, style')).to.equal(null);
    done();
  });

  it('neutralizes attacks in the live tail as well', async () => {
    renderStreamed(`${ATTACKS.join('\n')}\n`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(window.llmChatPwned).to.equal(undefined);
  });

  it('forces rel and target on links, whatever the markup said', () => {
    const { container, done } = render(
      '[docs](https://example.com/docs) <a href="https://example.org" target="_self" rel="opener">raw</a> <https://example.net>',
    );
    const anchors = Array.from(container.querySelectorAll('a'));
    expect(anchors).to.have.length(3);
    for (const anchor of anchors) {
      expect(anchor.getAttribute('rel')).to.equal(LINK_REL);
      expect(anchor.getAttribute('target')).to.equal('_blank');
    }
    done();
  });

  it('allows mailto links and drops relative ones', () => {
    const { container, done } = render('[mail](mailto:a@example.com) [rel](/account/delete) [frag](#x)');
    const hrefs = Array.from(container.querySelectorAll('a'), (a) => a.getAttribute('href'));
    expect(hrefs.filter((href) => href !== null)).to.deep.equal(['mailto:a@example.com']);
    expect(container.textContent).to.include('rel');
    done();
  });

  it('keeps a code block language class but drops any other class', () => {
    const fragment = sanitizeHtml(
      '<pre><code class="language-js">x</code></pre><code class="language-js evil">y</code><p class="language-js">z</p>',
    );
    const classes = Array.from(fragment.querySelectorAll('[class]'), (el) => `${el.nodeName}.${el.className}`);
    expect(classes).to.deep.equal(['CODE.language-js']);
  });

  it('does not change the page’s own DOMPurify', () => {
    sanitizeHtml('<a href="https://example.com">x</a>');
    const clean = DOMPurify.sanitize('<a href="https://example.com">x</a>');
    expect(clean).to.equal('<a href="https://example.com">x</a>');
  });

  describe('images', () => {
    it('shows a placeholder naming the host instead of loading a remote image', async () => {
      const url = `${location.origin}/__llm-chat-blocked.png?secret=${Math.random()}`;
      const { container, done } = render(`Look: ![a secret chart](${url})`);
      expect(container.querySelector('img')).to.equal(null);
      const placeholder = container.querySelector('[part="image-placeholder"]');
      expect(placeholder?.textContent).to.equal(`Image from ${location.host}: a secret chart`);
      const link = placeholder?.querySelector('a');
      expect(link?.getAttribute('href')).to.equal(url);
      expect(link?.getAttribute('rel')).to.equal(LINK_REL);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(performance.getEntriesByName(url)).to.have.length(0);
      done();
    });

    it('uses the configured placeholder text', () => {
      const { container, done } = render('![cat](https://images.example.com/cat.png)', {
        strings: { imageBlocked: 'Bild von {host}' },
      });
      expect(container.querySelector('[part="image-placeholder"]')?.textContent).to.equal('Bild von images.example.com: cat');
      done();
    });

    it('loads images from an allowlisted origin, without a referrer', async () => {
      const url = `${location.origin}/__llm-chat-allowed.png?n=${Math.random()}`;
      const { container, done } = render(`![ok](${url})`, { allowedImageOrigins: [location.origin] });
      const image = container.querySelector('img');
      expect(image?.getAttribute('src')).to.equal(url);
      expect(image?.getAttribute('referrerpolicy')).to.equal('no-referrer');
      expect(container.querySelector('[part="image-placeholder"]')).to.equal(null);
      await waitUntil(() => performance.getEntriesByName(url).length > 0, 'image was not requested');
      done();
    });

    it('blocks raw HTML images and images on other origins of an allowlisted host', () => {
      const { container, done } = render(
        '<img src="https://evil.example/p.gif"> ![x](http://images.example.com/a.png) ![y](https://images.example.com:8443/b.png)',
        { allowedImageOrigins: ['https://images.example.com'] },
      );
      expect(container.querySelectorAll('img')).to.have.length(0);
      expect(container.querySelectorAll('[part="image-placeholder"]')).to.have.length(3);
      done();
    });
  });

  describe('safeUrl', () => {
    it('accepts only absolute http, https and mailto URLs', () => {
      expect(safeUrl('https://example.com/a b')).to.equal('https://example.com/a%20b');
      expect(safeUrl('HTTP://EXAMPLE.COM')).to.equal('http://example.com/');
      expect(safeUrl('mailto:x@example.com')).to.equal('mailto:x@example.com');
      for (const bad of [
        '/relative',
        '//evil.example/x',
        'javascript:alert(1)',
        ' java\nscript:alert(1)',
        'data:text/html,x',
        'blob:https://a/b',
        'file:///etc/passwd',
      ]) {
        expect(safeUrl(bad), bad).to.equal(undefined);
      }
    });
  });
});
