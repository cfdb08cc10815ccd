/**
 * `POST /api/chat` and `POST /v1/chat/completions`: one generation from admission to answer.
 * The checks run cheapest first and before any provider call (rate, body, budget,
 * Idempotency-Key, concurrency, context window), so a refused request costs nothing upstream.
 * The `200 text/event-stream` is committed only once the provider has answered successfully:
 * every failure before that keeps a proper HTTP status and JSON envelope, failures after it
 * are sent in-band by the stream. A streamed generation then belongs to the stream registry
 * (DESIGN.md §4b), not to the connection; a non-streamed one is aggregated here.
 */
import { aggregateCompletion } from './aggregate-completion.js';
import type { StreamSummary } from './chat-stream.js';
import type { ChatRequestInfo } from './chat-handler-options.js';
import { logChatRequest } from './chat-log.js';
import type { ChatLogFacts, ChatLogSink } from './chat-log.js';
import type { ConcurrencyLimiter } from './concurrency-limiter.js';
import type { ContextBudget } from './context-budget.js';
import type { DailyBudget } from './daily-budget.js';
import { GatewayError, invalidRequest } from './gateway-error.js';
import { baseHeaders, errorResponse, internalError, jsonResponse, streamResponse } from './http-response.js';
import type { IdempotencyRegistry } from './idempotency-registry.js';
import { readJsonBody } from './read-json-body.js';
import type { RateLimitRule, StateStore } from './state-store.js';
import { createStreamId } from './stream-id.js';
import type { StreamRegistry } from './stream-registry.js';
import type { Upstream, UpstreamContext } from './upstream.js';
import { validateChatRequest } from './validate-chat-request.js';
import type { ChatRequestLimits } from './validate-chat-request.js';
import { CONTEXT_TRIMMED_HEADER } from '../wire/headers.js';

/** What the chat route works with, set up once by `createChatHandler`. */
export interface ChatRouteServices {
  upstream: Upstream;
  limits: ChatRequestLimits;
  maxBodyBytes: number;
  keepAliveMs: number;
  upstreamTimeoutMs: number;
  idleTimeoutMs: number;
  store: StateStore;
  rateRule: RateLimitRule;
  concurrency: ConcurrencyLimiter;
  idempotency: IdempotencyRegistry;
  streams: StreamRegistry;
  contextBudget: ContextBudget;
  budget: DailyBudget | undefined;
  log: ChatLogSink;
  /** The hashed client id of a request. */
  identify(request: Request, info: ChatRequestInfo | undefined): Promise<string>;
}

/** Handles one chat request that the route table has already let through (CORS, method, path). */
export type ChatRoute = (
  request: Request,
  info: ChatRequestInfo | undefined,
  requestId: string,
  path: string,
  corsHeaders: Record<string, string>,
) => Promise<Response>;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Creates the chat route.
 *
 * @param services - Upstream, limits, stores, registry and log sink.
 * @returns The route.
 */
export function createChatRoute(services: ChatRouteServices): ChatRoute {
  const { upstream, store, idempotency, streams, keepAliveMs } = services;

  return async function handleChat(request, info, requestId, path, corsHeaders) {
    const startedAt = Date.now();
    const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
    const facts: ChatLogFacts = {
      requestId,
      path,
      startedAt,
      clientId: await services.identify(request, info),
      request,
      hasIdempotencyKey: idempotencyKey !== undefined,
      validated: undefined,
      upstreamRequestId: undefined,
      attempts: [],
      upstreamCalled: false,
      contextTrimmed: 0,
    };
    const { clientId } = facts;
    const log = (status: number, summary?: Partial<StreamSummary>): void => logChatRequest(services.log, facts, status, summary);
    const streamId = createStreamId();
    const releases: (() => void)[] = [];
    const releaseAll = (): void => releases.splice(0).forEach((release) => release());
    const upstreamAbort = new AbortController();
    const onClientAbort = (): void => upstreamAbort.abort(new Error('The client disconnected.'));

    try {
      const rate = await store.hit(`rate:${clientId}`, services.rateRule);
      if (!rate.allowed) {
        throw new GatewayError({
          status: 429,
          type: 'rate_limit_error',
          code: 'rate_limit_exceeded',
          message: `Too many requests from this client. Retry in ${rate.retryAfterSeconds} s.`,
          retryAfterSeconds: rate.retryAfterSeconds,
        });
      }

      const validated = validateChatRequest(await readJsonBody(request, services.maxBodyBytes), services.limits);
      facts.validated = validated;
      await services.budget?.check(clientId);

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

      const slot = await services.concurrency.acquire(clientId);
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
        onAttempt: (attempt) => facts.attempts.push(attempt),
      };
      // Count before you send: trim old history to fit the window, or refuse without calling the provider.
      const fitted = await services.contextBudget.fit(validated.upstream, upstream, upstreamContext);
      if (fitted) {
        validated.upstream = fitted.request;
        facts.contextTrimmed = fitted.dropped;
      }
      const trimmedHeaders: Record<string, string> =
        facts.contextTrimmed > 0 ? { [CONTEXT_TRIMMED_HEADER]: String(facts.contextTrimmed) } : {};

      const timeout = setTimeout(() => {
        upstreamAbort.abort(
          new GatewayError({
            status: 504,
            type: 'timeout_error',
            code: 'upstream_timeout',
            message: `The AI provider did not answer within ${Math.round(services.upstreamTimeoutMs / 1000)} s.`,
          }),
        );
      }, services.upstreamTimeoutMs);
      let result;
      try {
        facts.upstreamCalled = true;
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
      facts.upstreamRequestId = result.upstreamRequestId;
      const abortUpstream = (reason: unknown): void => upstreamAbort.abort(reason);

      if (!validated.stream) {
        const { completion, summary } = await aggregateCompletion(result.events, {
          idleTimeoutMs: services.idleTimeoutMs,
          abortUpstream,
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
            events: result.events,
            ...(facts.contextTrimmed > 0 ? { notice: `context-trimmed ${facts.contextTrimmed}` } : {}),
            requestId,
            includeUsage: validated.includeUsage,
            idleTimeoutMs: services.idleTimeoutMs,
            abortUpstream,
            collectOutput: services.log.logContent,
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
      facts.upstreamRequestId ??= failure.upstreamRequestId;
      log(failure.status, { errorCode: failure.code ?? failure.type });
      return errorResponse(failure, requestId, corsHeaders);
    }
  };
}
