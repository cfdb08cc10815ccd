/** Headers a browser may read from our responses (DESIGN.md §4). */
export const EXPOSED_HEADERS = 'X-Request-ID, Retry-After, retry-after-ms, X-Context-Trimmed, X-Stream-ID';

/** Request headers allowed in a preflight when the browser asks for none in particular. */
const DEFAULT_ALLOWED_HEADERS = 'Content-Type, Accept, Idempotency-Key, X-Retry-Attempt, Last-Event-ID, X-Mock-Scenario, X-Mock-Fail-Times';

/** Decision for one request's `Origin`. */
export interface CorsDecision {
  /** False when the request comes from a browser page on an origin that is not allowed. */
  allowed: boolean;
  /** Headers to add to the response (empty for same-origin and non-browser requests). */
  headers: Record<string, string>;
}

/** Applies an origin allowlist. */
export interface CorsPolicy {
  /** Decides for an actual (non-preflight) request. */
  check(request: Request): CorsDecision;
  /** Decides for an `OPTIONS` preflight, with the `Access-Control-Allow-*` headers. */
  preflight(request: Request): CorsDecision;
}

/**
 * Creates the CORS policy for an allowlist of exact origins (`https://app.example.com`);
 * `'*'` allows any origin (for local development). The default, an empty list, allows only
 * same-origin pages. Requests without an `Origin` header (curl, servers, SDKs) are allowed:
 * CORS protects browsers' users, and those clients can send anything anyway.
 *
 * A cross-origin request from an origin not on the list is refused by the handler with 403
 * rather than merely left without CORS headers: otherwise a "simple" cross-site POST could
 * still spend the server's key even though the page can't read the answer.
 *
 * @param allowedOrigins - Exact origins, or `'*'`.
 * @returns The policy.
 */
export function createCorsPolicy(allowedOrigins: readonly string[]): CorsPolicy {
  const anyOrigin = allowedOrigins.includes('*');
  const allowList = new Set(allowedOrigins.map((origin) => origin.replace(/\/+$/, '').toLowerCase()));

  function decide(request: Request): { allowed: boolean; origin: string | undefined } {
    const origin = request.headers.get('origin');
    if (!origin) return { allowed: true, origin: undefined };
    if (isSameOrigin(request, origin)) return { allowed: true, origin: undefined };
    return { allowed: anyOrigin || allowList.has(origin.toLowerCase()), origin };
  }

  function baseHeaders(origin: string): Record<string, string> {
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      // Credentials (cookies for an app's own auth in front of the gateway) only for origins
      // listed by name, never for the development wildcard.
      ...(allowList.has(origin.toLowerCase()) ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
      Vary: 'Origin',
    };
  }

  return {
    check(request): CorsDecision {
      const { allowed, origin } = decide(request);
      if (!allowed) return { allowed, headers: {} };
      if (!origin) return { allowed, headers: { 'Access-Control-Expose-Headers': EXPOSED_HEADERS } };
      return { allowed, headers: baseHeaders(origin) };
    },
    preflight(request): CorsDecision {
      const { allowed, origin } = decide(request);
      if (!allowed || !origin) return { allowed, headers: {} };
      const requested = request.headers.get('access-control-request-headers');
      // Echo requested header names (the element may add e.g. a CSRF header); they are only
      // honoured for allow-listed origins, and the value is restricted to header-name syntax.
      const allowHeaders = requested && /^[\w-]+(\s*,\s*[\w-]+)*$/.test(requested.trim()) ? requested : DEFAULT_ALLOWED_HEADERS;
      return {
        allowed,
        headers: {
          ...baseHeaders(origin),
          'Access-Control-Allow-Methods': 'POST, GET, OPTIONS',
          'Access-Control-Allow-Headers': allowHeaders,
          'Access-Control-Max-Age': '600',
          Vary: 'Origin, Access-Control-Request-Headers',
        },
      };
    },
  };
}

/**
 * Whether the page's origin is this server. Compares hosts, not schemes: behind a TLS
 * terminating proxy the page is `https://host` while the request reaches us as `http://host`.
 * `X-Forwarded-Host` is considered too; a browser cannot forge it cross-origin without a
 * preflight, and the preflight is refused for unlisted origins.
 */
function isSameOrigin(request: Request, origin: string): boolean {
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get('x-forwarded-host')?.split(',')[0]?.trim()];
  try {
    hosts.push(new URL(request.url).host);
  } catch {
    // A malformed URL only removes a candidate.
  }
  return hosts.some((host) => host !== undefined && host.toLowerCase() === originHost);
}
