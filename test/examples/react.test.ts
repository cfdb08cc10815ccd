/** examples/react: React 19 built by Vite (`tsc --noEmit` first, so the typed JSX is checked). */
import { buildWithNpm, describeExample } from './example-harness.js';

describeExample('react', { build: buildWithNpm('react') });
