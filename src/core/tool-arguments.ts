/**
 * Checks a tool call's arguments before the tool runs: valid JSON, and valid against the
 * tool's JSON Schema. The validator (`@cfworker/json-schema`: interprets schemas, never
 * generates code, so it runs under a strict CSP without `unsafe-eval`) is loaded on first use,
 * so pages without tools never download it.
 */
import type { Validator } from '@cfworker/json-schema';

export type ArgumentsCheck = { ok: true; args: unknown } | { ok: false; error: string };

/** Most validation errors quoted back to the model; the first few say enough to fix the call. */
const MAX_ERRORS = 5;

const validators = new WeakMap<object, Validator>();

/**
 * @param raw - The arguments as the model produced them.
 * @param schema - The tool's `parameters`, when it has one.
 * @returns The parsed arguments, or an error to hand back to the model instead of running the tool.
 */
export async function checkToolArguments(raw: string, schema: Record<string, unknown> | undefined): Promise<ArgumentsCheck> {
  let args: unknown;
  try {
    args = raw.trim() === '' ? {} : JSON.parse(raw);
  } catch (error) {
    return { ok: false, error: `The arguments are not valid JSON (${error instanceof Error ? error.message : String(error)}).` };
  }
  if (!schema) return { ok: true, args };
  let validator = validators.get(schema);
  if (!validator) {
    const { Validator: SchemaValidator } = await import('./json-schema-validator.js');
    validator = new SchemaValidator(schema as never, '2020-12', false);
    validators.set(schema, validator);
  }
  const result = validator.validate(args);
  if (result.valid) return { ok: true, args };
  // The leaf errors say what is wrong; the summary errors above them only repeat it.
  const errors = result.errors.filter((error) => !/^(Property|Items|Item at index)\b.* does not match schema/.test(error.error));
  const listed = (errors.length > 0 ? errors : result.errors).slice(0, MAX_ERRORS);
  const details = listed.map(
    (error) => `${error.instanceLocation === '#' ? '' : `${error.instanceLocation}: `}${error.error.replace(/\.$/, '')}`,
  );
  return { ok: false, error: `The arguments do not match the tool's schema: ${details.join('; ')}.` };
}
