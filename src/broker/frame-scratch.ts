/**
 * The broker-wide free list of buffers that large Produce request frames spanning several socket
 * reads are assembled in, instead of a new Buffer per frame. A CDC snapshot sends 512 KiB requests:
 * a fresh Buffer for each was external memory V8 answered with a full Mark-Compact every ~64 MB (38
 * in a 1.1 GB snapshot, 20-60 ms of CPU each) and fresh pages to fault in and zero.
 *
 * A connection takes a buffer when a frame's first bytes arrive (its reads land in a buffer shared
 * by every socket: shared-read-buffer.ts) and gives it back once the frame is dispatched. Sound
 * because the Produce handler is done with the request's bytes when `dispatch` returns: it
 * validates the batches, appends them to the log with a synchronous write and keeps none of them
 * (the log reads served later come from its files). A frame the dispatcher keeps (held while a
 * handler module loads) keeps its buffer: the connection does not give it back. Produce only: other
 * handlers (SASL, transactions) may keep views of their request. At most `MAX_FREE` buffers are
 * kept; each connection holds at most one (its frame in progress).
 */

/** Frames below this are assembled (when they span reads) in a Buffer of their own. */
export const SCRATCH_MIN_BYTES = 64 * 1024;
/** Frames above this too: a pooled buffer is at most this large. */
export const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;
/** Free buffers kept: one per connection assembling a large frame at the same time. */
const MAX_FREE = 4;
/** Sizes are rounded up to this: a producer's requests vary a little in size. */
const STEP = 256 * 1024;

const free: Buffer[] = [];

/** A whole buffer of at least `size` bytes (SCRATCH_MIN_BYTES..SCRATCH_MAX_BYTES), the caller's until given back. */
export function takeFrameBuffer(size: number): Buffer {
  for (let i = free.length - 1; i >= 0; i--) {
    const buf = free[i]!;
    if (buf.length >= size) {
      free.splice(i, 1);
      return buf;
    }
  }
  return Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, Math.ceil(size / STEP) * STEP));
}

/** Returns a buffer from `takeFrameBuffer` nothing refers to any more (the smallest goes when full). */
export function giveBackFrameBuffer(buf: Buffer): void {
  if (free.length < MAX_FREE) {
    free.push(buf);
    return;
  }
  let smallest = 0;
  for (let i = 1; i < free.length; i++) if (free[i]!.length < free[smallest]!.length) smallest = i;
  if (free[smallest]!.length < buf.length) free[smallest] = buf;
}
