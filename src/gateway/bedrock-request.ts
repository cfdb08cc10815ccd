import type {
  ContentBlock,
  ConverseStreamCommandInput,
  Message,
  SystemContentBlock,
  Tool,
  ToolChoice,
  ToolResultContentBlock,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import { DEFAULT_CONTINUE_INSTRUCTION } from './openai-compatible-upstream.js';
import type { PromptCachePlan } from './prompt-cache.js';
import { parseToolArguments, systemText } from './translate-messages.js';
import type { UpstreamRequest } from './upstream.js';
import { isRecord } from '../wire/guards.js';

/** The optional request fields the Bedrock Converse translation expresses. */
export const BEDROCK_SUPPORTED_FIELDS: readonly string[] = ['top_p', 'stop', 'tools', 'tool_choice'];

/** A JSON document as the SDK types it (`@smithy/types` `DocumentType`). */
type Document = NonNullable<ToolUseBlock['input']>;

/** Bedrock's cache breakpoint block. */
const CACHE_POINT = { cachePoint: { type: 'default' } } as const;

/**
 * Builds a Converse stream input from a provider-neutral request: system messages → `system`
 * text blocks; `user`/`assistant` → messages with text blocks (empty text is never sent;
 * Bedrock rejects it); assistant tool calls → `toolUse` blocks; `tool` messages → `toolResult`
 * blocks in a user turn (a JSON object result as `json`, anything else as `text`); consecutive
 * same-role turns merged (Converse wants them alternating); `max_tokens`, `temperature`,
 * `top_p`, `stop` → `inferenceConfig`; `tools` → `toolConfig.tools[].toolSpec`, `tool_choice`
 * → `toolConfig.toolChoice` (`none` has no Converse equivalent: the tools are left out unless
 * the history already holds tool blocks, which Converse only accepts with a `toolConfig`).
 *
 * `continue: true`: Claude models continue an assistant prefill (trailing whitespace trimmed,
 * as Anthropic requires); other models get the partial plus a user turn asking to carry on.
 * `cache` adds `cachePoint` blocks after the system prompt and the stable history prefix.
 *
 * @param request - The validated request.
 * @param cache - Where to put cache points.
 * @returns The command input.
 */
export function toConverseInput(request: UpstreamRequest, cache: PromptCachePlan): ConverseStreamCommandInput {
  const messages: Message[] = [];
  let hasToolBlocks = false;
  for (const [index, message] of request.messages.entries()) {
    if (message.role !== 'system') {
      const role = message.role === 'assistant' ? 'assistant' : 'user';
      const blocks: ContentBlock[] = [];
      if (message.role === 'tool') {
        hasToolBlocks = true;
        blocks.push({ toolResult: { toolUseId: message.tool_call_id ?? '', content: [toResultContent(message.content)] } });
      } else {
        if (message.content) blocks.push({ text: message.content });
        for (const call of message.tool_calls ?? []) {
          hasToolBlocks = true;
          blocks.push({
            toolUse: { toolUseId: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments) as Document },
          });
        }
      }
      const previous = messages.at(-1);
      if (blocks.length === 0) {
        // Nothing to send for this message.
      } else if (previous?.role === role) previous.content?.push(...blocks);
      else messages.push({ role, content: blocks });
    }
    if (index === cache.historyEnd && messages.length > 0) messages.at(-1)?.content?.push(CACHE_POINT);
  }
  if (request.continue) {
    const last = messages.at(-1);
    if (/claude/i.test(request.model) && last?.role === 'assistant') {
      const block = last.content?.at(-1);
      if (block && 'text' in block && typeof block.text === 'string') {
        block.text = block.text.trimEnd();
        if (!block.text) last.content?.pop();
      }
      if (last.content?.length === 0) messages.pop();
    } else {
      messages.push({ role: 'user', content: [{ text: DEFAULT_CONTINUE_INSTRUCTION }] });
    }
  }

  const { extra } = request;
  const input: ConverseStreamCommandInput = {
    modelId: request.model,
    messages,
    inferenceConfig: {
      maxTokens: request.maxTokens,
      ...(request.temperature !== undefined ? { temperature: Math.min(1, request.temperature) } : {}),
      ...(typeof extra['top_p'] === 'number' ? { topP: extra['top_p'] } : {}),
      ...(typeof extra['stop'] === 'string' ? { stopSequences: [extra['stop']] } : {}),
      ...(Array.isArray(extra['stop']) ? { stopSequences: extra['stop'].map(String) } : {}),
    },
  };
  const system = systemText(request.messages);
  if (system) input.system = cache.system ? [{ text: system }, CACHE_POINT as SystemContentBlock] : [{ text: system }];
  const tools = Array.isArray(extra['tools']) ? extra['tools'].map(toToolSpec).filter((tool): tool is Tool => tool !== undefined) : [];
  const choice = toToolChoice(extra['tool_choice']);
  if (tools.length > 0 && (extra['tool_choice'] !== 'none' || hasToolBlocks)) {
    input.toolConfig = { tools, ...(choice ? { toolChoice: choice } : {}) };
  }
  return input;
}

function toResultContent(content: string): ToolResultContentBlock {
  try {
    const value: unknown = JSON.parse(content);
    if (isRecord(value)) return { json: value as Document };
  } catch {
    // Plain text results are sent as text.
  }
  return { text: content };
}

function toToolSpec(tool: unknown): Tool | undefined {
  if (!isRecord(tool) || !isRecord(tool['function']) || typeof tool['function']['name'] !== 'string') return undefined;
  const fn = tool['function'];
  return {
    toolSpec: {
      name: fn['name'] as string,
      ...(typeof fn['description'] === 'string' ? { description: fn['description'] } : {}),
      inputSchema: { json: (isRecord(fn['parameters']) ? fn['parameters'] : { type: 'object', properties: {} }) as Document },
    },
  };
}

function toToolChoice(choice: unknown): ToolChoice | undefined {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (isRecord(choice) && isRecord(choice['function']) && typeof choice['function']['name'] === 'string') {
    return { tool: { name: choice['function']['name'] } };
  }
  return undefined;
}
