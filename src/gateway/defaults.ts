/**
 * The gateway's defaults, in one place: `createChatHandler`, `startGateway`,
 * `configFromEnv` and `--help` all read them from here, so the documented default is the one
 * that applies (DESIGN.md §4).
 */
export const GATEWAY_DEFAULTS = {
  host: '127.0.0.1',
  port: 8787,
  maxBodyBytes: 1_048_576,
  /** Cap for `max_tokens`; requests above it are clamped, absent ones get it. */
  maxTokens: 4096,
  maxMessages: 500,
  maxMessageChars: 200_000,
  /** Requests per minute per client. */
  rateLimit: 60,
  /** Concurrent generations per client. */
  maxConcurrent: 4,
  keepAliveMs: 15_000,
  /** Queueing backends hold requests up to ~45 s before answering. */
  upstreamTimeoutMs: 120_000,
  /** Longer than the element's own stall timeout, so the client decides first. */
  upstreamIdleTimeoutMs: 300_000,
  mockTokensPerSecond: 50,
  /** Gateway retries per fallback target; the element and the SDKs already retry. */
  upstreamRetries: 0,
  /** Retryable failures in a row that open a target's circuit. */
  breakerFailures: 5,
  breakerCoolDownMs: 30_000,
  /** Per-client daily budget in USD; 0 means none. */
  dailyBudgetUsd: 0,
  /** A dropped stream's generation waits this long for a resume (DESIGN.md §4b); 0 = abort at once. */
  resumeGraceMs: 20_000,
  /** An ended stream stays resumable (replayable) this long. */
  streamRetentionMs: 60_000,
  /**
   * Connections the kernel may queue before the server accepts them. Node's 511 overflows when
   * a thousand clients connect at once while the event loop is busy (connections reset); the
   * kernel caps it at net.core.somaxconn.
   */
  listenBacklog: 4096,
  /** Lifetime of a Redis lease without heartbeat: a crashed instance's slots free themselves after it. */
  leaseTtlMs: 15_000,
} as const;
