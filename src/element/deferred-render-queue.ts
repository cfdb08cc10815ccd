/**
 * Finished answers that appear all at once — a long transcript restored after a reload, or
 * given through `messages` — are formatted as markdown newest first: as much as fits in a
 * short budget before the first paint (what the reader sees at the bottom), then whatever
 * scrolls near the view, then the rest in idle time. Until its turn, an answer's text is in
 * the DOM as plain text, so find-in-page, copying and screen readers have every word from the
 * start; the markdown replaces it when formatted.
 *
 * Without this, restoring 1,000 messages formats about a megabyte of markdown in one task
 * (seconds on a laptop) before anything can be clicked.
 */

/** One answer waiting to be formatted. */
export interface DeferredRender {
  /** The element the answer is rendered into (the plain text shown meanwhile is its content). */
  readonly container: HTMLElement;
  /**
   * Formats the answer, or part of it if `deadline` (`performance.now()` time) passes first.
   * @returns whether the answer is done
   */
  run(deadline: number): boolean;
}

/** Time spent formatting the newest answers before the first paint. */
const FIRST_PAINT_BUDGET_MS = 12;
/** Time per slice of formatting, in idle time or, for answers near the view, per frame. */
const SLICE_MS = 8;
/** Answers within this distance of the view (in view heights) are formatted first. */
const NEAR_VIEW = '100% 0px';

type IdleWindow = Window & {
  requestIdleCallback?: (callback: (deadline: { timeRemaining(): number }) => void, options?: { timeout: number }) => number;
};

/** Waiting answers, oldest first (idle time takes them from the end). */
const pending: DeferredRender[] = [];
/** Answers near the view, formatted in the next frames. */
const urgent = new Set<DeferredRender>();
const observers = new WeakMap<Element, IntersectionObserver>();
let viewportObserver: IntersectionObserver | undefined;
const observed = new Map<Element, DeferredRender>();
let flushQueued = false;
let idleQueued = false;
let frameQueued = false;

/**
 * Queues an answer. Its container should already show the plain text. Queued in one task, the
 * newest answers are formatted in a microtask after it (before the frame is painted).
 */
export function deferRender(job: DeferredRender): void {
  pending.push(job);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(firstPass);
}

/** Forgets an answer that is going away or will be rendered another way. */
export function cancelRender(job: DeferredRender): void {
  const index = pending.indexOf(job);
  if (index !== -1) pending.splice(index, 1);
  urgent.delete(job);
  unobserve(job);
}

function firstPass(): void {
  flushQueued = false;
  // Newest first: in a restored chat the newest answers are the ones in view.
  work(performance.now() + FIRST_PAINT_BUDGET_MS, () => pending[pending.length - 1]);
  for (const job of pending) observe(job);
  scheduleIdle();
}

/** Runs jobs picked by `next` until the deadline; a job not done by then goes on next time. */
function work(deadline: number, next: () => DeferredRender | undefined): void {
  for (let job = next(); job && performance.now() < deadline; job = next()) {
    if (!job.container.isConnected) {
      cancelRender(job);
      continue;
    }
    let done = true;
    try {
      done = job.run(deadline);
    } finally {
      if (done) cancelRender(job);
    }
    if (!done) return;
  }
}

function observe(job: DeferredRender): void {
  const { container } = job;
  if (observed.has(container) || !container.isConnected) return;
  observed.set(container, job);
  observerFor(container).observe(container);
}

/** One observer per scrolling transcript, whose height is the "view" of `NEAR_VIEW`. */
function observerFor(container: Element): IntersectionObserver {
  const root = container.closest('[role="log"]');
  if (!root) return (viewportObserver ??= new IntersectionObserver(handleIntersections, { rootMargin: NEAR_VIEW }));
  let observer = observers.get(root);
  if (!observer) {
    observer = new IntersectionObserver(handleIntersections, { root, rootMargin: NEAR_VIEW });
    observers.set(root, observer);
  }
  return observer;
}

function unobserve(job: DeferredRender): void {
  if (observed.get(job.container) !== job) return;
  observed.delete(job.container);
  observerFor(job.container).unobserve(job.container);
}

function handleIntersections(entries: IntersectionObserverEntry[]): void {
  for (const entry of entries) {
    const job = observed.get(entry.target);
    if (!job) continue;
    if (entry.isIntersecting) urgent.add(job);
    else urgent.delete(job);
  }
  scheduleFrame();
}

/** Answers near the view get a slice of every frame until they are done. */
function scheduleFrame(): void {
  if (frameQueued || urgent.size === 0) return;
  frameQueued = true;
  requestAnimationFrame(() => {
    frameQueued = false;
    work(performance.now() + SLICE_MS, () => urgent.values().next().value);
    scheduleFrame();
  });
}

function scheduleIdle(): void {
  if (idleQueued || pending.length === 0) return;
  idleQueued = true;
  const win = (pending[0]?.container.ownerDocument.defaultView ?? window) as IdleWindow;
  const slice = (remaining: number) => {
    idleQueued = false;
    work(performance.now() + Math.max(1, Math.min(SLICE_MS, remaining)), () => pending[pending.length - 1]);
    scheduleIdle();
  };
  if (win.requestIdleCallback) win.requestIdleCallback((idle) => slice(idle.timeRemaining()), { timeout: 1000 });
  else win.setTimeout(() => slice(SLICE_MS), 16);
}
