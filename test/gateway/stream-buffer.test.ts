import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamBuffer } from '../../src/gateway/stream-buffer.js';
import type { FrameCursor } from '../../src/gateway/stream-buffer.js';
import { parseSse } from './helpers.js';

const STREAM = 's_test';
const decoder = new TextDecoder();

/** Everything the cursor can take now, as text. */
function takeAll(cursor: FrameCursor): string {
  let text = '';
  for (let bytes = cursor.take(); bytes; bytes = cursor.take()) text += decoder.decode(bytes);
  return text;
}

/** Sequence numbers of the `id:` lines in `text`. */
function seqs(text: string): number[] {
  return parseSse(text).ids.map((id) => Number(id.slice(`${STREAM}:`.length)));
}

/** Reads a cursor to its end, waiting for frames like a connection does. */
async function drain(cursor: FrameCursor): Promise<{ seqs: number[]; end: string | undefined }> {
  let text = '';
  for (;;) {
    text += takeAll(cursor);
    if (cursor.end) return { seqs: seqs(text), end: cursor.end };
    await new Promise<void>((resolve) => cursor.wait(resolve));
  }
}

describe('StreamBuffer', () => {
  it('numbers frames from 1 and lets readers join at any point, then follow live frames to the end', async () => {
    const buffer = new StreamBuffer({ streamId: STREAM });
    for (let index = 0; index < 5; index += 1) buffer.appendData(`{"n":${index}}`);
    const late = buffer.openCursor(3);
    const reading = drain(late);
    buffer.append('comment', ': live\n\n');
    buffer.append('data', 'data: [DONE]\n\n');
    buffer.end('closed');
    assert.deepEqual(await reading, { seqs: [4, 5, 7], end: 'closed' }, 'comments carry no id');
    assert.deepEqual(await drain(buffer.openCursor(0)), { seqs: [1, 2, 3, 4, 5, 7], end: 'closed' });
    assert.equal(buffer.canReadAfter(7), true);
    assert.equal(buffer.canReadAfter(8), false, 'a position it never produced');
    assert.equal(buffer.canReadAfter(-1), false);
  });

  it('sends every frame as the exact bytes it was given, with its id line', () => {
    const buffer = new StreamBuffer({ streamId: STREAM });
    const texts = ['{"a":"é日本🙂"}', 'x'.repeat(5000), '{"b":"' + '日'.repeat(3000) + '"}', '{}'];
    for (const text of texts) buffer.appendData(text);
    buffer.append('raw', 'data: {not json\n\n');
    const expected = texts.map((text, index) => `id: ${STREAM}:${index + 1}\ndata: ${text}\n\n`).join('') + 'data: {not json\n\n';
    assert.equal(takeAll(buffer.openCursor(0)), expected);
    assert.equal(buffer.frame(2)?.text, `data: ${texts[1]}\n\n`);
    assert.equal(buffer.size, new TextEncoder().encode(expected.replace(/^id: .*\n/gm, '')).length, 'size counts bytes');
  });

  it('hands a long replay out in pieces of about maxBytes, in order', () => {
    const buffer = new StreamBuffer({ streamId: STREAM });
    for (let index = 0; index < 100; index += 1) buffer.appendData(`{"n":${index},"pad":"${'p'.repeat(100)}"}`);
    const cursor = buffer.openCursor(0);
    const pieces: string[] = [];
    for (let bytes = cursor.take(1000); bytes; bytes = cursor.take(1000)) pieces.push(decoder.decode(bytes));
    assert.ok(pieces.length >= 10, `${pieces.length} pieces`);
    assert.deepEqual(
      seqs(pieces.join('')),
      Array.from({ length: 100 }, (_, index) => index + 1),
    );
  });

  it('drops the oldest frames past its bounds, and ends a reader at the gap instead of skipping it', () => {
    const buffer = new StreamBuffer({ streamId: STREAM, maxFrames: 3 });
    const slow = buffer.openCursor(0);
    for (let index = 0; index < 5; index += 1) buffer.appendData(`${index}`);
    assert.equal(buffer.firstSeq, 3);
    assert.equal(buffer.canReadAfter(1), false);
    assert.equal(buffer.canReadAfter(2), true);
    assert.equal(slow.take(), undefined);
    assert.equal(slow.end, 'closed', 'frames 1 and 2 are gone: no silent gap');

    const bytes = new StreamBuffer({ streamId: STREAM, maxBytes: 20 });
    bytes.append('data', 'x'.repeat(15));
    bytes.append('data', 'y'.repeat(15));
    assert.equal(bytes.firstSeq, 2);
    assert.equal(bytes.size, 15);
  });

  it('keeps only frames in flight when replay is off', () => {
    const buffer = new StreamBuffer({ streamId: STREAM, retainConsumed: false });
    const reader = buffer.openCursor(0);
    for (let index = 0; index < 4; index += 1) buffer.appendData(`${index}`);
    assert.deepEqual(seqs(takeAll(reader)), [1, 2, 3, 4]);
    assert.equal(buffer.size, 0, 'read frames are gone');
    buffer.appendData('4');
    assert.deepEqual(seqs(takeAll(reader)), [5]);
    assert.equal(buffer.canReadAfter(0), false, 'no replay from the start');
  });

  it('applies backpressure: room while no reader is attached or one keeps up, none while all lag', () => {
    const buffer = new StreamBuffer({ streamId: STREAM, highWaterFrames: 2 });
    assert.equal(buffer.hasRoom(), true, 'nobody reading: the generation runs on (grace period)');
    const reader = buffer.openCursor(0);
    buffer.appendData('a');
    buffer.appendData('b');
    assert.equal(buffer.hasRoom(), false);
    let resumed = 0;
    buffer.onRoom(() => (resumed += 1));
    assert.equal(resumed, 0);
    takeAll(reader);
    assert.equal(resumed, 1, 'reading made room');
    buffer.appendData('c');
    buffer.appendData('d');
    assert.equal(buffer.hasRoom(), false);
    buffer.onRoom(() => (resumed += 1));
    reader.close();
    assert.equal(resumed, 2, 'a closed reader no longer holds the producer back');
  });

  it('wakes a waiting reader once for the frames of one tick, which then leave in one piece', async () => {
    const buffer = new StreamBuffer({ streamId: STREAM });
    const cursor = buffer.openCursor(0);
    let wakes = 0;
    const woken = new Promise<void>((resolve) =>
      cursor.wait(() => {
        wakes += 1;
        resolve();
      }),
    );
    buffer.appendData('{"finish":true}');
    buffer.appendData('{"usage":{}}');
    buffer.append('data', 'data: [DONE]\n\n');
    assert.equal(wakes, 0, 'never woken synchronously');
    await woken;
    assert.equal(wakes, 1);
    const piece = cursor.take();
    assert.deepEqual(seqs(decoder.decode(piece)), [1, 2, 3], 'in order, in one write');
    assert.equal(cursor.take(), undefined);
  });

  it('keeps nothing appended after the end, and ends a reader with the same end', async () => {
    const buffer = new StreamBuffer({ streamId: STREAM });
    buffer.end('reset');
    assert.equal(buffer.appendData('late'), 0);
    assert.equal(buffer.lastSeq, 0);
    assert.deepEqual(await drain(buffer.openCursor(0)), { seqs: [], end: 'reset' });
  });
});
