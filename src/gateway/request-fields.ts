import { invalidRequest } from './gateway-error.js';

/**
 * Body fields the gateway itself reads (DESIGN.md §4): they are validated and turned into the
 * provider-neutral request, never copied upstream as they are. `continue` is the element's
 * Continue flag; `n` is accepted only as 1.
 */
export const CORE_REQUEST_FIELDS: readonly string[] = [
  'model',
  'messages',
  'stream',
  'stream_options',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'n',
  'continue',
];

/** What {@link checkRequestFields} enforces. */
export interface RequestFieldPolicy {
  /** Optional OpenAI fields the operator allows (`DEFAULT_PASSTHROUGH_FIELDS` by default). */
  passthroughFields: readonly string[];
  /**
   * Optional fields the configured provider can translate; absent means all of
   * `passthroughFields` (the OpenAI-compatible upstream forwards them as they are).
   */
  supportedFields?: readonly string[] | undefined;
  /** Provider name, for the message. */
  provider?: string | undefined;
}

/**
 * Makes the request-field allowlist explicit: every top-level body field must be a core field
 * or an allow-listed optional one that the provider can translate, otherwise the request is
 * refused with 400 `invalid_request` naming the field. Before this check, unknown fields were
 * dropped silently (and allow-listed ones a provider could not express were dropped silently
 * by its translation), so a client could believe that, say, `seed` or `logprobs` took effect.
 * A `null` value counts as absent for allow-listed fields, because OpenAI clients send
 * explicit nulls for options they leave unset; unknown field names are refused whatever their
 * value.
 *
 * @param body - The parsed request body.
 * @param policy - Allowed and provider-supported fields.
 * @throws GatewayError 400 `invalid_request` with `param` set to the field.
 */
export function checkRequestFields(body: Record<string, unknown>, policy: RequestFieldPolicy): void {
  for (const [field, value] of Object.entries(body)) {
    if (CORE_REQUEST_FIELDS.includes(field)) continue;
    if (!policy.passthroughFields.includes(field)) {
      throw invalidRequest(
        `Unknown request field \`${truncate(field)}\`. This server accepts ${[...CORE_REQUEST_FIELDS, ...policy.passthroughFields].join(', ')}.`,
        truncate(field),
      );
    }
    if (value === null || value === undefined) continue;
    if (policy.supportedFields && !policy.supportedFields.includes(field)) {
      const supported = policy.supportedFields.filter((name) => policy.passthroughFields.includes(name));
      throw invalidRequest(
        `\`${field}\` is not supported by the ${policy.provider ?? 'configured'} provider` +
          (supported.length > 0 ? ` (it supports ${supported.join(', ')}).` : '.'),
        field,
      );
    }
  }
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
