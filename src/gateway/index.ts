/**
 * The reference gateway (DESIGN.md §4): a Web-standard chat handler, its providers, the
 * Node adapter and server, and the environment configuration used by the CLI.
 */
export { createChatHandler, CONTEXT_TRIMMED_HEADER, RETRY_ATTEMPT_HEADER } from './chat-handler.js';
export { CHAT_PATHS, HEALTH_PATH, parseStreamRoute, streamPath } from '../wire/routes.js';
export type { StreamRoute } from '../wire/routes.js';
export type { ChatHandler, ChatHandlerOptions, ChatRequestInfo } from './chat-handler.js';
export { STREAM_ID_HEADER } from './stream-id.js';
export { createMemoryStateStore } from './memory-state-store.js';
export type { MemoryStateStoreOptions } from './memory-state-store.js';
export { createRedisStateStore, FailoverStateStore, REDIS_DOWN_POLICY } from './failover-state-store.js';
export type { RedisStoreOptions, StateStoreEvent } from './failover-state-store.js';
export type { AcquireOptions, Lease, RateLimitRule, StateStore, StateStoreMode } from './state-store.js';
export type { RateLimitDecision } from './rate-limiter.js';
export type { SharedFrameBatch, SharedStreamInfo, SharedStreamLog } from './shared-stream-log.js';
export type { Frame, FrameKind, StreamEnd } from './stream-buffer.js';
export { createNodeHandler } from './node-handler.js';
export type { NodeHandlerOptions, NodeRequestListener } from './node-handler.js';
export { startGateway } from './start-gateway.js';
export type { CloseOptions, RunningGateway, StartGatewayOptions } from './start-gateway.js';
export { createStaticFileHandler } from './static-files.js';
export type { StaticFileHandler } from './static-files.js';
export { configFromEnv, ConfigError, ENV_VARIABLES } from './config-from-env.js';
export type { EnvVariable, GatewayConfig, ProviderName } from './config-from-env.js';

export type {
  Upstream,
  UpstreamAttempt,
  UpstreamContext,
  UpstreamErrorPayload,
  UpstreamEvent,
  UpstreamRequest,
  UpstreamResult,
} from './upstream.js';
export { createMockUpstream } from './mock-upstream.js';
export type { MockUpstreamOptions } from './mock-upstream.js';
export { MOCK_SCENARIOS, MOCK_SCENARIO_DESCRIPTIONS, isMockScenario } from './mock-scenarios.js';
export type { MockScenario } from './mock-scenarios.js';
export { createOpenAICompatibleUpstream, DEFAULT_CONTINUE_INSTRUCTION } from './openai-compatible-upstream.js';
export type { ContinueMode, OpenAICompatibleUpstreamOptions } from './openai-compatible-upstream.js';
export { createAnthropicUpstream } from './anthropic-upstream.js';
export type { AnthropicUpstreamOptions } from './anthropic-upstream.js';
export { createGeminiUpstream } from './gemini-upstream.js';
export type { GeminiUpstreamOptions } from './gemini-upstream.js';
export { createBedrockUpstream } from './bedrock-upstream.js';
export type { BedrockUpstreamOptions } from './bedrock-upstream.js';

export { createFallbackUpstream, maxProviderCalls } from './fallback-upstream.js';
export type { FallbackTarget, FallbackUpstreamOptions } from './fallback-upstream.js';
export { createCircuitBreaker } from './circuit-breaker.js';
export type { BreakerDecision, CircuitBreaker, CircuitBreakerOptions, CircuitState } from './circuit-breaker.js';
export { createMemoryBreakerStateStore } from './breaker-state-store.js';
export type { BreakerState, BreakerStateStore } from './breaker-state-store.js';
export { createMemoryBudgetLedger } from './budget-ledger.js';
export type { BudgetLedger, LedgerTotals } from './budget-ledger.js';
export { createDailyBudget } from './daily-budget.js';
export type { BudgetWarningEntry, DailyBudget, DailyBudgetOptions } from './daily-budget.js';
export { costUsd, DEFAULT_PRICES, parsePriceTable, PRICE_TABLE_DATE, PRICE_TABLE_SOURCE } from './price-table.js';
export type { ModelPrice, PriceTable, UsageTokens } from './price-table.js';
export { CONTEXT_WINDOWS, contextWindowFor } from './context-window.js';
export { trimContext, safetyMargin } from './trim-context.js';
export type { TrimContextOptions, TrimmedContext } from './trim-context.js';
export { estimateTextTokens, openAIEncodingFor, promptTokenCounterFor } from './token-count.js';
export type { PromptTokenCounter } from './token-count.js';
export { planPromptCache, MIN_CACHEABLE_TOKENS } from './prompt-cache.js';
export type { PromptCachePlan } from './prompt-cache.js';
export { CORE_REQUEST_FIELDS } from './request-fields.js';
export { GatewayError, invalidRequest } from './gateway-error.js';
export type { GatewayErrorInit } from './gateway-error.js';
export { mapUpstreamError } from './map-upstream-error.js';
export type { UpstreamErrorSource } from './map-upstream-error.js';
export { writeJsonLog } from './log-entry.js';
export type { GatewayLogEntry } from './log-entry.js';
export { DEFAULT_PASSTHROUGH_FIELDS } from './validate-chat-request.js';
export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  ChunkDelta,
  ChunkToolCallDelta,
  CompletionUsage,
  ErrorBody,
  ErrorEnvelope,
  GatewayMessage,
  GatewayRole,
  GatewayToolCall,
} from './wire-types.js';
