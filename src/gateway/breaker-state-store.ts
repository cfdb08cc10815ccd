/** The shared state of one circuit (one fallback target). */
export interface BreakerState {
  /** Retryable failures in a row since the last success. */
  failures: number;
  /** When the circuit opened (ms since the epoch), or null while closed. */
  openedAt: number | null;
  /** When the current half-open probe started, or null when none is running. */
  probeStartedAt: number | null;
}

/**
 * Where circuit-breaker state lives. Every operation is one atomic step on one key, so an
 * implementation over a shared store (Redis: one small script per method) lets several gateway
 * instances agree that a provider is down. The in-memory one ({@link createMemoryBreakerStateStore})
 * serves a single process.
 */
export interface BreakerStateStore {
  /** The state of `key` (a closed, failure-free state when unknown). */
  read(key: string): Promise<BreakerState>;
  /**
   * Counts a failure. The circuit opens (or re-opens, after a failed probe) at `now` once
   * `failures` reaches `threshold`; the probe mark is cleared.
   */
  recordFailure(key: string, now: number, threshold: number): Promise<BreakerState>;
  /** A success closes the circuit and clears the count. */
  recordSuccess(key: string): Promise<void>;
  /**
   * Claims the single half-open probe: true when the circuit is open, its cool-down has passed,
   * and no other probe started within the last `coolDownMs` (a probe whose request vanished
   * without reporting is considered lost after that long).
   */
  claimProbe(key: string, now: number, coolDownMs: number): Promise<boolean>;
}

const CLOSED: BreakerState = { failures: 0, openedAt: null, probeStartedAt: null };

/**
 * Creates the in-memory {@link BreakerStateStore} for one gateway process.
 *
 * @returns The store.
 */
export function createMemoryBreakerStateStore(): BreakerStateStore {
  const states = new Map<string, BreakerState>();
  const get = (key: string): BreakerState => states.get(key) ?? { ...CLOSED };
  return {
    async read(key) {
      return { ...get(key) };
    },
    async recordFailure(key, now, threshold) {
      const state = get(key);
      const failures = state.failures + 1;
      const next: BreakerState = { failures, openedAt: failures >= threshold ? now : state.openedAt, probeStartedAt: null };
      states.set(key, next);
      return { ...next };
    },
    async recordSuccess(key) {
      states.delete(key);
    },
    async claimProbe(key, now, coolDownMs) {
      const state = get(key);
      if (state.openedAt === null || now - state.openedAt < coolDownMs) return false;
      if (state.probeStartedAt !== null && now - state.probeStartedAt < coolDownMs) return false;
      states.set(key, { ...state, probeStartedAt: now });
      return true;
    },
  };
}
