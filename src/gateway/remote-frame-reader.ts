import type { SharedFrameBatch } from './shared-stream-log.js';
import type { StateStore } from './state-store.js';
import type { Frame, FrameReader } from './stream-buffer.js';

/** Lease pool of a generation's liveness: held by the instance running it. */
export const livePool = (streamId: string): string => `stream-live:${streamId}`;
/** Lease pool of a stream's readers on other instances. */
export const followPool = (streamId: string): string => `stream-follow:${streamId}`;

/**
 * A {@link FrameReader} over the shared stream log, for a resume on an instance that does not
 * run the generation (DESIGN.md §4b across instances). While it is open it holds a follower
 * lease, which tells the running instance that someone is reading, so its grace period does not
 * end the generation under this reader; it stops waiting once the running instance's liveness
 * lease is gone (that instance died). Frames must follow each other without a gap: a gap
 * (frames trimmed, or lost while the store was unreachable) ends the reader rather than handing
 * the client an answer with a hole in it.
 *
 * @param store - A store with a stream log.
 * @param streamId - The stream.
 * @param afterSeq - Start after this sequence number.
 * @returns The reader.
 */
export function createRemoteFrameReader(store: StateStore, streamId: string, afterSeq: number): FrameReader {
  const shared = store.streams;
  if (!shared) throw new Error('createRemoteFrameReader needs a store with a stream log');
  const follow = new AbortController();
  const lease = store.acquire(followPool(streamId), { max: 0 }).catch(() => undefined);
  const isAlive = async (): Promise<boolean> => (await store.holders(livePool(streamId))).length > 0;
  const iterator = shared.follow(streamId, afterSeq, follow.signal, isAlive)[Symbol.asyncIterator]();
  let expected = afterSeq + 1;
  return {
    async next() {
      const result: IteratorResult<SharedFrameBatch> = await iterator.next().catch(() => ({ done: true, value: undefined }));
      if (result.done) return { frames: [], end: 'closed' };
      const frames: Frame[] = [];
      for (const frame of result.value.frames) {
        if (frame.seq < expected) continue;
        if (frame.seq > expected) return { frames, end: 'closed' };
        frames.push(frame);
        expected += 1;
      }
      return result.value.end ? { frames, end: result.value.end } : { frames };
    },
    close() {
      follow.abort();
      void iterator.return?.();
      void lease.then((held) => held?.release());
    },
  };
}
