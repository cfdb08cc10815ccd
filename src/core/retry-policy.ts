import type { ChatError } from './types.js';

export interface RetryPolicyOptions {
  /** Automatic retries after the first attempt. @defaultValue 2 */
  maxRetries?: number;
  /** Full-jitter base. @defaultValue 500 */
  baseMs?: number;
  /** Full-jitter cap. @defaultValue 8000 */
  capMs?: number;
  /** A server-requested wait longer than this is not waited out automatically. @defaultValue 60000 */
  maxWaitMs?: number;
  /** Uniform random in [0, 1). @defaultValue Math.random */
  random?: () => number;
}

export type RetryDecision =
  { retry: true; delayMs: number } | { retry: false; reason: 'not_retryable' | 'exhausted' | 'wait_too_long' | 'after_output' };

/**
 * Decides whether a failed attempt is retried automatically, and after how long
 * (DESIGN.md §5): only before the first token, only retryable kinds except `stalled`, at most
 * `maxRetries` times; the server's Retry-After when it gave one, else full jitter
 * `random(0, min(cap, base·2^attempt))`.
 */
export function createRetryPolicy(options: RetryPolicyOptions = {}) {
  const maxRetries = options.maxRetries ?? 2;
  const baseMs = options.baseMs ?? 500;
  const capMs = options.capMs ?? 8000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const random = options.random ?? Math.random;

  return {
    /**
     * @param error - The classified failure of the attempt.
     * @param retriesSoFar - Automatic retries already made for this request (0 after the first attempt).
     */
    decide(error: ChatError, retriesSoFar: number): RetryDecision {
      if (error.phase !== 'pre_stream') return { retry: false, reason: 'after_output' };
      // A stall already cost the user the full deadline; retrying silently would double it.
      if (!error.retryable || error.kind === 'stalled') return { retry: false, reason: 'not_retryable' };
      if (retriesSoFar >= maxRetries) return { retry: false, reason: 'exhausted' };
      if (error.retryAfterMs !== undefined) {
        if (error.retryAfterMs > maxWaitMs) return { retry: false, reason: 'wait_too_long' };
        return { retry: true, delayMs: error.retryAfterMs };
      }
      const ceiling = Math.min(capMs, baseMs * 2 ** retriesSoFar);
      return { retry: true, delayMs: Math.floor(random() * ceiling) };
    },
  };
}

export type RetryPolicy = ReturnType<typeof createRetryPolicy>;
