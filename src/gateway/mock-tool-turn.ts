import { isRecord } from '../wire/guards.js';
import type { UpstreamRequest } from './upstream.js';
import type { GatewayMessage } from './wire-types.js';

/**
 * The mock's deterministic tool loop, so the demo shows the whole loop with no key: when a
 * request declares tools and the question names one ("weather" → `get_weather`), the answer
 * calls it — arguments complete first, then a sentence of text streams while the page's tool
 * runs — and ends `tool_calls`; when the request ends with tool results, the answer is written
 * from those results.
 */
export type MockToolTurn =
  { kind: 'call'; call: { id: string; name: string; arguments: string }; text: string } | { kind: 'answer'; text: string };

interface DeclaredTool {
  name: string;
  parameters: Record<string, unknown>;
}

/**
 * @returns The tool turn to play, or `undefined` for an ordinary answer.
 */
export function planMockToolTurn(request: UpstreamRequest): MockToolTurn | undefined {
  const tools = declaredTools(request.extra['tools']);
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return { kind: 'answer', text: answerFromResults(request.messages) };
  if (tools.length === 0 || last?.role !== 'user') return undefined;
  const question = last.content;
  const tool = tools.find((candidate) => mentions(question, candidate.name));
  if (!tool) return undefined;
  const args = argumentsFor(tool, question);
  const turn = request.messages.filter((message) => message.role === 'assistant').length;
  return {
    kind: 'call',
    call: { id: `call_mock_${tool.name}_${turn}`, name: tool.name, arguments: JSON.stringify(args) },
    text: `I'm asking \`${tool.name}\`${describe(args)} — this can take a moment, and the answer follows as soon as it replies.`,
  };
}

function declaredTools(value: unknown): DeclaredTool[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((tool) => {
    const fn = isRecord(tool) && isRecord(tool['function']) ? tool['function'] : undefined;
    if (!fn || typeof fn['name'] !== 'string') return [];
    return [{ name: fn['name'], parameters: isRecord(fn['parameters']) ? fn['parameters'] : {} }];
  });
}

/** A question names a tool when it contains the tool's name or its last word (`get_weather` → "weather"). */
function mentions(question: string, name: string): boolean {
  const text = question.toLowerCase();
  const words = name
    .toLowerCase()
    .split(/[_\-\s]+/)
    .filter((word) => word.length > 2 && word !== 'get');
  return text.includes(name.toLowerCase()) || words.some((word) => text.includes(word));
}

/** Arguments that satisfy the tool's schema: a place named in the question, else sensible defaults. */
function argumentsFor(tool: DeclaredTool, question: string): Record<string, unknown> {
  const properties = isRecord(tool.parameters['properties']) ? tool.parameters['properties'] : {};
  const required = Array.isArray(tool.parameters['required']) ? tool.parameters['required'].map(String) : Object.keys(properties);
  const place = /\b(?:in|for|at)\s+([A-Z][\p{L}-]*(?:\s[A-Z][\p{L}-]*)*)/u.exec(question)?.[1] ?? 'Paris';
  const args: Record<string, unknown> = {};
  for (const name of required) {
    const schema = isRecord(properties[name]) ? properties[name] : {};
    const type = schema['type'];
    if (Array.isArray(schema['enum']) && schema['enum'].length > 0) args[name] = schema['enum'][0];
    else if (type === 'number' || type === 'integer') args[name] = 1;
    else if (type === 'boolean') args[name] = true;
    else if (/city|location|place|town|country/i.test(name)) args[name] = place;
    else args[name] = question.slice(0, 200);
  }
  return args;
}

function describe(args: Record<string, unknown>): string {
  const first = Object.values(args).find((value) => typeof value === 'string' && value.length <= 40);
  return typeof first === 'string' ? ` about ${first}` : '';
}

/** An answer that reads the tool results back, so the demo shows they reached the model. */
function answerFromResults(messages: readonly GatewayMessage[]): string {
  const names = new Map<string, string>();
  for (const message of messages) for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  const results: GatewayMessage[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role === 'tool'; i--) results.unshift(messages[i] as GatewayMessage);
  const parts = results.map((result) => {
    const name = names.get(result.tool_call_id ?? '') ?? 'the tool';
    return `**\`${name}\`** replied:\n\n${readable(result.content)}`;
  });
  return `${parts.join('\n\n')}\n\nThat is what the tool${results.length > 1 ? 's' : ''} told me, so that is my answer.`;
}

/** A JSON object as a short list; anything else quoted as it is. */
function readable(content: string): string {
  try {
    const value: unknown = JSON.parse(content);
    if (isRecord(value))
      return Object.entries(value)
        .map(([key, entry]) => `- ${key}: ${typeof entry === 'string' ? entry : JSON.stringify(entry)}`)
        .join('\n');
  } catch {
    // Plain text: quoted below.
  }
  return `> ${content.slice(0, 500)}`;
}
