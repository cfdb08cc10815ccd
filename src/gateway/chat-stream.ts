import { GatewayError } from './gateway-error.js';
import { nextWithTimeout } from './next-with-timeout.js';
import type { UpstreamErrorPayload, UpstreamEvent } from './upstream.js';
import type { ChatCompletionChunk, ErrorEnvelope } from './wire-types.js';

/** What a finished stream reports for the log line. */
export interface StreamSummary {
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number | null;
  /** Prompt tokens written to the provider's cache (`prompt_tokens_details.cache_write_tokens`). */
  cacheWriteTokens: number | null;
  /** `Date.now()` when the first content, reasoning, refusal or tool-call delta was written. */
  firstTokenAt: number | null;
  /** Code (else type) of an in-band error, if the stream ended with one. */
  errorCode: string | null;
  /** The client went away before the stream ended. */
  clientAborted: boolean;
  /** The streamed answer text, collected only when asked for (`logContent`). */
  output: string;
  /** The model the upstream reported in its chunks. */
  model: string | null;
}

/** Options of {@link createChatStream}. */
export interface ChatStreamOptions {
  /** The upstream's events. */
  events: AsyncIterable<UpstreamEvent>;
  /** Echoed in in-band error envelopes. */
  requestId: string;
  /** Forward the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Send `: ping` comments when nothing was written for `keepAliveMs`. */
  keepAlive: boolean;
  keepAliveMs: number;
  /** Upstream silence allowed before the stream is ended with an in-band `upstream_timeout`. */
  idleTimeoutMs: number;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** Aborts the upstream call (fetch, timers). */
  abortUpstream: (reason: unknown) => void;
  /** Collect the answer text for the log. */
  collectOutput: boolean;
  /** Called exactly once, when the stream ends for any reason. */
  onEnd: (summary: StreamSummary) => void;
}

const encoder = new TextEncoder();

/** A summary before anything has streamed; filled in as events pass. */
export function emptyStreamSummary(): StreamSummary {
  return {
    finishReason: null,
    promptTokens: null,
    completionTokens: null,
    cachedTokens: null,
    cacheWriteTokens: null,
    firstTokenAt: null,
    errorCode: null,
    clientAborted: false,
    output: '',
    model: null,
  };
}

/**
 * Turns an upstream's events into the SSE body of a `200 text/event-stream` response
 * (DESIGN.md §4): `data: {chunk}` lines, `data: [DONE]`, in-band `data: {"error": ...}` then
 * close, and `: ping` keep-alives whenever nothing was written for `keepAliveMs`.
 *
 * The stream is pull-driven, so the upstream is read only as fast as the client reads
 * (backpressure reaches the provider). A client disconnect (`signal`, or the body being
 * cancelled) aborts the upstream at once. A `reset` event errors the stream, which the Node
 * adapter turns into a real connection reset.
 *
 * @param options - Events, policy and callbacks.
 * @returns The response body.
 */
export function createChatStream(options: ChatStreamOptions): ReadableStream<Uint8Array> {
  const iterator = options.events[Symbol.asyncIterator]();
  const summary = emptyStreamSummary();
  let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  let ended = false;
  let keepAliveTimer: ReturnType<typeof setTimeout> | undefined;

  const onClientAbort = (): void => {
    summary.clientAborted = true;
    close();
  };

  function end(): void {
    if (ended) return;
    ended = true;
    clearTimeout(keepAliveTimer);
    options.signal.removeEventListener('abort', onClientAbort);
    // Stop the provider (a no-op when it already finished) so nothing keeps generating,
    // then let the iterator run its cleanup.
    options.abortUpstream(new Error('stream ended'));
    iterator.return?.().catch(() => {});
    options.onEnd(summary);
  }

  function armKeepAlive(): void {
    if (!options.keepAlive || ended) return;
    clearTimeout(keepAliveTimer);
    keepAliveTimer = setTimeout(() => {
      if (ended) return;
      enqueue(': ping\n\n');
    }, options.keepAliveMs);
  }

  function enqueue(text: string): void {
    try {
      controller?.enqueue(encoder.encode(text));
    } catch {
      // The consumer is gone; `cancel` or the abort signal ends the stream.
    }
    armKeepAlive();
  }

  function close(): void {
    try {
      controller?.close();
    } catch {
      // Already closed or cancelled.
    }
    end();
  }

  function writeError(error: UpstreamErrorPayload): void {
    summary.errorCode = error.code ?? error.type;
    const envelope: ErrorEnvelope = {
      error: {
        message: error.message,
        type: error.type,
        code: error.code,
        param: null,
        request_id: options.requestId,
        retry_after: error.retryAfterSeconds ?? null,
      },
    };
    enqueue(`data: ${JSON.stringify(envelope)}\n\n`);
    close();
  }

  /** Records what the log needs and drops what the client didn't ask for. */
  function prepare(chunk: ChatCompletionChunk): ChatCompletionChunk | undefined {
    if (typeof chunk.model === 'string' && chunk.model) summary.model = chunk.model;
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      if (choice.finish_reason) summary.finishReason = choice.finish_reason;
      const hasOutput =
        (typeof delta.content === 'string' && delta.content !== '') ||
        (typeof delta.reasoning_content === 'string' && delta.reasoning_content !== '') ||
        (typeof delta.refusal === 'string' && delta.refusal !== '') ||
        (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0);
      if (hasOutput && summary.firstTokenAt === null) summary.firstTokenAt = Date.now();
      if (options.collectOutput && typeof delta.content === 'string') summary.output += delta.content;
    }
    if (chunk.usage) {
      summary.promptTokens = chunk.usage.prompt_tokens ?? null;
      summary.completionTokens = chunk.usage.completion_tokens ?? null;
      summary.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      summary.cacheWriteTokens = chunk.usage.prompt_tokens_details?.cache_write_tokens ?? 0;
    }
    if (options.includeUsage) return chunk.choices.length > 0 || chunk.usage ? chunk : undefined;
    if (chunk.choices.length === 0) return undefined;
    if (!('usage' in chunk)) return chunk;
    const { usage: _usage, ...rest } = chunk;
    return rest as ChatCompletionChunk;
  }

  return new ReadableStream<Uint8Array>({
    start(streamController) {
      controller = streamController;
      if (options.signal.aborted) {
        onClientAbort();
        return;
      }
      options.signal.addEventListener('abort', onClientAbort, { once: true });
      armKeepAlive();
    },
    async pull() {
      // Loop until something was written: a pull that enqueues nothing would never be
      // called again for a reader already waiting.
      let wrote = false;
      while (!ended && !wrote) {
        let result: IteratorResult<UpstreamEvent>;
        try {
          result = await nextWithTimeout(iterator, options.idleTimeoutMs, () => {
            const timeout = new GatewayError({
              status: 504,
              type: 'timeout_error',
              code: 'upstream_timeout',
              message: `The AI provider sent nothing for ${Math.round(options.idleTimeoutMs / 1000)} s; the answer was abandoned.`,
            });
            options.abortUpstream(timeout);
            return timeout;
          });
        } catch (error) {
          if (ended) return;
          if (summary.clientAborted || options.signal.aborted) {
            summary.clientAborted = true;
            end();
            return;
          }
          const failure =
            error instanceof GatewayError
              ? error
              : new GatewayError({
                  status: 502,
                  type: 'server_error',
                  code: 'upstream_error',
                  message: 'The connection to the AI provider was lost while generating the answer.',
                });
          writeError({ message: failure.message, type: failure.type, code: failure.code });
          return;
        }
        if (ended) return;
        if (result.done) {
          close();
          return;
        }
        const event = result.value;
        switch (event.type) {
          case 'chunk': {
            const chunk = prepare(event.chunk);
            if (chunk) {
              enqueue(`data: ${JSON.stringify(chunk)}\n\n`);
              wrote = true;
            }
            break;
          }
          case 'done':
            enqueue('data: [DONE]\n\n');
            close();
            return;
          case 'error':
            writeError(event.error);
            return;
          case 'comment':
            enqueue(`: ${event.text}\n\n`);
            wrote = true;
            break;
          case 'raw':
            enqueue(event.text);
            wrote = true;
            break;
          case 'keepalive':
            break;
          case 'reset':
            summary.errorCode = 'connection_reset';
            controller?.error(new Error('The upstream connection was reset.'));
            end();
            return;
        }
      }
    },
    cancel() {
      summary.clientAborted = true;
      end();
    },
  });
}
