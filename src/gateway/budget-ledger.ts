/** Spend of one client on one day, before and after an addition. */
export interface LedgerTotals {
  before: number;
  after: number;
}

/**
 * Where per-client daily spend lives. Each method is one atomic step on one key (client and
 * day), so an implementation over a shared store (Redis `INCRBYFLOAT` with an expiry) makes
 * the budget hold across several gateway instances. The in-memory one
 * ({@link createMemoryBudgetLedger}) serves a single process.
 */
export interface BudgetLedger {
  /** USD spent by `client` on `day` (a UTC date, `YYYY-MM-DD`). */
  spent(client: string, day: string): Promise<number>;
  /** Adds `usd` to the client's spend on `day` and returns the totals before and after. */
  add(client: string, day: string, usd: number): Promise<LedgerTotals>;
}

/**
 * Creates the in-memory {@link BudgetLedger}. Only the latest day is kept: an entry for a newer
 * day drops every older one, so memory stays bounded by the number of clients seen today.
 *
 * @returns The ledger.
 */
export function createMemoryBudgetLedger(): BudgetLedger {
  let currentDay = '';
  let spend = new Map<string, number>();
  const roll = (day: string): void => {
    if (day > currentDay) {
      currentDay = day;
      spend = new Map();
    }
  };
  return {
    async spent(client, day) {
      roll(day);
      return day === currentDay ? (spend.get(client) ?? 0) : 0;
    },
    async add(client, day, usd) {
      roll(day);
      if (day !== currentDay) return { before: 0, after: 0 };
      const before = spend.get(client) ?? 0;
      const after = before + usd;
      spend.set(client, after);
      return { before, after };
    },
  };
}
