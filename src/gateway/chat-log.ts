/**
 * The one log line per chat request (DESIGN.md §4): written when the request ends, whatever
 * way it ends, from facts gathered along the way. Built once per request, never per chunk, so
 * its cost does not grow with the answer; the cost in USD is computed here too because the
 * daily budget is charged from the same figures the log shows.
 */
import type { StreamSummary } from './chat-stream.js';
import type { DailyBudget } from './daily-budget.js';
import type { GatewayLogEntry } from './log-entry.js';
import { costUsd } from './price-table.js';
import type { PriceTable } from './price-table.js';
import type { UpstreamAttempt } from './upstream.js';
import type { ValidatedChatRequest } from './validate-chat-request.js';
import { RETRY_ATTEMPT_HEADER } from '../wire/headers.js';

/** What every request's line is written with (set up once per handler). */
export interface ChatLogSink {
  prices: PriceTable;
  /** Charged with the request's cost, when budgets are on. */
  budget: DailyBudget | undefined;
  onLog: (entry: GatewayLogEntry) => void;
  /** Include messages and answers. */
  logContent: boolean;
  /** Named when no attempt answered. */
  provider: string;
}

/** What one request has learned by the time it ends; filled in as the request proceeds. */
export interface ChatLogFacts {
  requestId: string;
  path: string;
  /** `Date.now()` when the request arrived. */
  startedAt: number;
  clientId: string;
  request: Request;
  hasIdempotencyKey: boolean;
  validated: ValidatedChatRequest | undefined;
  upstreamRequestId: string | undefined;
  /** Provider calls, in order (retries and fallbacks report one each). */
  attempts: UpstreamAttempt[];
  upstreamCalled: boolean;
  /** History messages left out to fit the context window. */
  contextTrimmed: number;
}

/**
 * Writes the request's line to `sink.onLog` and charges its cost to the client's budget.
 *
 * @param sink - Prices, budget, where lines go.
 * @param facts - What the request learned.
 * @param status - The HTTP status the client got (499: it left before the answer).
 * @param summary - The stream's or aggregate's summary, when there was one.
 */
export function logChatRequest(sink: ChatLogSink, facts: ChatLogFacts, status: number, summary: Partial<StreamSummary> = {}): void {
  const { attempts, validated } = facts;
  const errorCode = summary.errorCode ?? null;
  const called = attempts.filter((attempt) => attempt.outcome !== 'skipped');
  const answered = attempts.find((attempt) => attempt.outcome === 'ok');
  const model = summary.model ?? answered?.model ?? validated?.upstream.model ?? null;
  // No answer, no charge; an answer without a usage report (the client left) has an unknown cost.
  let cost: number | null = status === 200 ? null : 0;
  if (model !== null && summary.promptTokens != null) {
    cost = costUsd(sink.prices, model, {
      prompt: summary.promptTokens,
      completion: summary.completionTokens ?? 0,
      cached: summary.cachedTokens ?? 0,
      cacheWrite: summary.cacheWriteTokens ?? 0,
    });
  }
  if (sink.budget && cost) sink.budget.charge(facts.clientId, cost).catch(() => {});
  const entry: GatewayLogEntry = {
    ts: new Date().toISOString(),
    level: status >= 500 ? 'error' : status >= 400 || errorCode ? 'warn' : 'info',
    msg: 'chat_request',
    request_id: facts.requestId,
    upstream_request_id: facts.upstreamRequestId ?? null,
    provider: answered?.provider ?? sink.provider,
    model,
    path: facts.path,
    status,
    stream: validated?.stream ?? false,
    prompt_tokens: summary.promptTokens ?? null,
    completion_tokens: summary.completionTokens ?? null,
    cached_tokens: summary.cachedTokens ?? null,
    cache_write_tokens: summary.cacheWriteTokens ?? null,
    cache_hit_rate:
      summary.promptTokens && summary.cachedTokens != null ? Math.round((summary.cachedTokens / summary.promptTokens) * 1000) / 1000 : null,
    cost_usd: cost,
    ttft_ms: summary.firstTokenAt ? summary.firstTokenAt - facts.startedAt : null,
    total_latency_ms: Date.now() - facts.startedAt,
    finish_reason: summary.finishReason ?? null,
    error_code: errorCode,
    retries: retryCount(facts.request.headers),
    client: facts.clientId,
    idempotency_key: facts.hasIdempotencyKey,
    client_aborted: summary.clientAborted ?? false,
    attempts: called.length > 0 ? called.length : facts.upstreamCalled ? 1 : 0,
    fallback_used:
      answered && (answered.provider !== attempts[0]?.provider || answered.model !== attempts[0]?.model)
        ? `${answered.provider}:${answered.model}`
        : null,
    context_trimmed: facts.contextTrimmed,
  };
  if (sink.logContent) {
    if (validated) entry.messages = validated.upstream.messages;
    if (summary.output !== undefined) entry.output = summary.output;
  }
  try {
    sink.onLog(entry);
  } catch {
    // A broken log sink must not break the chat.
  }
}

/** Retries the client reports: `X-Retry-Attempt` (ours) or `X-Stainless-Retry-Count` (OpenAI SDKs). */
function retryCount(headers: Headers): number {
  const raw = headers.get(RETRY_ATTEMPT_HEADER) ?? headers.get('x-stainless-retry-count');
  const value = Number.parseInt(raw ?? '', 10);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 1000) : 0;
}
