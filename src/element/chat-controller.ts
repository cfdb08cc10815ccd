import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatSession, SESSION_DEFAULTS } from '../core/chat-session.js';
import type { ChatSessionCallbacks, ChatSessionConfig, ChatSessionStatus } from '../core/chat-session.js';
import type { ChatMessage } from '../core/types.js';
import { createFetchTransport } from '../transport/fetch-transport.js';
import type { ProtocolAdapter } from '../transport/protocol-adapter.js';
import type { ErrorKind } from '../wire/error-rules.js';
import type { StatusLineState } from './status-text.js';
import { getProtocolAdapter, knownProtocols, loadProtocolAdapter } from '../transport/protocol-registry.js';

/** The element's settings, as the controller reads them before every update. */
export interface ChatHostConfig extends Pick<
  ChatSessionConfig,
  'endpoint' | 'model' | 'system' | 'maxTokens' | 'temperature' | 'headers' | 'body' | 'tools'
> {
  protocol: string;
  fetch?: typeof fetch | undefined;
  maxRetries: number;
  /** Milliseconds, as the attribute gives them. */
  idleTimeout: number;
  stallTimeout: number;
  maxToolRounds?: number | undefined;
  toolTimeout?: number | undefined;
}

/** Why the chat cannot send with its current settings. */
export type ConfigProblem = 'unknown_protocol' | 'no_endpoint' | 'protocol_unavailable';

/**
 * The one bridge between the framework-free {@link ChatSession} and the element (DESIGN.md
 * §2). It creates the session, copies the element's settings into it before every update,
 * builds the transport for the `protocol` (loading its adapter on demand), and exposes what
 * the view needs: the transcript, the status, which actions apply, the retry countdown.
 *
 * Session changes can come once per network chunk; while they keep coming the host is asked to
 * update once per animation frame, which is all the screen can show anyway. A change after a
 * quiet spell (an answer's first delta, the first text after a stall) is rendered at once
 * instead: waiting for the next frame would only add up to a frame of latency, since there is
 * nothing to coalesce it with. The caller's `onChange` runs at once: persistence must not wait
 * for a frame (background tabs get none).
 */
export class ChatController implements ReactiveController {
  readonly session: ChatSession;
  private frame = 0;
  /** When the host last updated (`performance.now()`). */
  private updatedAt = -Infinity;
  private countdown: ReturnType<typeof setInterval> | undefined;
  private problem: ConfigProblem | undefined;
  private built: { adapter: ProtocolAdapter; fetch: typeof fetch | undefined } | undefined;
  private loading: Promise<void> | undefined;
  private loadingProtocol: string | undefined;
  private failedProtocol: string | undefined;
  private retryKind: ErrorKind | undefined;
  private lastRunning: string[] = [];
  private toolsDone: string[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly readConfig: () => ChatHostConfig,
    callbacks: ChatSessionCallbacks = {},
  ) {
    this.session = new ChatSession({
      ...callbacks,
      onChange: () => {
        callbacks.onChange?.();
        this.scheduleUpdate();
      },
      onRetry: (detail) => {
        this.retryKind = detail.error.kind;
        callbacks.onRetry?.(detail);
      },
    });
    host.addController(this);
  }

  /** The element's status: the session's, or `error` while the settings cannot send. */
  get status(): ChatSessionStatus {
    return this.problem && !this.session.busy ? 'error' : this.session.status;
  }

  get messages(): readonly ChatMessage[] {
    return this.session.messages;
  }

  get busy(): boolean {
    return this.session.busy;
  }

  /** A configuration problem found by the last {@link prepare}, until one succeeds. */
  get configProblem(): ConfigProblem | undefined {
    return this.problem;
  }

  canRetry(message: ChatMessage): boolean {
    return this.session.canRetry(message);
  }

  canContinue(message: ChatMessage): boolean {
    return this.session.canContinue(message);
  }

  /** Whole seconds until the automatic retry, while the status is `retrying`. */
  get retrySeconds(): number {
    const at = this.session.retryAt;
    return at === undefined ? 0 : Math.max(0, Math.ceil((at - this.session.now()) / 1000));
  }

  /** What the status line says while a turn is in flight (see {@link statusLine}). */
  get line(): StatusLineState {
    const session = this.session;
    return {
      status: session.status,
      waitingLong: session.waitingLong,
      runningTools: session.runningTools,
      toolsDone: this.toolsDone,
      retrySeconds: this.retrySeconds,
      retryKind: this.retryKind,
    };
  }

  hostUpdate(): void {
    this.updatedAt = performance.now();
    this.syncConfig();
    this.followTools();
    // The clock re-renders only while a retry is waited out or a tool runs (elapsed time).
    if (this.session.status === 'retrying' || this.session.runningTools.length > 0) this.startCountdown();
    else this.stopCountdown();
  }

  hostDisconnected(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.stopCountdown();
    // A chat removed from the page must not keep a request (and its billing) running.
    this.session.stop();
  }

  /**
   * Makes the session ready to send with the element's current settings: the adapter of the
   * `protocol` loaded, an endpoint set.
   *
   * @returns `undefined` when ready, else the problem (also kept in {@link configProblem}).
   */
  async prepare(): Promise<ConfigProblem | undefined> {
    this.preparing = true;
    try {
      // A chunk that failed to load earlier is tried again on an explicit send.
      if (this.problem === 'protocol_unavailable') this.problem = undefined;
      this.syncConfig();
      if (this.loading) await this.loading;
      this.syncConfig();
      if (!this.problem && !this.session.config.endpoint) this.problem = 'no_endpoint';
      return this.problem;
    } finally {
      this.preparing = false;
    }
  }

  /** True while {@link prepare} waits (a second send in that moment is refused, as while busy). */
  preparing = false;

  /** Whether the session can send right now without waiting for an adapter to load. */
  get ready(): boolean {
    this.syncConfig();
    return this.loading === undefined && this.session.config.transport !== undefined && this.session.config.endpoint !== '';
  }

  /** The protocol names this build knows, for error messages. */
  knownProtocols(): string[] {
    return knownProtocols();
  }

  /** Coalesces all changes of one frame into one host update; the first after a quiet frame renders now. */
  scheduleUpdate(): void {
    if (this.frame) return;
    if (performance.now() - this.updatedAt >= FRAME_MS) {
      // Counts as this frame's update: changes until the next frame wait for it.
      this.updatedAt = performance.now();
      this.host.requestUpdate();
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.host.requestUpdate();
    });
  }

  private syncConfig(): void {
    const host = this.readConfig();
    const config = this.session.config;
    config.endpoint = host.endpoint;
    config.model = host.model;
    config.system = host.system;
    config.maxTokens = host.maxTokens;
    config.temperature = host.temperature;
    config.headers = host.headers;
    config.body = host.body;
    config.maxRetries = nonNegative(host.maxRetries, SESSION_DEFAULTS.maxRetries);
    config.idleTimeoutMs = positive(host.idleTimeout, SESSION_DEFAULTS.idleTimeoutMs);
    config.stallTimeoutMs = positive(host.stallTimeout, SESSION_DEFAULTS.stallTimeoutMs);
    config.tools = host.tools;
    config.maxToolRounds = nonNegative(host.maxToolRounds ?? Number.NaN, SESSION_DEFAULTS.maxToolRounds);
    config.toolTimeoutMs = positive(host.toolTimeout ?? Number.NaN, SESSION_DEFAULTS.toolTimeoutMs);
    if (this.problem === 'no_endpoint' && host.endpoint) this.problem = undefined;
    this.syncTransport(host.protocol, host.fetch);
  }

  /** Builds the transport when the protocol or the custom fetch changed; loads an adapter not bundled. */
  private syncTransport(protocol: string, customFetch: typeof fetch | undefined): void {
    const adapter = getProtocolAdapter(protocol);
    if (adapter) {
      if (this.built?.adapter !== adapter || this.built.fetch !== customFetch) {
        this.session.config.transport = createFetchTransport({ adapter, fetch: customFetch });
        this.built = { adapter, fetch: customFetch };
      }
      if (this.problem !== 'no_endpoint') this.problem = undefined;
      return;
    }
    this.session.config.transport = undefined;
    this.built = undefined;
    // One attempt per protocol value: an unknown name stays unknown until it changes.
    if (this.loadingProtocol === protocol || this.failedProtocol === protocol) return;
    this.loadingProtocol = protocol;
    this.failedProtocol = undefined;
    const loading = loadProtocolAdapter(protocol)
      .then(
        (loaded) => {
          if (!loaded) this.fail(protocol, 'unknown_protocol');
        },
        () => this.fail(protocol, 'protocol_unavailable'),
      )
      .finally(() => {
        this.loading = undefined;
        this.loadingProtocol = undefined;
        this.host.requestUpdate();
      });
    this.loading = loading;
  }

  private fail(protocol: string, problem: ConfigProblem): void {
    this.problem = problem;
    // A chunk that failed to load may load next time (the network came back); a name that is
    // not a protocol will not.
    if (problem === 'unknown_protocol') this.failedProtocol = protocol;
  }

  /** Tools that just finished are said once ("get_weather done."), until the follow-up streams. */
  private followTools(): void {
    const running = this.session.runningTools;
    const ended = this.lastRunning.filter((name) => !running.includes(name));
    if (ended.length > 0) this.toolsDone = [...new Set(ended)];
    // Said once when they end, and kept for the rest of the loop, so the follow-up does not
    // announce "Responding…" a second time.
    if (!this.session.busy) this.toolsDone = [];
    this.lastRunning = running;
  }

  private startCountdown(): void {
    if (this.countdown !== undefined) return;
    this.countdown = setInterval(() => this.host.requestUpdate(), 250);
  }

  private stopCountdown(): void {
    if (this.countdown === undefined) return;
    clearInterval(this.countdown);
    this.countdown = undefined;
  }
}

/** One frame at 60 Hz. */
const FRAME_MS = 1000 / 60;

function nonNegative(value: number, fallback: number): number {
  return Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}

function positive(value: number, fallback: number): number {
  return Number.isFinite(value) && value > 0 ? value : fallback;
}
