import type { UpstreamEvent } from './upstream.js';

/** The events read ahead by {@link peekEvents} and the whole stream, unchanged. */
export interface PeekedEvents {
  /** What was read ahead, in order (the last one is the one that satisfied `until`, if any). */
  head: UpstreamEvent[];
  /** True when the stream ended before `until` held. */
  ended: boolean;
  /** The full stream: `head` replayed, then the rest. */
  events: AsyncIterable<UpstreamEvent>;
}

/**
 * Reads an upstream's events ahead until `until` holds for one (or the stream ends), without
 * losing any: the returned `events` replays them. Upstreams use it to turn a failure that a
 * provider reports as the first event of a 200 stream (Gemini's blocked prompt, a Bedrock
 * throttling event, an error before any token) into a thrown error, which keeps the
 * "hold the 200" rule and lets the fallback chain try another target. An iterator that throws
 * while being read ahead propagates the error to the caller, after closing the iterator.
 *
 * @param source - The upstream's events.
 * @param until - Stop reading ahead at the first event for which this is true.
 * @returns The events read and the replaying stream.
 */
export async function peekEvents(source: AsyncIterable<UpstreamEvent>, until: (event: UpstreamEvent) => boolean): Promise<PeekedEvents> {
  const iterator = source[Symbol.asyncIterator]();
  const head: UpstreamEvent[] = [];
  let ended = false;
  try {
    for (;;) {
      const result = await iterator.next();
      if (result.done) {
        ended = true;
        break;
      }
      head.push(result.value);
      if (until(result.value)) break;
    }
  } catch (error) {
    await iterator.return?.().catch(() => {});
    throw error;
  }
  const replay = head.slice();
  const events: AsyncIterable<UpstreamEvent> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        const next = replay.shift();
        if (next) return { done: false, value: next };
        if (ended) return { done: true, value: undefined };
        return iterator.next();
      },
      return: async () => {
        replay.length = 0;
        await iterator.return?.();
        return { done: true, value: undefined };
      },
    }),
  };
  return { head, ended, events };
}

/**
 * Whether an event is model output (or the end of the answer), i.e. the point after which
 * nothing may be retried or sent to another provider.
 *
 * @param event - An upstream event.
 * @returns True for a chunk with content, reasoning, refusal, tool calls or a finish reason, and for `done`, `error`, `raw`, `reset`.
 */
export function isFirstOutput(event: UpstreamEvent): boolean {
  if (event.type === 'keepalive' || event.type === 'comment') return false;
  if (event.type !== 'chunk') return true;
  return event.chunk.choices.some((choice) => {
    const delta = choice.delta ?? {};
    return (
      Boolean(choice.finish_reason) ||
      (typeof delta.content === 'string' && delta.content !== '') ||
      (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') ||
      (typeof delta.refusal === 'string' && delta.refusal !== '') ||
      (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0)
    );
  });
}
