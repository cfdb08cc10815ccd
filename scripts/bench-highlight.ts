/**
 * Highlighting benchmark, run with `npm run bench:highlight`.
 *
 * Renders answers with a 2,000-line code block (TypeScript, the slowest grammar measured;
 * Python; HTML) in headless Chromium, on a page that enforces Trusted Types, and checks that
 * highlighting them makes no long task (≥ 50 ms): it runs in runs of lines, a few milliseconds
 * each, in idle slices. The first block is measured cold (the grammar's regular expressions
 * are compiled on first use), the others warm. For comparison it prints what highlighting the
 * whole block in one call costs.
 *
 * Prints a table, writes `.bench/highlight.json`, exits 1 when a long task appeared (2 when the
 * benchmark itself failed).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BenchLanguage, BlockResult } from './bench-highlight-page.js';
import { launchChromium } from '../test/support/chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LINES = 2000;
const LONG_TASK_MS = 50;
const CSP = ["default-src 'none'", "script-src 'self'", "require-trusted-types-for 'script'", 'trusted-types llm-chat'].join('; ');

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [resolve(root, 'scripts/bench-highlight-page.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

async function serve(script: string): Promise<{ url: string; close: () => Promise<void> }> {
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>highlight bench</title>' +
    '<script type="module" src="/bench.js"></script></head><body></body></html>';
  const server = createServer((request, response) => {
    if (request.url === '/bench.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP }).end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(() => done())) };
}

interface Measured extends BlockResult {
  label: string;
  oneShotMs: number;
}

async function measure(): Promise<{ results: Measured[]; violations: string[]; errors: string[] }> {
  const server = await serve(await bundlePage());
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
    page.setDefaultTimeout(60_000);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => 'highlightBench' in window);
    const runs: Array<[string, BenchLanguage]> = [
      ['typescript (cold)', 'typescript'],
      ['typescript', 'typescript'],
      ['python', 'python'],
      ['html', 'xml'],
    ];
    const results: Measured[] = [];
    for (const [label, language] of runs) {
      const result = await page.evaluate(([name, lines]) => window.highlightBench.block(name, lines), [language, LINES] as const);
      const oneShotMs = await page.evaluate(([name, lines]) => window.highlightBench.oneShot(name, lines), [language, LINES] as const);
      results.push({ ...result, label, oneShotMs });
    }
    const violations = await page.evaluate(() => window.highlightBench.violations());
    console.log(JSON.stringify(await page.evaluate(() => (window as unknown as { frames: unknown }).frames)));
    return { results, violations, errors };
  } finally {
    await browser.close();
    await server.close();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

try {
  const { results, violations, errors } = await measure();
  console.log(`Highlighting a ${LINES}-line code block (Chromium, Trusted Types enforced):\n`);
  console.table(
    results.map((result) => ({
      block: result.label,
      characters: result.characters,
      'finish()': ms(result.finishMs),
      'in one call': ms(result.oneShotMs),
      'highlighter total': ms(result.highlightMs),
      runs: result.runs,
      'longest run': ms(result.longestRunMs),
      'wall time': ms(result.wallMs),
      'long tasks': result.longTasks.length === 0 ? 'none' : result.longTasks.map(ms).join(', '),
      spans: result.spans,
    })),
  );
  await mkdir(resolve(root, '.bench'), { recursive: true });
  await writeFile(resolve(root, '.bench/highlight.json'), JSON.stringify({ results, violations, errors }, null, 2));
  const problems = [
    ...results
      .filter((result) => result.longTasks.some((duration) => duration >= LONG_TASK_MS))
      .map((result) => `long task: ${result.label}`),
    ...results.filter((result) => result.spans === 0).map((result) => `nothing highlighted: ${result.label}`),
    ...violations.map((violation) => `CSP violation: ${violation}`),
    ...errors.map((error) => `page error: ${error}`),
  ];
  for (const problem of problems) console.error(problem);
  process.exit(problems.length > 0 ? 1 : 0);
} catch (error) {
  console.error(error);
  process.exit(2);
}
