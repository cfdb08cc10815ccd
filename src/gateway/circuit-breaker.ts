import { createMemoryBreakerStateStore } from './breaker-state-store.js';
import type { BreakerStateStore } from './breaker-state-store.js';

/** Options of {@link createCircuitBreaker}. */
export interface CircuitBreakerOptions {
  /**
   * Retryable failures in a row that open a circuit.
   * @defaultValue 5
   */
  failureThreshold?: number;
  /**
   * How long an open circuit refuses calls before one half-open probe is let through.
   * @defaultValue 30000
   */
  coolDownMs?: number;
  /**
   * Where the state lives (shared across instances with a Redis-backed store).
   * @defaultValue an in-memory store
   */
  store?: BreakerStateStore;
  /** Clock. @defaultValue `Date.now` */
  now?: () => number;
}

/** The answer to "may I call this target now?". */
export type BreakerDecision = { allowed: true; probe: boolean } | { allowed: false; retryAfterMs: number };

/** Circuit state as reported for logs and tests. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Per-target circuit breakers: closed → open after N failures → one half-open probe after the cool-down. */
export interface CircuitBreaker {
  /** Whether `key` may be called now; a half-open circuit lets exactly one probe through. */
  acquire(key: string): Promise<BreakerDecision>;
  /** The call succeeded (or failed in a way that proves the provider is up): close. */
  success(key: string): Promise<void>;
  /** The call failed retryably (5xx, overload, rate limit, timeout, network). */
  failure(key: string): Promise<void>;
  state(key: string): Promise<CircuitState>;
}

/**
 * Creates circuit breakers keyed by target (`provider:model`), so that a provider that keeps
 * failing is skipped at once instead of being hammered, and is tried again by a single probe
 * after the cool-down: the probe's success closes the circuit, its failure re-opens it for
 * another cool-down. State goes through an async {@link BreakerStateStore}, so several gateway
 * instances can share it.
 *
 * @param options - Threshold, cool-down, store and clock.
 * @returns The breaker.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const threshold = Math.max(1, options.failureThreshold ?? 5);
  const coolDownMs = options.coolDownMs ?? 30_000;
  const store = options.store ?? createMemoryBreakerStateStore();
  const now = options.now ?? Date.now;

  return {
    async acquire(key) {
      const state = await store.read(key);
      if (state.openedAt === null) return { allowed: true, probe: false };
      const elapsed = now() - state.openedAt;
      if (elapsed < coolDownMs) return { allowed: false, retryAfterMs: coolDownMs - elapsed };
      if (await store.claimProbe(key, now(), coolDownMs)) return { allowed: true, probe: true };
      // Another request is probing; its answer decides within a cool-down at most.
      return { allowed: false, retryAfterMs: Math.min(coolDownMs, 1000) };
    },
    async success(key) {
      await store.recordSuccess(key);
    },
    async failure(key) {
      await store.recordFailure(key, now(), threshold);
    },
    async state(key) {
      const state = await store.read(key);
      if (state.openedAt === null) return 'closed';
      return now() - state.openedAt < coolDownMs ? 'open' : 'half-open';
    },
  };
}
