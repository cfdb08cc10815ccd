import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Follows the browser's online state: while it says offline, Send stays disabled; when it
 * comes back, the element may say so.
 */
export class ConnectivityController implements ReactiveController {
  /** The browser said it is offline, and has not said `online` since. */
  offline = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly onOnline: () => void = () => undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('online', this.handleOnline);
    window.addEventListener('offline', this.handleOffline);
  }

  hostDisconnected(): void {
    window.removeEventListener('online', this.handleOnline);
    window.removeEventListener('offline', this.handleOffline);
  }

  /** True when the browser is offline right now (also marks the element offline). */
  check(): boolean {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) this.offline = true;
    return this.offline;
  }

  private readonly handleOnline = (): void => {
    this.offline = false;
    this.onOnline();
    this.host.requestUpdate();
  };

  private readonly handleOffline = (): void => {
    this.offline = true;
    this.host.requestUpdate();
  };
}
