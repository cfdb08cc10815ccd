/** examples/html: a plain page with no build step that loads only the embed bundle, dist/llm-chat.js. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describeExample } from './example-harness.js';

// The page is served from the repository root, as `LLM_STATIC_DIR=. npm run gateway` serves it;
// `npm run test:examples` builds dist/ first.
assert.ok(existsSync('dist/llm-chat.js'), 'dist/llm-chat.js is missing: run `npm run build` first');
describeExample('html', {
  root: '.',
  path: '/examples/html/',
  check: ({ scripts }) => {
    assert.equal(scripts[0], '/dist/llm-chat.js', 'the page loads the embed bundle first');
    // Optional parts (the highlighter for the answer's code block, …) are chunks the embed
    // loads on demand from beside its own URL; nothing else is fetched.
    const elsewhere = scripts.filter((path) => !/^\/dist\/[\w-]+\.js$/.test(path));
    assert.deepEqual(elsewhere, [], 'every script comes from beside the embed');
  },
});
