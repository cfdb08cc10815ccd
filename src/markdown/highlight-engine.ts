/**
 * The syntax highlighter, loaded on demand as its own chunk (see `highlight-queue.ts`): pages
 * whose answers have no code in a highlighted language never download it. Everything that only
 * matters once there is code to highlight is in here, the scheduling included.
 *
 * highlight.js, because it is the most used and best kept highlighter that fits a strict page:
 * grammars are plain regular expressions (no `eval`, no WebAssembly), its output is classes,
 * never inline styles, it has no globals and no automatic highlighting of the host page, and
 * each grammar is its own module, so the chunk holds exactly the languages listed in
 * `highlight-languages.ts`. Its tokens go to our own emitter, which builds DOM directly.
 */
export { HighlightRunner } from './highlight-runner.js';
import HighlightJS from 'highlight.js/lib/core';
import type { LanguageFn } from 'highlight.js';
import bash from 'highlight.js/lib/languages/bash';
import c from 'highlight.js/lib/languages/c';
import cpp from 'highlight.js/lib/languages/cpp';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import diff from 'highlight.js/lib/languages/diff';
import dockerfile from 'highlight.js/lib/languages/dockerfile';
import go from 'highlight.js/lib/languages/go';
import ini from 'highlight.js/lib/languages/ini';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import markdown from 'highlight.js/lib/languages/markdown';
import php from 'highlight.js/lib/languages/php';
import python from 'highlight.js/lib/languages/python';
import ruby from 'highlight.js/lib/languages/ruby';
import rust from 'highlight.js/lib/languages/rust';
import shell from 'highlight.js/lib/languages/shell';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { DomEmitter, emitInto } from './highlight-emitter.js';

/**
 * The grammars, by the name they are registered under. highlight.js's `shell` is a terminal
 * session (`$ ` prompts and their output) and goes by `console` here: models write ```shell for
 * plain commands, so `shell` is made an alias of bash below.
 */
const GRAMMARS: Record<string, LanguageFn> = {
  bash,
  c,
  cpp,
  csharp,
  css,
  diff,
  dockerfile,
  go,
  ini,
  java,
  javascript,
  json,
  markdown,
  php,
  python,
  ruby,
  rust,
  console: shell,
  sql,
  typescript,
  xml,
  yaml,
};

/**
 * A private instance, like the private Marked instance: a page that uses highlight.js itself
 * keeps its own configuration, languages and plugins, and ours never touch them.
 */
const hljs = HighlightJS.newInstance();
hljs.configure({ __emitter: DomEmitter });
for (const [name, grammar] of Object.entries(GRAMMARS)) hljs.registerLanguage(name, grammar);
/** Names models write that highlight.js does not know, by grammar. */
const EXTRA_ALIASES: Record<string, string[]> = { bash: ['shell'], javascript: ['node'], python: ['python3', 'py3'] };
for (const [languageName, aliases] of Object.entries(EXTRA_ALIASES)) hljs.registerAliases(aliases, { languageName });

/** A highlighted piece of code. */
export interface HighlightedSegment {
  /** The code as spans and text, its text exactly the code given. */
  fragment: DocumentFragment;
  /**
   * Whether the grammar was back at its top level at the end of the piece (no comment, string
   * or other construct left open), so that highlighting the code after it on its own gives
   * what highlighting both together would.
   */
  closed: boolean;
}

/**
 * Highlights a piece of code.
 *
 * @param doc - the document to create the nodes in
 * @param code - the code (a whole block, or a run of its lines)
 * @param name - a language name or alias, as in `highlight-languages.ts`
 * @returns the nodes, or `undefined` for an unknown language or when the grammar failed on this
 *   code (it then stays plain)
 */
export function highlightSegment(doc: Document, code: string, name: string): HighlightedSegment | undefined {
  const language = hljs.getLanguage(name);
  if (!language) return undefined;
  let closed = false;
  let failed = false;
  const fragment = emitInto(doc, () => {
    const result = hljs.highlight(code, { language: name, ignoreIllegals: true });
    failed = result.errorRaised !== undefined || result.illegal;
    // `_top` is the grammar's mode at the end of the code: the language itself at top level.
    closed = result._top === language;
    return result._emitter;
  });
  // The code the reader sees and copies must be exactly the code that was sent.
  if (failed || fragment.textContent !== code) return undefined;
  return { fragment, closed };
}

/**
 * Every language name and alias the highlighter knows, lower-cased.
 *
 * @returns the names, sorted
 */
export function highlightedLanguages(): string[] {
  const names = hljs.listLanguages().flatMap((name) => [name, ...(hljs.getLanguage(name)?.aliases ?? []), ...(EXTRA_ALIASES[name] ?? [])]);
  return [...new Set(names.map((name) => name.toLowerCase()))].sort();
}
