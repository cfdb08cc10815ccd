import type { ChatError, ChatMessage } from '../core/types.js';
import type { ChatSessionStatus } from '../core/chat-session.js';
import type { ErrorKind } from '../wire/error-rules.js';
import type { ConfigProblem } from './chat-controller.js';
import { format } from './strings.js';
import type { LlmChatStrings } from './strings.js';

/** Longest wait (ms) an automatic retry takes on; beyond it the user is told when to try. */
const LONG_WAIT_MS = 60_000;

/** What a user can do about an error, beyond its name (empty when nothing helps but Retry). */
export function hintFor(error: ChatError, t: LlmChatStrings): string {
  if (error.kind === 'context_too_long') return t.hintContextTooLong;
  if (error.kind === 'auth_failed' || error.kind === 'forbidden') return t.hintAuth;
  if (error.kind === 'quota_exhausted') return error.code === 'budget_exceeded' ? t.hintBudget : t.hintQuota;
  if (error.phase === 'pre_stream' && error.retryAfterMs !== undefined && error.retryAfterMs > LONG_WAIT_MS) {
    const at = new Date(Date.now() + error.retryAfterMs);
    return format(t.retryAt, { time: at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) });
  }
  return '';
}

/** The error's name and what to do, for the alert region. */
export function errorAlert(error: ChatError, t: LlmChatStrings): string {
  return `${t.errors[error.kind]} ${hintFor(error, t)}`.trim();
}

/** What the status region says when an answer ends. */
export function finishAnnouncement(message: ChatMessage, t: LlmChatStrings): string {
  const words: Partial<Record<ChatMessage['status'], string>> = {
    complete: t.done,
    stopped: t.stopped,
    truncated: t.truncated,
    filtered: t.filtered,
    tool_calls: t.toolCalls,
    interrupted: t.interrupted,
  };
  return words[message.status] ?? '';
}

/** The error's facts for a support request ("Copy details"); never message text. */
export function errorDetails(error: ChatError, now: Date = new Date()): string {
  return [
    `kind: ${error.kind}`,
    error.status !== undefined ? `status: ${error.status}` : '',
    error.type ? `type: ${error.type}` : '',
    error.code ? `code: ${error.code}` : '',
    error.requestId ? `request id: ${error.requestId}` : '',
    `phase: ${error.phase}`,
    `time: ${now.toISOString()}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** Why the chat cannot send with its settings, in the user's words. */
export function configProblemText(problem: ConfigProblem, t: LlmChatStrings): string {
  const text: Record<ConfigProblem, string> = {
    unknown_protocol: t.unknownProtocol,
    no_endpoint: t.noEndpoint,
    protocol_unavailable: t.protocolUnavailable,
  };
  return text[problem];
}

/** What the status line is made from. */
export interface StatusLineState {
  status: ChatSessionStatus;
  waitingLong: boolean;
  runningTools: string[];
  /** Tools that just finished, said once while the follow-up connects. */
  toolsDone: string[];
  retrySeconds: number;
  retryKind: ErrorKind | undefined;
}

/**
 * The status line (DESIGN.md §8): what the chat is doing while a turn is in flight —
 * connecting, responding, running a tool, retrying with a countdown — and `idle` text
 * otherwise. `shown` is what is on screen (a countdown may tick); `spoken` is what the polite
 * live region says, worded so that it changes only when the state does: once when an answer
 * starts, once when a tool starts or ends, once when it ends.
 */
export function statusLine(state: StatusLineState, t: LlmChatStrings, idleText: string): { shown: string; spoken: string } {
  const done = state.toolsDone.length > 0 ? `${format(t.toolsDone, { name: state.toolsDone.join(', ') })} ` : '';
  const waiting = state.waitingLong ? t.stillWaiting : undefined;
  switch (state.status) {
    case 'connecting':
      return { shown: done + (waiting ?? t.connecting), spoken: waiting ?? (done.trim() || t.responding) };
    case 'streaming': {
      if (state.runningTools.length > 0) {
        const running = format(t.toolRunning, { name: [...new Set(state.runningTools)].join(', ') });
        return { shown: running, spoken: running };
      }
      return { shown: done + (waiting ?? t.responding), spoken: waiting ?? (done.trim() || t.responding) };
    }
    case 'retrying': {
      const reason = t.errors[state.retryKind ?? 'server_error'].replace(/\.$/, '');
      return { shown: format(t.retryingIn, { reason, seconds: state.retrySeconds }), spoken: format(t.retryingSoon, { reason }) };
    }
    case 'reconnecting':
      return { shown: t.reconnecting, spoken: t.reconnecting };
    default:
      return { shown: idleText, spoken: idleText };
  }
}
