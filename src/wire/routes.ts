/**
 * The gateway's paths (DESIGN.md §4, §4b). The element's defaults, the demo's dev server and
 * the gateway's router read them from here, so a path is spelled once.
 */

/** The chat endpoint: ours, and the OpenAI SDKs' (`baseURL` `http://host:port/v1`). */
export const CHAT_PATHS: readonly string[] = ['/api/chat', '/v1/chat/completions'];

/** Liveness probe. */
export const HEALTH_PATH = '/healthz';

/** Whether the gateway answers on this path (chat, health, or a chat path's stream routes). */
export function isGatewayPath(path: string): boolean {
  return path === HEALTH_PATH || CHAT_PATHS.some((chat) => path === chat || path.startsWith(`${chat}/streams/`));
}

/** A resumable-stream route under a chat path (DESIGN.md §4b). */
export interface StreamRoute {
  /** The chat path it hangs under, e.g. `/api/chat`. */
  chatPath: string;
  /** The id from `X-Stream-ID` (not validated here). */
  streamId: string;
  /** `GET <chat>/streams/<id>` resumes; `POST <chat>/streams/<id>/stop` stops. */
  action: 'resume' | 'stop';
}

/**
 * Builds a stream route: `<chatPath>/streams/<id>` (resume) or `.../stop`.
 *
 * @param chatPath - The chat endpoint's path (or a full URL).
 * @param streamId - The id from the `X-Stream-ID` response header.
 * @param action - Which route.
 * @returns The path (or URL) to request.
 */
export function streamPath(chatPath: string, streamId: string, action: StreamRoute['action'] = 'resume'): string {
  const base = `${chatPath.replace(/\/+$/, '')}/streams/${encodeURIComponent(streamId)}`;
  return action === 'stop' ? `${base}/stop` : base;
}

/**
 * Reads a stream route from a request path.
 *
 * @param path - The request's path (no query).
 * @returns The route, or `undefined` when the path is not one.
 */
export function parseStreamRoute(path: string): StreamRoute | undefined {
  for (const chatPath of CHAT_PATHS) {
    if (!path.startsWith(`${chatPath}/streams/`)) continue;
    const rest = path.slice(chatPath.length + '/streams/'.length).split('/');
    const [streamId, action, extra] = rest;
    if (!streamId || extra !== undefined) return undefined;
    if (action === undefined) return { chatPath, streamId, action: 'resume' };
    if (action === 'stop') return { chatPath, streamId, action: 'stop' };
    return undefined;
  }
  return undefined;
}
