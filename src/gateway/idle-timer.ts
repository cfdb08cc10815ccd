/**
 * Notices an upstream that goes silent: `onIdle` runs once nothing was {@link IdleTimer.touch}ed
 * for `idleMs`. One timer per stream, re-armed only when it fires, so that an event costs a
 * clock read rather than a timer cancelled and created (the relay sees tens of thousands of
 * events per second). While paused (the gateway itself stopped reading, for backpressure) the
 * silence is ours and does not count.
 */
export class IdleTimer {
  private readonly idleMs: number;
  private readonly onIdle: () => void;
  private lastAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private paused = false;
  private stopped = false;

  /**
   * Starts watching at once.
   *
   * @param idleMs - Silence allowed; 0 or `Infinity` never fires.
   * @param onIdle - Called at most once.
   */
  constructor(idleMs: number, onIdle: () => void) {
    this.idleMs = idleMs;
    this.onIdle = onIdle;
    if (idleMs > 0 && Number.isFinite(idleMs)) this.arm(idleMs);
    else this.stopped = true;
  }

  /** Something arrived. */
  touch(): void {
    this.lastAt = Date.now();
  }

  /** Silence from now on is the gateway's own doing (it stopped reading). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.touch();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => this.check(), delayMs);
  }

  private check(): void {
    if (this.stopped) return;
    const silentMs = Date.now() - this.lastAt;
    if (this.paused || silentMs < this.idleMs) {
      this.arm(this.paused ? this.idleMs : this.idleMs - silentMs);
      return;
    }
    this.stopped = true;
    this.onIdle();
  }
}
