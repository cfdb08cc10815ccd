/** Name of the one Trusted Types policy the markdown renderer creates (in `sanitize.ts`). */
export const TRUSTED_TYPES_POLICY_NAME = 'llm-chat';

/**
 * Every Trusted Types policy the markdown renderer creates, for a page's
 * `Content-Security-Policy: trusted-types …` directive. DOMPurify's own `dompurify` policy is
 * never created: the private DOMPurify instance is handed the `llm-chat` policy instead.
 */
export const TRUSTED_TYPES_POLICIES: readonly string[] = Object.freeze([TRUSTED_TYPES_POLICY_NAME]);
