/** Counts running generations per client. */
export interface ConcurrencyLimiter {
  /**
   * Takes a slot for `clientId`.
   * @returns A release function (safe to call more than once), or `undefined` when the
   * client already has its maximum running.
   */
  acquire(clientId: string): (() => void) | undefined;
  /** Generations currently running for `clientId`. */
  active(clientId: string): number;
}

/**
 * Creates a per-client concurrency limiter. A slot is held from the moment a generation is
 * started until its stream ends for any reason (finished, failed, client gone), which is why
 * release is idempotent: several of those paths may fire.
 *
 * @param max - Slots per client; 0 disables the limit.
 * @returns The limiter.
 */
export function createConcurrencyLimiter(max: number): ConcurrencyLimiter {
  const running = new Map<string, number>();
  return {
    acquire(clientId) {
      const count = running.get(clientId) ?? 0;
      if (max > 0 && count >= max) return undefined;
      running.set(clientId, count + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (running.get(clientId) ?? 1) - 1;
        if (left <= 0) running.delete(clientId);
        else running.set(clientId, left);
      };
    },
    active: (clientId) => running.get(clientId) ?? 0,
  };
}
