import { DEFAULT_CONTINUE_INSTRUCTION } from './openai-compatible-upstream.js';
import { parseToolArguments, systemText, toolNamesById } from './translate-messages.js';
import type { UpstreamRequest } from './upstream.js';
import { isRecord } from '../wire/guards.js';

/** The optional request fields the Gemini translation expresses. */
export const GEMINI_SUPPORTED_FIELDS: readonly string[] = [
  'top_p',
  'stop',
  'seed',
  'presence_penalty',
  'frequency_penalty',
  'response_format',
  'tools',
  'tool_choice',
];

type GeminiPart = Record<string, unknown>;
interface GeminiContent {
  role: 'user' | 'model';
  parts: GeminiPart[];
}

/**
 * Builds a `generateContent` body from a provider-neutral request: system messages →
 * `systemInstruction`; `assistant` → role `model`; assistant tool calls → `functionCall` parts
 * (with the call's id, so Gemini can pair results); `tool` messages → `functionResponse` parts
 * under role `user` (named after the call they answer, the result JSON object as `response`, or
 * `{result: text}` when it is not one); consecutive same-role turns merged (parallel function
 * responses must share one turn); `max_tokens` → `maxOutputTokens`, `temperature`, `top_p` →
 * `topP`, `stop` → `stopSequences`, `seed`, penalties, `response_format` → `responseMimeType`
 * (+ `responseJsonSchema`); `tools` → `functionDeclarations` (JSON Schema as
 * `parametersJsonSchema`), `tool_choice` → `functionCallingConfig`.
 *
 * Gemini has no assistant prefill, so `continue: true` keeps the partial as the last `model`
 * turn and adds a user turn asking to carry on (the OpenAI-compatible upstream's `instruction`
 * mode).
 *
 * @param request - The validated request.
 * @returns The JSON body.
 */
export function toGeminiBody(request: UpstreamRequest): Record<string, unknown> {
  const names = toolNamesById(request.messages);
  const contents: GeminiContent[] = [];
  const push = (role: GeminiContent['role'], parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const previous = contents.at(-1);
    if (previous?.role === role) previous.parts.push(...parts);
    else contents.push({ role, parts });
  };
  for (const message of request.messages) {
    if (message.role === 'system') continue;
    if (message.role === 'tool') {
      const id = message.tool_call_id ?? '';
      push('user', [
        { functionResponse: { id, name: names.get(id) ?? message.name ?? 'tool', response: toResponseObject(message.content) } },
      ]);
      continue;
    }
    const parts: GeminiPart[] = message.content ? [{ text: message.content }] : [];
    for (const call of message.tool_calls ?? []) {
      parts.push({ functionCall: { id: call.id, name: call.function.name, args: parseToolArguments(call.function.arguments) } });
    }
    push(message.role === 'assistant' ? 'model' : 'user', parts);
  }
  if (request.continue) push('user', [{ text: DEFAULT_CONTINUE_INSTRUCTION }]);

  const generationConfig: Record<string, unknown> = { maxOutputTokens: request.maxTokens };
  if (request.temperature !== undefined) generationConfig['temperature'] = request.temperature;
  const { extra } = request;
  if (typeof extra['top_p'] === 'number') generationConfig['topP'] = extra['top_p'];
  if (typeof extra['stop'] === 'string') generationConfig['stopSequences'] = [extra['stop']];
  if (Array.isArray(extra['stop'])) generationConfig['stopSequences'] = extra['stop'];
  if (typeof extra['seed'] === 'number') generationConfig['seed'] = extra['seed'];
  if (typeof extra['presence_penalty'] === 'number') generationConfig['presencePenalty'] = extra['presence_penalty'];
  if (typeof extra['frequency_penalty'] === 'number') generationConfig['frequencyPenalty'] = extra['frequency_penalty'];
  const format = extra['response_format'];
  if (isRecord(format) && (format['type'] === 'json_object' || format['type'] === 'json_schema')) {
    generationConfig['responseMimeType'] = 'application/json';
    const schema = isRecord(format['json_schema']) ? format['json_schema']['schema'] : undefined;
    if (isRecord(schema)) generationConfig['responseJsonSchema'] = schema;
  }

  const body: Record<string, unknown> = { contents, generationConfig };
  const system = systemText(request.messages);
  if (system) body['systemInstruction'] = { parts: [{ text: system }] };
  if (Array.isArray(extra['tools'])) {
    const declarations = extra['tools'].map(toFunctionDeclaration).filter(Boolean);
    if (declarations.length > 0) body['tools'] = [{ functionDeclarations: declarations }];
  }
  const toolConfig = toToolConfig(extra['tool_choice']);
  if (toolConfig) body['toolConfig'] = toolConfig;
  return body;
}

function toResponseObject(content: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(content);
    if (isRecord(value)) return value;
  } catch {
    // Plain text results are wrapped below.
  }
  return { result: content };
}

function toFunctionDeclaration(tool: unknown): Record<string, unknown> | undefined {
  if (!isRecord(tool) || !isRecord(tool['function'])) return undefined;
  const fn = tool['function'];
  return {
    name: fn['name'],
    ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}),
    ...(isRecord(fn['parameters']) ? { parametersJsonSchema: fn['parameters'] } : {}),
  };
}

function toToolConfig(choice: unknown): Record<string, unknown> | undefined {
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (isRecord(choice) && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice['function']['name']] } };
  }
  return undefined;
}
