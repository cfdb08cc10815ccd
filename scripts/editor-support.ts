/**
 * Writes editor support and framework types from the custom-elements manifest, so they come
 * from the element's own JSDoc and cannot drift from it:
 *
 * - `vscode.html-custom-data.json`: VS Code custom HTML data (`html.customData`);
 * - `web-types.json`: JetBrains Web Types (found through `package.json` `web-types`);
 * - `types/react.d.ts`: `<llm-chat>` in React 19 JSX (`import type {} from 'llm-chat/react'`).
 *
 * The manifest names each attribute's type (`LlmChatPersist`); the TypeScript checker expands
 * such names into their string literals, so editors can offer `session | local | none`.
 * Output is formatted with the repository's Prettier settings. `--check` fails instead of
 * writing when a committed file is out of date (the build runs it, like the README's API tables).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { format, resolveConfig } from 'prettier';
import ts from 'typescript';

interface Item {
  name?: string;
  kind?: string;
  description?: string;
  summary?: string;
  default?: string;
  type?: { text: string };
  fieldName?: string;
  attribute?: string;
  privacy?: string;
  static?: boolean;
}
interface Declaration extends Item {
  tagName?: string;
  attributes?: Item[];
  members?: Item[];
  events?: Item[];
  slots?: Item[];
  cssParts?: Item[];
  cssProperties?: Item[];
}
interface Module {
  path: string;
  declarations?: Declaration[];
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string; description: string };
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as { modules: Module[] };
const home = manifest.modules.find((m) => m.declarations?.some((d) => d.tagName === 'llm-chat'));
const found = home?.declarations?.find((d) => d.tagName === 'llm-chat');
if (!home || !found?.name || !found.tagName) throw new Error('custom-elements.json has no <llm-chat>; run `npm run analyze` first.');
const element: Declaration = found;
const tag = found.tagName;
const className = found.name;

const oneLine = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ').trim();
const members = (element.members ?? []).filter((m) => m.kind === 'field' && !m.static && !m.privacy);
const attributes = (element.attributes ?? []).filter((a) => a.name);
const properties = members.filter((m) => !m.attribute);
const events = (element.events ?? []).filter((e) => e.name);
const describe = (item: Item) => oneLine(item.description ?? members.find((m) => m.name === item.fieldName)?.description);

// The checker answers two questions the manifest leaves open: which string literals a named
// type stands for, and whether each event class is exported for the JSX types to import.
const program = ts.createProgram(['src/index.ts', home.path], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  experimentalDecorators: true,
  useDefineForClassFields: false,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const classDeclaration = program
  .getSourceFile(home.path)
  ?.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
if (!classDeclaration) throw new Error(`${home.path} declares no class ${className}.`);
const instanceType = checker.getTypeAtLocation(classDeclaration);
const indexFile = program.getSourceFile('src/index.ts');
const indexSymbol = indexFile && checker.getSymbolAtLocation(indexFile);
const exported = new Set(indexSymbol ? checker.getExportsOfModule(indexSymbol).map((s) => s.name) : []);

/** The string literals a field accepts (`undefined` aside), or nothing when it is not such a union. */
function literalValues(fieldName: string | undefined): string[] {
  const symbol = fieldName ? checker.getPropertyOfType(instanceType, fieldName) : undefined;
  if (!symbol) return [];
  const type = checker.getTypeOfSymbol(symbol);
  const parts = (type.isUnion() ? type.types : [type]).filter((t) => !(t.flags & ts.TypeFlags.Undefined));
  return parts.every((t) => t.isStringLiteral()) ? parts.map((t) => (t as ts.StringLiteralType).value) : [];
}

const isBoolean = (item: Item) => item.type?.text === 'boolean';
/** An attribute's default as written in markup (`session`, not `'session'`; `45000`, not `45_000`); none for booleans. */
function attributeDefault(item: Item): string | undefined {
  if (!item.default || isBoolean(item)) return undefined;
  return /^[\d_.]+$/.test(item.default) ? item.default.replace(/_/g, '') : item.default.replace(/^'(.*)'$/, '$1');
}
const isNumber = (item: Item) => /^number( \| undefined)?$/.test(item.type?.text ?? '');
const summary = oneLine(element.summary);
const overview = [summary, oneLine(element.description)].filter(Boolean).join('\n\n');
const listing = (title: string, items: Item[], render: (item: Item) => string) =>
  items.length ? `\n\n**${title}**\n\n${items.map((item) => `- ${render(item)}`).join('\n')}` : '';
const eventsDoc = listing('Events', events, (e) => `\`${e.name}\` — ${oneLine(e.description)}`);
const slotsDoc = listing('Slots', element.slots ?? [], (s) => `\`${s.name}\` — ${oneLine(s.description)}`);
const partsDoc = listing('CSS parts', element.cssParts ?? [], (p) => `\`${p.name}\` — ${oneLine(p.description)}`);
const cssPropsDoc = listing('CSS custom properties', element.cssProperties ?? [], (p) => `\`${p.name}\` — ${oneLine(p.description)}`);

function vscodeCustomData() {
  return {
    $schema: 'https://raw.githubusercontent.com/microsoft/vscode-html-languageservice/main/docs/customData.schema.json',
    version: 1.1,
    tags: [
      {
        name: tag,
        description: { kind: 'markdown', value: `${overview}${eventsDoc}${slotsDoc}${partsDoc}${cssPropsDoc}` },
        attributes: attributes.map((a) => {
          const values = literalValues(a.fieldName);
          const fallback = attributeDefault(a);
          const defaultText = fallback ? ` Default: \`${fallback}\`.` : '';
          return {
            name: a.name,
            description: `${describe(a)}${defaultText}`,
            ...(isBoolean(a) ? { valueSet: 'v' } : {}),
            ...(values.length ? { values: values.map((name) => ({ name })) } : {}),
          };
        }),
      },
    ],
  };
}

function webTypes() {
  const valueOf = (a: Item) => {
    if (isBoolean(a)) return { kind: 'no-value' };
    const values = literalValues(a.fieldName);
    if (values.length) return { type: values.map((v) => `'${v}'`).join(' | ') };
    return { type: isNumber(a) ? 'number' : 'string' };
  };
  return {
    $schema: 'https://raw.githubusercontent.com/JetBrains/web-types/master/v2-preview/web-types.json',
    name: pkg.name,
    version: pkg.version,
    'js-types-syntax': 'typescript',
    'description-markup': 'markdown',
    contributions: {
      html: {
        elements: [
          {
            name: tag,
            description: overview,
            source: { module: pkg.name, symbol: className },
            attributes: attributes.map((a) => ({
              name: a.name,
              description: describe(a),
              ...(attributeDefault(a) ? { default: attributeDefault(a) } : {}),
              value: valueOf(a),
            })),
            slots: (element.slots ?? []).map((s) => ({ name: s.name, description: oneLine(s.description) })),
            js: {
              properties: [...members].map((m) => ({ name: m.name, description: oneLine(m.description), type: m.type?.text ?? 'unknown' })),
              events: events.map((e) => ({ name: e.name, description: oneLine(e.description), type: e.type?.text ?? 'CustomEvent' })),
            },
            css: {
              parts: (element.cssParts ?? []).map((p) => ({ name: p.name, description: oneLine(p.description) })),
              properties: (element.cssProperties ?? []).map((p) => ({
                name: p.name,
                description: `${oneLine(p.description)}${p.default ? ` Default: \`${p.default}\`.` : ''}`,
              })),
            },
          },
        ],
      },
    },
  };
}

function reactTypes(): string {
  const eventTypes = events.map((e) => e.type?.text ?? '');
  for (const name of eventTypes) {
    if (!exported.has(name)) throw new Error(`Event type \`${name}\` is not exported from src/index.ts; the JSX types need it.`);
  }
  const doc = (text: string) => `  /** ${text.replace(/\*\//g, '*\\/')} */\n`;
  const fields = [...attributes.map((a) => a.fieldName as string), ...properties.map((p) => p.name as string)];
  const fieldLines = [
    ...attributes.map((a) => ({ name: a.fieldName as string, text: describe(a) })),
    ...properties.map((p) => ({ name: p.name as string, text: describe(p) })),
  ]
    .map((f) => `${doc(f.text)}  ${f.name}?: ${className}['${f.name}'];`)
    .join('\n');
  const eventLines = events.map((e) => `${doc(oneLine(e.description))}  'on${e.name}'?: (event: ${e.type?.text}) => void;`).join('\n');
  const imports = [className, ...new Set(eventTypes)].sort();
  return `// Generated from custom-elements.json by scripts/editor-support.ts; do not edit by hand.
/**
 * \`<${tag}>\` in React 19 JSX. Load it once with \`import type {} from '${pkg.name}/react';\`.
 *
 * React 19 sets a prop as a property when the element has one (every field below), else as an
 * attribute. A prop named \`on\` + an event name adds that listener with the name exactly as
 * written after \`on\`: \`onllm-chat-finish\` listens to \`llm-chat-finish\`; a camel-cased
 * \`onLlmChatFinish\` would listen to an event named \`LlmChatFinish\`, which never fires.
 */
import type { HTMLAttributes, RefAttributes } from 'react';
import type { ${imports.join(', ')} } from '../dist/types/index.js';

/** Properties of \`<${tag}>\` and its \`llm-chat-*\` event handlers, as React 19 passes them. */
export interface ${className}Props extends Omit<HTMLAttributes<${className}>, ${fields.map((f) => `'${f}'`).join(' | ')}>, RefAttributes<${className}> {
${fieldLines}
${eventLines}
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      '${tag}': ${className}Props;
    }
  }
}
`;
}

const outputs: Array<[string, string, string]> = [
  ['vscode.html-custom-data.json', JSON.stringify(vscodeCustomData()), 'json'],
  ['web-types.json', JSON.stringify(webTypes()), 'json'],
  ['types/react.d.ts', reactTypes(), 'typescript'],
];

let stale = 0;
for (const [file, text, parser] of outputs) {
  const formatted = await format(text, { ...(await resolveConfig(file)), parser });
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // A missing file is simply out of date.
    }
    if (current !== formatted) {
      console.error(`${file} is out of date: run \`npm run docs\`.`);
      stale += 1;
    }
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, formatted);
  }
}
if (process.argv.includes('--check')) {
  if (stale) process.exit(1);
  console.log('Editor support and JSX types match custom-elements.json.');
} else {
  console.log(`Wrote ${outputs.map(([file]) => file).join(', ')} from custom-elements.json.`);
}
