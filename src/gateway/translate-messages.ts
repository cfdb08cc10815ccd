import type { GatewayMessage } from './wire-types.js';

/**
 * Helpers shared by the translating upstreams (Anthropic, Gemini, Bedrock), which all need the
 * system prompt as one text, tool-call arguments as an object, and a tool result's function name.
 */

/**
 * The system messages joined by blank lines (providers take one system prompt, outside the turns).
 *
 * @param messages - The request's messages.
 * @returns The system text, possibly empty.
 */
export function systemText(messages: readonly GatewayMessage[]): string {
  return messages
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .filter(Boolean)
    .join('\n\n');
}

/**
 * A tool call's JSON arguments as an object; anything else (invalid JSON, an array, a string)
 * becomes `{}`, because providers require an object and the model's call is history by now.
 *
 * @param text - The `arguments` string.
 * @returns An object.
 */
export function parseToolArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Function names by tool-call id, from the assistant messages' `tool_calls`: OpenAI tool
 * results carry only the id, while Gemini names the function in each result.
 *
 * @param messages - The request's messages.
 * @returns A map from call id to function name.
 */
export function toolNamesById(messages: readonly GatewayMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  }
  return names;
}
