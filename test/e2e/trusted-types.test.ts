/**
 * The markdown renderer under a strict Content Security Policy with Trusted Types enforced, in
 * real Chromium: it must render without a single violation, create exactly the policies it
 * declares in TRUSTED_TYPES_POLICIES, and degrade to plain text (not break) on a page that does
 * not allow its policy.
 *
 * Run with `node --import tsx --test test/e2e/trusted-types.test.ts`.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { TRUSTED_TYPES_POLICIES } from '../../src/markdown/trusted-types.js';
import { launchChromium } from '../support/chromium.js';

/**
 * Page script: records every Trusted Types policy created and every CSP violation, then streams
 * an answer with code, links, images, a table and hostile HTML into a renderer inside a shadow
 * root (as the element does), and waits for its code to be highlighted.
 */
const PAGE_SCRIPT = `
import { IncrementalRenderer } from './src/markdown/index.ts';

const created = [];
const factory = window.trustedTypes;
const createPolicy = factory.createPolicy.bind(factory);
factory.createPolicy = (name, rules) => { created.push(name); return createPolicy(name, rules); };
const violations = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(event.violatedDirective + ' ' + event.sample));

const answer = [
  '# Result', '',
  'Some **bold**, a [link](https://example.com) and \`code\`.', '',
  '\`\`\`js', 'const answer = 42;', '', 'console.log(answer);', '\`\`\`', '',
  '| a | b |', '|---|---|', '| 1 | 2 |', '',
  '![chart](https://images.example.com/chart.png)', '',
  '<img src=x onerror="window.pwned = 1"><script>window.pwned = 2</script><a href="javascript:alert(1)">x</a>', '',
  '<style>body { display: none }</style><p style="color: red">styled</p><svg onload="window.pwned = 3"></svg><iframe srcdoc="x"></iframe>', '',
  '> quoted *text*', '',
].join('\\n');

const host = document.createElement('div');
document.body.append(host);
const root = host.attachShadow({ mode: 'open' });
const container = document.createElement('div');
root.append(container);
const renderer = new IncrementalRenderer(container);
let errors = [];
try {
  for (let end = 1; end <= answer.length; end += 7) renderer.update(answer.slice(0, end));
  renderer.update(answer);
  renderer.finish();
  await renderer.whenHighlighted();
} catch (error) {
  errors.push(String(error));
}
setTimeout(() => {
  const keyword = container.querySelector('.hl-keyword');
  window.result = {
    highlighted: container.querySelectorAll('pre code [class^="hl-"]').length,
    keywordColor: keyword ? getComputedStyle(keyword).color : null,
    adoptedSheets: root.adoptedStyleSheets.length,
    styleAttributes: container.querySelectorAll('[style]').length,
    created,
    violations,
    errors,
    pwned: window.pwned ?? null,
    html: container.innerHTML,
    codeBlocks: container.querySelectorAll('[part="code-block"] pre code').length,
    copyButtons: container.querySelectorAll('button[part="copy-button"]').length,
    links: Array.from(container.querySelectorAll('a'), (a) => [a.getAttribute('href'), a.getAttribute('rel'), a.getAttribute('target')]),
    placeholders: container.querySelectorAll('[part="image-placeholder"]').length,
    images: container.querySelectorAll('img').length,
    tables: container.querySelectorAll('table').length,
    plainText: container.querySelectorAll('pre.plain-text').length,
    activeElements: container.querySelectorAll('script, style, iframe, svg, object, embed').length,
    activeAttributes: Array.from(container.querySelectorAll('*')).flatMap((element) =>
      Array.from(element.attributes)
        .filter((attribute) => /^on/i.test(attribute.name) || /^\\s*(?:javascript|data):/i.test(attribute.value))
        .map((attribute) => attribute.name),
    ),
  };
}, 50);
`;

interface PageResult {
  highlighted: number;
  keywordColor: string | null;
  adoptedSheets: number;
  styleAttributes: number;
  created: string[];
  violations: string[];
  errors: string[];
  pwned: number | null;
  html: string;
  codeBlocks: number;
  copyButtons: number;
  links: Array<[string | null, string | null, string | null]>;
  placeholders: number;
  images: number;
  tables: number;
  plainText: number;
  activeElements: number;
  activeAttributes: string[];
}

let browser: Browser;
let baseUrl: string;
let closeServer: () => Promise<void>;

before(async () => {
  const bundle = await build({
    stdin: { contents: PAGE_SCRIPT, resolveDir: process.cwd(), sourcefile: 'page.ts', loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/page.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      response.end(script);
      return;
    }
    if (url.pathname === '/') {
      const policies = url.searchParams.get('policies') ?? '';
      const csp = [
        "default-src 'none'",
        "script-src 'self'",
        "require-trusted-types-for 'script'",
        `trusted-types ${policies || "'none'"}`,
      ].join('; ');
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': csp });
      response.end('<!doctype html><html lang="en"><head><script type="module" src="/page.js"></script></head><body></body></html>');
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  closeServer = () => new Promise((resolve) => server.close(() => resolve()));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await closeServer?.();
});

async function load(policies: string): Promise<{ result: PageResult; page: Page; console: string[] }> {
  const page = await browser.newPage();
  page.setDefaultTimeout(20_000);
  const messages: string[] = [];
  page.on('console', (message) => messages.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  await page.goto(`${baseUrl}?policies=${encodeURIComponent(policies)}`);
  await page.waitForFunction(() => 'result' in window);
  const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
  return { result, page, console: messages };
}

describe('markdown under Trusted Types', { timeout: 60_000 }, () => {
  it('declares exactly the policy names it creates', async () => {
    const { result, page } = await load(TRUSTED_TYPES_POLICIES.join(' '));
    assert.deepEqual(result.created, [...TRUSTED_TYPES_POLICIES]);
    assert.ok(!result.created.includes('dompurify'));
    await page.close();
  });

  it('renders everything without a violation when only its policies are allowed', async () => {
    const { result, page, console } = await load(TRUSTED_TYPES_POLICIES.join(' '));
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(
      console.filter((line) => !line.startsWith('log:')),
      [],
    );
    assert.equal(result.pwned, null);
    assert.equal(result.plainText, 0);
    assert.equal(result.codeBlocks, 1);
    assert.equal(result.copyButtons, 1);
    // The code is highlighted, its colors come from a constructed stylesheet (no style element,
    // no style attribute: the page allows no inline style at all), and nothing was reported.
    assert.ok(result.highlighted >= 4, `highlighted tokens: ${result.highlighted}`);
    assert.equal(result.keywordColor, 'rgb(207, 34, 46)');
    assert.equal(result.adoptedSheets, 1);
    assert.equal(result.styleAttributes, 0);
    assert.equal(result.tables, 1);
    assert.equal(result.images, 0);
    assert.equal(result.placeholders, 1);
    // The markdown link, the placeholder's link to the image, and the javascript: link,
    // which keeps its text but loses its href.
    assert.equal(result.links.length, 3);
    for (const [href, rel, target] of result.links) {
      if (href === null) {
        assert.deepEqual([rel, target], [null, null]);
        continue;
      }
      assert.match(href, /^https:\/\//);
      assert.equal(rel, 'noopener noreferrer nofollow');
      assert.equal(target, '_blank');
    }
    assert.equal(result.activeElements, 0);
    assert.deepEqual(result.activeAttributes, []);
    // Hostile markup is shown as the text it is.
    assert.match(result.html, /&lt;script&gt;window\.pwned = 2&lt;\/script&gt;/);
    await page.close();
  });

  it('notices a raw innerHTML assignment (the detector works)', async () => {
    const { page } = await load(TRUSTED_TYPES_POLICIES.join(' '));
    const outcome = await page.evaluate(() => {
      try {
        document.body.innerHTML = '<b>raw</b>';
        return 'assigned';
      } catch (error) {
        return String(error);
      }
    });
    assert.match(outcome, /TrustedHTML/);
    await page.close();
  });

  it('falls back to plain text, without throwing, when its policy is not allowed', async () => {
    const { result, page, console } = await load('some-other-policy');
    assert.deepEqual(result.errors, []);
    assert.equal(result.pwned, null);
    // Blocks built as DOM directly need no policy (the code block among them); the blocks that
    // take the markup path through the sanitizer (raw HTML, images) are shown as plain text.
    assert.equal(result.codeBlocks, 1);
    assert.ok(result.plainText > 0);
    assert.match(result.html.replace(/<[^>]+>/g, ''), /const answer = 42;/);
    assert.ok(console.some((line) => line.includes('trusted-types directive')));
    // The only violation is the refused policy itself, never a sink.
    assert.ok(result.violations.every((violation) => violation.startsWith('trusted-types')));
    await page.close();
  });
});
