import type { FrameKind } from './stream-buffer.js';

const KIND_CODES: readonly FrameKind[] = ['data', 'comment', 'raw'];
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DATA_PREFIX = encoder.encode('data: ');
const EVENT_END = encoder.encode('\n\n');
const ID_END = 10; // '\n'
const FIRST_BLOCK_BYTES = 1024;
const MAX_BLOCK_BYTES = 16_384;

/**
 * The frames of one generation as the exact UTF-8 bytes that go on the wire, encoded once when
 * produced and copied out for every connection that reads them (DESIGN.md §4b's replay buffer).
 * Frames are packed into a few growing blocks instead of one string or buffer object each, so
 * a frame costs its bytes plus two numbers: at a thousand streams of a few hundred events
 * each, per-object overhead would be most of the memory.
 *
 * Frames are numbered from 0 here; the {@link StreamBuffer} maps them to sequence numbers. The
 * oldest can be dropped; a block is freed once no kept frame is in it.
 */
export class FrameStore {
  private blocks: Uint8Array[] = [];
  /** Position (across all blocks ever allocated) of each block's first byte. */
  private blockStarts: number[] = [];
  /** Bytes used in the newest block. */
  private fill = 0;
  /** Two numbers per frame: its position, and its length × 4 + kind code. */
  private meta: number[] = [];
  private head = 0;
  private bytes = 0;

  /** Frames kept. */
  get count(): number {
    return (this.meta.length >> 1) - this.head;
  }

  /** Bytes of the frames kept. */
  get size(): number {
    return this.bytes;
  }

  /** Adds `text` as one frame. */
  append(kind: FrameKind, text: string): void {
    if (!this.tryAppend(kind, undefined, text)) {
      this.newBlock(text.length * 3);
      this.tryAppend(kind, undefined, text);
    }
  }

  /** Adds the data frame `data: <json>\n\n` without building that string first. */
  appendData(json: string): void {
    if (!this.tryAppend('data', DATA_PREFIX, json, EVENT_END)) {
      this.newBlock(json.length * 3 + DATA_PREFIX.length + EVENT_END.length);
      this.tryAppend('data', DATA_PREFIX, json, EVENT_END);
    }
  }

  /** Bytes of frame `index` (0 = oldest kept), without its `id:` line. */
  frameBytes(index: number): number {
    return this.meta[(this.head + index) * 2 + 1]! >> 2;
  }

  /** Forgets the oldest frame. */
  dropFirst(): void {
    if (this.count === 0) return;
    this.bytes -= this.meta[this.head * 2 + 1]! >> 2;
    this.head += 1;
    if (this.count === 0) {
      // Empty: start over in the newest block (the common case when nothing is kept for replay).
      this.meta = [];
      this.head = 0;
      this.blocks = this.blocks.slice(-1);
      this.blockStarts = this.blockStarts.slice(-1);
      this.fill = 0;
      return;
    }
    const firstKept = this.meta[this.head * 2]!;
    while (this.blocks.length > 1 && this.blockStarts[1]! <= firstKept) {
      this.blocks.shift();
      this.blockStarts.shift();
    }
    if (this.head > 1024 && this.head * 2 > this.meta.length >> 1) {
      this.meta = this.meta.slice(this.head * 2);
      this.head = 0;
    }
  }

  /**
   * Frames `from` to `to` (inclusive, counted from the oldest kept) as one byte array, each data
   * frame preceded by `id: <idPrefix><seq>`.
   *
   * @param from - First frame, 0 = oldest kept.
   * @param to - Last frame.
   * @param idPrefix - `id: <streamId>:` as bytes.
   * @param firstSeq - Sequence number of frame `from`.
   * @returns The bytes to send.
   */
  render(from: number, to: number, idPrefix: Uint8Array, firstSeq: number): Uint8Array {
    let total = 0;
    for (let index = from; index <= to; index += 1) {
      const code = this.meta[(this.head + index) * 2 + 1]!;
      total += code >> 2;
      if ((code & 3) === 0) total += idPrefix.length + digits(firstSeq + index - from) + 1;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (let index = from; index <= to; index += 1) {
      const position = this.meta[(this.head + index) * 2]!;
      const code = this.meta[(this.head + index) * 2 + 1]!;
      if ((code & 3) === 0) {
        out.set(idPrefix, at);
        at = writeDigits(out, at + idPrefix.length, firstSeq + index - from);
        out[at++] = ID_END;
      }
      const block = this.blockAt(position);
      const offset = position - this.blockStarts[block]!;
      out.set(this.blocks[block]!.subarray(offset, offset + (code >> 2)), at);
      at += code >> 2;
    }
    return out;
  }

  /** A frame's kind and text (tests, and the shared log). */
  frame(index: number): { kind: FrameKind; text: string } {
    const position = this.meta[(this.head + index) * 2]!;
    const code = this.meta[(this.head + index) * 2 + 1]!;
    const block = this.blockAt(position);
    const offset = position - this.blockStarts[block]!;
    return { kind: KIND_CODES[code & 3]!, text: decoder.decode(this.blocks[block]!.subarray(offset, offset + (code >> 2))) };
  }

  /**
   * Writes a frame into the newest block, or nothing when it does not fit (a frame never
   * spans two blocks, so it can be copied out in one piece).
   */
  private tryAppend(kind: FrameKind, prefix: Uint8Array | undefined, text: string, suffix?: Uint8Array): boolean {
    const block = this.blocks.at(-1);
    if (!block) return false;
    let at = this.fill;
    if (prefix) {
      if (block.length - at < prefix.length) return false;
      block.set(prefix, at);
      at += prefix.length;
    }
    const { read, written } = encoder.encodeInto(text, block.subarray(at));
    if (read < text.length) return false;
    at += written;
    if (suffix) {
      if (block.length - at < suffix.length) return false;
      block.set(suffix, at);
      at += suffix.length;
    }
    const length = at - this.fill;
    this.meta.push(this.blockStarts.at(-1)! + this.fill, length * 4 + KIND_CODES.indexOf(kind));
    this.fill = at;
    this.bytes += length;
    return true;
  }

  /** Starts a block with room for at least `bytes`; what is left of the previous one stays unused. */
  private newBlock(bytes: number): void {
    const previous = this.blocks.at(-1);
    const size = Math.max(bytes, previous ? Math.min(MAX_BLOCK_BYTES, previous.length * 2) : FIRST_BLOCK_BYTES);
    this.blockStarts.push(previous ? this.blockStarts.at(-1)! + previous.length : 0);
    this.blocks.push(new Uint8Array(size));
    this.fill = 0;
  }

  private blockAt(position: number): number {
    // Few blocks, and reads are mostly of the newest: search from the end.
    let block = this.blockStarts.length - 1;
    while (block > 0 && this.blockStarts[block]! > position) block -= 1;
    return block;
  }
}

function digits(value: number): number {
  let count = 1;
  while (value >= 10) {
    value = Math.floor(value / 10);
    count += 1;
  }
  return count;
}

function writeDigits(out: Uint8Array, at: number, value: number): number {
  const end = at + digits(value);
  for (let index = end - 1; index >= at; index -= 1) {
    out[index] = 48 + (value % 10);
    value = Math.floor(value / 10);
  }
  return end;
}
