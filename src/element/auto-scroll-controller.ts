import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How close to the bottom (px) still counts as "reading the newest text". */
const BOTTOM_SLACK = 32;

/**
 * Follows the stream by keeping the transcript scrolled to the bottom, but only while the
 * reader is there: someone who scrolled up to read is never pulled back down.
 */
export class AutoScrollController implements ReactiveController {
  private stick = true;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly getLog: () => HTMLElement | null | undefined,
    private readonly isEnabled: () => boolean,
  ) {
    host.addController(this);
  }

  /** Whether the reader is at (or near) the bottom. */
  get atBottom(): boolean {
    return this.stick;
  }

  hostUpdated(): void {
    const log = this.getLog();
    if (this.stick && this.isEnabled() && log) log.scrollTop = log.scrollHeight;
  }

  /** The reader scrolled: they follow the stream again only once back at the bottom. */
  handleScroll(): void {
    const log = this.getLog();
    if (!log) return;
    const stick = log.scrollHeight - log.scrollTop - log.clientHeight <= BOTTOM_SLACK;
    // The "jump to latest" button depends on it.
    if (stick !== this.stick) this.host.requestUpdate();
    this.stick = stick;
  }

  /** Follow the stream from now on (a new question was sent, or the reader asked to jump). */
  follow(): void {
    if (!this.stick) this.host.requestUpdate();
    this.stick = true;
    const log = this.getLog();
    if (log && this.isEnabled()) log.scrollTop = log.scrollHeight;
  }
}
