import type { Lease, StateStore } from './state-store.js';

/** Counts running generations per client. */
export interface ConcurrencyLimiter {
  /**
   * Takes a slot for `clientId`.
   * @returns A lease to release when the generation ends (safe to release more than once), or
   * `undefined` when the client already has its maximum running.
   */
  acquire(clientId: string): Promise<Lease | undefined>;
  /** Generations currently running for `clientId` (on every instance sharing the store). */
  active(clientId: string): Promise<number>;
}

const NO_LEASE: Lease = { id: 'unlimited', release: async () => {} };

/**
 * Creates a per-client concurrency limiter on a {@link StateStore} lease pool. A slot is held
 * from the moment a generation is started until it ends for any reason (finished, failed,
 * stopped, or its resume grace period expired): a generation that waits for a resume still
 * costs money, so it still counts. Release is idempotent because several of those paths may
 * fire. On a shared store the lease has a TTL kept alive by a heartbeat, so the slots of a
 * crashed instance come back by themselves.
 *
 * @param store - Where the leases live.
 * @param max - Slots per client; 0 disables the limit (and touches no store).
 * @returns The limiter.
 */
export function createConcurrencyLimiter(store: StateStore, max: number): ConcurrencyLimiter {
  const pool = (clientId: string): string => `concurrency:${clientId}`;
  return {
    async acquire(clientId) {
      if (max <= 0) return NO_LEASE;
      return store.acquire(pool(clientId), { max });
    },
    async active(clientId) {
      return (await store.holders(pool(clientId))).length;
    },
  };
}
