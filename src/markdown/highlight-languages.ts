/**
 * Every fence language that is highlighted, lower-cased: the grammars of the lazily loaded
 * highlighter chunk (`highlight-engine.ts`) with their aliases. It lives in the embed, not in
 * the chunk, because it decides whether the chunk is needed at all; a test keeps it equal to
 * what the chunk knows.
 *
 * The grammars trade languages against the chunk's size: the common languages of chat answers
 * are in; Kotlin, Swift, SCSS and PowerShell (1.4–4.8 KB gzip each) are not, and stay plain.
 */
const HIGHLIGHTED = new Set(
  (
    'bash sh zsh shell console shellsession c h cpp cc c++ h++ hpp hh hxx cxx csharp cs c# css diff patch ' +
    'dockerfile docker go golang ini toml java jsp javascript js jsx mjs cjs node json jsonc json5 ' +
    'markdown md mkdown mkd php python py gyp ipython python3 py3 ruby rb gemspec podspec thor irb rust rs ' +
    'sql typescript ts tsx mts cts xml html xhtml rss atom xjb xsd xsl plist wsf svg yaml yml'
  ).split(' '),
);

/**
 * Whether code blocks in a language are highlighted.
 *
 * @param language - the language as written after the opening fence (`Python`, `tsx`)
 * @returns `true` when the highlighter has a grammar for it
 */
export function isHighlighted(language: string): boolean {
  return HIGHLIGHTED.has(language.toLowerCase());
}

/**
 * The highlighted languages, for documentation and tests.
 *
 * @returns the names, sorted
 */
export function highlightedLanguageNames(): string[] {
  return [...HIGHLIGHTED].sort();
}
