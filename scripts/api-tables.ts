/**
 * Writes the README's API tables from the custom-elements manifest, so the documentation is
 * generated from the element's own JSDoc and cannot drift. `--check` fails instead of
 * writing when the README is out of date (CI runs it after the build).
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface Item {
  name?: string;
  kind?: string;
  description?: string;
  default?: string;
  type?: { text: string };
  fieldName?: string;
  attribute?: string;
  privacy?: string;
  static?: boolean;
  parameters?: Array<{ name: string; optional?: boolean; type?: { text: string } }>;
  return?: { type?: { text: string } };
}
interface Declaration {
  tagName?: string;
  attributes?: Item[];
  members?: Item[];
  events?: Item[];
  slots?: Item[];
  cssParts?: Item[];
  cssProperties?: Item[];
}

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as { modules: Array<{ declarations?: Declaration[] }> };
const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'llm-chat');
if (!element) throw new Error('custom-elements.json has no <llm-chat>; run `npm run analyze` first.');

const cell = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
const code = (text: string | undefined) => (text ? `\`${cell(text).replace(/_/g, '')}\`` : '');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

const members = (element.members ?? []).filter((m) => !m.static && m.privacy !== 'private' && m.privacy !== 'protected');
const description = (field: string | undefined) => members.find((m) => m.name === field)?.description;

const sections = [
  '### Attributes',
  table(
    ['attribute', 'property', 'type', 'default', 'description'],
    (element.attributes ?? []).map((a) => [
      code(a.name),
      code(a.fieldName),
      code(a.type?.text),
      code(a.default),
      cell(description(a.fieldName)),
    ]),
  ),
  '### Properties (no attribute)',
  table(
    ['property', 'type', 'description'],
    members.filter((m) => m.kind === 'field' && !m.attribute).map((m) => [code(m.name), code(m.type?.text), cell(m.description)]),
  ),
  '### Methods',
  table(
    ['method', 'description'],
    members
      .filter((m) => m.kind === 'method')
      .map((m) => [
        code(`${m.name}(${(m.parameters ?? []).map((p) => `${p.name}${p.optional ? '?' : ''}`).join(', ')})`),
        cell(m.description),
      ]),
  ),
  '### Events',
  table(
    ['event', 'description'],
    (element.events ?? []).filter((e) => e.name).map((e) => [code(e.name), cell(e.description)]),
  ),
  '### CSS parts',
  table(
    ['part', 'description'],
    (element.cssParts ?? []).map((p) => [code(p.name), cell(p.description)]),
  ),
  '### CSS custom properties',
  table(
    ['property', 'default', 'description'],
    (element.cssProperties ?? []).map((p) => [code(p.name), code(p.default), cell(p.description)]),
  ),
  '### Slots',
  table(
    ['slot', 'description'],
    (element.slots ?? []).map((s) => [code(s.name), cell(s.description)]),
  ),
];

const generated = `<!-- api:start -->\n<!-- Generated from custom-elements.json by scripts/api-tables.ts; do not edit by hand. -->\n\n${sections.join('\n\n')}\n\n<!-- api:end -->`;
const readme = readFileSync('README.md', 'utf8');
const updated = readme.replace(/<!-- api:start -->[\s\S]*?<!-- api:end -->/, generated);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    console.error('README.md API tables are out of date: run `npm run docs`.');
    process.exit(1);
  }
  console.log('README.md API tables match custom-elements.json.');
} else {
  writeFileSync('README.md', updated);
  console.log('README.md API tables written from custom-elements.json.');
}
