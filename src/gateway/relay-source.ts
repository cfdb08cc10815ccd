import type { UpstreamEvent } from './upstream.js';

/**
 * A chunk an upstream already holds as JSON text in exactly the shape the gateway sends
 * (DESIGN.md §4): it is forwarded byte for byte, never parsed and re-serialized on the way.
 */
export interface SerializedChunkEvent {
  type: 'serialized';
  json: string;
  /** It carries content, reasoning, a refusal or tool calls (the log's time to first token). */
  output: boolean;
}

/** What a {@link RelaySource} pushes: an upstream event, or a chunk that passes through as text. */
export type RelayEvent = UpstreamEvent | SerializedChunkEvent;

/** Receives a {@link RelaySource}'s events, synchronously and in order. */
export interface RelaySink {
  push(event: RelayEvent): void;
  /** Reading failed (connection lost, a blown parse buffer); nothing follows. */
  fail(error: unknown): void;
  /** The events ended without a terminal event; nothing follows. */
  close(): void;
}

/**
 * An upstream's events pushed as the provider's bytes arrive: the relay's way of reading a
 * stream. Where an async iterator costs a promise and a microtask per event, a push costs a
 * function call, which matters at tens of thousands of events per second.
 */
export interface RelaySource {
  /** Starts reading (once); events go to `sink` until it fails, closes or is cancelled. */
  start(sink: RelaySink): void;
  /** Stops reading from the provider until {@link RelaySource.resume} (backpressure). */
  pause(): void;
  resume(): void;
  /** Stops for good and closes the provider connection; the sink hears nothing more. */
  cancel(): void;
  /**
   * The answer is complete (its terminal event was pushed): the sink hears nothing more, but
   * what is left of the body (often just the end of the chunked encoding) is still read, so
   * the connection goes back to the keep-alive pool instead of being torn down.
   */
  finish(): void;
}

const registered = new WeakMap<object, RelaySource>();

/**
 * The `events` of an upstream result that is read by push: iterating it works as usual (the
 * fallback chain and `stream: false` do), while the relay finds the source behind it with
 * {@link relaySourceOf} and skips the iterator. Use one or the other, once.
 *
 * @param source - The push source.
 * @returns An async iterable over the same events.
 */
export function eventsOf(source: RelaySource): AsyncIterable<UpstreamEvent> {
  const events: AsyncIterable<UpstreamEvent> = { [Symbol.asyncIterator]: () => iterate(source) };
  registered.set(events, source);
  return events;
}

/**
 * The push source behind `events`: the one given to {@link eventsOf}, or an adapter that pumps
 * the iterator (custom upstreams, the mock).
 *
 * @param events - An upstream result's events.
 * @returns A source for them.
 */
export function relaySourceOf(events: AsyncIterable<UpstreamEvent>): RelaySource {
  return registered.get(events) ?? pumpIterator(events);
}

function pumpIterator(events: AsyncIterable<UpstreamEvent>): RelaySource {
  const iterator = events[Symbol.asyncIterator]();
  let cancelled = false;
  let paused: { promise: Promise<void>; resolve: () => void } | undefined;
  const resume = (): void => {
    const waiting = paused;
    paused = undefined;
    waiting?.resolve();
  };
  const cancel = (): void => {
    cancelled = true;
    resume();
    iterator.return?.().catch(() => {});
  };
  return {
    start(sink) {
      void (async () => {
        try {
          for (;;) {
            if (paused) await paused.promise;
            const result = await iterator.next();
            if (cancelled) return;
            if (result.done) return sink.close();
            sink.push(result.value);
          }
        } catch (error) {
          if (!cancelled) sink.fail(error);
        }
      })();
    },
    pause() {
      if (paused) return;
      let resolve = (): void => {};
      const promise = new Promise<void>((done) => (resolve = done));
      paused = { promise, resolve };
    },
    resume,
    cancel,
    finish: cancel,
  };
}

/** The pull view of a push source: events queue up (bounded by pausing the source). */
function iterate(source: RelaySource): AsyncIterator<UpstreamEvent> {
  const queue: UpstreamEvent[] = [];
  let ended = false;
  let failure: { error: unknown } | undefined;
  let started = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const waiting = wake;
    wake = undefined;
    waiting?.();
  };
  const done = (): IteratorResult<UpstreamEvent> => ({ done: true, value: undefined });
  return {
    async next() {
      if (!started) {
        started = true;
        source.start({
          push(event) {
            queue.push(event.type === 'serialized' ? { type: 'chunk', chunk: JSON.parse(event.json) } : event);
            if (queue.length >= 64) source.pause();
            notify();
          },
          fail(error) {
            failure = { error };
            ended = true;
            notify();
          },
          close() {
            ended = true;
            notify();
          },
        });
      }
      for (;;) {
        const event = queue.shift();
        if (event) {
          if (queue.length === 32) source.resume();
          return { done: false, value: event };
        }
        if (failure) {
          const { error } = failure;
          failure = undefined;
          throw error;
        }
        if (ended) return done();
        source.resume();
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
    async return() {
      if (!ended) source.cancel();
      ended = true;
      queue.length = 0;
      notify();
      return done();
    },
  };
}
