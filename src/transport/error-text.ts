import type { WireError } from '../core/types.js';
import { asText, isRecord } from '../wire/guards.js';

/**
 * Well-known phrases of providers' error messages, most specific first. Quota comes before
 * rate limits because OpenAI words quota exhaustion as "You exceeded your current quota" on a
 * 429, and that must never be retried.
 */
const PHRASES: ReadonlyArray<readonly [RegExp, Pick<WireError, 'type' | 'code'>]> = [
  [/insufficient[_ ]quota|exceeded your current quota|billing|credit balance/i, { code: 'insufficient_quota' }],
  [/overloaded|server (is )?busy/i, { type: 'overloaded_error' }],
  [/rate[_ ]limit|too many requests/i, { type: 'rate_limit_error' }],
  [/invalid api[_ ]key|incorrect api[_ ]key|authentication|unauthori[sz]ed/i, { type: 'authentication_error' }],
  [/permission denied|forbidden/i, { type: 'permission_error' }],
];

/**
 * Reads an error that a protocol reports as free text: the AI SDK's `errorText`, an Ollama
 * `{"error": "..."}` line. Such text says what happened in words, so a few well-known phrases
 * decide the kind (DESIGN.md §5), and a message about the context window is found by the
 * rules themselves. Anything else matches no rule and so classifies as `server_error`: the
 * server failed while answering (worth a retry before the first token).
 *
 * A text that is itself a JSON error object (a route that forwards `JSON.stringify(error)`,
 * as AI SDK routes often do) is read for its fields: `statusCode`/`status`, `type`, `code`,
 * `message`, at the top level or under `error`.
 *
 * @param text - The error text as the server sent it.
 * @returns An in-band wire error.
 */
export function wireErrorFromText(text: string): WireError {
  const fields = jsonFields(text);
  if (fields && (fields.status !== undefined || fields.type !== undefined || fields.code !== undefined)) {
    return { cause: 'in_band', ...fields };
  }
  const message = fields?.message ?? text.trim();
  const phrase = PHRASES.find(([pattern]) => pattern.test(message));
  return { cause: 'in_band', ...(message !== '' ? { message } : {}), ...phrase?.[1] };
}

function jsonFields(text: string): Pick<WireError, 'status' | 'type' | 'code' | 'message'> | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const inner = isRecord(value['error']) ? value['error'] : value;
  const fields: Pick<WireError, 'status' | 'type' | 'code' | 'message'> = {};
  const type = asText(inner['type']);
  const code = asText(inner['code']);
  const message = asText(inner['message']) ?? (typeof value['error'] === 'string' ? asText(value['error']) : undefined);
  const status = inner['statusCode'] ?? inner['status'] ?? value['statusCode'] ?? value['status'];
  if (type !== undefined) fields.type = type;
  if (code !== undefined) fields.code = code;
  if (message !== undefined) fields.message = message;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 600) fields.status = status;
  return fields;
}
