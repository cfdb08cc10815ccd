/**
 * Tracks which `Idempotency-Key`s have a generation running, so that a retried request can
 * never start a second generation while the first is still going.
 *
 * Policy (also in src/gateway/README.md): a key is "in use" from the moment its request
 * is accepted until its generation ends. A request with a key in use is answered 429
 * `idempotency_key_in_use` with `Retry-After: 1` — 429 rather than Stripe's 409, because the
 * client contract (DESIGN.md §5) treats 409 as a non-retryable bad request, while the right
 * client action here is to wait a moment and retry: the earlier attempt is usually one whose
 * client already gave up, and it is aborted as soon as the gateway notices the disconnect.
 * Once a generation has ended, the same key may start a new one: a streamed answer cannot be
 * replayed, and a client only reuses a key when it did not receive the answer.
 */
export interface IdempotencyRegistry {
  /**
   * Marks `key` as running.
   * @returns A release function (idempotent), or `undefined` when the key is already in use.
   */
  claim(key: string): (() => void) | undefined;
  /** Whether `key` has a generation running. */
  inUse(key: string): boolean;
}

/**
 * Creates an {@link IdempotencyRegistry}. Keys are scoped by the caller (the handler
 * prefixes the hashed client id, so one client cannot block another's key).
 *
 * @returns The registry.
 */
export function createIdempotencyRegistry(): IdempotencyRegistry {
  const running = new Set<string>();
  return {
    claim(key) {
      if (running.has(key)) return undefined;
      running.add(key);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        running.delete(key);
      };
    },
    inUse: (key) => running.has(key),
  };
}
