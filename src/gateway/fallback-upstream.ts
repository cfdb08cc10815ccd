import { createCircuitBreaker } from './circuit-breaker.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import { GatewayError } from './gateway-error.js';
import { isFirstOutput, peekEvents } from './peek-events.js';
import { sleep as realSleep } from './sleep.js';
import type { Upstream, UpstreamContext, UpstreamRequest, UpstreamResult } from './upstream.js';
import { matchErrorRule, RETRYABLE_KINDS } from '../wire/error-rules.js';
import { toRetryAfterSeconds } from '../wire/retry-after.js';

/** One target of a fallback chain. */
export interface FallbackTarget {
  upstream: Upstream;
  /** The model to ask this target for; absent for the first target, which serves the requested model. */
  model?: string;
}

/** Options of {@link createFallbackUpstream}. */
export interface FallbackUpstreamOptions {
  /** Tried in order; the first is the primary. */
  targets: readonly FallbackTarget[];
  /**
   * Extra attempts on the same target after a retryable failure, before moving on.
   * @defaultValue 0
   */
  retries?: number;
  /** Full-jitter base. @defaultValue 500 */
  retryBaseMs?: number;
  /** Full-jitter cap. @defaultValue 8000 */
  retryCapMs?: number;
  /**
   * Time from the start of a request within which every attempt and wait must fit (the
   * first-token deadline); a wait that would end later is not taken.
   * @defaultValue 120000
   */
  deadlineMs?: number;
  /** @defaultValue a breaker with its defaults (5 failures, 30 s cool-down, in memory) */
  breaker?: CircuitBreaker;
  /** Injected for tests. @defaultValue the real `sleep` */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injected for tests. @defaultValue `Math.random` */
  random?: () => number;
  /** Clock. @defaultValue `Date.now` */
  now?: () => number;
}

/**
 * The most provider calls one gateway request can cause: every target once plus its retries.
 *
 * @param targets - Number of targets in the chain.
 * @param retries - Retries per target.
 * @returns `targets × (1 + retries)`.
 */
export function maxProviderCalls(targets: number, retries: number): number {
  return targets * (1 + retries);
}

/**
 * Creates an upstream that tries a chain of targets before the first token. The gateway holds
 * the 200 until a target has produced its first output (text, reasoning, a tool call or a
 * finish), so a retryable failure before that — 429 other than quota, overload, 5xx, timeout,
 * a lost connection, or an in-band error that arrives before any output — can be retried on the
 * same target (`retries`, full jitter, the provider's Retry-After honoured, all within
 * `deadlineMs`) and then handed to the next target. Nothing is retried or re-sent once output
 * has started. A non-retryable failure (bad request, auth, quota, content filter) is answered
 * at once: another provider would not fix the request.
 *
 * Each target has a circuit breaker (`provider:model`): an open circuit is skipped without a
 * call; when every target is skipped the answer is 503 `upstream_overloaded` with the shortest
 * remaining cool-down as Retry-After. Every call is reported through `context.onAttempt`.
 * One request makes at most {@link maxProviderCalls} provider calls.
 *
 * @param options - Targets, retry bound, breaker, injected time.
 * @returns The chain as one upstream.
 */
export function createFallbackUpstream(options: FallbackUpstreamOptions): Upstream {
  const [primary] = options.targets;
  if (!primary) throw new Error('createFallbackUpstream needs at least one target.');
  const retries = Math.max(0, options.retries ?? 0);
  const baseMs = options.retryBaseMs ?? 500;
  const capMs = options.retryCapMs ?? 8000;
  const deadlineMs = options.deadlineMs ?? 120_000;
  const breaker = options.breaker ?? createCircuitBreaker();
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const supported = options.targets.map((target) => target.upstream.supportedFields);
  const supportedFields = supported.every((fields) => fields === undefined)
    ? undefined
    : supported.reduce<readonly string[] | undefined>(
        (common, fields) =>
          fields === undefined ? common : common === undefined ? fields : common.filter((field) => fields.includes(field)),
        undefined,
      );

  async function attempt(target: FallbackTarget, request: UpstreamRequest, context: UpstreamContext): Promise<UpstreamResult> {
    const result = await target.upstream.chat(request, context);
    if (result.type !== 'stream') return result;
    const peeked = await peekEvents(result.events, isFirstOutput);
    const first = peeked.head.at(-1);
    if (first?.type === 'error') {
      await peeked.events[Symbol.asyncIterator]().return?.();
      throw GatewayError.fromPayload(first.error);
    }
    return { ...result, events: peeked.events };
  }

  return {
    provider: primary.upstream.provider,
    defaultModel: primary.upstream.defaultModel,
    ...(supportedFields ? { supportedFields } : {}),
    ...(primary.upstream.countTokens ? { countTokens: primary.upstream.countTokens.bind(primary.upstream) } : {}),
    async chat(request, context) {
      const startedAt = now();
      let lastError: GatewayError | undefined;
      let shortestWaitMs: number | undefined;
      for (const target of options.targets) {
        const model = target.model ?? request.model;
        const key = `${target.upstream.provider}:${model}`;
        const targetRequest = target === primary ? request : { ...request, model };
        for (let attemptIndex = 0; attemptIndex <= retries; attemptIndex++) {
          const decision = await breaker.acquire(key);
          if (!decision.allowed) {
            shortestWaitMs = Math.min(shortestWaitMs ?? Infinity, decision.retryAfterMs);
            context.onAttempt?.({ provider: target.upstream.provider, model, outcome: 'skipped' });
            break;
          }
          try {
            const result = await attempt(target, targetRequest, context);
            await breaker.success(key);
            context.onAttempt?.({ provider: target.upstream.provider, model, outcome: 'ok' });
            return result;
          } catch (error) {
            if (context.signal.aborted) throw context.signal.reason;
            const failure =
              error instanceof GatewayError
                ? error
                : new GatewayError({ status: 502, type: 'server_error', code: 'upstream_error', message: 'The AI provider failed.' });
            context.onAttempt?.({ provider: target.upstream.provider, model, outcome: 'failed', errorCode: failure.code ?? failure.type });
            const retryable = RETRYABLE_KINDS.has(
              matchErrorRule({ status: failure.status, type: failure.type, code: failure.code ?? undefined }).kind,
            );
            if (!retryable) {
              // The provider answered, so it is up; the request itself is the problem.
              await breaker.success(key);
              throw failure;
            }
            await breaker.failure(key);
            lastError = failure;
            if (attemptIndex === retries) break;
            const waitMs =
              failure.retryAfterSeconds !== undefined
                ? failure.retryAfterSeconds * 1000
                : random() * Math.min(capMs, baseMs * 2 ** attemptIndex);
            if (now() - startedAt + waitMs >= deadlineMs) break;
            await sleep(waitMs, context.signal);
          }
        }
      }
      if (lastError) throw lastError;
      throw new GatewayError({
        status: 503,
        type: 'overloaded_error',
        code: 'upstream_overloaded',
        message: 'Every configured AI provider is failing right now; the gateway is giving them a moment to recover.',
        retryAfterSeconds: toRetryAfterSeconds(shortestWaitMs ?? 1000),
      });
    },
  };
}
