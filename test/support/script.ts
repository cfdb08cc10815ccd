/**
 * Browser-side helpers for the scripted endpoint (see script-server.ts) and for writing SSE
 * fixtures in the OpenAI wire format.
 */
import type { ScriptStep } from './script-server.js';

export type { ScriptStep };

export interface ScriptedEndpoint {
  url: string;
  /** What the server received, in order. */
  requests(): Promise<Array<{ headers: Record<string, string | undefined>; body: any; at: number; disconnected: boolean }>>;
}

/** Registers the responses the next requests get, in order (the last one repeats). */
export async function script(...steps: ScriptStep[]): Promise<ScriptedEndpoint> {
  const response = await fetch('/__script', { method: 'POST', body: JSON.stringify({ steps }) });
  const { id, url } = (await response.json()) as { id: string; url: string };
  return {
    url: new URL(url, location.href).href,
    requests: async () => (await fetch(`/__script/${id}/requests`)).json(),
  };
}

export const SSE_HEADERS = { 'Content-Type': 'text/event-stream; charset=utf-8' };

let chunkCounter = 0;

/** One `data:` line with a Chat Completions chunk. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'test-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
    ...extra,
  })}\n\n`;
}

export const text = (content: string) => chunk({ content });
export const role = () => chunk({ role: 'assistant', content: '' });
export const finish = (reason = 'stop') => chunk({}, reason);
export const usage = (prompt = 10, completion = 5, cached = 0) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    choices: [],
    usage: {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: cached },
    },
  })}\n\n`;
export const done = () => 'data: [DONE]\n\n';
export const inBandError = (error: Record<string, unknown>) => `data: ${JSON.stringify({ error })}\n\n`;

/** A complete successful stream of `parts` as text deltas. */
export function stream(parts: string[], reason = 'stop'): ScriptStep {
  return {
    headers: { ...SSE_HEADERS, 'X-Request-ID': `req_${++chunkCounter}` },
    pieces: [
      { text: role() },
      ...parts.map((p) => ({ text: text(p) })),
      { text: finish(reason) },
      { text: usage(12, parts.length, 4) },
      { text: done() },
    ],
  };
}

/** A JSON error envelope response. */
export function errorResponse(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}): ScriptStep {
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-ID': `req_err_${++chunkCounter}`, ...headers },
    pieces: [{ text: JSON.stringify({ error }) }],
  };
}
