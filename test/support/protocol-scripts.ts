/**
 * For each protocol other than `openai`, the scripted responses an element test plays: a
 * whole answer, and each failure of DESIGN.md §5 in the shape that protocol's servers send it
 * (their own error bodies, their own in-band errors). Each failure names the state it must
 * end in.
 */
import type { ScriptStep } from './script-server.js';
import { ANSWER_PARTS, ANSWER_TEXT, TOOL_CALL, aiSdk, anthropic, jsonError, ndjson, plain, respond } from './protocol-wire.js';

export interface FailureCase {
  name: string;
  step: ScriptStep;
  status: 'error' | 'interrupted';
  kind: string;
  /** Text the answer keeps. */
  content?: string;
}

export interface ProtocolScripts {
  protocol: string;
  answer: ScriptStep;
  /** What the answer must end as. */
  expected: {
    status: string;
    content: string;
    reasoning?: string;
    toolCall?: { name: string; arguments: string };
    metrics?: { promptTokens: number; completionTokens: number; cachedTokens?: number; model: string };
  };
  /** A 429 that asks for a wait of about a second. */
  rateLimited: ScriptStep;
  failures: FailureCase[];
  /** A field every request body of this protocol has, with its value (a shape check). */
  bodyMark: [string, unknown];
  /**
   * For protocols that carry tools: where a follow-up request holds the result of
   * {@link TOOL_CALL} (`{"celsius":21}`), and whether tool definitions are sent.
   */
  toolResult?: { last: unknown; sendsTools: boolean; followUp: ScriptStep };
}

const wait = { 'retry-after-ms': '1200' };
/** The answer after the tool's result came back. */
export const AFTER_TOOLS = 'It is 21 °C.';
const KEPT = 'Kept so far';

/** Some text, a pause for it to reach the page, then a connection reset. */
const cut = (headers: Record<string, string>, text: string): FailureCase => ({
  name: 'a connection reset mid-stream',
  step: { headers, pieces: [{ text }, { delayMs: 60 }], end: 'reset' },
  status: 'interrupted',
  kind: 'network_error',
  content: KEPT,
});

export const PROTOCOL_SCRIPTS: ProtocolScripts[] = [
  {
    protocol: 'ai-sdk',
    answer: respond(aiSdk.headers, [aiSdk.answer()]),
    expected: {
      status: 'tool_calls',
      content: ANSWER_TEXT,
      reasoning: 'Think first.',
      toolCall: TOOL_CALL,
      metrics: { promptTokens: 21, completionTokens: 9, cachedTokens: 5, model: 'gpt-test' },
    },
    rateLimited: jsonError(429, { error: 'Too many requests' }, wait),
    failures: [
      {
        name: 'an in-band "Overloaded" error before any text',
        step: respond(aiSdk.headers, [aiSdk.chunk({ type: 'start' }) + aiSdk.chunk({ type: 'error', errorText: 'Overloaded' })]),
        status: 'error',
        kind: 'overloaded',
      },
      { name: '402', step: jsonError(402, { error: 'Payment required' }), status: 'error', kind: 'quota_exhausted' },
      {
        name: '401 in plain text',
        step: { status: 401, headers: plain.headers, pieces: [{ text: 'Unauthorized' }] },
        status: 'error',
        kind: 'auth_failed',
      },
      {
        name: '400 about the context window',
        step: jsonError(400, { error: "This model's maximum context length is 8192 tokens." }),
        status: 'error',
        kind: 'context_too_long',
      },
      { name: '400', step: jsonError(400, { error: 'Invalid messages' }), status: 'error', kind: 'bad_request' },
      { name: '500', step: jsonError(500, { error: 'Internal error' }), status: 'error', kind: 'server_error' },
      {
        name: 'an in-band error after text',
        step: respond(aiSdk.headers, [aiSdk.text([KEPT]) + aiSdk.chunk({ type: 'error', errorText: 'An error occurred.' })]),
        status: 'interrupted',
        kind: 'server_error',
        content: KEPT,
      },
      cut(aiSdk.headers, aiSdk.chunk({ type: 'start' }) + aiSdk.chunk({ type: 'text-delta', id: 't', delta: KEPT })),
    ],
    bodyMark: ['trigger', 'submit-message'],
    toolResult: {
      last: {
        role: 'assistant',
        parts: [
          { type: 'text', text: ANSWER_TEXT },
          {
            type: 'tool-get_weather',
            toolCallId: TOOL_CALL.id,
            state: 'output-available',
            input: { city: 'Paris' },
            output: { celsius: 21 },
          },
        ],
      },
      sendsTools: false,
      followUp: respond(aiSdk.headers, [
        aiSdk.chunk({ type: 'start' }) + aiSdk.text([AFTER_TOOLS]) + aiSdk.chunk({ type: 'finish', finishReason: 'stop' }) + aiSdk.done(),
      ]),
    },
  },
  {
    protocol: 'anthropic',
    answer: respond(anthropic.headers, [anthropic.answer()]),
    expected: {
      status: 'tool_calls',
      content: ANSWER_TEXT,
      reasoning: 'Think first.',
      toolCall: TOOL_CALL,
      metrics: { promptTokens: 120, completionTokens: 9, cachedTokens: 100, model: 'claude-test' },
    },
    rateLimited: jsonError(429, anthropic.errorBody('rate_limit_error', 'Rate limited'), wait),
    failures: [
      {
        name: '529 overloaded_error',
        step: jsonError(529, anthropic.errorBody('overloaded_error', 'Overloaded')),
        status: 'error',
        kind: 'overloaded',
      },
      {
        name: '402 billing_error',
        step: jsonError(402, anthropic.errorBody('billing_error', 'Credit balance too low')),
        status: 'error',
        kind: 'quota_exhausted',
      },
      {
        name: '401 authentication_error',
        step: jsonError(401, anthropic.errorBody('authentication_error', 'invalid x-api-key')),
        status: 'error',
        kind: 'auth_failed',
      },
      {
        name: '400 prompt is too long',
        step: jsonError(400, anthropic.errorBody('invalid_request_error', 'prompt is too long: 208000 tokens > 200000 maximum')),
        status: 'error',
        kind: 'context_too_long',
      },
      {
        name: '400 invalid_request_error',
        step: jsonError(400, anthropic.errorBody('invalid_request_error', 'messages: roles must alternate')),
        status: 'error',
        kind: 'bad_request',
      },
      {
        name: '500 api_error',
        step: jsonError(500, anthropic.errorBody('api_error', 'Internal server error')),
        status: 'error',
        kind: 'server_error',
      },
      {
        name: 'an overloaded_error event after text',
        step: respond(anthropic.headers, [
          anthropic.start() + anthropic.textBlock(0, [KEPT]) + anthropic.error('overloaded_error', 'Overloaded'),
        ]),
        status: 'interrupted',
        kind: 'overloaded',
        content: KEPT,
      },
      cut(anthropic.headers, anthropic.start() + anthropic.textBlock(0, [KEPT])),
    ],
    bodyMark: ['max_tokens', 4096],
    toolResult: {
      last: { role: 'user', content: [{ type: 'tool_result', tool_use_id: TOOL_CALL.id, content: '{"celsius":21}' }] },
      sendsTools: true,
      followUp: respond(anthropic.headers, [anthropic.start() + anthropic.textBlock(0, [AFTER_TOOLS]) + anthropic.stop('end_turn')]),
    },
  },
  {
    protocol: 'ndjson',
    answer: respond(ndjson.headers, [ndjson.answer()]),
    expected: {
      status: 'tool_calls',
      content: ANSWER_TEXT,
      reasoning: 'Think first.',
      toolCall: TOOL_CALL,
      metrics: { promptTokens: 26, completionTokens: 11, model: 'llama-test' },
    },
    rateLimited: jsonError(429, { error: 'too many requests' }, wait),
    failures: [
      {
        name: '503 server busy',
        step: jsonError(503, { error: 'server busy, please try again.  maximum pending requests exceeded' }),
        status: 'error',
        kind: 'overloaded',
      },
      { name: '402', step: jsonError(402, { error: 'quota used up' }), status: 'error', kind: 'quota_exhausted' },
      { name: '401', step: jsonError(401, { error: 'unauthorized' }), status: 'error', kind: 'auth_failed' },
      {
        name: '400 about the context length',
        step: jsonError(400, { error: 'the input length exceeds the context length' }),
        status: 'error',
        kind: 'context_too_long',
      },
      { name: '404 model not found', step: jsonError(404, { error: "model 'llama9' not found" }), status: 'error', kind: 'bad_request' },
      { name: '500', step: jsonError(500, { error: 'llama runner process has terminated' }), status: 'error', kind: 'server_error' },
      {
        name: 'an error line after text',
        step: respond(ndjson.headers, [ndjson.message({ content: KEPT }) + ndjson.line({ error: 'llama runner process has terminated' })]),
        status: 'interrupted',
        kind: 'server_error',
        content: KEPT,
      },
      cut(ndjson.headers, ndjson.message({ content: KEPT })),
    ],
    bodyMark: ['stream', true],
    toolResult: {
      last: { role: 'tool', content: '{"celsius":21}', tool_name: 'get_weather' },
      sendsTools: true,
      followUp: respond(ndjson.headers, [ndjson.message({ content: AFTER_TOOLS }) + ndjson.done()]),
    },
  },
  {
    protocol: 'text',
    answer: respond(plain.headers, ANSWER_PARTS),
    expected: { status: 'complete', content: ANSWER_TEXT },
    rateLimited: { status: 429, headers: { ...plain.headers, ...wait }, pieces: [{ text: 'Too Many Requests' }] },
    failures: [
      {
        name: '503 in plain text',
        step: { status: 503, headers: plain.headers, pieces: [{ text: 'Busy' }] },
        status: 'error',
        kind: 'overloaded',
      },
      { name: '402', step: jsonError(402, { error: { code: 'insufficient_quota' } }), status: 'error', kind: 'quota_exhausted' },
      {
        name: '401 in plain text',
        step: { status: 401, headers: plain.headers, pieces: [{ text: 'Unauthorized' }] },
        status: 'error',
        kind: 'auth_failed',
      },
      {
        name: '400 context_length_exceeded',
        step: jsonError(400, { error: { code: 'context_length_exceeded' } }),
        status: 'error',
        kind: 'context_too_long',
      },
      {
        name: '422 in plain text',
        step: { status: 422, headers: plain.headers, pieces: [{ text: 'Bad input' }] },
        status: 'error',
        kind: 'bad_request',
      },
      {
        name: '500 in plain text',
        step: { status: 500, headers: plain.headers, pieces: [{ text: 'Oops' }] },
        status: 'error',
        kind: 'server_error',
      },
      {
        name: 'a Content-Length that is not reached',
        step: { headers: { ...plain.headers, 'Content-Length': '500', Connection: 'close' }, pieces: [{ text: KEPT }, { delayMs: 60 }] },
        status: 'interrupted',
        kind: 'network_error',
        content: KEPT,
      },
      cut(plain.headers, KEPT),
    ],
    bodyMark: ['stream', true],
  },
];
