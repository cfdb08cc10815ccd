import type { RelayEvent } from './relay-source.js';
import type { SseTranslator } from './sse-relay-source.js';
import { isRecord } from '../wire/guards.js';

/** A translation of SSE events whose data is one JSON object each. */
export interface JsonEventTranslator {
  /** One event's parsed data (`name` is its `event:` field). */
  event(data: Record<string, unknown>, name: string | undefined, emit: (event: RelayEvent) => void): void;
  /** The body ended: emit what that means. */
  end(emit: (event: RelayEvent) => void): void;
}

/**
 * The reading loop shared by the providers that send one JSON object per SSE event
 * (Anthropic, Gemini): each event is parsed once; a line that is not JSON counts as liveness
 * (one garbled line must not cost the user the whole answer), and JSON that is not an object
 * is ignored.
 *
 * @param translator - The provider's translation of one parsed event.
 * @returns The SSE translator.
 */
export function jsonSseTranslator(translator: JsonEventTranslator): SseTranslator {
  return {
    event(raw, name, emit) {
      let data: unknown;
      try {
        data = JSON.parse(raw);
      } catch {
        emit({ type: 'keepalive' });
        return;
      }
      if (isRecord(data)) translator.event(data, name, emit);
    },
    end: (emit) => translator.end(emit),
  };
}
