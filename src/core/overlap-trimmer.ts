/**
 * When Continue asks a model to carry on from a partial answer, the model often repeats the
 * last few words. This drops such an overlap: the continuation is held back until it is
 * clear how much of its start repeats the end of the partial, then released without it.
 *
 * @param base - The partial answer being continued.
 * @param maxOverlap - Longest repeat looked for. @defaultValue 200
 * @param minOverlap - Shorter repeats are kept: a shared space or letter is usually no repeat. @defaultValue 4
 */
export function createOverlapTrimmer(base: string, maxOverlap = 200, minOverlap = 4) {
  const tail = base.slice(-maxOverlap);
  let pending = '';
  let decided = false;

  /** Whether some suffix of the tail longer than `pending` still starts with it. */
  const couldGrow = () => {
    for (let length = pending.length + 1; length <= tail.length; length++) {
      if (tail.slice(-length).startsWith(pending)) return true;
    }
    return false;
  };

  const release = () => {
    decided = true;
    let overlap = 0;
    for (let length = Math.min(tail.length, pending.length); length >= minOverlap; length--) {
      if (pending.startsWith(tail.slice(-length))) {
        overlap = length;
        break;
      }
    }
    const out = pending.slice(overlap);
    pending = '';
    return out;
  };

  return {
    /** @returns The text to append now (possibly empty while undecided). */
    push(text: string): string {
      if (decided) return text;
      pending += text;
      if (pending.length >= tail.length || !couldGrow()) return release();
      return '';
    },
    /** The stream ended: whatever is held back is released. */
    flush(): string {
      return decided ? '' : release();
    },
  };
}
