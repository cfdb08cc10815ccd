import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamBuffer } from '../../src/gateway/stream-buffer.js';
import type { FrameBatch } from '../../src/gateway/stream-buffer.js';

const never = new AbortController().signal;

/** Reads a reader to its end. */
async function drain(next: (signal: AbortSignal) => Promise<FrameBatch>): Promise<{ seqs: number[]; end: string | undefined }> {
  const seqs: number[] = [];
  for (;;) {
    const batch = await next(never);
    seqs.push(...batch.frames.map((frame) => frame.seq));
    if (batch.end) return { seqs, end: batch.end };
  }
}

describe('StreamBuffer', () => {
  it('numbers frames from 1 and lets readers join at any point, then follow live frames to the end', async () => {
    const buffer = new StreamBuffer();
    for (let index = 0; index < 5; index += 1) buffer.append('data', `data: ${index}\n\n`);
    const late = buffer.openReader(3);
    const reading = drain(late.next);
    buffer.append('comment', ': live\n\n');
    buffer.append('data', 'data: [DONE]\n\n');
    buffer.end('closed');
    assert.deepEqual(await reading, { seqs: [4, 5, 6, 7], end: 'closed' });
    assert.deepEqual(await drain(buffer.openReader(0).next), { seqs: [1, 2, 3, 4, 5, 6, 7], end: 'closed' });
    assert.equal(buffer.canReadAfter(7), true);
    assert.equal(buffer.canReadAfter(8), false, 'a position it never produced');
    assert.equal(buffer.canReadAfter(-1), false);
  });

  it('drops the oldest frames past its bounds, and ends a reader at the gap instead of skipping it', async () => {
    const buffer = new StreamBuffer({ maxFrames: 3 });
    const slow = buffer.openReader(0);
    for (let index = 0; index < 5; index += 1) buffer.append('data', `data: ${index}\n\n`);
    assert.equal(buffer.firstSeq, 3);
    assert.equal(buffer.canReadAfter(1), false);
    assert.equal(buffer.canReadAfter(2), true);
    assert.deepEqual(await slow.next(never), { frames: [], end: 'closed' }, 'frames 1 and 2 are gone: no silent gap');

    const bytes = new StreamBuffer({ maxChars: 20 });
    bytes.append('data', 'x'.repeat(15));
    bytes.append('data', 'y'.repeat(15));
    assert.equal(bytes.firstSeq, 2);
    assert.equal(bytes.size, 15);
  });

  it('keeps only frames in flight when replay is off', async () => {
    const buffer = new StreamBuffer({ retainConsumed: false });
    const reader = buffer.openReader(0);
    for (let index = 0; index < 4; index += 1) buffer.append('data', `data: ${index}\n\n`);
    assert.equal((await reader.next(never)).frames.length, 4);
    assert.equal(buffer.size, 0, 'read frames are gone');
    buffer.append('data', 'data: 4\n\n');
    assert.deepEqual(
      (await reader.next(never)).frames.map((frame) => frame.seq),
      [5],
    );
    assert.equal(buffer.canReadAfter(0), false, 'no replay from the start');
  });

  it('applies backpressure: room while no reader is attached or one keeps up, none while all lag', async () => {
    const buffer = new StreamBuffer({ highWaterFrames: 2 });
    assert.equal(buffer.hasRoom(), true, 'nobody reading: the generation runs on (grace period)');
    const reader = buffer.openReader(0);
    buffer.append('data', 'a');
    buffer.append('data', 'b');
    assert.equal(buffer.hasRoom(), false);
    let resumed = false;
    const waiting = buffer.waitForRoom(never).then(() => (resumed = true));
    await Promise.resolve();
    assert.equal(resumed, false);
    await reader.next(never);
    await waiting;
    assert.equal(resumed, true, 'reading made room');
    buffer.append('data', 'c');
    buffer.append('data', 'd');
    assert.equal(buffer.hasRoom(), false);
    reader.close();
    assert.equal(buffer.hasRoom(), true, 'a closed reader no longer holds the producer back');
  });

  it('wakes a waiting reader on abort, and keeps nothing appended after the end', async () => {
    const buffer = new StreamBuffer();
    const controller = new AbortController();
    const pending = buffer.openReader(0).next(controller.signal);
    controller.abort();
    assert.deepEqual(await pending, { frames: [], end: 'closed' });
    buffer.end('reset');
    buffer.append('data', 'late');
    assert.equal(buffer.lastSeq, 0);
    assert.deepEqual(await drain(buffer.openReader(0).next), { seqs: [], end: 'reset' });
  });
});
