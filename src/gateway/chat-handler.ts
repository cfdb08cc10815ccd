/**
 * The gateway's request handler and its route table: the chat endpoints, health, resume and
 * stop of a stream, CORS preflights, and proper 404/405 answers for everything else. Services
 * shared by every request (upstream with its fallbacks, stores, limiters, the stream registry)
 * are built once here; what one chat request does lives in `chat-route.ts`.
 */
import { CHAT_PATHS, HEALTH_PATH, parseStreamRoute } from '../wire/routes.js';
import type { StreamRoute } from '../wire/routes.js';
import type { ChatHandler, ChatHandlerOptions, ChatRequestInfo } from './chat-handler-options.js';
import { createChatRoute } from './chat-route.js';
import { resolveClientId } from './client-id.js';
import { createConcurrencyLimiter } from './concurrency-limiter.js';
import { createCircuitBreaker } from './circuit-breaker.js';
import { createContextBudget } from './context-budget.js';
import { createCorsPolicy } from './cors-policy.js';
import { createDailyBudget } from './daily-budget.js';
import { createFallbackUpstream } from './fallback-upstream.js';
import { GATEWAY_DEFAULTS as D } from './defaults.js';
import { GatewayError, invalidRequest } from './gateway-error.js';
import { baseHeaders, errorResponse, internalError, jsonResponse, streamResponse } from './http-response.js';
import { createIdempotencyRegistry } from './idempotency-registry.js';
import { writeJsonLog } from './log-entry.js';
import { createMemoryStateStore } from './memory-state-store.js';
import { createMockUpstream } from './mock-upstream.js';
import { DEFAULT_PRICES } from './price-table.js';
import { createResumeHandler } from './resume-handler.js';
import { StreamRegistry } from './stream-registry.js';
import { createStoreBreakerStateStore } from './store-breaker-state.js';
import { createStoreBudgetLedger } from './store-budget-ledger.js';
import { DEFAULT_PASSTHROUGH_FIELDS } from './validate-chat-request.js';
import { CONTEXT_TRIMMED_HEADER, RETRY_ATTEMPT_HEADER } from '../wire/headers.js';

/** Response header with the number of history messages left out to fit the context window. */
export { CONTEXT_TRIMMED_HEADER };

/** Header read for the client's retry count (the element sends it on automatic retries). */
export { RETRY_ATTEMPT_HEADER };

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
  const keepAliveMs = options.keepAliveMs ?? D.keepAliveMs;
  const cors = createCorsPolicy(options.allowedOrigins ?? []);
  // The salt must be the same on every instance sharing the store, or the instances would
  // disagree about who a client is (limits, stream ownership).
  const salt = (): Promise<string> => (options.clientIdSalt !== undefined ? Promise.resolve(options.clientIdSalt) : store.sharedSecret());
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
  const budget =
    (options.dailyBudgetUsd ?? 0) > 0
      ? createDailyBudget({
          limitUsd: options.dailyBudgetUsd ?? 0,
          ...(options.budgetLedger || shared ? { ledger: options.budgetLedger ?? createStoreBudgetLedger(store) } : {}),
          onWarning: options.onWarning ?? writeJsonLog,
          ...(options.now ? { now: options.now } : {}),
        })
      : undefined;

  const handleChat = createChatRoute({
    upstream,
    limits,
    maxBodyBytes: options.maxBodyBytes ?? D.maxBodyBytes,
    keepAliveMs,
    upstreamTimeoutMs: options.upstreamTimeoutMs ?? D.upstreamTimeoutMs,
    idleTimeoutMs: options.upstreamIdleTimeoutMs ?? D.upstreamIdleTimeoutMs,
    store,
    rateRule: { limit: options.rateLimit ?? D.rateLimit, windowMs: 60_000 },
    concurrency: createConcurrencyLimiter(store, options.maxConcurrent ?? D.maxConcurrent),
    idempotency: createIdempotencyRegistry(store),
    streams,
    contextBudget,
    budget,
    log: {
      prices: options.prices ?? DEFAULT_PRICES,
      budget,
      onLog: options.onLog ?? writeJsonLog,
      logContent: options.logContent ?? false,
      provider: upstream.provider,
    },
    identify,
  });

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
