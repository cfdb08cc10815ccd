/** How long a run of work may hold the main thread before it lets the browser render. */
export const DEFAULT_SLICE_MS = 8;

export interface TaskSlicer {
  /** Starts a slice (after waiting for something else, such as the network). */
  begin(): void;
  /** True once the current slice has used its time: the caller should `await next()`. */
  readonly expired: boolean;
  /** Ends the slice: resolves in a new task, after the browser had its chance to render. */
  next(): Promise<void>;
}

/**
 * Cuts a long run of synchronous-looking work (an async loop whose awaits all resolve at once,
 * as when one network chunk holds thousands of events) into tasks of about `sliceMs`, so no
 * long task blocks input or frames. Microtasks never let the browser render; only a new task
 * does, so `next()` resolves through a posted message. (Not `scheduler.yield()`: Chromium runs
 * its continuations ahead of rendering, so a chain of them never let a frame through.)
 *
 * @param sliceMs - time per slice @defaultValue {@link DEFAULT_SLICE_MS}
 */
export function createTaskSlicer(sliceMs = DEFAULT_SLICE_MS): TaskSlicer {
  let sliceStart = performance.now();
  return {
    begin() {
      sliceStart = performance.now();
    },
    get expired() {
      return performance.now() - sliceStart >= sliceMs;
    },
    async next() {
      await nextTask();
      sliceStart = performance.now();
    },
  };
}

function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
