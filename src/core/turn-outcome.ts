import { defaultErrorMessages } from './classify-error.js';
import { statusForFinishReason } from './finish-reason.js';
import type { ChatError, ChatMessage, ChatTerminalStatus } from './types.js';

/** How one attempt, and so the turn, ended. */
export type AttemptOutcome = { kind: 'finished'; reason: string | undefined } | { kind: 'failed'; error: ChatError } | { kind: 'stopped' };

/**
 * The terminal status of an answer and the error it carries (DESIGN.md §3, §5).
 *
 * @param message - The answer, with its content and raw `finishReason`.
 * @param outcome - How the last attempt ended.
 * @param facts - Whether the model streamed a refusal, and whether this turn continued an earlier partial.
 */
export function settleTurn(
  message: ChatMessage,
  outcome: AttemptOutcome,
  facts: { refused: boolean; continued: boolean },
): { status: ChatTerminalStatus; error?: ChatError } {
  if (outcome.kind === 'stopped') return { status: 'stopped' };
  if (outcome.kind === 'failed') {
    // A pre-stream content-filter rejection is an answer the model will not give, not an outage.
    if (outcome.error.kind === 'filtered') return { status: 'filtered', error: outcome.error };
    const kept = message.content !== '' || facts.continued || (message.toolCalls?.length ?? 0) > 0;
    return { status: kept ? 'interrupted' : 'error', error: outcome.error };
  }
  const refusedOnly = message.finishReason === undefined || message.finishReason === 'stop';
  let status = facts.refused && refusedOnly ? 'filtered' : statusForFinishReason(outcome.reason ?? 'stop');
  // Some servers (Ollama among them) end an answer that called tools with a plain `stop`.
  if (status === 'complete' && (message.toolCalls?.length ?? 0) > 0) status = 'tool_calls';
  if (status !== 'filtered') return { status };
  return {
    status,
    error: {
      kind: 'filtered',
      message: defaultErrorMessages.filtered,
      retryable: false,
      phase: 'mid_stream',
      ...(message.metrics?.requestId ? { requestId: message.metrics.requestId } : {}),
    },
  };
}

/**
 * A message as it comes back from storage. One that was still pending or streaming, as after
 * a reload mid-stream, is `interrupted` with its text kept (or `error` when it had none), and
 * a tool call that had no result yet is `interrupted`: nothing is re-run by itself.
 */
export function restoreMessage(message: ChatMessage): ChatMessage {
  const copy = structuredClone(message);
  if (copy.status === 'pending' || copy.status === 'streaming') {
    const empty = copy.content === '' && !copy.toolCalls?.length;
    copy.status = copy.role === 'assistant' && empty ? 'error' : 'interrupted';
    copy.error = {
      kind: 'network_error',
      message: 'The answer was cut off when the page was closed.',
      retryable: true,
      phase: empty ? 'pre_stream' : 'mid_stream',
    };
  }
  for (const call of copy.toolCalls ?? []) {
    if (call.status === 'running') call.status = 'interrupted';
  }
  return copy;
}

/** Clears an answer for a Retry. */
export function resetAnswer(message: ChatMessage): void {
  message.content = '';
  message.status = 'pending';
  message.metrics = { attempts: 0 };
  delete message.error;
  delete message.finishReason;
  delete message.toolCalls;
  delete message.reasoning;
}

/**
 * Fills in duration, the model and tokens per second at the end of a turn.
 *
 * @param end - Clock time of the end; `start` and `firstTokenAt` are on the same clock.
 * @param continuedLength - Characters that were there before a Continue (not produced now).
 */
export function recordRate(
  message: ChatMessage,
  times: { start: number; firstTokenAt: number | undefined; end: number },
  requestedModel: string | undefined,
  continuedLength: number,
): void {
  const metrics = (message.metrics ??= { attempts: 1 });
  metrics.durationMs = Math.round(times.end - times.start);
  if (!metrics.model && requestedModel) metrics.model = requestedModel;
  if (times.firstTokenAt === undefined) return;
  const seconds = (times.end - times.firstTokenAt) / 1000;
  let tokens = metrics.completionTokens;
  if (tokens === undefined) {
    // No usage chunk: estimate about four characters per token, and say so.
    tokens = Math.ceil((message.content.length - continuedLength) / 4);
    metrics.estimated = true;
  } else {
    delete metrics.estimated;
  }
  if (seconds > 0) metrics.tokensPerSecond = Math.round((tokens / seconds) * 10) / 10;
}
