import type { Clock } from './clock.js';

export type WatchdogReason = 'idle' | 'stall';

export interface WatchdogOptions {
  clock: Clock;
  /** No bytes at all (keep-alives included) for this long after response headers. */
  idleTimeoutMs: number;
  /** No content progress for this long; it is also the first-token deadline. */
  stallTimeoutMs: number;
  onTimeout: (reason: WatchdogReason) => void;
}

/**
 * Two timers guard one attempt. The stall timer starts with the request and is pushed back
 * only by content progress, so it doubles as the first-token deadline and a backend that
 * queues a request for 45 s is not failed early. The idle timer starts only once response
 * headers arrived, and any byte, keep-alive comments included, pushes it back: it catches a
 * dead connection, not a slow model.
 */
export class Watchdog {
  private idleHandle: unknown;
  private stallHandle: unknown;
  private idleArmed = false;
  private stopped = false;

  constructor(private readonly options: WatchdogOptions) {}

  /** Starts the stall timer (call when the request is sent). */
  start(): void {
    this.stopped = false;
    this.armStall();
  }

  /** Response headers arrived: from now on silence on the wire counts. */
  headersReceived(): void {
    this.idleArmed = true;
    this.armIdle();
  }

  /** Some bytes arrived. */
  activity(): void {
    if (this.idleArmed) this.armIdle();
  }

  /** Content arrived (text, reasoning, a tool call, usage, a finish). */
  progress(): void {
    this.armStall();
  }

  stop(): void {
    this.stopped = true;
    this.idleArmed = false;
    this.options.clock.clearTimeout(this.idleHandle);
    this.options.clock.clearTimeout(this.stallHandle);
  }

  private armIdle(): void {
    if (this.stopped) return;
    this.options.clock.clearTimeout(this.idleHandle);
    this.idleHandle = this.options.clock.setTimeout(() => this.fire('idle'), this.options.idleTimeoutMs);
  }

  private armStall(): void {
    if (this.stopped) return;
    this.options.clock.clearTimeout(this.stallHandle);
    this.stallHandle = this.options.clock.setTimeout(() => this.fire('stall'), this.options.stallTimeoutMs);
  }

  private fire(reason: WatchdogReason): void {
    if (this.stopped) return;
    this.stop();
    this.options.onTimeout(reason);
  }
}
