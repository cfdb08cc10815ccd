/**
 * Demo only: one small endpoint per protocol other than `openai`, mounted by the Vite dev
 * server at `/api/demo/<protocol>` (`ai-sdk`, `anthropic`, `ndjson`, `text`). Each reads the
 * request in its protocol's shape, runs the gateway's mock upstream (so the scenario picker's
 * `X-Mock-Scenario` header and `/scenario <name>` work here too) and answers in that
 * protocol's wire format, errors included. They stand in for the backends people already run
 * (a Next.js route with the AI SDK, an Anthropic pass-through, Ollama, a text endpoint); they
 * are not part of the gateway and have none of its limits.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Upstream } from '../src/gateway/index.js';
import { DEMO_PROTOCOLS, readDemoRequest } from './protocol-requests.js';
import type { DemoProtocol } from './protocol-requests.js';
import { createProtocolWriter, errorBody } from './protocol-writers.js';

/** Where the endpoints live: `/api/demo/ai-sdk`, `/api/demo/anthropic`, ... */
export const DEMO_PROTOCOL_PREFIX = '/api/demo/';

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * @param upstream - The mock upstream the answers come from.
 * @returns A Node middleware: handles the demo protocol paths and returns `true`, else `false`.
 */
export function createProtocolEndpoints(upstream: Upstream): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (!path.startsWith(DEMO_PROTOCOL_PREFIX)) return false;
    const protocol = path.slice(DEMO_PROTOCOL_PREFIX.length) as DemoProtocol;
    const requestId = `req_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    const fail = (status: number, type: string, message: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-ID': requestId, ...headers });
      res.end(JSON.stringify(errorBody(DEMO_PROTOCOLS.includes(protocol) ? protocol : 'text', { type, code: null, message }, requestId)));
    };
    if (!DEMO_PROTOCOLS.includes(protocol)) {
      fail(404, 'not_found_error', `No demo endpoint for "${protocol}". Known: ${DEMO_PROTOCOLS.join(', ')}.`);
      return true;
    }
    if (req.method !== 'POST') {
      fail(405, 'invalid_request_error', 'Use POST.');
      return true;
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      fail(400, 'invalid_request_error', 'The body must be JSON (at most 1 MiB).');
      return true;
    }
    const request = readDemoRequest(protocol, body);
    if (typeof request === 'string') {
      fail(400, 'invalid_request_error', request);
      return true;
    }

    const abort = new AbortController();
    res.on('close', () => abort.abort());
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
    let result;
    try {
      result = await upstream.chat(request, {
        requestId,
        signal: abort.signal,
        headers,
        idempotencyKey: headers.get('idempotency-key') ?? undefined,
        clientId: 'demo',
      });
    } catch (error) {
      const known = error as { status?: number; type?: string; code?: string | null; message?: string; retryAfterSeconds?: number };
      const status = typeof known.status === 'number' ? known.status : 500;
      const wait = known.retryAfterSeconds !== undefined ? { 'Retry-After': String(known.retryAfterSeconds) } : {};
      res.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-ID': requestId, ...wait });
      const envelope = {
        type: known.type ?? 'server_error',
        code: known.code ?? null,
        message: known.message ?? 'The demo endpoint failed.',
      };
      res.end(JSON.stringify(errorBody(protocol, envelope, requestId)));
      return true;
    }

    if (result.type === 'response') {
      // The mock's broken responses (an HTML page, JSON instead of a stream, a 204) pass as they are.
      res.writeHead(result.response.status, { 'X-Request-ID': requestId, ...Object.fromEntries(result.response.headers) });
      res.end(Buffer.from(await result.response.arrayBuffer()));
      return true;
    }
    const writer = createProtocolWriter(protocol, requestId, request.model);
    res.writeHead(200, { ...writer.headers, 'Cache-Control': 'no-cache, no-transform', 'X-Request-ID': requestId });
    res.flushHeaders();
    try {
      for await (const event of result.events) {
        const output = writer.write(event);
        if ('reset' in output) {
          // A reset discards bytes still in flight; let the text written so far arrive first.
          await new Promise((resolve) => setTimeout(resolve, 100));
          req.socket.destroy();
          return true;
        }
        if (output.text !== '') res.write(output.text);
      }
    } catch {
      // The client went away (the mock's sleep was aborted): nothing left to write to.
    }
    res.end();
    return true;
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
