/**
 * Response framing for the raw fetch path's connections: large Fetch responses arrive in many
 * socket chunks, which the library's connection joins with `Buffer.concat` into a new buffer per
 * response (megabytes of fresh memory each time: page faults, and external memory that starts
 * major collections). `assembleFrames` puts itself between the socket and the connection's own
 * `data` listener and hands that listener whole frames (size prefix included), a frame that
 * spans chunks copied into a buffer of a `ResponseBufferPool`; the library then finds one
 * buffer and joins nothing. Whoever is done with every byte of a response (nothing refers to it
 * any more) may give its buffer back (`ResponseBufferPool.give`) for a later response.
 */
import type { Socket } from 'node:net';

const MIB = 1024 * 1024;
/** Frames smaller than this that span chunks are copied into plain allocations, not pooled. */
const POOLED_FROM = 32 * 1024;
/** Spare buffers kept (responses being processed, one on the wire, one more). */
const MAX_SPARE = 4;
/** Buffers larger than this are not kept. */
const MAX_POOLED = 32 * 1024 * 1024;
/**
 * A size prefix above this is not taken for a frame (the raw fetch asks for at most 64 MiB): the
 * splitter steps aside and passes every byte from there on as it came, so the library sees what it
 * would have seen without it (e.g. a TLS server's first bytes, 0x1603..., which it reports).
 */
const MAX_FRAME = 256 * 1024 * 1024;

/** Buffers for frames that span socket chunks; `give` takes back a buffer once nothing reads it. */
export class ResponseBufferPool {
  private readonly spare: ArrayBuffer[] = [];
  /** The ArrayBuffers this pool handed out (only those are taken back). */
  private readonly mine = new WeakSet<ArrayBuffer>();

  /** A buffer of `size` bytes (from a spare, or new: 64 KiB to 1 MiB in powers of two, then whole MiBs). */
  take(size: number): Buffer {
    if (size < POOLED_FROM) return Buffer.allocUnsafe(size);
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const b = this.spare[i]!;
      if (b.byteLength >= size && (best < 0 || b.byteLength < this.spare[best]!.byteLength)) best = i;
    }
    if (best >= 0) {
      const ab = this.spare[best]!;
      this.spare.splice(best, 1);
      return Buffer.from(ab, 0, size);
    }
    // powers of two up to 1 MiB, then whole MiBs (a 4 MiB fetch's answer is a little over 4 MiB)
    let bytes = 64 * 1024;
    while (bytes < size && bytes < MIB) bytes *= 2;
    if (bytes < size) bytes = Math.ceil(size / MIB) * MIB;
    const ab = Buffer.allocUnsafeSlow(bytes).buffer as ArrayBuffer;
    this.mine.add(ab);
    return Buffer.from(ab, 0, size);
  }

  /**
   * Takes back the buffer `view` is part of, when this pool made it: the caller guarantees that
   * nothing reads any byte of it any more (a later frame is written over it).
   */
  give(view: Buffer): boolean {
    const ab = view.buffer as ArrayBuffer;
    if (!this.mine.has(ab) || ab.byteLength > MAX_POOLED) return false;
    if (this.spare.includes(ab)) return false;
    if (this.spare.length >= MAX_SPARE) {
      // keep the larger ones
      let smallest = 0;
      for (let i = 1; i < this.spare.length; i++)
        if (this.spare[i]!.byteLength < this.spare[smallest]!.byteLength) smallest = i;
      if (this.spare[smallest]!.byteLength >= ab.byteLength) return false;
      this.spare.splice(smallest, 1);
    }
    this.spare.push(ab);
    return true;
  }

  /** Spare buffers held (for tests). */
  get spareCount(): number {
    return this.spare.length;
  }
}

const assembled = new WeakSet<Socket>();

/**
 * Makes the socket's one `data` listener (a Kafka connection's) receive whole frames: a 4-byte
 * big-endian size and that many bytes. A frame inside one chunk is passed as a view of it, one
 * that spans chunks is copied into a buffer from `pool`. Does nothing when the socket has been
 * set up already or has not exactly one `data` listener. Call it between requests (no response
 * half received), e.g. right after the connection is established.
 */
export function assembleFrames(socket: Socket, pool: ResponseBufferPool): void {
  if (assembled.has(socket)) return;
  const listeners = socket.listeners('data');
  if (listeners.length !== 1) return;
  assembled.add(socket);
  const deliver = listeners[0] as (chunk: Buffer) => void;
  socket.removeListener('data', deliver);
  socket.on('data', frameSplitter(deliver, pool));
}

/** The splitter itself: feed it chunks, it calls `deliver` once per complete frame, in order. */
export function frameSplitter(
  deliver: (frame: Buffer) => void,
  pool: ResponseBufferPool,
): (chunk: Buffer) => void {
  /** The frame being filled (size prefix included) and how much of it is. */
  let frame: Buffer | null = null;
  let filled = 0;
  /** Bytes of a size prefix split between chunks. */
  const head = Buffer.alloc(4);
  let headBytes = 0;
  /** Not Kafka frames (or not ones this splitter takes): everything goes through as it came. */
  let passThrough = false;
  return (chunk: Buffer) => {
    if (passThrough) {
      deliver(chunk);
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      if (frame !== null) {
        const n = Math.min(frame.length - filled, chunk.length - at);
        chunk.copy(frame, filled, at, at + n);
        filled += n;
        at += n;
        if (filled === frame.length) {
          const f = frame;
          frame = null;
          deliver(f);
        }
        continue;
      }
      let size: number;
      if (headBytes > 0 || chunk.length - at < 4) {
        const from = at;
        while (headBytes < 4 && at < chunk.length) head[headBytes++] = chunk[at++]!;
        if (headBytes < 4) return;
        size = head.readInt32BE(0);
        if (size < 0 || size > MAX_FRAME) {
          passThrough = true;
          // the prefix's bytes from earlier chunks, then this chunk from where the prefix began in it
          deliver(Buffer.concat([head.subarray(0, 4 - (at - from)), chunk.subarray(from)]));
          return;
        }
        headBytes = 0;
        frame = pool.take(4 + size);
        head.copy(frame, 0);
        filled = 4;
        if (size === 0) {
          const f = frame;
          frame = null;
          deliver(f);
        }
        continue;
      }
      size = chunk.readInt32BE(at);
      if (size < 0 || size > MAX_FRAME) {
        passThrough = true;
        deliver(at === 0 ? chunk : chunk.subarray(at));
        return;
      }
      if (chunk.length - at >= 4 + size) {
        // the whole frame is in this chunk: a view, no copy
        deliver(chunk.subarray(at, at + 4 + size));
        at += 4 + size;
        continue;
      }
      frame = pool.take(4 + size);
      filled = 0;
    }
  };
}
