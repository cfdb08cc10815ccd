/**
 * A fake Bedrock runtime on loopback speaking the real wire format: `POST
 * /model/{modelId}/converse-stream` answered with `application/vnd.amazon.eventstream` (the
 * binary framing with prelude, headers and CRCs, encoded by the AWS SDK's own codec), events
 * and modeled exceptions as the SDK decodes them, and pre-stream errors as REST-JSON with
 * `x-amzn-errortype`.
 */
import { createServer } from 'node:http2';
import type { Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { FakeUpstream, RecordedRequest } from './helpers.js';

/** The response object of the fake (HTTP/2, like the real runtime: the SDK's default handler speaks h2). */
export type BedrockResponse = Http2ServerResponse;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** One frame of a Converse stream: an event (`messageStart`, `contentBlockDelta`, ...) or an exception. */
export type BedrockFrame = { event: string; body: Record<string, unknown> } | { exception: string; message: string };

/** Encodes one frame with the SDK's event-stream codec. */
export function encodeFrame(frame: BedrockFrame): Uint8Array {
  if ('exception' in frame) {
    return codec.encode({
      headers: {
        ':message-type': { type: 'string', value: 'exception' },
        ':exception-type': { type: 'string', value: frame.exception },
        ':content-type': { type: 'string', value: 'application/json' },
      },
      body: fromUtf8(JSON.stringify({ message: frame.message })),
    });
  }
  return codec.encode({
    headers: {
      ':message-type': { type: 'string', value: 'event' },
      ':event-type': { type: 'string', value: frame.event },
      ':content-type': { type: 'string', value: 'application/json' },
    },
    // Bedrock pads events with a random-length `p` field so sizes do not leak content.
    body: fromUtf8(JSON.stringify({ ...frame.body, p: 'abcdefgh' })),
  });
}

/** Writes frames as a 200 event stream; with `split`, each frame goes out in two writes cut mid-frame. */
export async function writeBedrockStream(
  res: BedrockResponse,
  frames: BedrockFrame[],
  options: { end?: boolean; split?: boolean } = {},
): Promise<void> {
  if (!res.headersSent) {
    res.writeHead(200, { 'Content-Type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'bedrock-req-1' });
  }
  for (const frame of frames) {
    const bytes = encodeFrame(frame);
    if (options.split) {
      const cut = Math.floor(bytes.length / 2);
      res.write(bytes.subarray(0, cut));
      await new Promise((resolve) => setImmediate(resolve));
      res.write(bytes.subarray(cut));
    } else {
      res.write(bytes);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (options.end !== false) res.end();
}

/** A pre-stream error the way the Bedrock runtime sends it (REST-JSON). */
export function writeBedrockError(res: BedrockResponse, status: number, exception: string, message: string): void {
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'x-amzn-errortype': `${exception}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    'x-amzn-requestid': 'bedrock-err-1',
  });
  res.end(JSON.stringify({ message }));
}

/** Builders for the Converse stream events. */
export const converse = {
  messageStart: (): BedrockFrame => ({ event: 'messageStart', body: { role: 'assistant' } }),
  text: (text: string, index = 0): BedrockFrame => ({ event: 'contentBlockDelta', body: { contentBlockIndex: index, delta: { text } } }),
  reasoning: (text: string, index = 0): BedrockFrame => ({
    event: 'contentBlockDelta',
    body: { contentBlockIndex: index, delta: { reasoningContent: { text } } },
  }),
  toolStart: (index: number, toolUseId: string, name: string): BedrockFrame => ({
    event: 'contentBlockStart',
    body: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } },
  }),
  toolInput: (index: number, input: string): BedrockFrame => ({
    event: 'contentBlockDelta',
    body: { contentBlockIndex: index, delta: { toolUse: { input } } },
  }),
  blockStop: (index: number): BedrockFrame => ({ event: 'contentBlockStop', body: { contentBlockIndex: index } }),
  messageStop: (stopReason: string): BedrockFrame => ({ event: 'messageStop', body: { stopReason } }),
  metadata: (usage: Record<string, number>): BedrockFrame => ({ event: 'metadata', body: { usage, metrics: { latencyMs: 120 } } }),
};

/** A whole text answer. */
export function textAnswer(text: string, stopReason = 'end_turn'): BedrockFrame[] {
  return [
    converse.messageStart(),
    converse.text(text),
    converse.blockStop(0),
    converse.messageStop(stopReason),
    converse.metadata({ inputTokens: 10, outputTokens: 5, totalTokens: 15 }),
  ];
}

/**
 * Starts a fake Bedrock runtime on 127.0.0.1 over cleartext HTTP/2 (the SDK's default
 * `NodeHttp2Handler` connects with prior knowledge to an `http://` endpoint); the recorded
 * request's `url` holds the model id.
 */
export async function startFakeBedrock(
  respond: (request: RecordedRequest, res: BedrockResponse) => void | Promise<void>,
): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      } catch {
        body = {};
      }
      const aborted = new Promise<void>((resolve) => {
        res.stream.on('close', () => {
          if (!res.writableEnded || res.stream.rstCode !== 0) resolve();
        });
      });
      const recorded: RecordedRequest = { method: req.method, url: req.url, headers: req.headers, body, aborted };
      requests.push(recorded);
      void Promise.resolve(respond(recorded, res)).catch(() => res.stream.close());
    });
  });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of sessions) session.destroy();
      }),
  };
}

/** AWS credentials for the SDK's default chain (environment provider) in tests: dummy values. */
export function useDummyAwsCredentials(): void {
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIDEXAMPLETESTONLY';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'test-secret-access-key-not-real';
  process.env['AWS_REGION'] = 'us-east-1';
  delete process.env['AWS_PROFILE'];
}
