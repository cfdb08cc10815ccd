import { LAST_EVENT_ID_HEADER } from '../wire/headers.js';
import type { StreamRoute } from '../wire/routes.js';
import { GatewayError, invalidRequest } from './gateway-error.js';
import { isStreamId, parseLastEventId } from './stream-id.js';
import type { StreamRegistry } from './stream-registry.js';

/** What a stream route answers when it succeeds; failures are thrown as {@link GatewayError}. */
export type StreamRouteResult = { type: 'stream'; body: ReadableStream<Uint8Array> } | { type: 'stopped' };

/** Options of {@link createResumeHandler}. */
export interface ResumeHandlerOptions {
  registry: StreamRegistry;
  /** Keep-alive interval of resumed connections. */
  keepAliveMs: number;
}

/** Serves one stream route for one (already identified) client. */
export type ResumeHandler = (request: Request, route: StreamRoute, clientId: string) => Promise<StreamRouteResult>;

/**
 * Creates the handler of the resumable-stream routes (DESIGN.md §4b):
 * - `GET <chat path>/streams/<id>` with `Last-Event-ID: <id>:<seq>` (or none, to start from
 *   the first event) replays the events after it, then follows the live generation to its end;
 * - `POST <chat path>/streams/<id>/stop` aborts the generation's provider request now
 *   (answered 204; also for a stream that already ended, so a late Stop is harmless).
 *
 * Only the client that started the stream may do either: an unknown id, a malformed one, an
 * expired one and someone else's all get the same 404 `stream_not_found`, so the answer
 * tells an attacker nothing. A malformed `Last-Event-ID` is a 400.
 *
 * @param options - The registry and keep-alive interval.
 * @returns The handler.
 */
export function createResumeHandler(options: ResumeHandlerOptions): ResumeHandler {
  return async (request, route, clientId) => {
    const expected = route.action === 'stop' ? 'POST' : 'GET';
    if (request.method !== expected) {
      throw new GatewayError({
        status: 405,
        type: 'invalid_request_error',
        code: 'method_not_allowed',
        message: route.action === 'stop' ? 'Use POST to stop a stream.' : 'Use GET to resume a stream.',
      });
    }
    if (!isStreamId(route.streamId)) throw streamNotFound();

    if (route.action === 'stop') {
      if (!(await options.registry.stop(route.streamId, clientId))) throw streamNotFound();
      return { type: 'stopped' };
    }

    const afterSeq = parseLastEventId(request.headers.get(LAST_EVENT_ID_HEADER), route.streamId);
    if (afterSeq === undefined) {
      throw invalidRequest(`Last-Event-ID must be an event id of this stream (${route.streamId}:<number>), or absent.`, 'Last-Event-ID');
    }
    const body = await options.registry.resume(route.streamId, clientId, afterSeq, {
      signal: request.signal,
      keepAliveMs: options.keepAliveMs,
    });
    if (!body) throw streamNotFound();
    return { type: 'stream', body };
  };
}

function streamNotFound(): GatewayError {
  return new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'stream_not_found',
    message: 'No such stream for this client: it never existed, expired, or was started by someone else.',
  });
}
