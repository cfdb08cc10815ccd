/**
 * An in-memory {@link ChatTransport} for ChatSession's unit tests: no HTTP, no protocol.
 * Each request gets the next step (the last one repeats); a step is an async generator that
 * plays the transport's part — calling `onResponse`/`onActivity`, yielding events — and sees
 * the attempt's abort signal, exactly as the fetch transport would.
 */
import type { ChatRequestInput, ChatTransport, ResumeCursor, TransportStreamOptions } from '../../src/core/chat-transport.js';
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
  /** Resumes asked for, with the cursor they resumed from. */
  resumes: Array<{ request: ChatRequest; cursor: ResumeCursor }>;
  /** Stream ids the session asked the server to stop. */
  stops: string[];
}

/** Steps for `resume()`, in order (the last one repeats); without any, the transport cannot resume. */
export interface ResumeScript {
  resumeSteps?: TransportStep[];
}

/** A transport that plays `steps` in order; requests are encoded by the OpenAI adapter, so bodies are real. */
export function scriptedTransport(...steps: TransportStep[]): ScriptedTransport {
  return resumableTransport({}, ...steps);
}

/** Like {@link scriptedTransport}, with `resume()` playing `script.resumeSteps` and `stop()` recorded. */
export function resumableTransport(script: ResumeScript, ...steps: TransportStep[]): ScriptedTransport {
  const adapter = createOpenAIAdapter();
  const attempts: RecordedAttempt[] = [];
  const inputs: ChatRequestInput[] = [];
  const resumes: ScriptedTransport['resumes'] = [];
  const stops: string[] = [];
  const byRequest = new WeakMap<ChatRequest, ChatRequestInput>();
  const resumeSteps = script.resumeSteps;
  return {
    protocol: 'scripted',
    attempts,
    inputs,
    resumes,
    stops,
    ...(resumeSteps
      ? {
          resume(request: ChatRequest, cursor: ResumeCursor, options: TransportStreamOptions) {
            const step = resumeSteps[Math.min(resumes.length, resumeSteps.length - 1)] as TransportStep;
            resumes.push({ request, cursor: { streamId: cursor.streamId, lastEventId: cursor.lastEventId } });
            return step(request, options);
          },
          async stop(_request: ChatRequest, streamId: string) {
            stops.push(streamId);
          },
        }
      : {}),
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

/**
 * A resumable stream's connection: headers, then each event followed by its cursor
 * (`<streamId>:<n>`), then `end` — `'cut'` (a network failure), `'done'`, or `'hang'`.
 */
export function numbered(streamId: string, from: number, list: ChatEvent[], end: 'cut' | 'done' | 'hang'): TransportStep {
  return async function* (_request, options) {
    options.onResponse?.({ status: 200, headers: new Headers() });
    let seq = from;
    for (const event of list) {
      yield event;
      options.onCursor?.({ streamId, lastEventId: `${streamId}:${++seq}` });
    }
    if (end === 'cut') yield { type: 'error', error: { cause: 'network', message: 'connection reset' } };
    if (end === 'hang') await wait(options.signal);
  };
}
