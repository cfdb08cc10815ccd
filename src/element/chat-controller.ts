import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { ChatSession } from '../core/chat-session.js';
import type { ChatSessionCallbacks, ChatSessionOptions } from '../core/chat-session.js';

/**
 * The one bridge between the framework-free {@link ChatSession} and the element. Session
 * changes can come once per network chunk; the host is asked to update at most once per
 * animation frame, which is all the screen can show anyway.
 */
export class ChatController implements ReactiveController {
  readonly session: ChatSession;
  private frame = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    options: ChatSessionOptions & ChatSessionCallbacks,
  ) {
    // The caller's onChange runs at once (persistence must not wait for a frame: background
    // tabs get none); the render waits for the next frame.
    this.session = new ChatSession({
      ...options,
      onChange: () => {
        options.onChange?.();
        this.scheduleUpdate();
      },
    });
    host.addController(this);
  }

  hostDisconnected(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    // A chat removed from the page must not keep a request (and its billing) running.
    this.session.stop();
  }

  /** Coalesces all changes of one frame into one host update. */
  scheduleUpdate(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.host.requestUpdate();
    });
  }
}
