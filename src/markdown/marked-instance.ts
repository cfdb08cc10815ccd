import { Marked } from 'marked';
import type { Tokens } from 'marked';

/**
 * Languages that may appear in a code block's `language-…` class: a short word of letters,
 * digits and the punctuation real language names use (`c++`, `objective-c`, `f#`). Anything
 * else is dropped rather than escaped, because the class ends up in the sanitizer's allowlist.
 */
const SAFE_LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;

/**
 * Normalizes a fenced code block's info string to the language name used for its class and
 * label, or `''` when there is none or it is not a plausible language name.
 *
 * @param info - the info string (or its first word)
 * @returns the language name, possibly empty
 */
export function codeLanguage(info: string | undefined): string {
  const word = (info ?? '').trim().split(/\s/, 1)[0] ?? '';
  return SAFE_LANGUAGE.test(word) ? word : '';
}

/**
 * Raw HTML that would make even an inert parse report to the page's CSP: script and style
 * elements (Trusted Types checks script text, `style-src` checks style elements) and event
 * handler attributes (`script-src-attr`). DOMPurify would remove all of it, but a strict page
 * should not receive violation reports because a model wrote `<img onerror>`; such markup is
 * shown as the literal text it is instead.
 */
const ACTIVE_MARKUP = /<\s*\/?\s*(?:script|style)(?=[\s/>]|$)|[\s"'/]on[a-z]+\s*=/i;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * The private Marked instance used for every block. Never the global `marked`, whose options
 * and extensions belong to the host page.
 *
 * GFM is on (tables, strikethrough, task lists, autolinks); single newlines stay soft breaks
 * as in CommonMark. The renderer only emits plain semantic HTML: the code-block chrome, copy
 * buttons and image placeholders are added as DOM after sanitizing (see `decorate-fragment`),
 * so nothing in model output can imitate them.
 */
export const markedInstance = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  pedantic: false,
  silent: false,
}).use({
  renderer: {
    code({ text, lang, escaped }: Tokens.Code): string {
      const language = codeLanguage(lang);
      const body = `${text.replace(/\n$/, '')}\n`;
      const code = escaped ? body : escapeHtml(body);
      const attribute = language ? ` class="language-${language}"` : '';
      return `<pre><code${attribute}>${code}</code></pre>\n`;
    },
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return ACTIVE_MARKUP.test(text) ? escapeHtml(text) : text;
    },
    // Task list checkboxes would be <input> elements, which the sanitizer forbids; a ballot
    // box character keeps the meaning (screen readers announce it) without a form control.
    checkbox({ checked }: Tokens.Checkbox): string {
      return checked ? '\u2611 ' : '\u2610 ';
    },
  },
});
