import type { BudgetLedger } from './budget-ledger.js';
import type { StateStore } from './state-store.js';

/** A day's spend is kept two days: the day itself, and a margin for clocks and time zones. */
const LEDGER_TTL_MS = 2 * 86_400_000;

/**
 * Creates a {@link BudgetLedger} on a {@link StateStore}: one counter per client and UTC day,
 * added to atomically ({@link StateStore.increment}), so a daily budget holds across every
 * gateway instance sharing the store (`REDIS_URL`). Counters expire by themselves.
 *
 * @param store - Where the counters live.
 * @returns The ledger.
 */
export function createStoreBudgetLedger(store: StateStore): BudgetLedger {
  const key = (client: string, day: string): string => `budget:${day}:${client}`;
  return {
    // Adding nothing reads the counter in the same atomic step that would create it.
    spent: (client, day) => store.increment(key(client, day), 0, LEDGER_TTL_MS),
    async add(client, day, usd) {
      const after = await store.increment(key(client, day), usd, LEDGER_TTL_MS);
      return { before: after - usd, after };
    },
  };
}
