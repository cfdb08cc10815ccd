import { createMemoryBudgetLedger } from './budget-ledger.js';
import type { BudgetLedger } from './budget-ledger.js';
import { GatewayError } from './gateway-error.js';

/** Options of {@link createDailyBudget}. */
export interface DailyBudgetOptions {
  /** USD each client may spend per UTC day. */
  limitUsd: number;
  /**
   * Where spend is kept.
   * @defaultValue an in-memory ledger
   */
  ledger?: BudgetLedger;
  /**
   * Fraction of the budget at which the warning line is written (once per client and day).
   * @defaultValue 0.8
   */
  warnAt?: number;
  /** Receives the warning line. */
  onWarning?: (entry: BudgetWarningEntry) => void;
  /** Clock. @defaultValue `Date.now` */
  now?: () => number;
}

/** The log line written when a client's spend crosses `warnAt` of its daily budget. */
export interface BudgetWarningEntry {
  ts: string;
  level: 'warn';
  msg: 'budget_warning';
  /** The hashed client id. */
  client: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  spent_usd: number;
  budget_usd: number;
  /** Spend as a percentage of the budget, rounded. */
  percent: number;
}

/** Per-client daily spending caps. */
export interface DailyBudget {
  /** Refuses a client whose budget for today is used up: 429 `budget_exceeded` with the wait until the reset. */
  check(client: string): Promise<void>;
  /** Adds an answer's cost; writes the warning line when this crosses `warnAt`. */
  charge(client: string, usd: number): Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Creates per-client daily budgets (the seeds' "per-tenant cost caps with alerts at 80 %"). A
 * request is checked before the provider is called and charged when its answer ends, from the
 * usage the provider reported; so a client can overshoot by what its concurrent streams cost
 * (bounded by `LLM_MAX_CONCURRENT` × the cost of one `max_tokens` answer). Budgets reset at
 * 00:00 UTC; a refused client is told to retry then (`retry_after` in seconds). The ledger is an
 * async interface so a shared store can replace the in-memory one.
 *
 * @param options - Limit, ledger, warning threshold and sink, clock.
 * @returns The budget.
 */
export function createDailyBudget(options: DailyBudgetOptions): DailyBudget {
  const ledger = options.ledger ?? createMemoryBudgetLedger();
  const warnAt = options.warnAt ?? 0.8;
  const now = options.now ?? Date.now;
  const dayOf = (time: number): string => new Date(time).toISOString().slice(0, 10);

  return {
    async check(client) {
      const time = now();
      const spent = await ledger.spent(client, dayOf(time));
      if (spent < options.limitUsd) return;
      const secondsToReset = Math.max(1, Math.ceil((DAY_MS - (time % DAY_MS)) / 1000));
      throw new GatewayError({
        status: 429,
        type: 'insufficient_quota',
        code: 'budget_exceeded',
        message: `The daily spending budget for this client is used up; it resets at 00:00 UTC (in ${formatWait(secondsToReset)}).`,
        retryAfterSeconds: secondsToReset,
      });
    },
    async charge(client, usd) {
      if (!(usd > 0)) return;
      const time = now();
      const day = dayOf(time);
      const { before, after } = await ledger.add(client, day, usd);
      const threshold = options.limitUsd * warnAt;
      if (before < threshold && after >= threshold) {
        options.onWarning?.({
          ts: new Date(time).toISOString(),
          level: 'warn',
          msg: 'budget_warning',
          client,
          day,
          spent_usd: Math.round(after * 1e6) / 1e6,
          budget_usd: options.limitUsd,
          percent: Math.round((after / options.limitUsd) * 100),
        });
      }
    },
  };
}

function formatWait(seconds: number): string {
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.ceil((seconds % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}
