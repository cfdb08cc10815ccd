import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Least time between two things said in the live region (DESIGN.md §8). */
export const ANNOUNCE_INTERVAL_MS = 1500;
/** Announcements waiting at most; past that the oldest waiting one is dropped (it is stale). */
const MAX_WAITING = 3;

/**
 * What the polite status region says, paced: a new text is said at once when the last one is
 * at least 1.5 s old, otherwise it waits its turn, so a screen reader hears each state of the
 * turn ("Responding…", "Running get_weather…", "get_weather done.", "Answer complete.") once,
 * never two within 1.5 s, and never a backlog of stale ones. Visible text is separate and may
 * change freely (a countdown, elapsed seconds).
 */
export class AnnouncerController implements ReactiveController {
  /** The text the live region holds now. */
  current = '';
  private lastAt = -Infinity;
  private readonly waiting: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.length = 0;
  }

  /**
   * Asks for `text` to be said (nothing happens when it is what was asked for last). Called
   * while rendering: a text that may be said now is in {@link current} when this returns; a
   * later one asks the host for another update when its turn comes.
   */
  say(text: string): void {
    if (text === (this.waiting.at(-1) ?? this.current)) return;
    if (this.waiting.length === 0 && performance.now() - this.lastAt >= ANNOUNCE_INTERVAL_MS) {
      this.current = text;
      this.lastAt = performance.now();
      return;
    }
    this.waiting.push(text);
    if (this.waiting.length > MAX_WAITING) this.waiting.shift();
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.waiting.length === 0) return;
    const wait = Math.max(0, this.lastAt + ANNOUNCE_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const next = this.waiting.shift();
      if (next !== undefined && next !== this.current) {
        this.current = next;
        this.lastAt = performance.now();
        this.host.requestUpdate();
      }
      this.schedule();
    }, wait);
  }
}
