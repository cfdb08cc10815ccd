import { emptyStreamSummary } from './chat-stream.js';
import type { StreamSummary } from './chat-stream.js';
import { connectionLost, GatewayError, upstreamIdleTimeout } from './gateway-error.js';
import { IdleTimer } from './idle-timer.js';
import { mapUpstreamError } from './map-upstream-error.js';
import { relaySourceOf } from './relay-source.js';
import type { UpstreamEvent } from './upstream.js';
import type { ChatCompletion, ChatCompletionChunk, GatewayToolCall } from './wire-types.js';

/** Options of {@link aggregateCompletion}. */
export interface AggregateCompletionOptions {
  /** Upstream silence allowed before giving up with 504 `upstream_timeout`. */
  idleTimeoutMs: number;
  /** Aborts the upstream call. */
  abortUpstream: (reason: unknown) => void;
  /** The model requested, used when the upstream reports none. */
  model: string;
}

/**
 * Collects an upstream's event stream into one `chat.completion` object, for clients that
 * send `stream: false` (the official SDKs' default). The upstream is still streamed, so
 * there is one code path per provider. Because no byte has been sent yet, an in-band or
 * connection failure becomes a proper HTTP error here.
 *
 * @param events - The upstream's events.
 * @param options - Timeout, abort and fallback model.
 * @returns The completion and the summary for the log line.
 * @throws GatewayError for in-band errors, connection loss, idle timeout or a truncated stream.
 */
export async function aggregateCompletion(
  events: AsyncIterable<UpstreamEvent>,
  options: AggregateCompletionOptions,
): Promise<{ completion: ChatCompletion; summary: StreamSummary }> {
  const source = relaySourceOf(events);
  const summary = emptyStreamSummary();
  let id = '';
  let created = Math.floor(Date.now() / 1000);
  let reasoning = '';
  let refusal = '';
  const toolCalls: GatewayToolCall[] = [];
  let usage: ChatCompletion['usage'];

  const add = (chunk: ChatCompletionChunk): void => {
    id ||= chunk.id;
    created = chunk.created || created;
    if (chunk.model) summary.model = chunk.model;
    if (chunk.usage) {
      usage = chunk.usage;
      summary.promptTokens = chunk.usage.prompt_tokens ?? null;
      summary.completionTokens = chunk.usage.completion_tokens ?? null;
      summary.cachedTokens = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
      summary.cacheWriteTokens = chunk.usage.prompt_tokens_details?.cache_write_tokens ?? 0;
    }
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') summary.output += delta.content;
      if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
      if (typeof delta.refusal === 'string') refusal += delta.refusal;
      for (const fragment of delta.tool_calls ?? []) {
        const call = (toolCalls[fragment.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (fragment.id) call.id = fragment.id;
        if (fragment.function?.name) call.function.name += fragment.function.name;
        if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
      }
      if (summary.firstTokenAt === null && (summary.output || reasoning || refusal || toolCalls.length > 0)) {
        summary.firstTokenAt = Date.now();
      }
      if (choice.finish_reason) summary.finishReason = choice.finish_reason;
    }
  };

  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown, complete = false): void => {
      if (settled) return;
      settled = true;
      idle.stop();
      if (complete) {
        // Let the rest of the body arrive, so the connection goes back to the pool.
        source.finish();
      } else {
        source.cancel();
        options.abortUpstream(new Error('aggregation ended'));
      }
      if (error === undefined) resolve();
      else reject(error);
    };
    const idle = new IdleTimer(options.idleTimeoutMs, () => {
      const timeout = upstreamIdleTimeout(options.idleTimeoutMs);
      options.abortUpstream(timeout);
      settle(timeout);
    });
    source.start({
      push(event) {
        if (settled) return;
        idle.touch();
        if (event.type === 'done') settle(undefined, true);
        else if (event.type === 'error') settle(mapUpstreamError({ body: { error: event.error } }));
        else if (event.type === 'reset') settle(connectionReset());
        else if (event.type === 'chunk') add(event.chunk);
        else if (event.type === 'serialized') add(JSON.parse(event.json) as ChatCompletionChunk);
      },
      fail: (error) => settle(error instanceof GatewayError ? error : connectionLost()),
      close: () => settle(),
    });
  });

  if (summary.finishReason === null) {
    throw new GatewayError({
      status: 502,
      type: 'server_error',
      code: 'upstream_error',
      message: 'The AI provider ended the answer before it was complete.',
    });
  }

  const completion: ChatCompletion = {
    id: id || 'chatcmpl-gateway',
    object: 'chat.completion',
    created,
    model: summary.model ?? options.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: summary.output || (toolCalls.length > 0 || refusal ? null : ''),
          refusal: refusal || null,
          ...(reasoning ? { reasoning_content: reasoning } : {}),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.filter(Boolean) } : {}),
        },
        finish_reason: summary.finishReason,
        logprobs: null,
      },
    ],
    ...(usage ? { usage } : {}),
  };
  return { completion, summary };
}

function connectionReset(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: 'The connection to the AI provider was reset.',
  });
}
