/** examples/svelte: Svelte 5 (runes) built by Vite with @sveltejs/vite-plugin-svelte. */
import { buildWithNpm, describeExample } from './example-harness.js';

describeExample('svelte', { build: buildWithNpm('svelte') });
