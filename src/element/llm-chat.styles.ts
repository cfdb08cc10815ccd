import { css } from 'lit';

/**
 * Public tokens (`--llm-chat-*`) are read once on :host into private `--_*` variables with
 * light defaults, and again with dark defaults under `prefers-color-scheme: dark`; rules read
 * only the private ones. A page that sets a token wins in both schemes.
 */
export const styles = css`
  :host {
    display: block;
    --_font-family: var(--llm-chat-base-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--llm-chat-base-font-size, 15px);
    --_surface-background: var(--llm-chat-surface-background, #ffffff);
    --_surface-color: var(--llm-chat-surface-color, #1d2129);
    --_border-color: var(--llm-chat-border-color, #d9dde5);
    --_accent-color: var(--llm-chat-accent-color, #2563eb);
    --_accent-contrast: var(--llm-chat-accent-contrast, #ffffff);
    --_user-background: var(--llm-chat-user-background, #eef2ff);
    --_assistant-background: var(--llm-chat-assistant-background, transparent);
    --_muted-color: var(--llm-chat-muted-color, #5b6472);
    --_error-color: var(--llm-chat-error-color, #b42318);
    --_error-background: var(--llm-chat-error-background, #fef3f2);
    --_code-background: var(--llm-chat-code-background, #f5f7fa);
    --_radius: var(--llm-chat-message-radius, 12px);
    --_log-max-height: var(--llm-chat-log-max-height, none);
    color-scheme: light dark;
    font-family: var(--_font-family);
    font-size: var(--_font-size);
    line-height: 1.55;
    color: var(--_surface-color);
    background: var(--_surface-background);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_surface-background: var(--llm-chat-surface-background, #16181d);
      --_surface-color: var(--llm-chat-surface-color, #e6e8ee);
      --_border-color: var(--llm-chat-border-color, #2e333d);
      --_accent-color: var(--llm-chat-accent-color, #6ea0ff);
      --_accent-contrast: var(--llm-chat-accent-contrast, #0b1020);
      --_user-background: var(--llm-chat-user-background, #232a3b);
      --_muted-color: var(--llm-chat-muted-color, #9aa3b2);
      --_error-color: var(--llm-chat-error-color, #ff8a80);
      --_error-background: var(--llm-chat-error-background, #3a1d1d);
      --_code-background: var(--llm-chat-code-background, #0f1115);
    }
  }
  [hidden] {
    display: none !important;
  }
  .frame {
    display: flex;
    flex-direction: column;
    height: 100%;
    min-height: 0;
  }
  .log {
    flex: 1 1 auto;
    min-height: 0;
    max-height: var(--_log-max-height);
    overflow-y: auto;
    padding: 12px;
    display: flex;
    flex-direction: column;
    gap: 12px;
    overscroll-behavior: contain;
  }
  .log:focus-visible,
  button:focus-visible,
  textarea:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--_accent-color);
    outline-offset: 2px;
  }
  .empty {
    color: var(--_muted-color);
    text-align: center;
    margin: auto 0;
  }
  /* The transcript is a column of chunks of messages (see chat-template.ts). An older chunk
     out of view skips style, layout and paint and keeps its last size (or a guess), so a long
     transcript costs what its visible part costs, while find-in-page, selection and screen
     readers still see every message. A skipped chunk has no content size to keep it from
     shrinking in the log's column, hence flex-shrink: 0; the clip margin keeps focus rings of
     controls near its edge visible. */
  .chunk {
    display: flex;
    flex-direction: column;
    gap: 12px;
    flex-shrink: 0;
  }
  .chunk.settled {
    content-visibility: auto;
    contain-intrinsic-block-size: auto 4000px;
    overflow-clip-margin: 6px;
  }
  .message {
    max-width: 100%;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }
  .message.user {
    align-self: flex-end;
    max-width: min(85%, 48rem);
    background: var(--_user-background);
    padding: 8px 12px;
  }
  .message.assistant {
    background: var(--_assistant-background);
    padding: 4px 2px;
  }
  .content.plain {
    white-space: pre-wrap;
  }
  .markdown > .markdown-group:first-child > .markdown-block:first-child > :first-child,
  .markdown > .markdown-live:first-child > :first-child {
    margin-top: 0;
  }
  /* Finished blocks come in groups the browser may skip laying out while off screen, which
     keeps per-frame work flat however long the answer grows. */
  .markdown-group {
    content-visibility: auto;
    contain-intrinsic-size: auto 600px;
  }
  .markdown .plain-text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .markdown p,
  .markdown ul,
  .markdown ol,
  .markdown blockquote,
  .markdown table {
    margin: 0.5em 0;
  }
  .markdown a {
    color: var(--_accent-color);
  }
  .markdown code {
    font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
    font-size: 0.9em;
    background: var(--_code-background);
    border-radius: 4px;
    padding: 0.1em 0.3em;
  }
  .markdown blockquote {
    border-inline-start: 3px solid var(--_border-color);
    padding-inline-start: 0.8em;
    color: var(--_muted-color);
  }
  .markdown table {
    border-collapse: collapse;
  }
  .markdown th,
  .markdown td {
    border: 1px solid var(--_border-color);
    padding: 4px 8px;
  }
  .markdown .code-block {
    margin: 0.6em 0;
    border: 1px solid var(--_border-color);
    border-radius: 8px;
    background: var(--_code-background);
    overflow: hidden;
  }
  .markdown .code-header {
    display: flex;
    justify-content: space-between;
    align-items: center;
    padding: 2px 8px;
    font-size: 0.8em;
    color: var(--_muted-color);
    border-bottom: 1px solid var(--_border-color);
  }
  .markdown pre {
    margin: 0;
    padding: 10px 12px;
    overflow-x: auto;
  }
  .markdown pre code {
    background: none;
    padding: 0;
  }
  .markdown .image-placeholder {
    display: inline-block;
    border: 1px dashed var(--_border-color);
    border-radius: 6px;
    padding: 2px 6px;
    color: var(--_muted-color);
    font-size: 0.9em;
  }
  .markdown img {
    max-width: 100%;
  }
  .reasoning {
    color: var(--_muted-color);
    font-size: 0.92em;
    margin-bottom: 4px;
  }
  .reasoning-text {
    white-space: pre-wrap;
    border-inline-start: 2px solid var(--_border-color);
    padding-inline-start: 8px;
  }
  .tool-calls {
    display: flex;
    flex-direction: column;
    gap: 4px;
    margin: 4px 0;
    font-size: 0.9em;
  }
  .tool-call {
    border: 1px solid var(--_border-color);
    border-radius: 8px;
    padding: 2px 8px;
  }
  .tool-call summary {
    cursor: pointer;
  }
  .tool-label,
  .tool-state,
  .tool-heading {
    color: var(--_muted-color);
  }
  .tool-call[data-status='error'] .tool-state {
    color: var(--_error-color);
  }
  .tool-detail pre {
    margin: 2px 0 6px;
    padding: 6px 8px;
    background: var(--_code-background);
    border-radius: 6px;
    overflow-x: auto;
    max-height: 16em;
    white-space: pre;
  }
  .notice {
    margin: 6px 0 0;
    font-size: 0.9em;
    color: var(--_muted-color);
  }
  .notice.error {
    color: var(--_error-color);
    background: var(--_error-background);
    border-radius: 8px;
    padding: 6px 10px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-top: 6px;
    align-items: center;
  }
  .action,
  .copy-button {
    font: inherit;
    font-size: 0.85em;
    color: var(--_surface-color);
    background: transparent;
    border: 1px solid var(--_border-color);
    border-radius: 999px;
    padding: 2px 10px;
    cursor: pointer;
  }
  .action:hover,
  .copy-button:hover {
    border-color: var(--_accent-color);
  }
  .regenerated,
  .metrics {
    font-size: 0.8em;
    color: var(--_muted-color);
  }
  .metrics {
    margin-top: 4px;
    font-variant-numeric: tabular-nums;
  }
  .typing {
    display: inline-flex;
    gap: 4px;
    padding: 6px 0;
  }
  .typing span {
    width: 6px;
    height: 6px;
    border-radius: 50%;
    background: var(--_muted-color);
    animation: pulse 1.2s infinite ease-in-out;
  }
  .typing span:nth-child(2) {
    animation-delay: 0.2s;
  }
  .typing span:nth-child(3) {
    animation-delay: 0.4s;
  }
  @keyframes pulse {
    0%,
    80%,
    100% {
      opacity: 0.25;
    }
    40% {
      opacity: 1;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .typing span {
      animation: none;
    }
  }
  .status {
    min-height: 1.4em;
    padding: 0 12px;
    font-size: 0.85em;
    color: var(--_muted-color);
  }
  .composer {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 8px 12px 12px;
    border-top: 1px solid var(--_border-color);
  }
  textarea {
    flex: 1 1 auto;
    resize: none;
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid var(--_border-color);
    border-radius: var(--_radius);
    padding: 8px 10px;
    max-height: 12em;
    overflow-y: auto;
    box-sizing: border-box;
  }
  .button {
    font: inherit;
    border: none;
    border-radius: var(--_radius);
    padding: 8px 16px;
    cursor: pointer;
    background: var(--_accent-color);
    color: var(--_accent-contrast);
  }
  .button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .button.stop {
    background: var(--_surface-color);
    color: var(--_surface-background);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
