/**
 * A fetch stand-in that answers with a body delivered in exactly the given byte chunks, so
 * transport tests control where the network cuts the stream.
 */
export function chunkedFetch(
  chunks: Uint8Array[],
  init: { status?: number; headers?: Record<string, string>; failAfter?: boolean } = {},
): typeof fetch {
  return async (_input, requestInit) => {
    const signal = requestInit?.signal;
    let index = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (signal?.aborted) {
          controller.error(signal.reason);
          return;
        }
        const next = chunks[index++];
        if (next) controller.enqueue(next);
        else if (init.failAfter) controller.error(new TypeError('network error: connection reset'));
        else controller.close();
      },
    });
    return new Response(body, {
      status: init.status ?? 200,
      headers: init.headers ?? { 'Content-Type': 'text/event-stream' },
    });
  };
}

const encoder = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Splits `data` at the given byte offsets. */
export function cutAt(data: Uint8Array, offsets: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const offset of [...offsets].sort((a, b) => a - b)) {
    out.push(data.slice(start, offset));
    start = offset;
  }
  out.push(data.slice(start));
  return out.filter((c) => c.length > 0);
}
