import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** How close to the bottom (px) still counts as "reading the newest text". */
const BOTTOM_SLACK = 32;

/**
 * Follows the stream by keeping the transcript scrolled to the bottom, but only while the
 * reader is there: someone who scrolled up to read is never pulled back down.
 *
 * The transcript grows where its newest message is, and it grows outside host updates too
 * (markdown rendered over several frames, answers formatted after a restore). A ResizeObserver
 * on the transcript and on its newest message catches every such change after the browser has
 * laid it out, so following costs no layout of its own: reading `scrollHeight` right after an
 * update would force one, on every frame of a stream.
 */
export class AutoScrollController implements ReactiveController {
  private stick = true;
  private observed: Element[] = [];
  private readonly resizes = new ResizeObserver(() => this.toBottom());

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
    // Where the newest message is: the log's last element but for the "jump to latest" button.
    let newest = log?.lastElementChild ?? null;
    if (newest?.localName === 'button') newest = newest.previousElementSibling;
    const targets = log ? [log, newest].filter((element): element is Element => element !== null) : [];
    if (targets.length === this.observed.length && targets.every((element, index) => element === this.observed[index])) return;
    this.resizes.disconnect();
    // Observing starts with a first notification, which brings a new message into view.
    for (const element of targets) this.resizes.observe(element);
    this.observed = targets;
  }

  hostDisconnected(): void {
    this.resizes.disconnect();
    this.observed = [];
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
    this.toBottom();
  }

  private toBottom(): void {
    const log = this.getLog();
    if (this.stick && this.isEnabled() && log) log.scrollTop = log.scrollHeight;
  }
}
