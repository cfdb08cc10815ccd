/**
 * Awaits the next item of an iterator, but gives up after `timeoutMs` of silence. Used for
 * the upstream idle timeout: a provider that holds a connection open without sending
 * anything must not hold the gateway's resources forever.
 *
 * @param iterator - The upstream event iterator.
 * @param timeoutMs - Silence allowed; `Infinity` or 0 disables the timeout.
 * @param onTimeout - Called when the timeout wins (abort the upstream there); its return
 * value is the rejection reason.
 * @returns The iterator's next result.
 */
export function nextWithTimeout<T>(iterator: AsyncIterator<T>, timeoutMs: number, onTimeout: () => Error): Promise<IteratorResult<T>> {
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) return iterator.next();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), timeoutMs);
    iterator.next().then(
      (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
