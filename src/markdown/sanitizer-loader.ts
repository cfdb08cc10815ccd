/** Sanitizes untrusted markup into nodes (see `sanitizeHtml` in `sanitize.ts`). */
export type Sanitize = (html: string) => DocumentFragment;

let sanitize: Sanitize | undefined;
let loading: Promise<Sanitize> | undefined;

/**
 * The sanitizer if its module has loaded, else `undefined`. Most answers never need it: the
 * renderer builds plain markdown as DOM directly, and only raw HTML, images and entities take
 * the markup path through DOMPurify (see `renderBlock`).
 */
export function loadedSanitizer(): Sanitize | undefined {
  return sanitize;
}

/**
 * Loads the sanitizer's module once (in the embed, a chunk beside it). Called when a block
 * needs it, and ahead of time when a request goes out, so that it has usually arrived before
 * the first answer does.
 *
 * @returns the sanitizer; rejects when the chunk could not be loaded (a later call tries again)
 */
export function loadSanitizer(): Promise<Sanitize> {
  loading ??= import('./sanitize.js').then(
    (module) => (sanitize = module.sanitizeHtml),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
