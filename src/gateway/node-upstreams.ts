/**
 * The HTTP upstreams as `index.ts` (Node) exports them: the same factories as `web.ts`, whose
 * calls go through the gateway's keep-alive `node:http(s)` transport unless a `fetch` or a
 * `transport` is given. One transport serves the whole process, so every upstream (and every
 * fallback target) shares its connection pools.
 */
import { createAnthropicUpstream as createWebAnthropicUpstream } from './anthropic-upstream.js';
import type { AnthropicUpstreamOptions } from './anthropic-upstream.js';
import { createGeminiUpstream as createWebGeminiUpstream } from './gemini-upstream.js';
import type { GeminiUpstreamOptions } from './gemini-upstream.js';
import { createNodeTransport } from './node-upstream-transport.js';
import { createOpenAICompatibleUpstream as createWebOpenAICompatibleUpstream } from './openai-compatible-upstream.js';
import type { OpenAICompatibleUpstreamOptions } from './openai-compatible-upstream.js';
import type { Upstream } from './upstream.js';
import type { UpstreamTransport } from './upstream-transport.js';

let shared: UpstreamTransport | undefined;

/** The process's keep-alive transport (created on first use). */
export function defaultNodeTransport(): UpstreamTransport {
  return (shared ??= createNodeTransport());
}

function inNode<T extends { fetch?: typeof fetch; transport?: UpstreamTransport }>(options: T): T {
  return options.transport || options.fetch ? options : { ...options, transport: defaultNodeTransport() };
}

/** `createOpenAICompatibleUpstream` with the keep-alive transport by default (see `web.ts` for the fetch one). */
export function createOpenAICompatibleUpstream(options: OpenAICompatibleUpstreamOptions): Upstream {
  return createWebOpenAICompatibleUpstream(inNode(options));
}

/** `createAnthropicUpstream` with the keep-alive transport by default. */
export function createAnthropicUpstream(options: AnthropicUpstreamOptions): Upstream {
  return createWebAnthropicUpstream(inNode(options));
}

/** `createGeminiUpstream` with the keep-alive transport by default. */
export function createGeminiUpstream(options: GeminiUpstreamOptions): Upstream {
  return createWebGeminiUpstream(inNode(options));
}
