import { GatewayError } from './gateway-error.js';

/**
 * `fetch` for provider calls, with failures turned into gateway errors: a network failure
 * (refused, DNS, TLS, reset before headers) becomes 502 `upstream_error`; an abort rethrows
 * the signal's reason, which is the handler's own 504 `upstream_timeout` when its timer fired
 * and anything else when the client left. The URL is not put in the message: it may name an
 * internal host.
 *
 * @param fetchImpl - The fetch to use (injectable).
 * @param url - Provider endpoint.
 * @param init - Request init; `signal` is required so a disconnect aborts the call.
 * @returns The provider's response, whatever its status.
 */
export async function fetchUpstream(fetchImpl: typeof fetch, url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  try {
    return await fetchImpl(url, init);
  } catch (error) {
    if (init.signal.aborted) throw init.signal.reason;
    const code = networkCode(error);
    throw new GatewayError({
      status: 502,
      type: 'server_error',
      code: 'upstream_error',
      message: `Could not reach the AI provider${code ? ` (${code})` : ''}. Retry shortly.`,
    });
  }
}

function networkCode(error: unknown): string | undefined {
  // Node's fetch wraps the socket error: TypeError('fetch failed', { cause: { code } }).
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' && /^[A-Z_]+$/.test(cause.code) ? cause.code : undefined;
}
