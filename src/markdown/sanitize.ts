import createDOMPurify from 'dompurify';
import type { Config, DOMPurify, UponSanitizeAttributeHookEvent } from 'dompurify';
import type { TrustedTypePolicy, TrustedTypesWindow } from 'trusted-types/lib';
import { LINK_REL, safeUrl } from './safe-url.js';
import { TRUSTED_TYPES_POLICY_NAME } from './trusted-types.js';

/*
 * The HTML choke point, with DOMPurify, is a chunk of its own in the embed: only blocks the
 * renderer cannot build as DOM directly (raw HTML, images, entities) need it, and it is loaded
 * when the first request goes out (see `sanitizer-loader.ts`).
 */

/** Elements that markdown (and the harmless part of inline HTML) produces. */
const ALLOWED_TAGS = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  'rp',
  'rt',
  'ruby',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'time',
  'tr',
  'u',
  'ul',
  'var',
  'wbr',
];

/** Attributes that carry no behaviour. `class` is further limited by a hook. */
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'class', 'start', 'align', 'colspan', 'rowspan', 'open'];

/**
 * Non-URL attributes: DOMPurify tests every attribute that is not "URI safe" against
 * `ALLOWED_URI_REGEXP`, which would otherwise strip `start="3"`.
 */
const NON_URL_ATTR = ['start', 'align', 'colspan', 'rowspan', 'open'];

/** The only class model output may set: a code block's language, for syntax highlighters. */
const LANGUAGE_CLASS = /^language-[A-Za-z0-9_+#.-]{1,32}$/;

interface Purifier {
  purify: DOMPurify;
  /** Set when Trusted Types exist but the `llm-chat` policy could not be created. */
  policyError?: Error;
}

let purifier: Purifier | undefined;

/**
 * The `llm-chat` policy is module-private and handed only to the private DOMPurify instance,
 * which uses it to parse untrusted markup into an inert document (DOMParser) before sanitizing
 * it; no string from it ever reaches a live sink. Script URLs are never needed, so that
 * conversion refuses.
 */
function createPolicy(win: Window): { policy?: TrustedTypePolicy; error?: Error } {
  const factory = (win as unknown as TrustedTypesWindow).trustedTypes;
  if (!factory) return {};
  try {
    const policy = factory.createPolicy(TRUSTED_TYPES_POLICY_NAME, {
      createHTML: (markup: string) => markup,
      createScriptURL: () => {
        throw new TypeError('llm-chat: script URLs are never allowed');
      },
    });
    // DOMPurify's type wants a full policy; it only ever calls createHTML and createScriptURL.
    return { policy: policy as unknown as TrustedTypePolicy };
  } catch (cause) {
    return {
      error: new Error(
        `llm-chat: the Trusted Types policy "${TRUSTED_TYPES_POLICY_NAME}" could not be created; ` +
          `add it to the page's trusted-types directive. Blocks that need the sanitizer (raw HTML, images, entities) are shown as plain text.`,
        { cause },
      ),
    };
  }
}

function keepOnlyLanguageClass(node: Element, event: UponSanitizeAttributeHookEvent): void {
  if (event.attrName !== 'class') return;
  event.keepAttr = node.nodeName === 'CODE' && LANGUAGE_CLASS.test(event.attrValue.trim());
}

function enforceUrlsAndRel(node: Element): void {
  for (const name of ['href', 'src']) {
    const value = node.getAttribute(name);
    if (value === null) continue;
    const url = safeUrl(value);
    if (url === undefined) node.removeAttribute(name);
    else if (url !== value) node.setAttribute(name, url);
  }
  if (node.nodeName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', LINK_REL);
  }
}

/**
 * Creates the private DOMPurify instance on first use, so importing this module has no side
 * effects (and works where there is no DOM). `createDOMPurify(window)` returns a new instance:
 * the hooks below never touch a DOMPurify the host page uses.
 */
function getPurifier(): Purifier {
  if (purifier) return purifier;
  const purify = createDOMPurify(window);
  const { policy, error } = createPolicy(window);
  const config: Config = {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ADD_URI_SAFE_ATTR: NON_URL_ATTR,
    FORBID_ATTR: ['style', 'id', 'name'],
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i,
    ALLOW_ARIA_ATTR: false,
    ALLOW_DATA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    ALLOW_SELF_CLOSE_IN_ATTR: false,
    KEEP_CONTENT: true,
    // Nodes, not a string: nothing is parsed twice (no mutation XSS) and callers need no sink.
    RETURN_DOM_FRAGMENT: true,
    // Without a policy of our own DOMPurify would create one named "dompurify", which pages
    // would then have to allow too (and which would collide with the page's own DOMPurify).
    TRUSTED_TYPES_POLICY: policy ?? null,
  };
  purify.setConfig(config);
  purify.addHook('uponSanitizeAttribute', keepOnlyLanguageClass);
  purify.addHook('afterSanitizeAttributes', enforceUrlsAndRel);
  // Said once, because every block falls back to plain text until the page is fixed.
  if (error) console.warn(error.message);
  purifier = error ? { purify, policyError: error } : { purify };
  return purifier;
}

/**
 * The single choke point for HTML. Parses `html` into an inert document (no script runs, no
 * image loads), removes everything outside the strict profile (no scripts, styles, forms or
 * other controls, event handlers, `id`/`name`, `data:`/`javascript:` or relative URLs, classes
 * other than `language-*`), forces `target="_blank"` and `rel="noopener noreferrer nofollow"` on
 * links, and returns the result as nodes, so callers never assign markup to a live sink and no
 * sanitized string is ever parsed again.
 *
 * The fragment still belongs to the inert document: nothing in it loads until it is inserted
 * into the page, which gives callers the chance to replace remote images first.
 *
 * @param html - untrusted markup
 * @returns the sanitized nodes
 * @throws Error when the page enforces Trusted Types but does not allow the `llm-chat` policy,
 *   or when the browser cannot run DOMPurify; callers fall back to plain text
 */
export function sanitizeHtml(html: string): DocumentFragment {
  const { purify, policyError } = getPurifier();
  if (policyError) throw policyError;
  if (!purify.isSupported) throw new Error('llm-chat: this browser cannot run DOMPurify');
  const result: unknown = purify.sanitize(html);
  if (!(result instanceof DocumentFragment)) throw new Error('llm-chat: sanitizer returned no fragment');
  return result;
}
