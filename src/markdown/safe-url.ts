/** URL schemes a link may use. Everything else, relative URLs included, is dropped. */
const SAFE_PROTOCOLS = new Set(['https:', 'http:', 'mailto:']);

/** The rel every link gets: no window.opener, no Referer, no endorsement of the target. */
export const LINK_REL = 'noopener noreferrer nofollow';

/**
 * Whether a URL may be used as a link or image source: absolute `https:`, `http:` or
 * `mailto:`. The URL is parsed the way the browser will parse it when followed, so tricks
 * such as `java\nscript:` or leading control characters are judged by their real scheme.
 *
 * @param url - an attribute value
 * @returns the normalized URL when it is safe, else `undefined`
 */
export function safeUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : undefined;
}
