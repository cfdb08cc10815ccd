import type { SharedFrameBatch } from './shared-stream-log.js';
import type { StateStore } from './state-store.js';
import type { Frame, FrameCursor, StreamEnd } from './stream-buffer.js';

/** Lease pool of a generation's liveness: held by the instance running it. */
export const livePool = (streamId: string): string => `stream-live:${streamId}`;
/** Lease pool of a stream's readers on other instances. */
export const followPool = (streamId: string): string => `stream-follow:${streamId}`;

const encoder = new TextEncoder();

/**
 * A {@link FrameCursor} over the shared stream log, for a resume on an instance that does not
 * run the generation (DESIGN.md §4b across instances). While it is open it holds a follower
 * lease, which tells the running instance that someone is reading, so its grace period does not
 * end the generation under this reader; it stops waiting once the running instance's liveness
 * lease is gone (that instance died). Frames must follow each other without a gap: a gap
 * (frames trimmed, or lost while the store was unreachable) ends the reader rather than handing
 * the client an answer with a hole in it. It reads one batch ahead of what was taken.
 *
 * @param store - A store with a stream log.
 * @param streamId - The stream.
 * @param afterSeq - Start after this sequence number.
 * @returns The cursor.
 */
export function createRemoteFrameReader(store: StateStore, streamId: string, afterSeq: number): FrameCursor {
  const shared = store.streams;
  if (!shared) throw new Error('createRemoteFrameReader needs a store with a stream log');
  const follow = new AbortController();
  const lease = store.acquire(followPool(streamId), { max: 0 }).catch(() => undefined);
  const isAlive = async (): Promise<boolean> => (await store.holders(livePool(streamId))).length > 0;
  const iterator = shared.follow(streamId, afterSeq, follow.signal, isAlive)[Symbol.asyncIterator]();
  let expected = afterSeq + 1;
  let ready: Uint8Array | undefined;
  let end: StreamEnd | undefined;
  let reading = false;
  let closed = false;
  let onReady: (() => void) | undefined;

  const readAhead = async (): Promise<void> => {
    if (reading || ready || end || closed) return;
    reading = true;
    const result: IteratorResult<SharedFrameBatch> = await iterator.next().catch(() => ({ done: true, value: undefined }));
    reading = false;
    if (result.done) end = 'closed';
    else {
      const frames: Frame[] = [];
      for (const frame of result.value.frames) {
        if (frame.seq < expected) continue;
        if (frame.seq > expected) {
          end = 'closed';
          break;
        }
        frames.push(frame);
        expected += 1;
      }
      if (frames.length > 0) ready = renderFrames(streamId, frames);
      end ??= result.value.end;
    }
    const notify = onReady;
    onReady = undefined;
    notify?.();
  };

  return {
    take() {
      const bytes = ready;
      ready = undefined;
      void readAhead();
      return bytes;
    },
    get end() {
      return closed ? 'closed' : ready ? undefined : end;
    },
    wait(listener) {
      onReady = listener;
      if (!ready && !end) {
        void readAhead();
        return;
      }
      queueMicrotask(() => {
        if (onReady !== listener) return;
        onReady = undefined;
        listener();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      onReady = undefined;
      follow.abort();
      void iterator.return?.();
      void lease.then((held) => held?.release());
    },
  };
}

/** Text frames from the shared log as the bytes a connection sends (`id:` lines included). */
function renderFrames(streamId: string, frames: readonly Frame[]): Uint8Array {
  let text = '';
  for (const frame of frames) text += frame.kind === 'data' ? `id: ${streamId}:${frame.seq}\n${frame.text}` : frame.text;
  return encoder.encode(text);
}
