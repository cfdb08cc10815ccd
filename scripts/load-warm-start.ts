/**
 * Issue 14's warm-start check: a freshly started gateway, then sequential single requests,
 * each right after the same request straight to the provider. What the gateway adds to the
 * first token is compared between the first request after start and the later ones.
 */
import type { GatewayProcess } from '../test/support/gateway-process.js';
import { openStream, percentile } from './load-client.js';

/** The figures of the sequential measurement. */
export interface WarmStartResult {
  /** Milliseconds the gateway added to the first token, per request, in order. */
  addedMs: number[];
  first: number;
  laterMedian: number;
  laterMax: number;
}

/** Options of {@link measureWarmStart}. */
export interface WarmStartOptions {
  /** A gateway that has served nothing yet. */
  gateway: GatewayProcess;
  upstreamBaseURL: string;
  requests: number;
  timeoutMs: number;
}

/**
 * Sends `requests` requests one at a time, each first straight to the provider, then
 * through the gateway.
 *
 * @param options - The fresh gateway, the provider, how many.
 * @returns What the gateway added to each first token.
 */
export async function measureWarmStart(options: WarmStartOptions): Promise<WarmStartResult> {
  const body = (index: number): Record<string, unknown> => ({
    model: 'fake-model',
    messages: [{ role: 'user', content: `sequential ${index}` }],
    stream: true,
    max_tokens: 5,
  });
  const addedMs: number[] = [];
  for (let index = 0; index < options.requests; index += 1) {
    const direct = await openStream({
      url: `${options.upstreamBaseURL}/chat/completions`,
      body: body(index),
      timeoutMs: options.timeoutMs,
    });
    const relayed = await openStream({ url: `${options.gateway.url}/api/chat`, body: body(index), timeoutMs: options.timeoutMs });
    if (direct.firstTokenMs === undefined || relayed.firstTokenMs === undefined) {
      throw new Error(`sequential request ${index} got no token (status ${relayed.status}, ${relayed.error ?? 'no error'})`);
    }
    addedMs.push(relayed.firstTokenMs - direct.firstTokenMs);
  }
  const later = addedMs.slice(1);
  return { addedMs, first: addedMs[0] ?? Number.NaN, laterMedian: percentile(later, 50), laterMax: Math.max(...later) };
}
