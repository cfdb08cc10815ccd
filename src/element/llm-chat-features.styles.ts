import { css } from 'lit';

/**
 * Styles of the conversation features (DESIGN.md §3, turn 2): starter prompts, editing the
 * last question, answer actions (copy, feedback), reasoning, "jump to latest". Same private
 * tokens as the base styles; logical properties, so right-to-left pages lay out mirrored.
 */
export const featureStyles = css`
  .suggestions {
    list-style: none;
    margin: 12px 0 0;
    padding: 0;
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    justify-content: center;
  }
  .suggestion {
    font: inherit;
    font-size: 0.92em;
    color: var(--_surface-color);
    background: var(--_surface-background);
    border: 1px solid var(--_border-color);
    border-radius: var(--_radius);
    padding: 6px 12px;
    cursor: pointer;
    text-align: start;
  }
  .suggestion:hover {
    border-color: var(--_accent-color);
  }
  .question-actions {
    justify-content: flex-end;
    margin-top: 4px;
  }
  .message.user.editing {
    align-self: stretch;
    max-width: 100%;
  }
  .edit {
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .edit-input {
    flex: none;
    width: 100%;
    background: var(--_surface-background);
    max-height: 16em;
  }
  .edit-actions {
    display: flex;
    gap: 6px;
    justify-content: flex-end;
  }
  .action.primary {
    background: var(--_accent-color);
    color: var(--_accent-contrast);
    border-color: var(--_accent-color);
  }
  .action.feedback {
    display: inline-flex;
    align-items: center;
    padding: 3px 8px;
  }
  .action.feedback[aria-pressed='true'] .thumb path {
    fill: currentColor;
    fill-opacity: 0.25;
  }
  .action.feedback[aria-pressed='true'] {
    border-color: var(--_accent-color);
    background: var(--_user-background);
  }
  .reasoning summary {
    cursor: pointer;
    width: fit-content;
  }
  .reasoning[data-state='thinking'] summary {
    font-style: italic;
  }
  .jump {
    position: sticky;
    bottom: 8px;
    align-self: center;
    font: inherit;
    font-size: 0.85em;
    border: 1px solid var(--_border-color);
    border-radius: 999px;
    padding: 4px 12px;
    background: var(--_surface-background);
    color: var(--_surface-color);
    box-shadow: 0 2px 8px rgb(0 0 0 / 0.15);
    cursor: pointer;
  }
  .action:focus-visible,
  .suggestion:focus-visible,
  .jump:focus-visible,
  .edit-input:focus-visible,
  .copy-button:focus-visible {
    outline: 2px solid var(--_accent-color);
    outline-offset: 2px;
  }
  @media (prefers-reduced-motion: reduce) {
    .log {
      scroll-behavior: auto;
    }
  }
`;
