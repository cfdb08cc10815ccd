import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minifyCss } from '../../scripts/minify-lit-css.js';

describe('minifyCss (the embed build)', () => {
  it('drops comments and spaces that carry no meaning', () => {
    const css = `
      /* a comment */
      :host {
        display: block;
        --_font: var(--llm-chat-font, system-ui, 'Segoe UI', sans-serif);
      }
      .a > .b,
      .c .d:hover {
        margin: 0 0 1px;
      }
      @media (prefers-color-scheme: dark) {
        :host { --_x: #fff; }
      }
    `;
    assert.equal(
      minifyCss(css),
      ":host{display:block;--_font:var(--llm-chat-font,system-ui,'Segoe UI',sans-serif)}.a>.b,.c .d:hover{margin:0 0 1px}" +
        '@media (prefers-color-scheme: dark){:host{--_x:#fff}}',
    );
  });

  it('keeps descendant combinators, pseudo-classes after a space, and quoted strings as written', () => {
    assert.equal(minifyCss('.x :first-child { content: "a ,  b ; {" }'), '.x :first-child{content:"a ,  b ; {"}');
    assert.equal(
      minifyCss(".tool-call[data-status='error'] .tool-state { color: red }"),
      ".tool-call[data-status='error'] .tool-state{color:red}",
    );
  });
});
