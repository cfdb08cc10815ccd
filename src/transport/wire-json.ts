import { isRecord } from '../wire/guards.js';
import { MalformedChunkError } from './protocol-adapter.js';

/**
 * Parses one frame (an SSE event's data, an NDJSON line) that a protocol defines as a JSON
 * object.
 * @throws MalformedChunkError when it is not JSON, or JSON but not an object: the transport
 *   then ends the stream with an error and keeps everything that came before.
 */
export function parseJsonFrame(data: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new MalformedChunkError(data);
  }
  if (!isRecord(value)) throw new MalformedChunkError(data);
  return value;
}

/**
 * Tool-call arguments as the object some protocols require (Anthropic's `tool_use.input`,
 * Ollama's `arguments`). Arguments that are not a JSON object become `{}`: the call's result
 * already says why it failed.
 */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}
