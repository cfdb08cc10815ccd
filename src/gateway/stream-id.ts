/** Response header that names a resumable stream (DESIGN.md §4b), spelled once in src/wire. */
export { STREAM_ID_HEADER } from '../wire/headers.js';

/** The shape of ids made by {@link createStreamId}: `s_` and 32 base64url characters (192 bits). */
const STREAM_ID = /^s_[\w-]{32}$/;

const ID_BYTES = 24;
/**
 * Random bytes for the next ids, drawn 64 ids at a time: each `getRandomValues` call is a
 * system call (about 10 µs), which a burst of requests would otherwise pay once per request.
 */
const pool = new Uint8Array(ID_BYTES * 64);
let poolOffset = pool.length;

/**
 * Creates a stream id: 192 random bits, so that an id can neither be guessed nor enumerated
 * (ownership is checked too; the id alone is not the only guard).
 *
 * @returns An id like `s_3q2-…`, safe in a URL path and an SSE `id:` field.
 */
export function createStreamId(): string {
  if (poolOffset + ID_BYTES > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let binary = '';
  for (let index = poolOffset; index < poolOffset + ID_BYTES; index += 1) binary += String.fromCharCode(pool[index] as number);
  // Each pool byte is used once: no two ids share randomness.
  poolOffset += ID_BYTES;
  return `s_${btoa(binary).replaceAll('+', '-').replaceAll('/', '_')}`;
}

/**
 * Whether `value` has the shape of a stream id (checked before any lookup, so malformed
 * input never reaches a store key).
 *
 * @param value - A candidate id.
 * @returns True for ids made by {@link createStreamId}.
 */
export function isStreamId(value: string): boolean {
  return STREAM_ID.test(value);
}

/**
 * The SSE `id:` of a frame.
 *
 * @param streamId - The stream.
 * @param seq - The frame's sequence number.
 * @returns `<streamId>:<seq>`.
 */
export function eventId(streamId: string, seq: number): string {
  return `${streamId}:${seq}`;
}

/**
 * Reads a `Last-Event-ID` for a resume of `streamId`.
 *
 * @param value - The header, absent when the client has no event yet (resume from the start).
 * @param streamId - The stream being resumed; an id of another stream is refused.
 * @returns The sequence number to resume after (0 = from the start), or `undefined` when the
 * header is malformed or names another stream.
 */
export function parseLastEventId(value: string | null, streamId: string): number | undefined {
  if (value === null || value.trim() === '') return 0;
  const match = /^(s_[\w-]{32}):(\d{1,9})$/.exec(value.trim());
  if (!match || match[1] !== streamId) return undefined;
  return Number(match[2]);
}
