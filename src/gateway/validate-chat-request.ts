import { GatewayError, invalidRequest } from './gateway-error.js';
import { checkRequestFields } from './request-fields.js';
import type { UpstreamRequest } from './upstream.js';
import type { GatewayMessage, GatewayRole, GatewayToolCall } from './wire-types.js';
import { isRecord } from '../wire/guards.js';

/** Limits a request body is checked against. */
export interface ChatRequestLimits {
  /** Most messages in one request. */
  maxMessages: number;
  /** Most characters in one message's content. */
  maxMessageChars: number;
  /** Cap for `max_tokens`; larger values are clamped, absent ones become the cap. */
  maxTokens: number;
  /** Model used when the body names none. */
  defaultModel: string | undefined;
  /** Models a client may ask for; `'*'` allows any. */
  allowedModels: readonly string[];
  /** Optional OpenAI fields a client may send; any other field is refused. */
  passthroughFields: readonly string[];
  /** The optional fields the provider translates (absent: all of `passthroughFields`). */
  supportedFields?: readonly string[] | undefined;
  /** Provider name, for error messages. */
  provider?: string | undefined;
}

/** A request that passed validation. */
export interface ValidatedChatRequest {
  upstream: UpstreamRequest;
  /** `stream: true` in the body; otherwise the answer is one `chat.completion` JSON. */
  stream: boolean;
  /** `stream_options.include_usage`: whether the final usage chunk is forwarded. */
  includeUsage: boolean;
}

/**
 * The optional OpenAI fields allowed by default. Anything else (notably `n` other than 1,
 * which multiplies cost) is refused with 400, so a browser cannot use the server's key for
 * more than a chat; each upstream translates these into its provider's terms and declares the
 * ones it cannot express (`Upstream.supportedFields`), which are refused too.
 */
export const DEFAULT_PASSTHROUGH_FIELDS: readonly string[] = [
  'top_p',
  'stop',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'logit_bias',
  'user',
];

const ROLES: readonly GatewayRole[] = ['system', 'user', 'assistant', 'tool'];

/**
 * Checks a parsed request body against the wire contract (DESIGN.md §4) and the gateway's
 * limits, and turns it into a provider-neutral {@link UpstreamRequest}. Messages' `content`
 * may be a string or an array of text parts (as the official SDKs send); `developer` is
 * accepted as an alias of `system`.
 *
 * @param body - The parsed JSON body.
 * @param limits - What to enforce.
 * @returns The validated request.
 * @throws GatewayError 400 `invalid_request` (with `param`) or 400 `model_not_allowed`.
 */
export function validateChatRequest(body: unknown, limits: ChatRequestLimits): ValidatedChatRequest {
  if (!isRecord(body)) throw invalidRequest('The request body must be a JSON object.');
  checkRequestFields(body, limits);

  const rawMessages = body['messages'];
  if (!Array.isArray(rawMessages) || rawMessages.length === 0) {
    throw invalidRequest('`messages` must be a non-empty array of {role, content} objects.', 'messages');
  }
  if (rawMessages.length > limits.maxMessages) {
    throw invalidRequest(
      `Too many messages: ${rawMessages.length}; this server accepts at most ${limits.maxMessages}. Start a new chat or drop old turns.`,
      'messages',
    );
  }
  const messages = rawMessages.map((raw, index) => validateMessage(raw, index, limits.maxMessageChars));

  const continuing = body['continue'];
  if (continuing !== undefined && typeof continuing !== 'boolean') {
    throw invalidRequest('`continue` must be a boolean.', 'continue');
  }
  if (continuing === true && messages.at(-1)?.role !== 'assistant') {
    throw invalidRequest('`continue: true` needs the partial assistant answer as the last message.', 'continue');
  }

  const model = validateModel(body['model'], limits);

  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    throw invalidRequest('`stream` must be a boolean.', 'stream');
  }
  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null && !isRecord(streamOptions)) {
    throw invalidRequest('`stream_options` must be an object.', 'stream_options');
  }
  const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true;

  const requested = body['max_completion_tokens'] ?? body['max_tokens'];
  let maxTokens = limits.maxTokens;
  if (requested !== undefined && requested !== null) {
    if (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1) {
      throw invalidRequest('`max_tokens` must be a positive integer.', 'max_tokens');
    }
    // Clamp rather than reject: a client asking for more than the cap still gets an answer.
    maxTokens = Math.min(requested, limits.maxTokens);
  }

  const temperature = body['temperature'];
  if (temperature !== undefined && temperature !== null) {
    if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0 || temperature > 2) {
      throw invalidRequest('`temperature` must be a number between 0 and 2.', 'temperature');
    }
  }

  const n = body['n'];
  if (n !== undefined && n !== null && n !== 1) {
    throw invalidRequest('Only one choice per request is supported (`n` must be 1).', 'n');
  }

  const extra: Record<string, unknown> = {};
  for (const field of limits.passthroughFields) {
    if (body[field] !== undefined && body[field] !== null) extra[field] = body[field];
  }

  return {
    stream: stream === true,
    includeUsage,
    upstream: {
      model,
      messages,
      maxTokens,
      ...(typeof temperature === 'number' ? { temperature } : {}),
      continue: continuing === true,
      extra,
    },
  };
}

function validateModel(raw: unknown, limits: ChatRequestLimits): string {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    throw invalidRequest('`model` must be a string.', 'model');
  }
  const model = raw || limits.defaultModel;
  if (!model) throw invalidRequest('`model` is required: this server has no default model.', 'model');
  if (!limits.allowedModels.includes('*') && !limits.allowedModels.includes(model)) {
    throw new GatewayError({
      status: 400,
      type: 'invalid_request_error',
      code: 'model_not_allowed',
      param: 'model',
      message: `Model "${truncate(model)}" is not allowed on this server. Allowed: ${limits.allowedModels.join(', ')}.`,
    });
  }
  return model;
}

function validateMessage(raw: unknown, index: number, maxChars: number): GatewayMessage {
  const at = `messages[${index}]`;
  if (!isRecord(raw)) throw invalidRequest(`${at} must be an object with role and content.`, at);

  let role = raw['role'];
  if (role === 'developer') role = 'system';
  if (typeof role !== 'string' || !ROLES.includes(role as GatewayRole)) {
    throw invalidRequest(`${at}.role must be one of ${ROLES.join(', ')} (got ${JSON.stringify(truncate(String(role)))}).`, `${at}.role`);
  }
  const message: GatewayMessage = { role: role as GatewayRole, content: '' };

  const toolCalls = raw['tool_calls'];
  if (toolCalls !== undefined && toolCalls !== null) {
    if (message.role !== 'assistant') throw invalidRequest(`${at}.tool_calls is only allowed on assistant messages.`, at);
    message.tool_calls = validateToolCalls(toolCalls, `${at}.tool_calls`);
  }

  const content = raw['content'];
  if (typeof content === 'string') {
    message.content = content;
  } else if (Array.isArray(content)) {
    message.content = content
      .map((part, partIndex) => {
        if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string') return part['text'];
        const kind = isRecord(part) ? String(part['type']) : typeof part;
        throw invalidRequest(`${at}.content[${partIndex}]: only text parts are supported (got ${truncate(kind)}).`, `${at}.content`);
      })
      .join('');
  } else if (!((content === null || content === undefined) && message.tool_calls)) {
    throw invalidRequest(`${at}.content must be a string.`, `${at}.content`);
  }
  if (message.content.length > maxChars) {
    throw invalidRequest(
      `${at}.content is ${message.content.length} characters; this server accepts at most ${maxChars} per message.`,
      `${at}.content`,
    );
  }

  const name = raw['name'];
  if (typeof name === 'string') message.name = name;
  if (message.role === 'tool') {
    const toolCallId = raw['tool_call_id'];
    if (typeof toolCallId !== 'string' || !toolCallId) {
      throw invalidRequest(`${at}.tool_call_id is required on tool messages.`, `${at}.tool_call_id`);
    }
    message.tool_call_id = toolCallId;
  }
  return message;
}

function validateToolCalls(raw: unknown, at: string): GatewayToolCall[] {
  if (!Array.isArray(raw)) throw invalidRequest(`${at} must be an array.`, at);
  return raw.map((call, index) => {
    const fn = isRecord(call) ? call['function'] : undefined;
    if (
      !isRecord(call) ||
      typeof call['id'] !== 'string' ||
      !isRecord(fn) ||
      typeof fn['name'] !== 'string' ||
      typeof fn['arguments'] !== 'string'
    ) {
      throw invalidRequest(`${at}[${index}] must be {id, type: "function", function: {name, arguments}}.`, at);
    }
    return { id: call['id'], type: 'function', function: { name: fn['name'], arguments: fn['arguments'] } };
  });
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
