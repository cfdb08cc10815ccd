/**
 * The JSON Schema validator, as the module that `tool-arguments.ts` imports on demand: the
 * build names the lazy chunk after it (`json-schema-validator-<hash>.js`), so the size table
 * and a page's network log say what it is.
 */
export { Validator } from '@cfworker/json-schema';
