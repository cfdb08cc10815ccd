import { css } from 'lit';

/**
 * Code blocks and tables inside answers scroll sideways inside their own block, never the
 * message or the page: code never wraps, and a wide table scrolls inside its `.table-scroll`
 * wrapper while the table itself keeps `display: table`. Blocks that scroll are tab stops
 * (`role="region"`, see `src/markdown/scroll-regions.ts`) and show where focus is. Kept apart
 * from the element's other styles. The colors of highlighted code come with the highlighter
 * chunk (`src/markdown/highlight-theme.ts`).
 */
export const codeBlockStyles = css`
  .markdown .code-block > pre {
    white-space: pre;
    overflow-wrap: normal;
    overflow-x: auto;
  }
  .markdown .table-scroll {
    overflow-x: auto;
    margin: 0.5em 0;
  }
  .markdown .table-scroll > table {
    margin: 0;
  }
  .markdown [role='region']:focus-visible {
    outline: 2px solid var(--_accent-color);
    outline-offset: 2px;
  }
`;
