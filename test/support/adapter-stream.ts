/**
 * Runs a protocol adapter through the real transport (`streamChat`) on a scripted body, and
 * reads the events back the way the tests compare them.
 */
import { expect } from '@open-wc/testing';
import type { ChatRequestInput } from '../../src/core/chat-transport.js';
import type { ChatEvent } from '../../src/core/types.js';
import type { ProtocolAdapter } from '../../src/transport/protocol-adapter.js';
import { streamChat } from '../../src/transport/stream-chat.js';
import { bytes, chunkedFetch, cutAt } from './byte-stream.js';
import { script } from './script.js';
import type { ScriptStep } from './script.js';

const request = { url: 'http://127.0.0.1/unused', headers: {}, body: {} };

export async function collect(adapter: ProtocolAdapter, fetchImpl: typeof fetch): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of streamChat(request, { adapter, signal: new AbortController().signal, fetch: fetchImpl })) events.push(event);
  return events;
}

/** The events of `wire` delivered in the given chunks (the whole body at once by default). */
export function run(adapter: ProtocolAdapter, wire: string | Uint8Array[], headers: Record<string, string>, failAfter = false) {
  return collect(adapter, chunkedFetch(typeof wire === 'string' ? [bytes(wire)] : wire, { headers, failAfter }));
}

export const textOf = (events: ChatEvent[]) => events.map((e) => (e.type === 'delta' ? e.text : '')).join('');
export const reasoningOf = (events: ChatEvent[]) => events.map((e) => (e.type === 'reasoning' ? e.text : '')).join('');
export const kinds = (events: ChatEvent[]) => events.map((e) => e.type);
export const lastError = (events: ChatEvent[]) => {
  const last = events.at(-1);
  return last?.type === 'error' ? last.error : undefined;
};

/**
 * The property every framing must have: whatever byte offset the network cuts the body at
 * (inside a frame, between CR and LF, inside a multibyte character), the events are the
 * same as for the whole body. Returns the events of the whole body.
 */
export async function expectSameAtEveryCut(adapter: ProtocolAdapter, wire: string, headers: Record<string, string>): Promise<ChatEvent[]> {
  const data = bytes(wire);
  const whole = await run(adapter, [data], headers);
  for (let offset = 1; offset < data.length; offset++) {
    expect(await run(adapter, cutAt(data, [offset]), headers), `cut at byte ${offset}`).to.deep.equal(whole);
  }
  return whole;
}

/** Byte offsets of the awkward places in `wire`: inside the first `marker`, between a CR and its LF, inside the emoji. */
export function awkwardOffsets(wire: string, marker: string): number[] {
  const at = (index: number) => bytes(wire.slice(0, index)).length;
  const offsets = [at(wire.indexOf(marker) + Math.ceil(marker.length / 2))];
  if (wire.includes('\r\n')) offsets.push(at(wire.indexOf('\r\n') + 1));
  const emoji = wire.indexOf('👋');
  if (emoji !== -1) offsets.push(at(emoji) + 1, at(emoji) + 3);
  return offsets;
}

/** The events of one request to a scripted endpoint over real HTTP (status, headers, error bodies). */
export async function runOverHttp(adapter: ProtocolAdapter, step: ScriptStep): Promise<ChatEvent[]> {
  const endpoint = await script(step);
  const events: ChatEvent[] = [];
  for await (const event of streamChat({ url: endpoint.url, headers: {}, body: {} }, { adapter, signal: new AbortController().signal })) {
    events.push(event);
  }
  return events;
}

/** A request with one user message, for encoding tests. */
export function requestInput(extra: Partial<ChatRequestInput> = {}): ChatRequestInput {
  return { url: '/api/chat', headers: {}, messages: [{ role: 'user', content: 'Hi' }], continuation: false, ...extra };
}
