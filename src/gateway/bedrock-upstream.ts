import type { BedrockRuntimeClient, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { mapBedrockError } from './bedrock-error.js';
import { BEDROCK_SUPPORTED_FIELDS, toConverseInput } from './bedrock-request.js';
import { createChunkFactory } from './chunk-factory.js';
import { isFirstOutput, peekEvents } from './peek-events.js';
import { planPromptCache } from './prompt-cache.js';
import { GatewayError } from './gateway-error.js';
import { endedEarly } from './upstream.js';
import type { Upstream, UpstreamContext, UpstreamEvent, UpstreamRequest } from './upstream.js';

/** Options of {@link createBedrockUpstream}. */
export interface BedrockUpstreamOptions {
  /**
   * AWS region of the Bedrock runtime.
   * @defaultValue the SDK's own resolution (`AWS_REGION`, then the shared config's profile)
   */
  region?: string;
  /**
   * Runtime endpoint override (a VPC interface endpoint, or a local fake in tests).
   * @defaultValue the SDK's regional endpoint
   */
  endpoint?: string;
  /** Model id or inference-profile id/ARN used when a request names none. */
  defaultModel?: string;
  /**
   * Add `cachePoint` blocks for Claude models (see `planPromptCache`).
   * @defaultValue true
   */
  promptCaching?: boolean;
  /**
   * A configured client, e.g. with custom credentials. When given, `region` and `endpoint` are
   * ignored; give it `maxAttempts: 1` so the gateway's own retry bound holds.
   * @defaultValue a `BedrockRuntimeClient` with the default credential chain and `maxAttempts: 1`
   */
  client?: BedrockRuntimeClient;
}

/** Converse `stopReason` → OpenAI `finish_reason`; anything else is passed on as it is. */
const FINISH_REASONS: Readonly<Record<string, string>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  content_filtered: 'content_filter',
  guardrail_intervened: 'content_filter',
};

/**
 * Creates an upstream for Amazon Bedrock's Converse stream API through the official AWS SDK
 * (`@aws-sdk/client-bedrock-runtime`, loaded on first use so other providers never load it).
 * Credentials come from the SDK's default chain (IAM role, environment, profile, SSO): no key
 * variable. The SDK's own retries are off (`maxAttempts: 1`); the gateway's fallback chain owns
 * retries, so one user send has a stated bound of provider calls.
 *
 * Translated into the OpenAI stream: `contentBlockDelta` text → `content`, reasoning text →
 * `reasoning_content`, `contentBlockStart.toolUse` and tool input deltas → `tool_calls`
 * fragments by index; `messageStop.stopReason` → `finish_reason` (`end_turn` → stop,
 * `max_tokens` → length, `tool_use` → tool_calls, `content_filtered`/`guardrail_intervened` →
 * content_filter); `metadata.usage` → usage with cache reads as `cached_tokens` and cache
 * writes as `cache_write_tokens`. Exceptions map through {@link mapBedrockError}; one raised
 * before any output (a throttling event first in the stream) is still answered with an HTTP
 * status, later ones are sent in-band.
 *
 * @param options - Region, endpoint, default model, client.
 * @returns The upstream.
 */
export function createBedrockUpstream(options: BedrockUpstreamOptions = {}): Upstream {
  let client: Promise<BedrockRuntimeClient> | undefined;
  const getClient = (): Promise<BedrockRuntimeClient> =>
    (client ??= options.client
      ? Promise.resolve(options.client)
      : import('@aws-sdk/client-bedrock-runtime').then(
          (sdk) =>
            new sdk.BedrockRuntimeClient({
              maxAttempts: 1,
              ...(options.region ? { region: options.region } : {}),
              ...(options.endpoint ? { endpoint: options.endpoint } : {}),
            }),
        ));

  return {
    provider: 'bedrock',
    defaultModel: options.defaultModel,
    supportedFields: BEDROCK_SUPPORTED_FIELDS,
    async chat(request: UpstreamRequest, context: UpstreamContext) {
      const [runtime, sdk] = await Promise.all([getClient(), import('@aws-sdk/client-bedrock-runtime')]);
      const plan = options.promptCaching === false ? { system: false, historyEnd: -1 } : planPromptCache(request, request.model);
      let output;
      try {
        output = await runtime.send(new sdk.ConverseStreamCommand(toConverseInput(request, plan)), { abortSignal: context.signal });
      } catch (error) {
        if (context.signal.aborted) throw context.signal.reason;
        throw mapBedrockError(error);
      }
      const upstreamRequestId = output.$metadata.requestId;
      if (!output.stream) {
        throw new GatewayError({
          status: 502,
          type: 'server_error',
          code: 'upstream_error',
          message: 'The AI provider answered without a stream.',
        });
      }
      const peeked = await peekEvents(translateStream(output.stream, request, context), isFirstOutput);
      const first = peeked.head.at(-1);
      if (first?.type === 'error') {
        await peeked.events[Symbol.asyncIterator]().return?.();
        throw GatewayError.fromPayload(first.error);
      }
      return { type: 'stream', events: peeked.events, ...(upstreamRequestId ? { upstreamRequestId } : {}) };
    },
  };
}

/** Translates Converse stream events into OpenAI chunks. */
async function* translateStream(
  stream: AsyncIterable<ConverseStreamOutput>,
  request: UpstreamRequest,
  context: UpstreamContext,
): AsyncGenerator<UpstreamEvent> {
  const chunks = createChunkFactory({ id: `chatcmpl-${context.requestId}`, model: request.model });
  const toolIndexByBlock = new Map<number, number>();
  let finishReason: string | undefined;
  try {
    for await (const event of stream) {
      if (event.messageStart) {
        yield { type: 'chunk', chunk: chunks.delta({ role: 'assistant', content: '' }) };
      } else if (event.contentBlockStart?.start?.toolUse) {
        const { toolUseId, name } = event.contentBlockStart.start.toolUse;
        const toolIndex = toolIndexByBlock.size;
        toolIndexByBlock.set(event.contentBlockStart.contentBlockIndex ?? 0, toolIndex);
        yield {
          type: 'chunk',
          chunk: chunks.delta({
            tool_calls: [
              { index: toolIndex, id: toolUseId ?? `call_${toolIndex}`, type: 'function', function: { name: name ?? '', arguments: '' } },
            ],
          }),
        };
      } else if (event.contentBlockDelta?.delta) {
        const { delta, contentBlockIndex } = event.contentBlockDelta;
        if (typeof delta.text === 'string' && delta.text) {
          yield { type: 'chunk', chunk: chunks.delta({ content: delta.text }) };
        } else if (typeof delta.reasoningContent?.text === 'string' && delta.reasoningContent.text) {
          yield { type: 'chunk', chunk: chunks.delta({ reasoning_content: delta.reasoningContent.text }) };
        } else if (typeof delta.toolUse?.input === 'string') {
          const index = toolIndexByBlock.get(contentBlockIndex ?? 0) ?? 0;
          yield { type: 'chunk', chunk: chunks.delta({ tool_calls: [{ index, function: { arguments: delta.toolUse.input } }] }) };
        } else {
          yield { type: 'keepalive' };
        }
      } else if (event.messageStop) {
        const stop = event.messageStop.stopReason ?? 'end_turn';
        finishReason = FINISH_REASONS[stop] ?? stop;
        yield { type: 'chunk', chunk: chunks.delta({}, finishReason) };
      } else if (event.metadata) {
        const usage = event.metadata.usage;
        const cacheRead = usage?.cacheReadInputTokens ?? 0;
        const cacheWrite = usage?.cacheWriteInputTokens ?? 0;
        yield {
          type: 'chunk',
          chunk: chunks.usage({
            prompt: (usage?.inputTokens ?? 0) + cacheRead + cacheWrite,
            completion: usage?.outputTokens ?? 0,
            cached: cacheRead,
            cacheWrite,
          }),
        };
        if (finishReason) {
          yield { type: 'done' };
          return;
        }
      } else {
        yield { type: 'keepalive' };
      }
    }
  } catch (error) {
    if (context.signal.aborted) throw context.signal.reason;
    yield { type: 'error', error: mapBedrockError(error).toPayload() };
    return;
  }
  if (finishReason) {
    yield { type: 'done' };
    return;
  }
  yield endedEarly();
}
