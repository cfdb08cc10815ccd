/**
 * Waits `ms` milliseconds, or until `signal` aborts (then rejects with the abort reason), so
 * that no paced or stalled stream outlives the request that started it. `Infinity` waits for
 * the abort only.
 *
 * @param ms - Delay; zero or less resolves on the next macrotask.
 * @param signal - Cancels the wait.
 * @returns A promise that settles after the delay or on abort.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      reject(signal?.reason);
    };
    if (Number.isFinite(ms)) {
      timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
