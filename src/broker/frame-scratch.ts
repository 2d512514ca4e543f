/**
 * The one buffer, broker-wide, that large Produce request frames spanning several socket reads are
 * assembled in, instead of a new Buffer per frame. A CDC snapshot sends 512 KiB requests: a fresh
 * Buffer for each was external memory V8 answered with a full Mark-Compact every ~64 MB (38 in a
 * 1.1 GB snapshot, 20-60 ms of CPU each) and fresh pages to fault in and zero.
 *
 * Sound because a frame is assembled and dispatched in one synchronous step, and the Produce
 * handler is done with the request's bytes when `dispatch` returns: it validates the batches,
 * appends them to the log with a synchronous write and keeps none of them (the log reads served
 * later come from its files). A frame the dispatcher keeps (held while a handler module loads) keeps
 * the buffer: the connection then calls `releaseFrameScratch` and the next frame gets a new one.
 * Produce only: other handlers (SASL, transactions) may keep views of their request.
 */

/** Frames below this are copied (when they span reads) into a Buffer of their own, as before. */
export const SCRATCH_MIN_BYTES = 64 * 1024;
/** Frames above this too: the buffer stays at most this large for the broker's lifetime. */
export const SCRATCH_MAX_BYTES = 4 * 1024 * 1024;

let scratch: Buffer | null = null;

/** Room for a frame of `size` bytes (SCRATCH_MIN_BYTES..SCRATCH_MAX_BYTES), valid until the next call. */
export function frameScratch(size: number): Buffer {
  if (scratch === null || scratch.length < size) {
    // Grown in 256 KiB steps: a producer's requests vary a little in size.
    scratch = Buffer.allocUnsafeSlow(Math.min(SCRATCH_MAX_BYTES, Math.ceil(size / 262_144) * 262_144));
  }
  return scratch.subarray(0, size);
}

/** The last frame handed out is kept by its request: the next call allocates a new buffer. */
export function releaseFrameScratch(): void {
  scratch = null;
}
