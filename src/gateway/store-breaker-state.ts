import type { BreakerState, BreakerStateStore } from './breaker-state-store.js';
import type { StateStore } from './state-store.js';

/**
 * How long a circuit's state is kept without a change: far beyond any cool-down, so only
 * the state of targets nobody calls any more goes away.
 */
const STATE_TTL_MS = 86_400_000;
const CLOSED: BreakerState = { failures: 0, openedAt: null, probeStartedAt: null };

/**
 * Creates a {@link BreakerStateStore} on a {@link StateStore}, so that every gateway instance
 * sharing the store (`REDIS_URL`) agrees that a provider is down, and only one of them sends
 * the half-open probe. Each circuit is one small JSON value, changed by read, compute and
 * compare-and-swap ({@link StateStore.swapValue}), retried when another instance changed it
 * in between.
 *
 * @param store - Where the states live.
 * @returns The breaker state store.
 */
export function createStoreBreakerStateStore(store: StateStore): BreakerStateStore {
  const key = (name: string): string => `breaker:${name}`;
  const parse = (raw: string | undefined): BreakerState => {
    if (raw === undefined) return { ...CLOSED };
    try {
      return { ...CLOSED, ...(JSON.parse(raw) as Partial<BreakerState>) };
    } catch {
      return { ...CLOSED };
    }
  };

  /** Applies `change` atomically; `undefined` from `change` leaves the state as it is. */
  async function update(
    name: string,
    change: (state: BreakerState) => BreakerState | undefined,
  ): Promise<{ state: BreakerState; changed: boolean }> {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const raw = await store.getValue(key(name));
      const state = parse(raw);
      const next = change(state);
      if (next === undefined) return { state, changed: false };
      if (await store.swapValue(key(name), raw, JSON.stringify(next), STATE_TTL_MS)) return { state: next, changed: true };
    }
    // Twenty instances changed it in between: give up on this one update rather than spin.
    return { state: parse(await store.getValue(key(name))), changed: false };
  }

  return {
    async read(name) {
      return parse(await store.getValue(key(name)));
    },
    async recordFailure(name, now, threshold) {
      const { state } = await update(name, (current) => {
        const failures = current.failures + 1;
        return { failures, openedAt: failures >= threshold ? now : current.openedAt, probeStartedAt: null };
      });
      return state;
    },
    async recordSuccess(name) {
      for (let attempt = 0; attempt < 20; attempt += 1) {
        const raw = await store.getValue(key(name));
        if (raw === undefined || (await store.swapValue(key(name), raw, undefined, STATE_TTL_MS))) return;
      }
    },
    async claimProbe(name, now, coolDownMs) {
      const { changed } = await update(name, (current) => {
        if (current.openedAt === null || now - current.openedAt < coolDownMs) return undefined;
        if (current.probeStartedAt !== null && now - current.probeStartedAt < coolDownMs) return undefined;
        return { ...current, probeStartedAt: now };
      });
      return changed;
    },
  };
}
