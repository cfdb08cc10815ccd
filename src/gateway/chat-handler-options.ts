/**
 * What the gateway's request handler can be told, and its Web-standard shape. The options
 * live apart from the handler because they are the public contract (the CLI's environment
 * maps onto them one to one, DESIGN.md §4) while the handler's inside may change.
 */
import type { BudgetLedger } from './budget-ledger.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import type { BudgetWarningEntry } from './daily-budget.js';
import type { FallbackTarget } from './fallback-upstream.js';
import type { GatewayLogEntry } from './log-entry.js';
import type { PriceTable } from './price-table.js';
import type { StateStore } from './state-store.js';
import type { Upstream } from './upstream.js';

/** Options of `createChatHandler`. Defaults match the CLI's environment defaults (DESIGN.md §4). */
export interface ChatHandlerOptions {
  /**
   * The provider behind the gateway.
   * @defaultValue `createMockUpstream()`
   */
  upstream?: Upstream;
  /**
   * Model used when a request names none.
   * @defaultValue the upstream's `defaultModel`
   */
  defaultModel?: string;
  /**
   * Models clients may request; `'*'` allows any.
   * @defaultValue `[defaultModel]`, or `['*']` for the mock (it costs nothing)
   */
  allowedModels?: readonly string[];
  /**
   * Exact origins allowed to call from a browser; `'*'` allows any.
   * @defaultValue `[]` (same-origin pages only)
   */
  allowedOrigins?: readonly string[];
  /** @defaultValue 1048576 */
  maxBodyBytes?: number;
  /**
   * Cap for `max_tokens` (larger requests are clamped; absent ones get the cap).
   * @defaultValue 4096
   */
  maxTokens?: number;
  /** @defaultValue 500 */
  maxMessages?: number;
  /**
   * Most characters in one message.
   * @defaultValue 200000
   */
  maxMessageChars?: number;
  /**
   * Requests per minute per client; 0 disables.
   * @defaultValue 60
   */
  rateLimit?: number;
  /**
   * Concurrent generations per client; 0 disables.
   * @defaultValue 4
   */
  maxConcurrent?: number;
  /**
   * Silence after which a `: ping` comment is sent on an open stream.
   * @defaultValue 15000
   */
  keepAliveMs?: number;
  /**
   * Time allowed for the provider to answer (status and headers) before 504
   * `upstream_timeout`. Generous because queueing backends hold requests up to ~45 s.
   * @defaultValue 120000
   */
  upstreamTimeoutMs?: number;
  /**
   * Provider silence allowed mid-stream before the stream is ended with an in-band
   * `upstream_timeout`. Longer than the element's own stall timeout, so the client decides first.
   * @defaultValue 300000
   */
  upstreamIdleTimeoutMs?: number;
  /**
   * Believe `X-Forwarded-For`: `true` (one proxy) or the number of trusted proxy hops.
   * @defaultValue false
   */
  trustProxy?: boolean | number;
  /**
   * Include messages and answers in log lines.
   * @defaultValue false
   */
  logContent?: boolean;
  /**
   * Receives one entry per chat request.
   * @defaultValue `writeJsonLog` (a JSON line on stdout)
   */
  onLog?: (entry: GatewayLogEntry) => void;
  /**
   * Salt for hashed client ids.
   * @defaultValue random per process
   */
  clientIdSalt?: string;
  /**
   * Extra OpenAI request fields forwarded upstream.
   * @defaultValue `DEFAULT_PASSTHROUGH_FIELDS`
   */
  passthroughFields?: readonly string[];
  /**
   * Targets tried after `upstream` when it fails retryably before the first token (DESIGN.md
   * §4c `LLM_FALLBACK`); each has its own circuit breaker.
   * @defaultValue `[]`
   */
  fallback?: readonly FallbackTarget[];
  /**
   * Extra attempts per target after a retryable failure before the first token (full jitter,
   * Retry-After honoured, within `upstreamTimeoutMs`). One request makes at most
   * `(1 + fallback.length) × (1 + upstreamRetries)` provider calls.
   * @defaultValue 0
   */
  upstreamRetries?: number;
  /**
   * Circuit-breaker settings for the targets; used when `fallback` or `upstreamRetries` is set.
   * @defaultValue 5 failures, 30 s cool-down, in-memory state
   */
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Context window (tokens) used for pre-flight trimming instead of the model table's.
   * @defaultValue the table entry of the model; unknown models are not trimmed
   */
  contextWindow?: number;
  /**
   * Calibrate the pre-flight estimate with the provider's count endpoint (Anthropic, Gemini).
   * @defaultValue false
   */
  exactTokenCount?: boolean;
  /**
   * Prices (USD per 1M tokens) for `cost_usd` and budgets.
   * @defaultValue `DEFAULT_PRICES`
   */
  prices?: PriceTable;
  /**
   * USD each client may spend per UTC day; 0 disables.
   * @defaultValue 0
   */
  dailyBudgetUsd?: number;
  /**
   * Where daily spend is kept.
   * @defaultValue an in-memory ledger
   */
  budgetLedger?: BudgetLedger;
  /**
   * Receives warning lines (a client at 80 % of its daily budget).
   * @defaultValue `writeJsonLog`
   */
  onWarning?: (entry: BudgetWarningEntry) => void;
  /**
   * Names the client of a request (e.g. the signed-in user from a session cookie or a verified
   * token) for budgets, rate limits and logs; the id is hashed before use. Return `undefined`
   * to fall back to the network address.
   * @defaultValue the (hashed) network address
   */
  resolveClient?: (request: Request) => string | undefined | Promise<string | undefined>;
  /**
   * Clock for the rate limiter of the default memory store, daily budgets and circuit breakers.
   * @defaultValue `Date.now`
   */
  now?: () => number;
  /**
   * Where rate windows, concurrency leases, idempotency keys and (when it has a stream log)
   * resume buffers live; when given, also daily budgets and circuit-breaker state (unless
   * `budgetLedger` / `circuitBreaker.store` say otherwise). Give every instance behind one
   * endpoint the same shared store (`createRedisStateStore`, `REDIS_URL`) so that they behave
   * as one.
   * @defaultValue a memory store (one process)
   */
  stateStore?: StateStore;
  /**
   * How long a generation whose client disconnected without a stop keeps running, waiting for
   * a resume (DESIGN.md §4b); 0 aborts the provider request at once.
   * @defaultValue 20000
   */
  resumeGraceMs?: number;
  /**
   * How long an ended stream can still be resumed (its last events replayed).
   * @defaultValue 60000
   */
  streamRetentionMs?: number;
}

/** Information a server adapter has that a `Request` does not carry. */
export interface ChatRequestInfo {
  /** The socket's remote address (used, hashed, as the client identity). */
  remoteAddress?: string;
}

/**
 * A Web-standard request handler: runs in Node (through `createNodeHandler`), Deno, Bun and
 * Workers.
 */
export type ChatHandler = (request: Request, info?: ChatRequestInfo) => Promise<Response>;
