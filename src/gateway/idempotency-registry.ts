import type { Lease, StateStore } from './state-store.js';

/**
 * Tracks which `Idempotency-Key`s have a generation running, so that a retried request can
 * never start a second generation while the first is still going — on any instance sharing
 * the store.
 *
 * Policy (also in src/gateway/README.md): a key is "in use" from the moment its request
 * is accepted until its generation ends (a generation waiting for a resume has not ended).
 * A retry with a key in use is attached to that generation when nobody is reading it any
 * more (the first attempt's connection dropped): it gets the whole answer from the first
 * frame, and nothing is generated twice. When the first attempt still has its connection,
 * the retry is answered 429 `idempotency_key_in_use` with `Retry-After: 1` — 429 rather than
 * Stripe's 409, because the client contract (DESIGN.md §5) treats 409 as a non-retryable bad
 * request, while the right client action here is to wait a moment and retry: the earlier
 * attempt is usually one whose client already gave up, and the gateway notices that soon.
 * Once a generation has ended, the same key may start a new one: a client only reuses a key
 * when it did not receive the answer.
 */
export interface IdempotencyRegistry {
  /**
   * Marks `key` as running the stream `streamId`.
   * @returns A lease to release when the generation ends, or `undefined` when the key is in use.
   */
  claim(key: string, streamId: string): Promise<Lease | undefined>;
  /** The stream id of the generation holding `key`, if one is running. */
  holder(key: string): Promise<string | undefined>;
}

/**
 * Creates an {@link IdempotencyRegistry} on a {@link StateStore}: each key is a lease pool of
 * one, whose holder id is the stream id. Keys are scoped by the caller (the handler prefixes
 * the hashed client id, so one client cannot block another's key).
 *
 * @param store - Where the claims live.
 * @returns The registry.
 */
export function createIdempotencyRegistry(store: StateStore): IdempotencyRegistry {
  const pool = (key: string): string => `idempotency:${key}`;
  return {
    claim: (key, streamId) => store.acquire(pool(key), { max: 1, id: streamId }),
    holder: async (key) => (await store.holders(pool(key)))[0],
  };
}
