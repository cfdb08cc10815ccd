import { createParser } from 'eventsource-parser';
import type { EventSourceMessage } from 'eventsource-parser';
import type { ByteSource } from './byte-source.js';
import { connectionLost, GatewayError } from './gateway-error.js';
import type { RelayEvent, RelaySink, RelaySource } from './relay-source.js';

/** Turns one provider's SSE events into relay events (one translator per stream). */
export interface SseTranslator {
  /** One event (`name` is its `event:` field). Comments never get here: they are liveness. */
  event(data: string, name: string | undefined, emit: (event: RelayEvent) => void): void;
  /** The body ended: emit what that means (a finished answer, or one that ended early). */
  end(emit: (event: RelayEvent) => void): void;
}

/** Options of {@link createSseRelaySource}. */
export interface SseRelaySourceOptions {
  /** The call's signal: a read failure after it was aborted is reported as its reason. */
  signal: AbortSignal;
  /**
   * Largest partial line or event buffered, in characters; a provider that never sends a
   * newline must not grow memory without bound.
   * @defaultValue 1048576
   */
  maxBufferSize?: number;
  /**
   * How long the rest of a finished body may take to arrive before the connection is closed
   * instead of reused.
   * @defaultValue 2000
   */
  drainMs?: number;
}

/**
 * A provider's SSE body as a {@link RelaySource}: bytes are decoded (streaming UTF-8, so a
 * character split across reads comes out whole), split into events by eventsource-parser,
 * and handed to `translator` synchronously, all within the network read that brought them.
 * Comments are pushed as keep-alives. A read failure is pushed as the signal's reason when
 * the call was aborted, as itself when it is a {@link GatewayError}, and otherwise as
 * `connectionLost()`.
 *
 * @param body - The response body.
 * @param translator - The provider's translation.
 * @param options - Signal and bounds.
 * @returns The source.
 */
export function createSseRelaySource(body: ByteSource, translator: SseTranslator, options: SseRelaySourceOptions): RelaySource {
  let sink: RelaySink | undefined;
  // Nothing more is pushed once the answer is over: a terminal event, a failure, a stop.
  let over = false;
  // The body itself: still being read, read to its end, or closed by us.
  let bodyState: 'reading' | 'ended' | 'closed' = 'reading';
  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  const close = (): void => {
    if (bodyState !== 'reading') return;
    bodyState = 'closed';
    clearTimeout(drainTimer);
    body.cancel();
  };
  const emit = (event: RelayEvent): void => {
    if (over) return;
    if (event.type === 'done' || event.type === 'error' || event.type === 'reset') over = true;
    sink?.push(event);
  };
  const fail = (error: unknown): void => {
    if (over) return;
    over = true;
    close();
    const reported = options.signal.aborted ? options.signal.reason : error instanceof GatewayError ? error : connectionLost();
    sink?.fail(reported);
  };
  const parser = createParser({
    maxBufferSize: options.maxBufferSize ?? 1_048_576,
    onEvent: (message: EventSourceMessage) => {
      if (!over) translator.event(message.data, message.event, emit);
    },
    onComment: () => emit({ type: 'keepalive' }),
    onError: (error) => {
      // Unknown fields are harmless noise from some proxies; only a blown buffer is fatal.
      if (error.type === 'max-buffer-size-exceeded') fail(error);
    },
  });
  const decoder = new TextDecoder();

  return {
    start(target) {
      sink = target;
      body.start({
        data(chunk) {
          if (over) return;
          const text = decoder.decode(chunk, { stream: true });
          if (text) parser.feed(text);
        },
        end() {
          if (bodyState === 'reading') bodyState = 'ended';
          clearTimeout(drainTimer);
          if (over) return;
          const rest = decoder.decode();
          if (rest) parser.feed(rest);
          parser.reset({ consume: true });
          translator.end(emit);
          if (over) return;
          over = true;
          sink?.close();
        },
        error: (error) => {
          if (bodyState === 'reading') bodyState = 'ended';
          fail(error);
        },
      });
    },
    pause: () => body.pause(),
    resume: () => body.resume(),
    cancel() {
      over = true;
      close();
    },
    finish() {
      over = true;
      if (bodyState !== 'reading' || drainTimer) return;
      body.drain();
      drainTimer = setTimeout(close, options.drainMs ?? 2000);
      drainTimer.unref?.();
    },
  };
}
