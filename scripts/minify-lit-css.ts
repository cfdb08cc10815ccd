/**
 * A Vite plugin for the embed build: minifies the CSS inside Lit's `css` tagged templates,
 * which the JavaScript minifier leaves as written (comments, indentation and all). The
 * element's stylesheets are about a tenth of its code.
 *
 * Only changes that cannot alter meaning: comments go, runs of whitespace become one space,
 * spaces next to `{ } ; , >` go, and so does the space after a declaration's colon. Quoted
 * strings are left exactly as they are, and a template with an interpolation is left alone.
 */
import type { Plugin } from 'vite';

const TEMPLATE = /\bcss`([^`]*)`/g;
const QUOTED = /('[^'\n]*'|"[^"\n]*")/;

/**
 * @param text - CSS without interpolations
 * @returns the same rules, shorter
 */
export function minifyCss(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(QUOTED)
    .map((part, index) =>
      // Odd indices are the quoted strings the split kept.
      index % 2 === 1
        ? part
        : part
            .replace(/\s+/g, ' ')
            .replace(/ ?([{};,>]) ?/g, '$1')
            // `prop: value` right after `{` or `;` is a declaration (a selector there would need
            // a space before its colon to be touched).
            .replace(/([{;])(-{0,2}[A-Za-z_][\w-]*): /g, '$1$2:'),
    )
    .join('')
    .replace(/;}/g, '}')
    .trim();
}

export function minifyLitCss(include: RegExp): Plugin {
  return {
    name: 'llm-chat-minify-lit-css',
    enforce: 'pre',
    transform(code, id) {
      if (!include.test(id)) return undefined;
      const result = code.replace(TEMPLATE, (template, body: string) => (body.includes('${') ? template : `css\`${minifyCss(body)}\``));
      return result === code ? undefined : { code: result, map: null };
    },
  };
}
