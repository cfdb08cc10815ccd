import { byteSourceFromStream } from './byte-source.js';
import type { ByteSource } from './byte-source.js';
import { GatewayError } from './gateway-error.js';

/** One provider call, as an upstream makes it. */
export interface UpstreamHttpRequest {
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  /** Aborts the call (client gone, the handler's timeout, the end of the answer). */
  signal: AbortSignal;
}

/** A provider's response once its status and headers arrived. */
export interface UpstreamHttpResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  /** The body, read by push; `undefined` when there is none. */
  body: ByteSource | undefined;
  /** Reads at most `limit` bytes of the body as text (error bodies), then lets it go. */
  text(limit: number): Promise<string>;
  /** Discards the body. */
  cancel(): void;
}

/**
 * How an upstream reaches its provider. Resolves once the status and headers arrived,
 * whatever the status; rejects with a {@link GatewayError} 502 `upstream_error` when the
 * provider cannot be reached, or with the signal's reason when the call was aborted (the
 * handler's own 504 `upstream_timeout`, or anything when the client left).
 */
export type UpstreamTransport = (url: string, request: UpstreamHttpRequest) => Promise<UpstreamHttpResponse>;

/**
 * The error for a provider that could not be reached: refused, DNS, TLS, reset before
 * headers. The URL is not put in the message: it may name an internal host.
 *
 * @param error - What the HTTP client threw.
 * @param signal - The call's signal: an abort rethrows its reason instead.
 * @returns The error to throw.
 */
export function unreachable(error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  // Node's fetch wraps the socket error: TypeError('fetch failed', { cause: { code } }).
  const source = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const raw = (source as { code?: unknown } | undefined)?.code;
  const code = typeof raw === 'string' && /^[A-Z_]+$/.test(raw) ? raw : undefined;
  return new GatewayError({
    status: 502,
    type: 'server_error',
    code: 'upstream_error',
    message: `Could not reach the AI provider${code ? ` (${code})` : ''}. Retry shortly.`,
  });
}

/**
 * The transport over `fetch`: what `web.ts` uses (Workers, Deno, Bun) and what an upstream
 * given its own `fetch` uses. In Node the gateway's own keep-alive transport
 * (`createNodeTransport`) is cheaper per event.
 *
 * @param fetchImpl - The fetch to use.
 * @returns The transport.
 */
export function createFetchTransport(fetchImpl: typeof fetch): UpstreamTransport {
  return async (url, request) => {
    let response: Response;
    try {
      response = await fetchImpl(url, request);
    } catch (error) {
      throw unreachable(error, request.signal);
    }
    const stream = response.body;
    return {
      status: response.status,
      ok: response.ok,
      headers: response.headers,
      body: stream ? byteSourceFromStream(stream) : undefined,
      text: (limit) => readText(stream, limit),
      cancel: () => void stream?.cancel().catch(() => {}),
    };
  };
}

async function readText(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<string> {
  if (!stream) return '';
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body that fails half-way is as good as what arrived.
  } finally {
    reader.cancel().catch(() => {});
  }
  return text;
}
