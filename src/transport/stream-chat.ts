import type { ResponseMeta, ResumeCursor } from '../core/chat-transport.js';
import type { ChatEvent, ChatRequest, WireError } from '../core/types.js';
import { parseRetryAfterMs } from '../wire/retry-after.js';
import { createFrameParser } from './frame-parser.js';
import { MalformedChunkError } from './protocol-adapter.js';
import type { ProtocolAdapter, ProtocolDecoder } from './protocol-adapter.js';
import { createTaskSlicer } from './task-slicer.js';
import { CONTEXT_TRIMMED_HEADER, LAST_EVENT_ID_HEADER, STREAM_ID_HEADER } from '../wire/headers.js';
import { streamPath } from '../wire/routes.js';

export interface StreamChatOptions {
  adapter: ProtocolAdapter;
  signal: AbortSignal;
  /** Custom fetch (credentials, tests). @defaultValue `globalThis.fetch` */
  fetch?: typeof fetch | undefined;
  /** Called once the response head of a successful stream arrives (TTFB). */
  onResponse?: ((meta: ResponseMeta) => void) | undefined;
  /** Called for every chunk of bytes, keep-alive comments included (the idle watchdog). */
  onActivity?: (() => void) | undefined;
  /** Source of time for HTTP-date `Retry-After` values. @defaultValue `Date.now` */
  now?: () => number;
  /**
   * Largest single frame (an SSE event, an NDJSON line), in characters, before the stream is
   * treated as malformed. Bounds the parser's buffers against a server that never sends a
   * newline.
   * @defaultValue 4 MiB
   */
  maxEventSize?: number;
  /** Largest error body read to find an error envelope. @defaultValue 64 KiB */
  maxErrorBodySize?: number;
  /**
   * Called after the events of each numbered frame of a resumable stream (the response had
   * `X-Stream-ID`) have been yielded: what a reconnection would resume from (DESIGN.md §4b).
   */
  onCursor?: ((cursor: StreamCursor) => void) | undefined;
}

/** Where a resumable stream stands, with the decoder's state, so a resume continues it exactly. */
export interface StreamCursor extends ResumeCursor {
  readonly decoder?: ProtocolDecoder;
}

/** A cursor event in the queue: handed to `onCursor`, never yielded. */
interface CursorMark {
  type: 'cursor';
  cursor: StreamCursor;
}

const DEFAULT_MAX_EVENT_SIZE = 4 * 1024 * 1024;
/** Characters of one network chunk parsed at a time before its events are handed out. */
const FEED_SLICE = 16 * 1024;
const DEFAULT_MAX_ERROR_BODY = 64 * 1024;

/**
 * POSTs a chat request and yields normalized events: fetch → status and content-type check →
 * streaming UTF-8 decode → framing (SSE, NDJSON or text) → protocol adapter (DESIGN.md §4).
 *
 * Failures are yielded as one final `error` event rather than thrown, so the caller sees
 * every event that arrived before them; the only exception is an abort through `signal`,
 * which rejects with the signal's reason. A stream that ends without a terminal event
 * (`[DONE]`, a finish) ends with an `error` whose cause is `eof`: it was interrupted, not
 * complete.
 */
export async function* streamChat(request: ChatRequest, options: StreamChatOptions): AsyncGenerator<ChatEvent> {
  yield* readStream(
    () =>
      fetchWith(options)(request.url, {
        method: 'POST',
        headers: request.headers,
        body: JSON.stringify(request.body),
        signal: options.signal,
      }),
    options,
    undefined,
  );
}

/**
 * Reconnects to a resumable stream (DESIGN.md §4b): `GET <endpoint>/streams/<id>` with
 * `Last-Event-ID`, then yields what came after that event, decoded by the same decoder the
 * first connection used (a tool call cut in half is assembled whole), to the stream's end.
 * Failures are the last event, as in {@link streamChat}: a 404 means the stream is gone.
 */
export async function* resumeChat(request: ChatRequest, cursor: StreamCursor, options: StreamChatOptions): AsyncGenerator<ChatEvent> {
  const headers: Record<string, string> = { Accept: options.adapter.accept };
  // The page's own headers (a CSRF token, credentials) go along; the body's do not apply.
  for (const [name, value] of Object.entries(request.headers)) {
    if (!/^(content-type|idempotency-key|x-retry-attempt|accept)$/i.test(name)) headers[name] = value;
  }
  if (cursor.lastEventId !== undefined) headers[LAST_EVENT_ID_HEADER] = cursor.lastEventId;
  yield* readStream(
    () => fetchWith(options)(resumeUrl(request.url, cursor.streamId), { method: 'GET', headers, signal: options.signal }),
    options,
    cursor,
  );
}

/** Asks the server to stop a resumable stream's generation at once (Stop); never throws. */
export async function stopStream(request: ChatRequest, streamId: string, customFetch?: typeof fetch): Promise<void> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!/^(content-type|idempotency-key|x-retry-attempt|accept)$/i.test(name)) headers[name] = value;
  }
  try {
    await (customFetch ?? globalThis.fetch.bind(globalThis))(resumeUrl(request.url, streamId, 'stop'), {
      method: 'POST',
      headers,
      keepalive: true,
    });
  } catch {
    // The stream ends anyway: its grace period runs out without a reader.
  }
}

/** `<endpoint>/streams/<id>[/stop]`, keeping the endpoint's origin and query. */
function resumeUrl(endpoint: string, streamId: string, action: 'resume' | 'stop' = 'resume'): string {
  const base = typeof location === 'undefined' ? 'http://localhost/' : location.href;
  const url = new URL(endpoint, base);
  url.pathname = streamPath(url.pathname, streamId, action);
  // Relative in, relative out: the page's own origin stays implicit.
  return /^[a-z][a-z0-9+.-]*:/i.test(endpoint) ? url.href : `${url.pathname}${url.search}`;
}

function fetchWith(options: StreamChatOptions): typeof fetch {
  return options.fetch ?? globalThis.fetch.bind(globalThis);
}

/**
 * The pipeline after the request: status and content-type check, streaming UTF-8 decode,
 * framing, the protocol's decoder (a resumed stream keeps the first connection's), events.
 */
async function* readStream(
  open: () => Promise<Response>,
  options: StreamChatOptions,
  resumed: StreamCursor | undefined,
): AsyncGenerator<ChatEvent> {
  const { signal, adapter } = options;
  const now = options.now ?? Date.now;
  let response: Response;
  try {
    response = await open();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    yield { type: 'error', error: { cause: 'network', message: describe(error) } };
    return;
  }

  // Our gateway and OpenAI send `X-Request-ID`; Anthropic sends `request-id`.
  const headerRequestId = response.headers.get('x-request-id') ?? response.headers.get('request-id') ?? undefined;
  const contentType = response.headers.get('content-type') ?? '';

  // A JSON or HTML error body must never reach the stream decoder.
  if (!response.ok || !adapter.isStream(contentType) || response.body === null || response.status === 204) {
    const envelope = await readErrorBody(response, adapter, options.maxErrorBodySize ?? DEFAULT_MAX_ERROR_BODY, signal);
    if (signal.aborted) throw signal.reason;
    const error = withHeaderRequestId({ ...envelope, status: response.status, cause: response.ok ? 'not_sse' : 'http' }, headerRequestId);
    const bodyRetryAfter = envelope.retryAfterMs === undefined ? undefined : envelope.retryAfterMs / 1000;
    const retryAfterMs = parseRetryAfterMs(response.headers, bodyRetryAfter, now());
    if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
    yield { type: 'error', error };
    return;
  }

  options.onResponse?.({ status: response.status, headers: response.headers, ...(headerRequestId ? { requestId: headerRequestId } : {}) });
  const trimmed = Number.parseInt(response.headers.get(CONTEXT_TRIMMED_HEADER) ?? '', 10);
  yield {
    type: 'meta',
    ...(headerRequestId ? { requestId: headerRequestId } : {}),
    ...(trimmed > 0 ? { contextTrimmed: trimmed } : {}),
  };

  const decoder = resumed?.decoder ?? adapter.createDecoder();
  const streamId = response.headers.get(STREAM_ID_HEADER) ?? resumed?.streamId;
  const queue: Array<ChatEvent | CursorMark> = [];
  let failure: WireError | undefined;
  let terminal = false;
  let done = false;
  const withRequestId = (error: WireError) => withHeaderRequestId(error, headerRequestId);
  const accept = (events: ChatEvent[]) => {
    for (const event of events) {
      if (failure) return;
      if (event.type === 'error') {
        failure = withRequestId(event.error);
        return;
      }
      if (event.type === 'finish') terminal = true;
      if (event.type === 'done') terminal = done = true;
      queue.push(event);
    }
  };
  const frames = createFrameParser(adapter.framing, {
    maxFrameSize: options.maxEventSize ?? DEFAULT_MAX_EVENT_SIZE,
    onFrame(frame) {
      if (failure) return;
      try {
        accept(decoder.decode(frame));
        if (streamId && frame.id !== undefined && !failure)
          queue.push({ type: 'cursor', cursor: { streamId, lastEventId: frame.id, decoder } });
      } catch (error) {
        // Policy for a frame that cannot be parsed: end the stream with an error instead of
        // skipping it. The frame may have carried text; skipping would leave a silent hole in
        // the answer. Everything before it is kept, and Retry/Continue are offered.
        failure = withRequestId({
          cause: 'malformed',
          message: error instanceof MalformedChunkError ? error.message : describe(error),
        });
      }
    },
    onOversize() {
      failure ??= withRequestId({ cause: 'malformed', message: 'The server sent an event larger than the client accepts.' });
    },
  });
  // A resumable stream can be resumed from its start even before its first numbered frame.
  if (streamId && !resumed) options.onCursor?.({ streamId, lastEventId: undefined, decoder });

  // A declared length that is not reached is a cut, even when the connection closed cleanly
  // (only checkable when the bytes we count are the bytes that were declared).
  const declaredLength = response.headers.get('content-encoding') ? undefined : Number(response.headers.get('content-length') ?? NaN);
  let received = 0;

  // Bytes are decoded here rather than through a piped TextDecoderStream: when a pipe's
  // source errors, text already decoded but not yet read can be discarded, and a connection
  // reset must never cost the user the last words that did arrive.
  const reader = response.body.getReader();
  const utf8 = new TextDecoder('utf-8');
  // One chunk can hold a whole answer (a buffering proxy, a fast local model): its events are
  // handed out in slices of a few milliseconds, each slice a task of its own.
  const slicer = createTaskSlicer();
  try {
    for (;;) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        yield* drain(queue, signal, options);
        yield { type: 'error', error: withRequestId({ cause: 'network', message: describe(error) }) };
        return;
      }
      if (result.done) break;
      received += result.value.byteLength;
      slicer.begin();
      options.onActivity?.();
      // Parsing is sliced too: a chunk holding a whole answer holds thousands of events.
      const text = utf8.decode(result.value, { stream: true });
      for (let at = 0; at < text.length && !failure && !done; at += FEED_SLICE) {
        frames.feed(text.length <= FEED_SLICE ? text : text.slice(at, at + FEED_SLICE));
        for (const event of drain(queue, signal, options)) {
          yield event;
          if (slicer.expired) await slicer.next();
        }
      }
      if (failure) {
        yield { type: 'error', error: failure };
        return;
      }
      // After the end marker nothing more is expected; stop reading even if the server keeps
      // the connection open.
      if (done) return;
    }
    if (declaredLength !== undefined && Number.isFinite(declaredLength) && received < declaredLength) {
      yield* drain(queue, signal, options);
      yield { type: 'error', error: withRequestId({ cause: 'eof', message: 'The connection closed before the answer was complete.' }) };
      return;
    }
    // The body ended. An SSE event not followed by a blank line is incomplete and is dropped,
    // as the SSE spec says; what matters is whether a terminal event arrived.
    frames.feed(utf8.decode());
    frames.end();
    if (!failure) accept(decoder.flush());
    yield* drain(queue, signal, options);
    if (failure) {
      yield { type: 'error', error: failure };
    } else if (!terminal) {
      yield { type: 'error', error: withRequestId({ cause: 'eof', message: 'The connection closed before the answer was complete.' }) };
    }
  } finally {
    // Cancelling releases the connection when we stop early (an end marker, an error, an abort).
    reader.cancel().catch(() => undefined);
  }
}

function withHeaderRequestId(error: WireError, requestId: string | undefined): WireError {
  return error.requestId === undefined && requestId !== undefined ? { ...error, requestId } : error;
}

/** Yields queued events (and reports cursors once their frame's events are out); once the caller aborted, not one more. */
function* drain(queue: Array<ChatEvent | CursorMark>, signal: AbortSignal, options: StreamChatOptions): Generator<ChatEvent> {
  while (queue.length > 0) {
    if (signal.aborted) throw signal.reason;
    const next = queue.shift() as ChatEvent | CursorMark;
    if (next.type === 'cursor') options.onCursor?.(next.cursor);
    else yield next;
  }
}

/** Reads a non-stream body, bounded, and lets the protocol find an error in it. */
async function readErrorBody(response: Response, adapter: ProtocolAdapter, limit: number, signal: AbortSignal): Promise<WireError> {
  let text = '';
  try {
    text = await readBounded(response, limit);
  } catch {
    if (signal.aborted) return {};
  }
  const contentType = response.headers.get('content-type') ?? '';
  // Never keep an HTML body: it is not safe to show and not useful to parse.
  if (text.trim() === '') return {};
  if (/html/i.test(contentType)) return { unparsedBody: true };
  try {
    return adapter.decodeError(JSON.parse(text) as unknown);
  } catch {
    return { unparsedBody: true };
  }
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
