/**
 * The Web-standard part of the gateway only: no `node:*` imports anywhere below this module,
 * so it bundles for Cloudflare Workers and other runtimes without Node built-ins. Deno, Bun
 * and Node can use the full `index.ts`.
 */
export { createChatHandler, RETRY_ATTEMPT_HEADER } from './chat-handler.js';
export { CHAT_PATHS, HEALTH_PATH } from '../wire/routes.js';
export type { ChatHandler, ChatHandlerOptions, ChatRequestInfo } from './chat-handler.js';
export { STREAM_ID_HEADER } from './stream-id.js';
export { createMemoryStateStore } from './memory-state-store.js';
export type { AcquireOptions, Lease, RateLimitRule, StateStore, StateStoreMode } from './state-store.js';
export type { Upstream, UpstreamContext, UpstreamErrorPayload, UpstreamEvent, UpstreamRequest, UpstreamResult } from './upstream.js';
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
export { createFallbackUpstream } from './fallback-upstream.js';
export type { FallbackTarget, FallbackUpstreamOptions } from './fallback-upstream.js';
export { GatewayError } from './gateway-error.js';
export type { GatewayLogEntry } from './log-entry.js';
