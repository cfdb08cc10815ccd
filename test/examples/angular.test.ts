/** examples/angular: Angular 21 (standalone, zoneless) built by the Angular CLI's application builder, with CUSTOM_ELEMENTS_SCHEMA. */
import { buildWithNpm, describeExample } from './example-harness.js';

describeExample('angular', { build: buildWithNpm('angular', 'dist/browser') });
