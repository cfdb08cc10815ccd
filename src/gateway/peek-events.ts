import { eventsOf, relaySourceOf } from './relay-source.js';
import type { RelayEvent, RelaySink, RelaySource } from './relay-source.js';
import type { UpstreamEvent } from './upstream.js';

/** The events read ahead by {@link peekEvents} and the whole stream, unchanged. */
export interface PeekedEvents {
  /** What was read ahead, in order (the last one is the one that satisfied `until`, if any). */
  head: RelayEvent[];
  /** True when the stream ended before `until` held. */
  ended: boolean;
  /** The full stream: `head` replayed, then the rest (still read by push when it was). */
  events: AsyncIterable<UpstreamEvent>;
}

/**
 * Reads an upstream's events ahead until `until` holds for one (or the stream ends), without
 * losing any: the returned `events` replays them. Upstreams use it to turn a failure that a
 * provider reports as the first event of a 200 stream (Gemini's blocked prompt, a Bedrock
 * throttling event, an error before any token) into a thrown error, which keeps the
 * "hold the 200" rule and lets the fallback chain try another target. A stream that fails
 * while being read ahead propagates the error to the caller, after closing the stream.
 *
 * It reads through the stream's push source (see `relaySourceOf`) and hands back one, so a
 * stream that is relayed without per-event promises stays so after a peek.
 *
 * @param source - The upstream's events.
 * @param until - Stop reading ahead at the first event for which this is true.
 * @returns The events read and the replaying stream.
 */
export function peekEvents(source: AsyncIterable<UpstreamEvent>, until: (event: RelayEvent) => boolean): Promise<PeekedEvents> {
  const upstream = relaySourceOf(source);
  const peek = new Peek(upstream);
  return new Promise<PeekedEvents>((resolve, reject) => {
    let peeking = true;
    const done = (ended: boolean): void => {
      peeking = false;
      resolve({ head: peek.held.slice(), ended, events: eventsOf(peek) });
    };
    upstream.start({
      push(event) {
        peek.push(event);
        if (peeking && until(event)) {
          upstream.pause();
          done(false);
        }
      },
      fail(error) {
        if (!peeking) return peek.fail(error);
        peeking = false;
        upstream.cancel();
        reject(error);
      },
      close() {
        peek.close();
        if (peeking) done(true);
      },
    });
  });
}

/**
 * The replaying source: holds what arrives until someone starts it (the events read ahead,
 * and any that were already on their way when the provider was paused), then forwards.
 */
class Peek implements RelaySource {
  readonly held: RelayEvent[] = [];
  private readonly upstream: RelaySource;
  private sink: RelaySink | undefined;
  private outcome: { type: 'failed'; error: unknown } | { type: 'closed' } | undefined;

  constructor(upstream: RelaySource) {
    this.upstream = upstream;
  }

  push(event: RelayEvent): void {
    if (this.sink) this.sink.push(event);
    else this.held.push(event);
  }

  fail(error: unknown): void {
    if (this.sink) this.sink.fail(error);
    else this.outcome = { type: 'failed', error };
  }

  close(): void {
    if (this.sink) this.sink.close();
    else this.outcome ??= { type: 'closed' };
  }

  start(sink: RelaySink): void {
    if (this.sink) throw new Error('A peeked stream can be read once.');
    for (const event of this.held.splice(0)) sink.push(event);
    this.sink = sink;
    if (this.outcome?.type === 'failed') sink.fail(this.outcome.error);
    else if (this.outcome) sink.close();
    else this.upstream.resume();
  }

  pause(): void {
    this.upstream.pause();
  }

  resume(): void {
    this.upstream.resume();
  }

  cancel(): void {
    this.upstream.cancel();
  }

  finish(): void {
    this.upstream.finish();
  }
}

/**
 * Whether an event is model output (or the end of the answer), i.e. the point after which
 * nothing may be retried or sent to another provider.
 *
 * @param event - An upstream event.
 * @returns True for a chunk with content, reasoning, refusal, tool calls or a finish reason, and for `done`, `error`, `raw`, `reset`.
 */
export function isFirstOutput(event: RelayEvent): boolean {
  if (event.type === 'keepalive' || event.type === 'comment') return false;
  if (event.type === 'serialized') return event.output;
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
