/**
 * What core needs from a transport (DESIGN.md §2, dependency direction of turn 2): core
 * declares it, `transport/` implements it over `fetch` with one protocol adapter per wire
 * protocol, and tests script it in memory. Core never learns how a request is encoded or a
 * stream decoded.
 */
import type { ChatEvent, ChatRequest, ChatToolCall, ChatRole } from './types.js';

/** A history message, protocol-neutral; each adapter encodes it in its own shape. */
export interface WireMessage {
  role: ChatRole;
  content: string;
  /** On assistant messages that called tools. */
  toolCalls?: Pick<ChatToolCall, 'id' | 'name' | 'arguments'>[];
  /** On `tool` messages: the call this result answers. */
  toolCallId?: string;
}

/** A tool as declared to the model. */
export interface WireTool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** One logical request, before a protocol gives it a shape. */
export interface ChatRequestInput {
  url: string;
  /** The page's extra headers and the `Idempotency-Key`. */
  headers: Record<string, string>;
  /** Sent first; never holds per-request values (prefix caches). */
  system?: string | undefined;
  /** The conversation, oldest first, the new user message (or the partial to continue) last. */
  messages: WireMessage[];
  model?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  tools?: WireTool[] | undefined;
  /** Extra body fields (the element's `body` property); they come last and win. */
  body?: Record<string, unknown> | undefined;
  /** The last message is a partial assistant answer to carry on from (Continue). */
  continuation: boolean;
}

/** What the transport learned from a successful response's head. */
export interface ResponseMeta {
  status: number;
  headers: Headers;
  requestId?: string;
}

/**
 * Where a resumable stream stands (DESIGN.md §4b): its id (`X-Stream-ID`) and the id of the
 * last event whose content was delivered. Transports may keep more in it (a decoder's state),
 * so that a resume continues exactly where the cut happened.
 */
export interface ResumeCursor {
  readonly streamId: string;
  /** `undefined`: nothing numbered was delivered yet; a resume replays from the start. */
  readonly lastEventId: string | undefined;
}

export interface TransportStreamOptions {
  /** Aborting it makes the stream reject with the signal's reason. */
  signal: AbortSignal;
  /** The stream is resumable: where it stands after each delivered event. */
  onCursor?: (cursor: ResumeCursor) => void;
  /** The response head of a stream arrived (TTFB). */
  onResponse?: (meta: ResponseMeta) => void;
  /** Some bytes arrived, keep-alives included (the idle watchdog). */
  onActivity?: () => void;
}

export interface ChatTransport {
  /** The wire protocol's name, e.g. `openai`. */
  readonly protocol: string;
  /**
   * Encodes a request. The result is handed to `llm-chat-send` listeners, who may still
   * edit its headers and body, then to {@link ChatTransport.stream} (once per attempt).
   */
  createRequest(input: ChatRequestInput): ChatRequest;
  /**
   * Makes one attempt and yields its normalized events. Failures are yielded as one final
   * `error` event rather than thrown, so every event before them reaches the caller; only an
   * abort through `options.signal` rejects.
   */
  stream(request: ChatRequest, options: TransportStreamOptions): AsyncIterable<ChatEvent>;
  /**
   * Reconnects to a resumable stream after `cursor` and yields the rest of it (failures as the
   * last event; a stream the server no longer has fails with status 404).
   */
  resume?(request: ChatRequest, cursor: ResumeCursor, options: TransportStreamOptions): AsyncIterable<ChatEvent>;
  /** Asks the server to stop a resumable stream's generation at once (sent on Stop). */
  stop?(request: ChatRequest, streamId: string): Promise<void>;
}
