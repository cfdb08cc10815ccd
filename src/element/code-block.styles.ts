import { css } from 'lit';

/**
 * Code blocks and tables inside answers: syntax colors, and sideways scrolling inside the
 * block. Kept apart from the element's other styles; the same rules apply (public tokens read
 * once on :host into private `--_*` variables, light defaults, then dark ones).
 *
 * The highlighter only sets `hl-<category>` classes (see `src/markdown/highlight-emitter.ts`),
 * never inline styles, so the colors live here and work under a `style-src` without
 * `'unsafe-inline'`. Every default has a contrast of at least 4.5:1 (WCAG AA) against the
 * default `--llm-chat-code-background` of its scheme.
 */
export const codeBlockStyles = css`
  :host {
    --_code-keyword: var(--llm-chat-code-keyword-color, #cf222e);
    --_code-string: var(--llm-chat-code-string-color, #0a3069);
    --_code-comment: var(--llm-chat-code-comment-color, #57606a);
    --_code-number: var(--llm-chat-code-number-color, #0550ae);
    --_code-function: var(--llm-chat-code-function-color, #6639ba);
    --_code-type: var(--llm-chat-code-type-color, #953800);
    --_code-attribute: var(--llm-chat-code-attribute-color, #0b5394);
    --_code-tag: var(--llm-chat-code-tag-color, #116329);
    --_code-meta: var(--llm-chat-code-meta-color, #8250df);
    --_code-addition: var(--llm-chat-code-addition-color, #116329);
    --_code-deletion: var(--llm-chat-code-deletion-color, #b31d28);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_code-keyword: var(--llm-chat-code-keyword-color, #ff7b72);
      --_code-string: var(--llm-chat-code-string-color, #a5d6ff);
      --_code-comment: var(--llm-chat-code-comment-color, #8b949e);
      --_code-number: var(--llm-chat-code-number-color, #79c0ff);
      --_code-function: var(--llm-chat-code-function-color, #d2a8ff);
      --_code-type: var(--llm-chat-code-type-color, #ffa657);
      --_code-attribute: var(--llm-chat-code-attribute-color, #7cc7e8);
      --_code-tag: var(--llm-chat-code-tag-color, #7ee787);
      --_code-meta: var(--llm-chat-code-meta-color, #e0a8ff);
      --_code-addition: var(--llm-chat-code-addition-color, #7ee787);
      --_code-deletion: var(--llm-chat-code-deletion-color, #ffa198);
    }
  }
  .markdown .hl-keyword {
    color: var(--_code-keyword);
  }
  .markdown .hl-string {
    color: var(--_code-string);
  }
  .markdown .hl-comment {
    color: var(--_code-comment);
    font-style: italic;
  }
  .markdown .hl-number {
    color: var(--_code-number);
  }
  .markdown .hl-function {
    color: var(--_code-function);
  }
  .markdown .hl-type {
    color: var(--_code-type);
  }
  .markdown .hl-attribute {
    color: var(--_code-attribute);
  }
  .markdown .hl-tag {
    color: var(--_code-tag);
  }
  .markdown .hl-meta {
    color: var(--_code-meta);
  }
  .markdown .hl-addition {
    color: var(--_code-addition);
  }
  .markdown .hl-deletion {
    color: var(--_code-deletion);
  }
  .markdown .hl-emphasis {
    font-style: italic;
  }
  .markdown .hl-strong {
    font-weight: 600;
  }

  /* Code never wraps: a long line scrolls inside its block, not the message or the page. */
  .markdown .code-block > pre {
    white-space: pre;
    overflow-x: auto;
    overflow-wrap: normal;
  }
  /* A table wider than the message scrolls inside its wrapper; the table keeps display: table. */
  .markdown .table-scroll {
    max-width: 100%;
    overflow-x: auto;
    margin: 0.5em 0;
  }
  .markdown .table-scroll > table {
    margin: 0;
  }
  /* Scrolling blocks become tab stops (role="region"); show where focus is. */
  .markdown [role='region']:focus-visible {
    outline: 2px solid var(--_accent-color);
    outline-offset: 2px;
  }
`;
