import { CHAT_PATHS, HEALTH_PATH, parseStreamRoute } from '../wire/routes.js';
import type { StreamRoute } from '../wire/routes.js';
import { aggregateCompletion } from './aggregate-completion.js';
import type { StreamSummary } from './chat-stream.js';
import { resolveClientId } from './client-id.js';
import { createConcurrencyLimiter } from './concurrency-limiter.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { createContextBudget } from './context-budget.js';
import { createCorsPolicy } from './cors-policy.js';
import type { BudgetLedger } from './budget-ledger.js';
import { createDailyBudget } from './daily-budget.js';
import type { BudgetWarningEntry } from './daily-budget.js';
import { createFallbackUpstream } from './fallback-upstream.js';
import type { FallbackTarget } from './fallback-upstream.js';
import { GATEWAY_DEFAULTS as D } from './defaults.js';
import { GatewayError, invalidRequest } from './gateway-error.js';
import { createIdempotencyRegistry } from './idempotency-registry.js';
import { writeJsonLog } from './log-entry.js';
import type { GatewayLogEntry } from './log-entry.js';
import { createMemoryStateStore } from './memory-state-store.js';
import { createMockUpstream } from './mock-upstream.js';
import { costUsd, DEFAULT_PRICES } from './price-table.js';
import type { PriceTable } from './price-table.js';
import { readJsonBody } from './read-json-body.js';
import { createResumeHandler } from './resume-handler.js';
import type { StateStore } from './state-store.js';
import { STREAM_ID_HEADER, createStreamId } from './stream-id.js';
import { StreamRegistry } from './stream-registry.js';
import { createStoreBreakerStateStore } from './store-breaker-state.js';
import { createStoreBudgetLedger } from './store-budget-ledger.js';
import type { Upstream, UpstreamAttempt, UpstreamContext, UpstreamEvent } from './upstream.js';
import { DEFAULT_PASSTHROUGH_FIELDS, validateChatRequest } from './validate-chat-request.js';
import type { ValidatedChatRequest } from './validate-chat-request.js';
import { CONTEXT_TRIMMED_HEADER, RETRY_ATTEMPT_HEADER } from '../wire/headers.js';

/** Options of {@link createChatHandler}. Defaults match the CLI's environment defaults (DESIGN.md §4). */
export interface ChatHandlerOptions {
  /**
   * The provider behind the gateway.
   * @defaultValue `createMockUpstream()`
   */
  upstream?: Upstream;
  /**
   * Model used when a request names none.
   * @defaultValue the upstream's `defaultModel`
   */
  defaultModel?: string;
  /**
   * Models clients may request; `'*'` allows any.
   * @defaultValue `[defaultModel]`, or `['*']` for the mock (it costs nothing)
   */
  allowedModels?: readonly string[];
  /**
   * Exact origins allowed to call from a browser; `'*'` allows any.
   * @defaultValue `[]` (same-origin pages only)
   */
  allowedOrigins?: readonly string[];
  /** @defaultValue 1048576 */
  maxBodyBytes?: number;
  /**
   * Cap for `max_tokens` (larger requests are clamped; absent ones get the cap).
   * @defaultValue 4096
   */
  maxTokens?: number;
  /** @defaultValue 500 */
  maxMessages?: number;
  /**
   * Most characters in one message.
   * @defaultValue 200000
   */
  maxMessageChars?: number;
  /**
   * Requests per minute per client; 0 disables.
   * @defaultValue 60
   */
  rateLimit?: number;
  /**
   * Concurrent generations per client; 0 disables.
   * @defaultValue 4
   */
  maxConcurrent?: number;
  /**
   * Silence after which a `: ping` comment is sent on an open stream.
   * @defaultValue 15000
   */
  keepAliveMs?: number;
  /**
   * Time allowed for the provider to answer (status and headers) before 504
   * `upstream_timeout`. Generous because queueing backends hold requests up to ~45 s.
   * @defaultValue 120000
   */
  upstreamTimeoutMs?: number;
  /**
   * Provider silence allowed mid-stream before the stream is ended with an in-band
   * `upstream_timeout`. Longer than the element's own stall timeout, so the client decides first.
   * @defaultValue 300000
   */
  upstreamIdleTimeoutMs?: number;
  /**
   * Believe `X-Forwarded-For`: `true` (one proxy) or the number of trusted proxy hops.
   * @defaultValue false
   */
  trustProxy?: boolean | number;
  /**
   * Include messages and answers in log lines.
   * @defaultValue false
   */
  logContent?: boolean;
  /**
   * Receives one entry per chat request.
   * @defaultValue {@link writeJsonLog} (a JSON line on stdout)
   */
  onLog?: (entry: GatewayLogEntry) => void;
  /**
   * Salt for hashed client ids.
   * @defaultValue random per process
   */
  clientIdSalt?: string;
  /**
   * Extra OpenAI request fields forwarded upstream.
   * @defaultValue {@link DEFAULT_PASSTHROUGH_FIELDS}
   */
  passthroughFields?: readonly string[];
  /**
   * Targets tried after `upstream` when it fails retryably before the first token (DESIGN.md
   * §4c `LLM_FALLBACK`); each has its own circuit breaker.
   * @defaultValue `[]`
   */
  fallback?: readonly FallbackTarget[];
  /**
   * Extra attempts per target after a retryable failure before the first token (full jitter,
   * Retry-After honoured, within `upstreamTimeoutMs`). One request makes at most
   * `(1 + fallback.length) × (1 + upstreamRetries)` provider calls.
   * @defaultValue 0
   */
  upstreamRetries?: number;
  /**
   * Circuit-breaker settings for the targets; used when `fallback` or `upstreamRetries` is set.
   * @defaultValue 5 failures, 30 s cool-down, in-memory state
   */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Context window (tokens) used for pre-flight trimming instead of the model table's.
   * @defaultValue the table entry of the model; unknown models are not trimmed
   */
  contextWindow?: number;
  /**
   * Calibrate the pre-flight estimate with the provider's count endpoint (Anthropic, Gemini).
   * @defaultValue false
   */
  exactTokenCount?: boolean;
  /**
   * Prices (USD per 1M tokens) for `cost_usd` and budgets.
   * @defaultValue {@link DEFAULT_PRICES}
   */
  prices?: PriceTable;
  /**
   * USD each client may spend per UTC day; 0 disables.
   * @defaultValue 0
   */
  dailyBudgetUsd?: number;
  /**
   * Where daily spend is kept.
   * @defaultValue an in-memory ledger
   */
  budgetLedger?: BudgetLedger;
  /**
   * Receives warning lines (a client at 80 % of its daily budget).
   * @defaultValue {@link writeJsonLog}
   */
  onWarning?: (entry: BudgetWarningEntry) => void;
  /**
   * Names the client of a request (e.g. the signed-in user from a session cookie or a verified
   * token) for budgets, rate limits and logs; the id is hashed before use. Return `undefined`
   * to fall back to the network address.
   * @defaultValue the (hashed) network address
   */
  resolveClient?: (request: Request) => string | undefined | Promise<string | undefined>;
  /**
   * Clock for the rate limiter of the default memory store, daily budgets and circuit breakers.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Where rate windows, concurrency leases, idempotency keys and (when it has a stream log)
   * resume buffers live; when given, also daily budgets and circuit-breaker state (unless
   * `budgetLedger` / `circuitBreaker.store` say otherwise). Give every instance behind one
   * endpoint the same shared store (`createRedisStateStore`, `REDIS_URL`) so that they behave
   * as one.
   * @defaultValue a memory store (one process)
   */
  stateStore?: StateStore;
  /**
   * How long a generation whose client disconnected without a stop keeps running, waiting for
   * a resume (DESIGN.md §4b); 0 aborts the provider request at once.
   * @defaultValue 20000
   */
  resumeGraceMs?: number;
  /**
   * How long an ended stream can still be resumed (its last events replayed).
   * @defaultValue 60000
   */
  streamRetentionMs?: number;
}

/** Information a server adapter has that a `Request` does not carry. */
export interface ChatRequestInfo {
  /** The socket's remote address (used, hashed, as the client identity). */
  remoteAddress?: string;
}

/**
 * A Web-standard request handler: runs in Node (through `createNodeHandler`), Deno, Bun and
 * Workers.
 */
export type ChatHandler = (request: Request, info?: ChatRequestInfo) => Promise<Response>;

/** Response header with the number of history messages left out to fit the context window. */
export { CONTEXT_TRIMMED_HEADER };

/** Header read for the client's retry count (the element sends it on automatic retries). */
export { RETRY_ATTEMPT_HEADER };

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Creates the gateway's request handler: `POST /api/chat` and `POST /v1/chat/completions`
 * (OpenAI Chat Completions, streaming or not), `GET /healthz`, and CORS preflights.
 *
 * The `200 text/event-stream` is committed only once the provider has answered successfully,
 * so every failure before that keeps a proper HTTP status and JSON envelope; failures after
 * it are sent in-band. A client disconnect aborts the provider call at once. Limits: body
 * size, message count and length, roles, `max_tokens` cap, model allowlist, per-client rate
 * and concurrency, and `Idempotency-Key` (a key whose generation is running gets 429
 * `idempotency_key_in_use` with `Retry-After: 1`; once it ended, the key may be used again).
 * One log line per chat request goes to `onLog`.
 *
 * @param options - Upstream, limits, CORS and logging.
 * @returns The handler.
 */
export function createChatHandler(options: ChatHandlerOptions = {}): ChatHandler {
  const store = options.stateStore ?? createMemoryStateStore({ now: options.now });
  // A shared store also carries budgets and circuit state, so instances agree on those too.
  const shared = options.stateStore !== undefined;
  const primary = options.upstream ?? createMockUpstream();
  const fallback = options.fallback ?? [];
  const upstream =
    fallback.length > 0 || (options.upstreamRetries ?? 0) > 0
      ? createFallbackUpstream({
          targets: [{ upstream: primary }, ...fallback],
          retries: options.upstreamRetries ?? 0,
          breaker: createCircuitBreaker({
            ...(options.now ? { now: options.now } : {}),
            ...(shared ? { store: createStoreBreakerStateStore(store) } : {}),
            ...options.circuitBreaker,
          }),
          deadlineMs: options.upstreamTimeoutMs ?? D.upstreamTimeoutMs,
          ...(options.now ? { now: options.now } : {}),
        })
      : primary;
  const defaultModel = options.defaultModel ?? upstream.defaultModel;
  const allowedModels = options.allowedModels ?? (upstream.provider === 'mock' ? ['*'] : defaultModel ? [defaultModel] : []);
  const limits = {
    maxMessages: options.maxMessages ?? D.maxMessages,
    maxMessageChars: options.maxMessageChars ?? D.maxMessageChars,
    maxTokens: options.maxTokens ?? D.maxTokens,
    defaultModel,
    allowedModels,
    passthroughFields: options.passthroughFields ?? DEFAULT_PASSTHROUGH_FIELDS,
    supportedFields: upstream.supportedFields,
    provider: upstream.provider,
  };
  const maxBodyBytes = options.maxBodyBytes ?? D.maxBodyBytes;
  const keepAliveMs = options.keepAliveMs ?? D.keepAliveMs;
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? D.upstreamTimeoutMs;
  const idleTimeoutMs = options.upstreamIdleTimeoutMs ?? D.upstreamIdleTimeoutMs;
  const onLog = options.onLog ?? writeJsonLog;
  const cors = createCorsPolicy(options.allowedOrigins ?? []);
  // The salt must be the same on every instance sharing the store, or the instances would
  // disagree about who a client is (limits, stream ownership).
  const salt = (): Promise<string> => (options.clientIdSalt !== undefined ? Promise.resolve(options.clientIdSalt) : store.sharedSecret());
  const rateRule = { limit: options.rateLimit ?? D.rateLimit, windowMs: 60_000 };
  const concurrency = createConcurrencyLimiter(store, options.maxConcurrent ?? D.maxConcurrent);
  const idempotency = createIdempotencyRegistry(store);
  const streams = new StreamRegistry({
    store,
    graceMs: options.resumeGraceMs ?? D.resumeGraceMs,
    retentionMs: options.streamRetentionMs ?? D.streamRetentionMs,
  });
  const resume = createResumeHandler({ registry: streams, keepAliveMs });
  const contextBudget = createContextBudget({
    ...(options.contextWindow ? { contextWindow: options.contextWindow } : {}),
    exactCount: options.exactTokenCount ?? false,
    extraModels: fallback.flatMap((target) => (target.model ? [target.model] : [])),
  });
  const prices = options.prices ?? DEFAULT_PRICES;
  const budget =
    (options.dailyBudgetUsd ?? 0) > 0
      ? createDailyBudget({
          limitUsd: options.dailyBudgetUsd ?? 0,
          ...(options.budgetLedger || shared ? { ledger: options.budgetLedger ?? createStoreBudgetLedger(store) } : {}),
          onWarning: options.onWarning ?? writeJsonLog,
          ...(options.now ? { now: options.now } : {}),
        })
      : undefined;

  return async function handleRequest(request: Request, info?: ChatRequestInfo): Promise<Response> {
    const requestId = `req_${crypto.randomUUID().replaceAll('-', '')}`;
    let path: string;
    try {
      path = new URL(request.url).pathname;
    } catch {
      return errorResponse(invalidRequest('Malformed request URL.'), requestId, {});
    }
    const isChat = CHAT_PATHS.includes(path);

    if (request.method === 'OPTIONS') {
      const decision = cors.preflight(request);
      if (!decision.allowed) return errorResponse(originRefused(request), requestId, {});
      return new Response(null, { status: 204, headers: { ...baseHeaders(requestId), ...decision.headers } });
    }

    const corsDecision = cors.check(request);
    if (!corsDecision.allowed) return errorResponse(originRefused(request), requestId, {});

    if (path === HEALTH_PATH && (request.method === 'GET' || request.method === 'HEAD')) {
      return jsonResponse({ status: 'ok', provider: upstream.provider }, 200, requestId, corsDecision.headers);
    }
    const streamRoute = isChat ? undefined : parseStreamRoute(path);
    if (streamRoute) return handleStreamRoute(request, info, requestId, streamRoute, corsDecision.headers);
    if (!isChat) {
      const notFound = new GatewayError({
        status: 404,
        type: 'invalid_request_error',
        code: 'not_found',
        message: `No route for ${request.method} ${path}. The chat endpoint is POST ${CHAT_PATHS.join(' or POST ')}.`,
      });
      return errorResponse(notFound, requestId, corsDecision.headers);
    }
    if (request.method !== 'POST') {
      const notAllowed = new GatewayError({
        status: 405,
        type: 'invalid_request_error',
        code: 'method_not_allowed',
        message: `Use POST for ${path}.`,
      });
      return errorResponse(notAllowed, requestId, { ...corsDecision.headers, Allow: 'POST, OPTIONS' });
    }
    return handleChat(request, info, requestId, path, corsDecision.headers);
  };

  /** The hashed client id: limits, budgets, logs, and who may resume or stop a stream. */
  async function identify(request: Request, info: ChatRequestInfo | undefined): Promise<string> {
    const appClient = options.resolveClient ? await options.resolveClient(request) : undefined;
    return resolveClientId(request, {
      trustProxy: options.trustProxy ?? false,
      remoteAddress: info?.remoteAddress,
      salt: await salt(),
      ...(appClient ? { key: `app:${appClient}` } : {}),
    });
  }

  /** Resume and stop (DESIGN.md §4b); they write no log line: a generation has one. */
  async function handleStreamRoute(
    request: Request,
    info: ChatRequestInfo | undefined,
    requestId: string,
    route: StreamRoute,
    corsHeaders: Record<string, string>,
  ): Promise<Response> {
    try {
      const result = await resume(request, route, await identify(request, info));
      if (result.type === 'stopped') return new Response(null, { status: 204, headers: { ...baseHeaders(requestId), ...corsHeaders } });
      return streamResponse(result.body, route.streamId, requestId, corsHeaders);
    } catch (error) {
      const failure = error instanceof GatewayError ? error : internalError();
      const allow: Record<string, string> = failure.status === 405 ? { Allow: `${route.action === 'stop' ? 'POST' : 'GET'}, OPTIONS` } : {};
      return errorResponse(failure, requestId, { ...corsHeaders, ...allow });
    }
  }

  async function handleChat(
    request: Request,
    info: ChatRequestInfo | undefined,
    requestId: string,
    path: string,
    corsHeaders: Record<string, string>,
  ): Promise<Response> {
    const startedAt = Date.now();
    const clientId = await identify(request, info);
    const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
    const streamId = createStreamId();
    const releases: (() => void)[] = [];
    const releaseAll = (): void => releases.splice(0).forEach((release) => release());
    let validated: ValidatedChatRequest | undefined;
    let upstreamRequestId: string | undefined;
    const attempts: UpstreamAttempt[] = [];
    let upstreamCalled = false;
    let contextTrimmed = 0;

    const log = (status: number, summary: Partial<StreamSummary> = {}): void => {
      const errorCode = summary.errorCode ?? null;
      const called = attempts.filter((attempt) => attempt.outcome !== 'skipped');
      const answered = attempts.find((attempt) => attempt.outcome === 'ok');
      const model = summary.model ?? answered?.model ?? validated?.upstream.model ?? null;
      // No answer, no charge; an answer without a usage report (the client left) has an unknown cost.
      let cost: number | null = status === 200 ? null : 0;
      if (model !== null && summary.promptTokens != null) {
        cost = costUsd(prices, model, {
          prompt: summary.promptTokens,
          completion: summary.completionTokens ?? 0,
          cached: summary.cachedTokens ?? 0,
          cacheWrite: summary.cacheWriteTokens ?? 0,
        });
      }
      if (budget && cost) budget.charge(clientId, cost).catch(() => {});
      const entry: GatewayLogEntry = {
        ts: new Date().toISOString(),
        level: status >= 500 ? 'error' : status >= 400 || errorCode ? 'warn' : 'info',
        msg: 'chat_request',
        request_id: requestId,
        upstream_request_id: upstreamRequestId ?? null,
        provider: answered?.provider ?? upstream.provider,
        model,
        path,
        status,
        stream: validated?.stream ?? false,
        prompt_tokens: summary.promptTokens ?? null,
        completion_tokens: summary.completionTokens ?? null,
        cached_tokens: summary.cachedTokens ?? null,
        cache_write_tokens: summary.cacheWriteTokens ?? null,
        cache_hit_rate:
          summary.promptTokens && summary.cachedTokens != null
            ? Math.round((summary.cachedTokens / summary.promptTokens) * 1000) / 1000
            : null,
        cost_usd: cost,
        ttft_ms: summary.firstTokenAt ? summary.firstTokenAt - startedAt : null,
        total_latency_ms: Date.now() - startedAt,
        finish_reason: summary.finishReason ?? null,
        error_code: errorCode,
        retries: retryCount(request.headers),
        client: clientId,
        idempotency_key: idempotencyKey !== undefined,
        client_aborted: summary.clientAborted ?? false,
        attempts: called.length > 0 ? called.length : upstreamCalled ? 1 : 0,
        fallback_used:
          answered && (answered.provider !== attempts[0]?.provider || answered.model !== attempts[0]?.model)
            ? `${answered.provider}:${answered.model}`
            : null,
        context_trimmed: contextTrimmed,
      };
      if (options.logContent) {
        if (validated) entry.messages = validated.upstream.messages;
        if (summary.output !== undefined) entry.output = summary.output;
      }
      try {
        onLog(entry);
      } catch {
        // A broken log sink must not break the chat.
      }
    };

    const upstreamAbort = new AbortController();
    const onClientAbort = (): void => upstreamAbort.abort(new Error('The client disconnected.'));

    try {
      const rate = await store.hit(`rate:${clientId}`, rateRule);
      if (!rate.allowed) {
        throw new GatewayError({
          status: 429,
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
          message: `Too many requests from this client. Retry in ${rate.retryAfterSeconds} s.`,
          retryAfterSeconds: rate.retryAfterSeconds,
        });
      }

      validated = validateChatRequest(await readJsonBody(request, maxBodyBytes), limits);
      await budget?.check(clientId);

      if (idempotencyKey !== undefined) {
        if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
          throw invalidRequest('Idempotency-Key must be 1 to 255 visible ASCII characters.', 'Idempotency-Key');
        }
        const scopedKey = `${clientId}:${idempotencyKey}`;
        const claim = await idempotency.claim(scopedKey, streamId);
        if (!claim) {
          // The first attempt's generation is still running. If nobody reads it any more (its
          // connection dropped), this retry gets it from the first event instead of paying twice.
          const holder = validated.stream ? await idempotency.holder(scopedKey) : undefined;
          const body = holder ? await streams.takeOver(holder, clientId, { signal: request.signal, keepAliveMs }) : undefined;
          if (body && holder) return streamResponse(body, holder, requestId, corsHeaders);
          throw new GatewayError({
            status: 429,
            type: 'rate_limit_error',
            code: 'idempotency_key_in_use',
            message: 'A generation for this Idempotency-Key is still running; retry in a moment.',
            retryAfterSeconds: 1,
          });
        }
        releases.push(() => void claim.release());
      }

      const slot = await concurrency.acquire(clientId);
      if (!slot) {
        throw new GatewayError({
          status: 429,
          type: 'rate_limit_error',
          code: 'concurrency_exceeded',
          message: 'Too many answers are being generated for this client at once. Retry when one finishes.',
          retryAfterSeconds: 1,
        });
      }
      releases.push(() => void slot.release());

      if (request.signal.aborted) onClientAbort();
      else request.signal.addEventListener('abort', onClientAbort, { once: true });
      releases.push(() => request.signal.removeEventListener('abort', onClientAbort));

      const upstreamContext: UpstreamContext = {
        requestId,
        signal: upstreamAbort.signal,
        headers: request.headers,
        idempotencyKey,
        clientId,
        onAttempt: (attempt) => attempts.push(attempt),
      };
      // Count before you send: trim old history to fit the window, or refuse without calling the provider.
      const fitted = await contextBudget.fit(validated.upstream, upstream, upstreamContext);
      if (fitted) {
        validated.upstream = fitted.request;
        contextTrimmed = fitted.dropped;
      }
      const trimmedHeaders: Record<string, string> = contextTrimmed > 0 ? { [CONTEXT_TRIMMED_HEADER]: String(contextTrimmed) } : {};

      const timeout = setTimeout(() => {
        upstreamAbort.abort(
          new GatewayError({
            status: 504,
            type: 'timeout_error',
            code: 'upstream_timeout',
            message: `The AI provider did not answer within ${Math.round(upstreamTimeoutMs / 1000)} s.`,
          }),
        );
      }, upstreamTimeoutMs);
      let result;
      try {
        upstreamCalled = true;
        result = await upstream.chat(validated.upstream, upstreamContext);
      } finally {
        clearTimeout(timeout);
      }

      if (result.type === 'response') {
        // A complete response (the mock's broken-response scenarios): pass it on as is.
        releaseAll();
        log(result.response.status);
        const headers = new Headers(result.response.headers);
        for (const [name, value] of Object.entries({ ...baseHeaders(requestId), ...corsHeaders })) headers.set(name, value);
        return new Response(result.response.body, { status: result.response.status, headers });
      }
      upstreamRequestId = result.upstreamRequestId;

      if (!validated.stream) {
        const { completion, summary } = await aggregateCompletion(result.events, {
          idleTimeoutMs,
          abortUpstream: (reason) => upstreamAbort.abort(reason),
          model: validated.upstream.model,
        });
        releaseAll();
        log(200, summary);
        return jsonResponse(completion, 200, requestId, { ...corsHeaders, ...trimmedHeaders });
      }

      // From here the generation lives independently of this connection (DESIGN.md §4b): a
      // disconnect no longer aborts the provider at once, the registry's grace period decides.
      request.signal.removeEventListener('abort', onClientAbort);
      const body = await streams.start(
        {
          streamId,
          owner: clientId,
          keepAlive: result.keepAlive ?? true,
          chat: {
            events: contextTrimmed > 0 ? withTrimNotice(result.events, contextTrimmed) : result.events,
            requestId,
            includeUsage: validated.includeUsage,
            idleTimeoutMs,
            abortUpstream: (reason) => upstreamAbort.abort(reason),
            collectOutput: options.logContent ?? false,
          },
          onEnd: (summary) => {
            releaseAll();
            log(200, summary);
          },
        },
        { signal: request.signal, keepAliveMs },
      );
      return streamResponse(body, streamId, requestId, { ...corsHeaders, ...trimmedHeaders });
    } catch (error) {
      releaseAll();
      if (request.signal.aborted) {
        // Nobody is listening any more; 499 is nginx's "client closed request", for the log.
        log(499, { clientAborted: true });
        return new Response(null, { status: 499, headers: baseHeaders(requestId) });
      }
      const failure = error instanceof GatewayError ? error : internalError();
      upstreamRequestId ??= failure.upstreamRequestId;
      log(failure.status, { errorCode: failure.code ?? failure.type });
      return errorResponse(failure, requestId, corsHeaders);
    }
  }
}

/**
 * Puts the SSE comment `: context-trimmed <n>` before the first event, so a client that only
 * reads the body (or cannot read the header cross-origin) learns that history was left out.
 */
async function* withTrimNotice(events: AsyncIterable<UpstreamEvent>, dropped: number): AsyncGenerator<UpstreamEvent> {
  yield { type: 'comment', text: `context-trimmed ${dropped}` };
  yield* events;
}

function internalError(): GatewayError {
  return new GatewayError({
    status: 500,
    type: 'server_error',
    code: 'internal_error',
    message: 'The gateway failed unexpectedly. Retry, and report the request id if it persists.',
  });
}

/** A `200 text/event-stream` of a resumable stream (DESIGN.md §4b). */
function streamResponse(
  body: ReadableStream<Uint8Array>,
  streamId: string,
  requestId: string,
  corsHeaders: Record<string, string>,
): Response {
  return new Response(body, {
    status: 200,
    headers: {
      ...baseHeaders(requestId),
      ...corsHeaders,
      'Content-Type': 'text/event-stream; charset=utf-8',
      [STREAM_ID_HEADER]: streamId,
    },
  });
}

/** Headers on every response (DESIGN.md §4). */
function baseHeaders(requestId: string): Record<string, string> {
  return {
    'X-Request-ID': requestId,
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  };
}

function jsonResponse(body: unknown, status: number, requestId: string, extra: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...baseHeaders(requestId), ...extra, 'Content-Type': 'application/json; charset=utf-8' },
  });
}

/**
 * The JSON error response. 429 and 503 always carry `Retry-After` (and `retry-after-ms`),
 * except a quota error, where waiting does not help; that one also says `x-should-retry:
 * false`, which the official OpenAI SDKs obey.
 */
function errorResponse(error: GatewayError, requestId: string, extra: Record<string, string>): Response {
  const waits = error.status === 429 || error.status === 503;
  const quota = error.code === 'insufficient_quota' || error.code === 'budget_exceeded';
  const retryAfter = error.retryAfterSeconds ?? (waits && !quota ? 1 : undefined);
  const envelope = error.toEnvelope(requestId);
  envelope.error.retry_after = retryAfter ?? null;
  const headers: Record<string, string> = { ...extra };
  if (retryAfter !== undefined) {
    headers['Retry-After'] = String(retryAfter);
    headers['retry-after-ms'] = String(retryAfter * 1000);
  }
  if (quota) headers['x-should-retry'] = 'false';
  return jsonResponse(envelope, error.status, requestId, headers);
}

function originRefused(request: Request): GatewayError {
  const origin = (request.headers.get('origin') ?? '').slice(0, 200);
  return new GatewayError({
    status: 403,
    type: 'permission_error',
    code: 'permission_denied',
    message: `Origin ${origin} is not allowed to use this endpoint. Add it to ALLOWED_ORIGINS on the server.`,
  });
}

/** Retries the client reports: `X-Retry-Attempt` (ours) or `X-Stainless-Retry-Count` (OpenAI SDKs). */
function retryCount(headers: Headers): number {
  const raw = headers.get(RETRY_ATTEMPT_HEADER) ?? headers.get('x-stainless-retry-count');
  const value = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 1000) : 0;
}
