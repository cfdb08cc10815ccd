import { createParser } from 'eventsource-parser';
import type { ChatEvent, ChatRequest, WireError } from '../core/types.js';
import { MalformedChunkError } from './protocol-adapter.js';
import type { ProtocolAdapter } from './protocol-adapter.js';
import { wireErrorFrom } from './openai-adapter.js';
import { isRecord } from '../wire/guards.js';
import { parseRetryAfterMs } from '../wire/retry-after.js';

/** What the transport learned from the response head. */
export interface ResponseInfo {
  status: number;
  headers: Headers;
  requestId?: string;
}

export interface StreamChatOptions {
  adapter: ProtocolAdapter;
  signal: AbortSignal;
  /** Custom fetch (credentials, tests). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch;
  /** Called once the response headers of a successful stream arrive (TTFB). */
  onResponse?: (info: ResponseInfo) => void;
  /** Called for every chunk of bytes, keep-alive comments included (the idle watchdog). */
  onActivity?: () => void;
  /** Source of time for HTTP-date `Retry-After` values. @defaultValue `Date.now` */
  now?: () => number;
  /**
   * Largest single SSE event, in characters, before the stream is treated as malformed.
   * Bounds the parser's buffers against a server that never sends a newline.
   * @defaultValue 4 MiB
   */
  maxEventSize?: number;
  /** Largest error body read to find an error envelope. @defaultValue 64 KiB */
  maxErrorBodySize?: number;
}

const DEFAULT_MAX_EVENT_SIZE = 4 * 1024 * 1024;
const DEFAULT_MAX_ERROR_BODY = 64 * 1024;

/**
 * POSTs a chat request and yields normalized events: fetch → status and content-type check →
 * streaming UTF-8 decode → SSE parse → protocol adapter (DESIGN.md §4).
 *
 * Failures are yielded as one final `error` event rather than thrown, so the caller sees
 * every event that arrived before them; the only exception is an abort through `signal`,
 * which rejects with the signal's reason. A stream that ends without `[DONE]` or a
 * `finish_reason` ends with an `error` whose cause is `eof`: it was interrupted, not complete.
 */
export async function* streamChat(request: ChatRequest, options: StreamChatOptions): AsyncGenerator<ChatEvent> {
  const { signal } = options;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  let response: Response;
  try {
    response = await doFetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: JSON.stringify(request.body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    yield { type: 'error', error: { cause: 'network', message: describe(error) } };
    return;
  }

  const headerRequestId = response.headers.get('x-request-id') ?? undefined;
  const contentType = response.headers.get('content-type') ?? '';
  const isSse = /^\s*text\/event-stream\b/i.test(contentType);

  // A JSON or HTML error body must never reach the SSE parser.
  if (!response.ok || !isSse || response.body === null || response.status === 204) {
    const envelope = await readErrorBody(response, options.maxErrorBodySize ?? DEFAULT_MAX_ERROR_BODY, signal);
    if (signal.aborted) throw signal.reason;
    const error = withHeaderRequestId({ ...envelope, status: response.status, cause: response.ok ? 'not_sse' : 'http' }, headerRequestId);
    const bodyRetryAfter = envelope.retryAfterMs === undefined ? undefined : envelope.retryAfterMs / 1000;
    const retryAfterMs = parseRetryAfterMs(response.headers, bodyRetryAfter, now());
    if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
    yield { type: 'error', error };
    return;
  }

  options.onResponse?.({ status: response.status, headers: response.headers, ...(headerRequestId ? { requestId: headerRequestId } : {}) });
  yield { type: 'meta', ...(headerRequestId ? { requestId: headerRequestId } : {}) };

  const decoder = options.adapter.createDecoder();
  const queue: ChatEvent[] = [];
  let failure: WireError | undefined;
  let terminal = false;
  let done = false;
  const withRequestId = (error: WireError) => withHeaderRequestId(error, headerRequestId);
  const parser = createParser({
    maxBufferSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
    onEvent(message) {
      if (failure) return;
      try {
        for (const event of decoder.decode(message)) {
          if (event.type === 'error') {
            failure = withRequestId(event.error);
            return;
          }
          if (event.type === 'finish') terminal = true;
          if (event.type === 'done') terminal = done = true;
          queue.push(event);
        }
      } catch (error) {
        // Policy for a chunk that is not valid JSON: end the stream with an error instead of
        // skipping it. The chunk may have carried text; skipping would leave a silent hole in
        // the answer. Everything before it is kept, and Retry/Continue are offered.
        failure = withRequestId({
          cause: 'malformed',
          message: error instanceof MalformedChunkError ? error.message : describe(error),
        });
      }
    },
    onError(error) {
      if (error.type === 'max-buffer-size-exceeded') {
        failure = withRequestId({ cause: 'malformed', message: 'The server sent an event larger than the client accepts.' });
      }
    },
  });

  // Bytes are decoded here rather than through a piped TextDecoderStream: when a pipe's
  // source errors, text already decoded but not yet read can be discarded, and a connection
  // reset must never cost the user the last words that did arrive.
  const reader = response.body.getReader();
  const utf8 = new TextDecoder('utf-8');
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        yield { type: 'error', error: withRequestId({ cause: 'network', message: describe(error) }) };
        return;
      }
      if (result.done) break;
      options.onActivity?.();
      parser.feed(utf8.decode(result.value, { stream: true }));
      yield* drain(queue, signal);
      if (failure) {
        yield { type: 'error', error: failure };
        return;
      }
      // After [DONE] nothing more is expected; stop reading even if the server keeps the
      // connection open.
      if (done) return;
    }
    // The stream ended. An event not followed by a blank line is incomplete and is dropped, as
    // the SSE spec says; what matters is whether a terminal event arrived.
    parser.feed(utf8.decode());
    for (const event of decoder.flush()) queue.push(event);
    yield* drain(queue, signal);
    if (failure) {
      yield { type: 'error', error: failure };
    } else if (!terminal) {
      yield { type: 'error', error: withRequestId({ cause: 'eof', message: 'The connection closed before the answer was complete.' }) };
    }
  } finally {
    // Cancelling releases the connection when we stop early ([DONE], an error, or an abort).
    reader.cancel().catch(() => undefined);
  }
}

function withHeaderRequestId(error: WireError, requestId: string | undefined): WireError {
  return error.requestId === undefined && requestId !== undefined ? { ...error, requestId } : error;
}

/** Yields queued events; once the caller aborted, not one more. */
function* drain(queue: ChatEvent[], signal: AbortSignal): Generator<ChatEvent> {
  while (queue.length > 0) {
    if (signal.aborted) throw signal.reason;
    yield queue.shift() as ChatEvent;
  }
}

/** Reads a non-stream body, bounded, and extracts an error envelope when it has one. */
async function readErrorBody(response: Response, limit: number, signal: AbortSignal): Promise<WireError> {
  let text = '';
  try {
    text = await readBounded(response, limit);
  } catch {
    if (signal.aborted) return {};
  }
  const contentType = response.headers.get('content-type') ?? '';
  if (text.trim() !== '' && !/html/i.test(contentType)) {
    try {
      const body: unknown = JSON.parse(text);
      if (isRecord(body) && 'error' in body) return wireErrorFrom(body);
      // A 2xx JSON answer that is a whole chat.completion is a protocol mismatch, not an error envelope.
      return {};
    } catch {
      // Not JSON: fall through.
    }
  }
  // Never keep an HTML or unknown body: it is not safe to show and not useful to parse.
  return text.trim() === '' ? {} : { unparsedBody: true };
}

async function readBounded(response: Response, limit: number): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const utf8 = new TextDecoder('utf-8');
  let text = '';
  try {
    while (text.length < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      text += utf8.decode(value, { stream: true });
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
  return text.slice(0, limit);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
