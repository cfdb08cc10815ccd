/**
 * Issue 14's warm-start check: a freshly started gateway, then sequential single requests,
 * each right after the same request straight to the provider. What the gateway adds to the
 * first token is compared between the first request after start and the later ones. One
 * sample of a first request is at the mercy of whatever else the machine does in that
 * millisecond, so the gateway is started several times and the first requests' median counts.
 */
import { closeIdleSockets, openStream, percentile } from './load-client.js';
import type { GatewayProcess } from '../test/support/gateway-process.js';

/** The figures of the sequential measurement. */
export interface WarmStartResult {
  /** Milliseconds the gateway added to the first token, per request in order, per start. */
  addedMs: number[][];
  /** Median over the starts of what the first request after start added. */
  first: number;
  laterMedian: number;
  laterMax: number;
}

/** Options of {@link measureWarmStart}. */
export interface WarmStartOptions {
  /** Starts a gateway that has served nothing yet. */
  start: () => Promise<GatewayProcess>;
  /** Fresh gateways, one after the other. */
  starts: number;
  upstreamBaseURL: string;
  /** Sequential requests per gateway. */
  requests: number;
  timeoutMs: number;
}

/**
 * Starts `starts` gateways one after the other; sends each `requests` requests one at a time,
 * each first straight to the provider, then through the gateway.
 *
 * @param options - How to start a gateway, the provider, how many.
 * @returns What the gateway added to each first token.
 */
export async function measureWarmStart(options: WarmStartOptions): Promise<WarmStartResult> {
  const body = (index: number): Record<string, unknown> => ({
    model: 'fake-model',
    messages: [{ role: 'user', content: `sequential ${index}` }],
    stream: true,
    max_tokens: 5,
  });
  const addedMs: number[][] = [];
  for (let run = 0; run < options.starts; run += 1) {
    const gateway = await options.start();
    const added: number[] = [];
    try {
      for (let index = 0; index < options.requests; index += 1) {
        const direct = await openStream({
          url: `${options.upstreamBaseURL}/chat/completions`,
          body: body(index),
          timeoutMs: options.timeoutMs,
        });
        const relayed = await openStream({ url: `${gateway.url}/api/chat`, body: body(index), timeoutMs: options.timeoutMs });
        if (direct.firstTokenMs === undefined || relayed.firstTokenMs === undefined) {
          throw new Error(`sequential request ${index} got no token (status ${relayed.status}, ${relayed.error ?? 'no error'})`);
        }
        added.push(relayed.firstTokenMs - direct.firstTokenMs);
      }
    } finally {
      await gateway.stop();
      closeIdleSockets();
    }
    addedMs.push(added);
  }
  const firsts = addedMs.map((added) => added[0] ?? Number.NaN);
  const later = addedMs.flatMap((added) => added.slice(1));
  return { addedMs, first: percentile(firsts, 50), laterMedian: percentile(later, 50), laterMax: Math.max(...later) };
}
