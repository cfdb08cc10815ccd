import type { Frame, FrameKind, StreamBuffer, StreamEnd } from './stream-buffer.js';
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

/** Options of {@link ChatStream}. */
export interface ChatStreamOptions {
  /** The upstream's events. */
  events: AsyncIterable<UpstreamEvent>;
  /** Echoed in in-band error envelopes. */
  requestId: string;
  /** Forward the usage chunk (`stream_options.include_usage`). */
  includeUsage: boolean;
  /** Upstream silence allowed before the stream is ended with an in-band `upstream_timeout`. */
  idleTimeoutMs: number;
  /** Aborts the upstream call (fetch, timers). */
  abortUpstream: (reason: unknown) => void;
  /** Collect the answer text for the log. */
  collectOutput: boolean;
  /** Where the frames go; readers (connections, resumes) read them from there. */
  buffer: StreamBuffer;
  /** Sees every frame as it is produced (the tee into the shared stream log). */
  onFrame?: (frame: Frame) => void;
  /** Called exactly once, when the generation ends for any reason. */
  onEnd: (summary: StreamSummary, end: StreamEnd) => void;
}

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
 * One generation: reads an upstream's events and turns them into the numbered SSE frames of
 * a `200 text/event-stream` answer (DESIGN.md §4): `data: {chunk}`, `data: [DONE]`, and an
 * in-band `data: {"error": ...}` after which the stream ends. Keep-alive comments are not
 * part of it: each connection sends its own.
 *
 * The frames go into a {@link StreamBuffer} that lives independently of any connection
 * (DESIGN.md §4b), so the generation can outlast a dropped connection and a resumed one can
 * replay what it missed. The provider is read only while some reader keeps up (or while none
 * is attached): a slow client still slows the provider down. It ends exactly once, whether
 * the provider finished, failed, went silent for `idleTimeoutMs`, or {@link ChatStream.stop}
 * was called (a user's stop, or the end of a resume grace period); ending aborts the
 * upstream call, so nothing keeps generating.
 */
export class ChatStream {
  /** What the log line reports; filled in as events pass. */
  readonly summary: StreamSummary = emptyStreamSummary();
  private readonly options: ChatStreamOptions;
  private readonly iterator: AsyncIterator<UpstreamEvent>;
  private readonly stopped = new AbortController();
  private ended = false;

  /** Starts reading the upstream at once. */
  constructor(options: ChatStreamOptions) {
    this.options = options;
    this.iterator = options.events[Symbol.asyncIterator]();
    void this.pump();
  }

  /** Whether the generation has ended. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Ends the generation now: the provider request is aborted and readers get the frames
   * produced so far, then the end of the stream. Counted as a client abort in the log.
   */
  stop(): void {
    if (this.ended) return;
    this.summary.clientAborted = true;
    this.finish('closed');
  }

  private finish(end: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.stopped.abort();
    this.options.buffer.end(end);
    // Stop the provider (a no-op when it already finished) so nothing keeps generating,
    // then let the iterator run its cleanup.
    this.options.abortUpstream(new Error('stream ended'));
    this.iterator.return?.().catch(() => {});
    this.options.onEnd(this.summary, end);
  }

  private emit(kind: FrameKind, text: string): void {
    if (this.ended) return;
    const frame = this.options.buffer.append(kind, text);
    this.options.onFrame?.(frame);
  }

  private writeError(error: UpstreamErrorPayload): void {
    this.summary.errorCode = error.code ?? error.type;
    const envelope: ErrorEnvelope = {
      error: {
        message: error.message,
        type: error.type,
        code: error.code,
        param: null,
        request_id: this.options.requestId,
        retry_after: error.retryAfterSeconds ?? null,
      },
    };
    this.emit('data', `data: ${JSON.stringify(envelope)}\n\n`);
    this.finish('closed');
  }

  /** Records what the log needs and drops what the client didn't ask for. */
  private prepare(chunk: ChatCompletionChunk): ChatCompletionChunk | undefined {
    const summary = this.summary;
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
      if (this.options.collectOutput && typeof delta.content === 'string') summary.output += delta.content;
    }
    if (chunk.usage) {
      summary.promptTokens = chunk.usage.prompt_tokens ?? null;
      summary.completionTokens = chunk.usage.completion_tokens ?? null;
      summary.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      summary.cacheWriteTokens = chunk.usage.prompt_tokens_details?.cache_write_tokens ?? 0;
    }
    if (this.options.includeUsage) return chunk.choices.length > 0 || chunk.usage ? chunk : undefined;
    if (chunk.choices.length === 0) return undefined;
    if (!('usage' in chunk)) return chunk;
    const { usage: _usage, ...rest } = chunk;
    return rest as ChatCompletionChunk;
  }

  private async pump(): Promise<void> {
    const { buffer, idleTimeoutMs } = this.options;
    while (!this.ended) {
      if (!buffer.hasRoom()) await buffer.waitForRoom(this.stopped.signal);
      if (this.ended) return;
      let result: IteratorResult<UpstreamEvent>;
      try {
        result = await nextWithTimeout(this.iterator, idleTimeoutMs, () => {
          const timeout = new GatewayError({
            status: 504,
            type: 'timeout_error',
            code: 'upstream_timeout',
            message: `The AI provider sent nothing for ${Math.round(idleTimeoutMs / 1000)} s; the answer was abandoned.`,
          });
          this.options.abortUpstream(timeout);
          return timeout;
        });
      } catch (error) {
        if (this.ended) return;
        const failure =
          error instanceof GatewayError
            ? error
            : new GatewayError({
                status: 502,
                type: 'server_error',
                code: 'upstream_error',
                message: 'The connection to the AI provider was lost while generating the answer.',
              });
        this.writeError({ message: failure.message, type: failure.type, code: failure.code });
        return;
      }
      if (this.ended) return;
      if (result.done) {
        this.finish('closed');
        return;
      }
      const event = result.value;
      switch (event.type) {
        case 'chunk': {
          const chunk = this.prepare(event.chunk);
          if (chunk) this.emit('data', `data: ${JSON.stringify(chunk)}\n\n`);
          break;
        }
        case 'done':
          this.emit('data', 'data: [DONE]\n\n');
          this.finish('closed');
          return;
        case 'error':
          this.writeError(event.error);
          return;
        case 'comment':
          this.emit('comment', `: ${event.text}\n\n`);
          break;
        case 'raw':
          this.emit('raw', event.text);
          break;
        case 'keepalive':
          break;
        case 'reset':
          this.summary.errorCode = 'connection_reset';
          this.finish('reset');
          return;
      }
    }
  }
}
