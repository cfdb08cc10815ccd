/** examples/vue: Vue 3 built by Vite, `<llm-chat>` declared a custom element through `isCustomElement`. */
import { buildWithNpm, describeExample } from './example-harness.js';

describeExample('vue', { build: buildWithNpm('vue') });
