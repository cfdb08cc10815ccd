/**
 * The grammars in the lazily loaded highlighter chunk (`highlight-engine.ts`), by the name that
 * chunk registers them under. The list trades languages against the chunk's size: the common
 * languages of chat answers are in; Kotlin, Swift, SCSS and PowerShell (1.4–4.8 KB gzip each)
 * are not, and their blocks stay plain.
 */
export type HighlightGrammar =
  | 'bash'
  | 'c'
  | 'cpp'
  | 'csharp'
  | 'css'
  | 'diff'
  | 'dockerfile'
  | 'go'
  | 'ini'
  | 'java'
  | 'javascript'
  | 'json'
  | 'markdown'
  | 'php'
  | 'python'
  | 'ruby'
  | 'rust'
  | 'shell'
  | 'sql'
  | 'typescript'
  | 'xml'
  | 'yaml';

/**
 * Every fence language that is highlighted, lower-cased, with its grammar: each grammar's own
 * name and the aliases highlight.js gives it (a test keeps the two in step), plus the names
 * models write that highlight.js files elsewhere. This table lives in the embed, not in the
 * chunk, because it decides whether the chunk is needed at all.
 */
const GRAMMARS: Readonly<Record<HighlightGrammar, readonly string[]>> = {
  bash: ['bash', 'sh', 'zsh', 'shell'],
  c: ['c', 'h'],
  cpp: ['cpp', 'cc', 'c++', 'h++', 'hpp', 'hh', 'hxx', 'cxx'],
  csharp: ['csharp', 'cs', 'c#'],
  css: ['css'],
  diff: ['diff', 'patch'],
  dockerfile: ['dockerfile', 'docker'],
  go: ['go', 'golang'],
  ini: ['ini', 'toml'],
  java: ['java', 'jsp'],
  javascript: ['javascript', 'js', 'jsx', 'mjs', 'cjs', 'node'],
  json: ['json', 'jsonc', 'json5'],
  markdown: ['markdown', 'md', 'mkdown', 'mkd'],
  php: ['php'],
  python: ['python', 'py', 'gyp', 'ipython', 'python3', 'py3'],
  ruby: ['ruby', 'rb', 'gemspec', 'podspec', 'thor', 'irb'],
  rust: ['rust', 'rs'],
  // highlight.js's `shell` is a terminal session (`$ ` prompts and their output). Models write
  // ```shell for plain commands, so `shell` goes to bash above and only the session names here.
  shell: ['console', 'shellsession'],
  sql: ['sql'],
  typescript: ['typescript', 'ts', 'tsx', 'mts', 'cts'],
  xml: ['xml', 'html', 'xhtml', 'rss', 'atom', 'xjb', 'xsd', 'xsl', 'plist', 'wsf', 'svg'],
  yaml: ['yaml', 'yml'],
};

const BY_NAME: ReadonlyMap<string, HighlightGrammar> = new Map(
  (Object.entries(GRAMMARS) as Array<[HighlightGrammar, readonly string[]]>).flatMap(([grammar, names]) =>
    names.map((name) => [name, grammar] as const),
  ),
);

/**
 * The grammar for a code block's language, if it is highlighted.
 *
 * @param language - the language as written after the opening fence (`Python`, `tsx`)
 * @returns the grammar's name, or `undefined` for no language or one that is not highlighted
 */
export function highlightGrammar(language: string): HighlightGrammar | undefined {
  return BY_NAME.get(language.toLowerCase());
}

/**
 * Every fence language that is highlighted, by grammar, for documentation and tests.
 */
export const HIGHLIGHT_LANGUAGES: Readonly<Record<HighlightGrammar, readonly string[]>> = GRAMMARS;
