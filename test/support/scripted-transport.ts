/**
 * An in-memory {@link ChatTransport} for ChatSession's unit tests: no HTTP, no protocol.
 * Each request gets the next step (the last one repeats); a step is an async generator that
 * plays the transport's part — calling `onResponse`/`onActivity`, yielding events — and sees
 * the attempt's abort signal, exactly as the fetch transport would.
 */
import type { ChatRequestInput, ChatTransport, TransportStreamOptions } from '../../src/core/chat-transport.js';
import { createOpenAIAdapter } from '../../src/transport/openai-adapter.js';
import type { ChatEvent, ChatRequest, WireError } from '../../src/core/types.js';

export type TransportStep = (request: ChatRequest, options: TransportStreamOptions) => AsyncIterable<ChatEvent>;

export interface RecordedAttempt {
  request: ChatRequest;
  /** A copy of the headers as they were when this attempt was made. */
  headers: Record<string, string>;
  /** The input the session built the request from. */
  input: ChatRequestInput | undefined;
  /** The attempt's signal was aborted (Stop, a watchdog) before the step ended. */
  aborted: boolean;
}

export interface ScriptedTransport extends ChatTransport {
  attempts: RecordedAttempt[];
  inputs: ChatRequestInput[];
}

/** A transport that plays `steps` in order; requests are encoded by the OpenAI adapter, so bodies are real. */
export function scriptedTransport(...steps: TransportStep[]): ScriptedTransport {
  const adapter = createOpenAIAdapter();
  const attempts: RecordedAttempt[] = [];
  const inputs: ChatRequestInput[] = [];
  const byRequest = new WeakMap<ChatRequest, ChatRequestInput>();
  return {
    protocol: 'scripted',
    attempts,
    inputs,
    createRequest(input) {
      inputs.push(structuredClone(input));
      const request: ChatRequest = {
        url: input.url,
        headers: { ...input.headers, 'Content-Type': 'application/json', Accept: adapter.accept },
        body: adapter.encodeRequest(input),
      };
      byRequest.set(request, input);
      return request;
    },
    stream(request, options) {
      const step = steps[Math.min(attempts.length, steps.length - 1)];
      if (!step) throw new Error('scriptedTransport: no steps');
      const record: RecordedAttempt = { request, headers: { ...request.headers }, input: byRequest.get(request), aborted: false };
      attempts.push(record);
      options.signal.addEventListener('abort', () => (record.aborted = true), { once: true });
      return step(request, options);
    },
  };
}

const wait = (signal: AbortSignal) =>
  new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

/** A successful answer: headers, the parts as deltas, a finish, usage and the end marker. */
export function answer(parts: string[], reason = 'stop', requestId = 'req_test'): TransportStep {
  return async function* (_request, options) {
    options.onResponse?.({ status: 200, headers: new Headers(), requestId });
    yield { type: 'meta', requestId };
    yield { type: 'meta', requestId: 'chatcmpl-test', model: 'test-model' };
    for (const text of parts) {
      options.onActivity?.();
      yield { type: 'delta', text };
    }
    yield { type: 'finish', reason };
    yield { type: 'usage', promptTokens: 12, completionTokens: parts.length, cachedTokens: 4 };
    yield { type: 'done' };
  };
}

/** A failure before the stream (an HTTP error status, a network error): one `error` event. */
export function failure(error: WireError): TransportStep {
  return async function* () {
    yield { type: 'error', error };
  };
}

/** Headers, then the given events, then the attempt stays open until aborted (a silent server). */
export function thenHang(events: ChatEvent[] = []): TransportStep {
  return async function* (_request, options) {
    options.onResponse?.({ status: 200, headers: new Headers() });
    for (const event of events) yield event;
    await wait(options.signal);
  };
}

/** Headers, then the given events, then the stream ends (an EOF: the session sees no terminal event). */
export function events(list: ChatEvent[]): TransportStep {
  return async function* (_request, options) {
    options.onResponse?.({ status: 200, headers: new Headers() });
    for (const event of list) yield event;
  };
}

/**
 * A step the test drives by hand: `respond()` sends headers, `push()` an event, `activity()`
 * bytes without content, `end()` the body. Until then the attempt waits (abortable).
 */
export function manual() {
  const queue: Array<ChatEvent | 'end'> = [];
  let wake: (() => void) | undefined;
  let options: TransportStreamOptions | undefined;
  const poke = () => {
    wake?.();
    wake = undefined;
  };
  const step: TransportStep = async function* (_request, streamOptions) {
    options = streamOptions;
    for (;;) {
      while (queue.length > 0) {
        const next = queue.shift() as ChatEvent | 'end';
        if (next === 'end') return;
        yield next;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), wait(streamOptions.signal)]);
    }
  };
  return {
    step,
    respond: () => options?.onResponse?.({ status: 200, headers: new Headers() }),
    activity: () => options?.onActivity?.(),
    push: (event: ChatEvent) => (queue.push(event), poke()),
    end: () => (queue.push('end'), poke()),
    get started() {
      return options !== undefined;
    },
  };
}
