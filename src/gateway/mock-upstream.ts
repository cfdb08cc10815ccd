import { GATEWAY_DEFAULTS } from './defaults.js';
import { createChunkFactory } from './chunk-factory.js';
import type { ChunkFactory } from './chunk-factory.js';
import { estimateTokens } from './estimate-tokens.js';
import { GatewayError, invalidRequest } from './gateway-error.js';
import type { GatewayErrorInit } from './gateway-error.js';
import { MOCK_ANSWERS, pickMockAnswer, splitTokens } from './mock-answers.js';
import { MOCK_SCENARIOS, isMockScenario } from './mock-scenarios.js';
import { planMockToolTurn } from './mock-tool-turn.js';
import type { MockToolTurn } from './mock-tool-turn.js';
import type { MockScenario } from './mock-scenarios.js';
import { sleep } from './sleep.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest, UpstreamResult } from './upstream.js';
import type { ChatCompletion } from './wire-types.js';

/** Options of {@link createMockUpstream}. */
export interface MockUpstreamOptions {
  /**
   * Model reported when a request names none.
   * @defaultValue `'mock-1'`
   */
  model?: string;
  /**
   * Streaming pace. `Infinity` or `0` streams as fast as possible (for tests).
   * @defaultValue 50
   */
  tokensPerSecond?: number;
  /**
   * Delay between the role chunk and the first token, like a real model's prefill.
   * @defaultValue 300
   */
  firstTokenDelayMs?: number;
  /**
   * Delay before the first token in the `slow-first-token` scenario. The default sits between
   * a client's idle timeout and its stall timeout, like a queueing backend.
   * @defaultValue 20000
   */
  slowFirstTokenDelayMs?: number;
  /**
   * Tokens streamed before a mid-stream failure, truncation or filter in the scenarios that
   * have one.
   * @defaultValue 24
   */
  partialTokens?: number;
  /**
   * How long the `keepalive` scenario sends `: ping` comments before its first token.
   * @defaultValue 1000
   */
  keepaliveScenarioMs?: number;
  /**
   * Interval of those comments.
   * @defaultValue 200
   */
  keepaliveScenarioIntervalMs?: number;
  /**
   * The answer corpus; one is picked by hashing the last user message.
   * @defaultValue {@link MOCK_ANSWERS}
   */
  answers?: readonly string[];
}

/** Where a request's scenario came from; message-selected ones don't apply to `continue`. */
interface ScenarioChoice {
  scenario: MockScenario;
  /** The question used to pick the answer: the user's text without the `/scenario` prefix. */
  question: string;
}

const SCENARIO_COMMAND = /^\/scenario\s+(\S+)\s*/;

/** Status, type and code of each scenario that fails before the stream. */
const ERROR_SCENARIOS: Partial<Record<MockScenario, GatewayErrorInit>> = {
  'rate-limit': {
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests (mock). Retry in 2 s.',
    retryAfterSeconds: 2,
  },
  'rate-limit-long': {
    status: 429,
    type: 'rate_limit_error',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests per day (mock). Retry in 120 s.',
    retryAfterSeconds: 120,
  },
  'backend-busy': {
    status: 429,
    type: 'rate_limit_error',
    code: 'backend_busy',
    message: 'The backend pool is busy (mock). Retry in a few seconds.',
    retryAfterSeconds: 2,
  },
  concurrency: {
    status: 429,
    type: 'rate_limit_error',
    code: 'concurrency_exceeded',
    message: 'Concurrency limit reached (mock).',
    retryAfterSeconds: 1,
  },
  // OpenAI sends quota exhaustion as a 429 without Retry-After; the client must still treat
  // it as final. The gateway itself maps a real upstream's version of this to 402.
  quota: {
    status: 429,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    message: 'You exceeded your current quota, please check your plan and billing details (mock).',
  },
  'quota-402': {
    status: 402,
    type: 'insufficient_quota',
    code: 'insufficient_quota',
    message: 'The account balance is zero (mock). Top up to continue.',
  },
  auth: {
    status: 401,
    type: 'authentication_error',
    code: 'invalid_api_key',
    message: 'Invalid API key (mock).',
  },
  forbidden: {
    status: 403,
    type: 'permission_error',
    code: 'permission_denied',
    message: 'This account has no access to the requested model (mock).',
  },
  'payload-too-large': {
    status: 413,
    type: 'invalid_request_error',
    code: 'payload_too_large',
    message: 'The request body is too large (mock).',
  },
  unprocessable: {
    status: 422,
    type: 'invalid_request_error',
    code: 'invalid_request',
    message: 'The request could not be processed: messages[0].content must be a string (mock).',
    param: 'messages',
  },
  'context-length': {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
    message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9120 tokens (mock).",
    param: 'messages',
  },
  'content-filter': {
    status: 400,
    type: 'invalid_request_error',
    code: 'content_filter',
    message: 'The request was rejected by the content filter (mock).',
  },
  'server-error': {
    status: 500,
    type: 'server_error',
    code: 'server_error',
    message: 'The server had an error while processing your request (mock).',
  },
  'bad-gateway': {
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: 'The upstream provider failed (mock).',
  },
  unavailable: {
    status: 503,
    type: 'server_error',
    code: 'service_unavailable',
    message: 'The service is temporarily unavailable (mock).',
    retryAfterSeconds: 3,
  },
  'gateway-timeout': {
    status: 504,
    type: 'timeout_error',
    code: 'upstream_timeout',
    message: 'The upstream provider did not answer in time (mock).',
  },
  overloaded: {
    status: 529,
    type: 'overloaded_error',
    code: 'overloaded',
    message: 'Overloaded (mock).',
  },
};

const HTML_ERROR_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

const REASONING_TEXT =
  'The user wants a clear answer. I should recall the key facts, order them from most to least ' +
  'important, and include an example so the explanation is concrete.';

const TOOL_CALLS = [
  { id: 'call_mock_weather', name: 'get_weather', arguments: '{"city": "Paris", "unit": "celsius"}' },
  { id: 'call_mock_time', name: 'get_local_time', arguments: '{"timezone": "Europe/Paris"}' },
] as const;

/** Bound on the per-key counters of the `flaky` scenario. */
const MAX_FLAKY_KEYS = 10_000;

/**
 * Creates the mock upstream: no key, deterministic, realistic pacing, and every failure mode
 * of {@link MOCK_SCENARIOS} on demand (header `X-Mock-Scenario: <name>` or a last user
 * message starting with `/scenario <name>`; `X-Mock-Fail-Times` sets N for `flaky`).
 *
 * It honours `max_tokens` (finish_reason `length`) and `continue: true`: the partial
 * assistant message is matched against the same deterministic answer and only the rest is
 * streamed. A scenario chosen by message text is ignored on `continue`, so Continue after
 * a failure finishes the answer; one chosen by header always applies.
 *
 * @param options - Pace, delays and corpus.
 * @returns An {@link Upstream} with provider name `mock`.
 */
export function createMockUpstream(options: MockUpstreamOptions = {}): Upstream {
  const defaultModel = options.model ?? 'mock-1';
  const tokensPerSecond = options.tokensPerSecond ?? GATEWAY_DEFAULTS.mockTokensPerSecond;
  const tokenIntervalMs = tokensPerSecond > 0 && Number.isFinite(tokensPerSecond) ? 1000 / tokensPerSecond : 0;
  const firstTokenDelayMs = options.firstTokenDelayMs ?? 300;
  const slowFirstTokenDelayMs = options.slowFirstTokenDelayMs ?? 20_000;
  const partialTokens = options.partialTokens ?? 24;
  const keepaliveScenarioMs = options.keepaliveScenarioMs ?? 1000;
  const keepaliveScenarioIntervalMs = options.keepaliveScenarioIntervalMs ?? 200;
  const answers = options.answers ?? MOCK_ANSWERS;
  const flakyCounts = new Map<string, number>();

  function chooseScenario(request: UpstreamRequest, headers: Headers): ScenarioChoice {
    const lastUser = request.messages.findLast((message) => message.role === 'user');
    let question = lastUser?.content ?? '';
    let fromMessage: string | undefined;
    const command = SCENARIO_COMMAND.exec(question);
    if (command) {
      fromMessage = command[1];
      question = question.slice(command[0].length);
    }
    const fromHeader = headers.get('x-mock-scenario')?.trim() || undefined;
    // Continue resumes an answer; replaying a failure chosen by message text would make the
    // Continue button useless in the demo.
    const name = fromHeader ?? (request.continue ? undefined : fromMessage) ?? 'ok';
    if (!isMockScenario(name)) {
      throw invalidRequest(`Unknown mock scenario "${name}". Known scenarios: ${MOCK_SCENARIOS.join(', ')}.`);
    }
    return { scenario: name, question };
  }

  function failFlaky(context: UpstreamContext, question: string): boolean {
    const failTimes = Number.parseInt(context.headers.get('x-mock-fail-times') ?? '1', 10);
    const key = context.idempotencyKey ?? `${context.clientId}:${question}`;
    const seen = flakyCounts.get(key) ?? 0;
    if (seen >= (Number.isFinite(failTimes) ? failTimes : 1)) return false;
    if (flakyCounts.size >= MAX_FLAKY_KEYS) flakyCounts.clear();
    flakyCounts.set(key, seen + 1);
    return true;
  }

  return {
    provider: 'mock',
    defaultModel,
    async chat(request: UpstreamRequest, context: UpstreamContext): Promise<UpstreamResult> {
      const { scenario, question } = chooseScenario(request, context.headers);
      const errorInit = ERROR_SCENARIOS[scenario];
      if (errorInit) throw new GatewayError(errorInit);
      if (scenario === 'flaky' && failFlaky(context, question)) {
        throw new GatewayError({
          status: 503,
          type: 'server_error',
          code: 'service_unavailable',
          message: 'Temporarily unavailable (mock flaky scenario). Retry with the same Idempotency-Key.',
          retryAfterSeconds: 1,
        });
      }

      const answer = pickMockAnswer(question, answers);
      const partial = request.continue ? (request.messages.at(-1)?.content ?? '') : '';
      const text = partial ? remainderAfter(answer, partial) : answer;
      const factory = createChunkFactory({
        id: `chatcmpl-${context.requestId.replace(/^req_/, '').slice(0, 24)}`,
        model: request.model,
      });
      const promptTokens = estimateTokens(request.messages);
      const usage = {
        prompt: promptTokens,
        // Like OpenAI: a stable prefix of 1024+ tokens is cached in 128-token steps.
        cached: cachedPrefixTokens(request),
      };

      if (scenario === 'html-error') {
        return {
          type: 'response',
          response: new Response(HTML_ERROR_PAGE, { status: 502, headers: { 'content-type': 'text/html' } }),
        };
      }
      if (scenario === 'no-content') return { type: 'response', response: new Response(null, { status: 204 }) };
      if (scenario === 'not-sse') {
        const tokens = splitTokens(text);
        const completion: ChatCompletion = {
          id: factory.id,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: text, refusal: null },
              finish_reason: 'stop',
              logprobs: null,
            },
          ],
          usage: {
            prompt_tokens: usage.prompt,
            completion_tokens: tokens.length,
            total_tokens: usage.prompt + tokens.length,
            prompt_tokens_details: { cached_tokens: usage.cached },
          },
        };
        return {
          type: 'response',
          response: new Response(JSON.stringify(completion), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
        };
      }

      const stream = new MockStream({
        factory,
        signal: context.signal,
        tokenIntervalMs,
        maxTokens: request.maxTokens,
        promptTokens: usage.prompt,
        cachedTokens: usage.cached,
      });
      const toolTurn = scenario === 'ok' && !request.continue ? planMockToolTurn(request) : undefined;
      if (toolTurn) {
        return { type: 'stream', events: stream.playToolTurn(toolTurn, firstTokenDelayMs) };
      }
      const silent = scenario === 'stall-silent' || scenario === 'stall-mid-stream';
      return {
        type: 'stream',
        keepAlive: !silent,
        events: stream.play(scenario, splitTokens(text), {
          firstTokenDelayMs,
          slowFirstTokenDelayMs,
          partialTokens,
          keepaliveScenarioMs,
          keepaliveScenarioIntervalMs,
        }),
      };
    },
  };
}

/**
 * The part of `answer` still to be written after `partial`. When the partial is a prefix of
 * the answer (the normal case: it was cut short), that is exactly the rest; otherwise the
 * answer is resumed at the partial's length, which still reads sensibly.
 */
function remainderAfter(answer: string, partial: string): string {
  if (answer.startsWith(partial)) return answer.slice(partial.length);
  const trimmed = partial.trimEnd();
  if (answer.startsWith(trimmed)) return answer.slice(trimmed.length).replace(/^\s+/, '');
  return answer.slice(Math.min(partial.length, answer.length));
}

function cachedPrefixTokens(request: UpstreamRequest): number {
  const prefix = estimateTokens(request.messages.slice(0, -1));
  return prefix >= 1024 ? Math.floor(prefix / 128) * 128 : 0;
}

interface MockStreamOptions {
  factory: ChunkFactory;
  signal: AbortSignal;
  tokenIntervalMs: number;
  maxTokens: number;
  promptTokens: number;
  cachedTokens: number;
}

interface PlayOptions {
  firstTokenDelayMs: number;
  slowFirstTokenDelayMs: number;
  partialTokens: number;
  keepaliveScenarioMs: number;
  keepaliveScenarioIntervalMs: number;
}

/** One mock generation: paces tokens against a start time so delays don't accumulate drift. */
class MockStream {
  private emitted = 0;
  private nextAt = 0;

  constructor(private readonly options: MockStreamOptions) {}

  async *play(scenario: MockScenario, tokens: string[], play: PlayOptions): AsyncGenerator<UpstreamEvent> {
    const { factory, signal } = this.options;
    const chunk = (delta: Parameters<ChunkFactory['delta']>[0], finish: string | null = null): UpstreamEvent => ({
      type: 'chunk',
      chunk: factory.delta(delta, finish),
    });

    if (scenario === 'stall' || scenario === 'stall-silent') {
      await sleep(Infinity, signal);
      return;
    }

    yield chunk({ role: 'assistant', content: '' });

    if (scenario === 'keepalive') {
      const until = Date.now() + play.keepaliveScenarioMs;
      while (Date.now() < until) {
        await sleep(play.keepaliveScenarioIntervalMs, signal);
        yield { type: 'comment', text: 'ping' };
      }
      this.nextAt = Date.now();
    } else {
      const delay = scenario === 'slow-first-token' ? play.slowFirstTokenDelayMs : play.firstTokenDelayMs;
      this.nextAt = Date.now() + delay;
      await this.pace();
    }

    if (scenario === 'error-before-token') {
      yield {
        type: 'error',
        error: { type: 'server_error', code: 'server_error', message: 'The model failed before producing any output (mock).' },
      };
      return;
    }
    if (scenario === 'refusal') {
      for (const piece of splitTokens(REFUSAL_TEXT)) {
        yield chunk({ refusal: piece });
        this.emitted += 1;
        await this.pace();
      }
      yield chunk({}, 'stop');
      yield* this.finish();
      return;
    }
    if (scenario === 'tool-calls') {
      yield* this.toolCalls(chunk);
      return;
    }
    if (scenario === 'reasoning') {
      for (const piece of splitTokens(REASONING_TEXT)) {
        yield chunk({ reasoning_content: piece });
        this.emitted += 1;
        await this.pace();
      }
    }

    const limit = partialLimit(scenario, play.partialTokens);
    const index = yield* this.tokens(chunk, tokens, 0, Math.min(tokens.length, limit));
    if (index === undefined) return;

    switch (scenario) {
      case 'error-mid-stream':
        yield {
          type: 'error',
          error: { type: 'server_error', code: 'server_error', message: 'The model failed while generating (mock).' },
        };
        return;
      case 'eof-mid-stream':
        return;
      case 'reset-mid-stream':
        // Give the tokens time to reach the client: a TCP reset discards data still in flight,
        // and the point of the scenario is a reset after visible output.
        await sleep(100, signal);
        yield { type: 'reset' };
        return;
      case 'stall-mid-stream':
        await sleep(Infinity, signal);
        return;
      case 'truncated':
        yield chunk({}, 'length');
        yield* this.finish();
        return;
      case 'filtered':
        yield chunk({}, 'content_filter');
        yield* this.finish();
        return;
      case 'malformed-chunk':
        yield { type: 'raw', text: 'data: {not json\n\n' };
        if ((yield* this.tokens(chunk, tokens, index, tokens.length)) === undefined) return;
        break;
      default:
        break;
    }
    yield chunk({}, 'stop');
    yield* this.finish();
  }

  /**
   * Streams `tokens[from..to)` at the configured pace. At `max_tokens` it finishes the stream
   * with `finish_reason: length` and returns `undefined`; otherwise it returns where it stopped.
   */
  private async *tokens(
    chunk: (delta: Parameters<ChunkFactory['delta']>[0], finish?: string | null) => UpstreamEvent,
    tokens: readonly string[],
    from: number,
    to: number,
  ): AsyncGenerator<UpstreamEvent, number | undefined> {
    for (let index = from; index < to; index += 1) {
      if (this.emitted >= this.options.maxTokens) {
        yield chunk({}, 'length');
        yield* this.finish();
        return undefined;
      }
      yield chunk({ content: tokens[index] });
      this.emitted += 1;
      await this.pace();
    }
    return to;
  }

  private async *toolCalls(
    chunk: (delta: Parameters<ChunkFactory['delta']>[0], finish?: string | null) => UpstreamEvent,
  ): AsyncGenerator<UpstreamEvent> {
    for (const [index, call] of TOOL_CALLS.entries()) {
      yield chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      });
      // Arguments arrive in small fragments, exactly as OpenAI streams them.
      for (const fragment of call.arguments.match(/.{1,6}/gs) ?? []) {
        yield chunk({ tool_calls: [{ index, function: { arguments: fragment } }] });
        this.emitted += 1;
        await this.pace();
      }
    }
    yield chunk({}, 'tool_calls');
    yield* this.finish();
  }

  /** A tool call (arguments complete first, so the page's tool starts), then text, or an answer from results. */
  async *playToolTurn(turn: MockToolTurn, firstTokenDelayMs: number): AsyncGenerator<UpstreamEvent> {
    const chunk = (delta: Parameters<ChunkFactory['delta']>[0], finish: string | null = null): UpstreamEvent => ({
      type: 'chunk',
      chunk: this.options.factory.delta(delta, finish),
    });
    yield chunk({ role: 'assistant', content: '' });
    this.nextAt = Date.now() + firstTokenDelayMs;
    await this.pace();
    if (turn.kind === 'call') {
      const { call } = turn;
      yield chunk({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
      for (const fragment of call.arguments.match(/.{1,6}/gs) ?? []) {
        yield chunk({ tool_calls: [{ index: 0, function: { arguments: fragment } }] });
        await this.pace();
      }
    }
    const tokens = splitTokens(turn.text);
    if ((yield* this.tokens(chunk, tokens, 0, tokens.length)) === undefined) return;
    yield chunk({}, turn.kind === 'call' ? 'tool_calls' : 'stop');
    yield* this.finish();
  }

  private async *finish(): AsyncGenerator<UpstreamEvent> {
    yield {
      type: 'chunk',
      chunk: this.options.factory.usage({
        prompt: this.options.promptTokens,
        completion: this.emitted,
        cached: this.options.cachedTokens,
      }),
    };
    yield { type: 'done' };
  }

  private async pace(): Promise<void> {
    const wait = this.nextAt - Date.now();
    this.nextAt = Math.max(this.nextAt, Date.now() - 1000) + this.options.tokenIntervalMs;
    if (wait > 0) await sleep(wait, this.options.signal);
    else if (this.options.signal.aborted) throw this.options.signal.reason;
  }
}

/** How many answer tokens a scenario streams before its special ending. */
function partialLimit(scenario: MockScenario, partialTokens: number): number {
  switch (scenario) {
    case 'error-mid-stream':
    case 'eof-mid-stream':
    case 'reset-mid-stream':
    case 'stall-mid-stream':
    case 'truncated':
    case 'filtered':
    case 'malformed-chunk':
      return partialTokens;
    default:
      return Number.POSITIVE_INFINITY;
  }
}
