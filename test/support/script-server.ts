/**
 * A scripted HTTP endpoint for browser tests, mounted in web-test-runner's dev server (so it
 * is real HTTP on 127.0.0.1). A test registers the responses it wants, in order, points the
 * element at the returned URL, and afterwards reads what the server received: headers, body,
 * how many requests, and whether the client disconnected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface ScriptPiece {
  /** Wait before writing this piece. */
  delayMs?: number;
  /** Text to write (UTF-8). */
  text?: string;
  /** Raw bytes to write, for cutting inside a multibyte character. */
  bytes?: number[];
}

export interface ScriptStep {
  /** Wait before sending headers. */
  delayMs?: number;
  status?: number;
  headers?: Record<string, string>;
  pieces?: ScriptPiece[];
  /** How the response ends: `close` (default), `reset` (destroy the socket), `hang` (stay open). */
  end?: 'close' | 'reset' | 'hang';
}

interface RecordedRequest {
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  at: number;
  /** The client went away before the response ended. */
  disconnected: boolean;
}

interface Script {
  steps: ScriptStep[];
  requests: RecordedRequest[];
}

const scripts = new Map<string, Script>();
let counter = 0;
/** A hanging response is ended after this long so no test leaves a socket behind. */
const MAX_HANG_MS = 20_000;
const MAX_SCRIPTS = 2000;

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 4 * 1024 * 1024) throw new Error('body too large');
  }
  return text;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function play(step: ScriptStep, req: IncomingMessage, res: ServerResponse, record: RecordedRequest): Promise<void> {
  let gone = false;
  res.on('close', () => {
    if (!res.writableFinished) {
      gone = true;
      record.disconnected = true;
    }
  });
  if (step.delayMs) await wait(step.delayMs);
  if (gone) return;
  res.writeHead(step.status ?? 200, { 'Cache-Control': 'no-cache', ...step.headers });
  res.flushHeaders();
  for (const piece of step.pieces ?? []) {
    if (piece.delayMs) await wait(piece.delayMs);
    if (gone) return;
    if (piece.text !== undefined) res.write(piece.text);
    if (piece.bytes) res.write(Buffer.from(piece.bytes));
  }
  if (step.end === 'reset') {
    req.socket.destroy();
    return;
  }
  if (step.end === 'hang') {
    const started = Date.now();
    while (!gone && Date.now() - started < MAX_HANG_MS) await wait(50);
    if (!gone) res.end();
    return;
  }
  res.end();
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

/**
 * Handles `/__script` routes; returns false for any other URL.
 * - `POST /__script` with `{steps}` → `{id, url}`
 * - `POST /__script/:id/chat` → plays the next step (the last one repeats)
 * - `GET /__script/:id/requests` → the recorded requests
 */
export async function handleScriptRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (!url.pathname.startsWith('/__script')) return false;
  const parts = url.pathname.split('/').filter(Boolean);
  if (req.method === 'POST' && parts.length === 1) {
    const { steps } = JSON.parse(await readBody(req)) as { steps: ScriptStep[] };
    if (scripts.size > MAX_SCRIPTS) scripts.clear();
    const id = String(++counter);
    scripts.set(id, { steps, requests: [] });
    json(res, 200, { id, url: `/__script/${id}/chat` });
    return true;
  }
  const script = scripts.get(parts[1] ?? '');
  if (!script) {
    json(res, 404, { error: { message: 'no such script' } });
    return true;
  }
  if (parts[2] === 'requests' && req.method === 'GET') {
    json(res, 200, script.requests);
    return true;
  }
  if (parts[2] === 'chat') {
    if (req.method === 'OPTIONS') {
      res.writeHead(204).end();
      return true;
    }
    const text = await readBody(req);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Recorded as text.
    }
    const record: RecordedRequest = { headers: req.headers, body, at: Date.now(), disconnected: false };
    script.requests.push(record);
    const step = script.steps[Math.min(script.requests.length - 1, script.steps.length - 1)] ?? { status: 500 };
    await play(step, req, res, record);
    return true;
  }
  json(res, 404, { error: { message: 'unknown script route' } });
  return true;
}
