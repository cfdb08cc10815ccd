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
