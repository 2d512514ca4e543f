/**
 * Reusable memory for large log reads. A Fetch answer of several MiB read into a fresh
 * `Buffer.allocUnsafe` costs the kernel a page fault per 4 KiB on first touch and the GC an
 * external-memory round trip per request; reading into recycled buffers removes both (consume
 * throughput in docs/benchmarks.md). A `ReadLease` collects what one response took; whoever sends
 * the response releases the lease once the bytes are handed to the kernel, never earlier, since the
 * response refers to the buffers until then.
 *
 * Reads below MIN_POOLED_BYTES use plain allocations (Node's small-buffer pool already covers them).
 * Free buffers are dropped when a whole IDLE_TRIM_MS window passes without a take, so a burst of
 * large fetches does not keep its memory once consumers go quiet.
 */

/** Allocates the buffer a log read fills: exactly `length` bytes. */
export type ReadAllocator = (length: number) => Buffer;

const MIN_POOLED_BYTES = 64 * 1024;
/** Largest size class kept (requests beyond it are allocated and dropped after use). */
const MAX_POOLED_BYTES = 64 * 1024 * 1024;
/** Free buffers kept per size class, and in all. */
const MAX_FREE_PER_CLASS = 8;
const MAX_FREE_BYTES = 128 * 1024 * 1024;
const IDLE_TRIM_MS = 30_000;

export const allocateRead: ReadAllocator = (length) => Buffer.allocUnsafe(length);

/** What a segment read may take beyond its max bytes (segment-read.ts reads the index interval + 2 KiB more). */
const READ_SLACK_BYTES = 32 * 1024;

/**
 * The largest max bytes for a log read whose buffers take at most `bytes` of memory: reads are
 * pooled in power-of-two size classes, so a read of `length` can hold up to twice that, and a
 * segment read takes up to an index interval more than asked (Fetch sizes its reads with this to
 * stay within a memory budget; index.interval.bytes above 30 KiB can overshoot by the difference).
 */
export function largestReadWithin(bytes: number): number {
  if (bytes < MIN_POOLED_BYTES) return Math.max(0, bytes - READ_SLACK_BYTES);
  let c = MIN_POOLED_BYTES;
  while (c * 2 <= bytes) c *= 2;
  return c - READ_SLACK_BYTES;
}

function sizeClass(length: number): number {
  let c = MIN_POOLED_BYTES;
  while (c < length) c *= 2;
  return c;
}

export class ReadBufferPool {
  private readonly free = new Map<number, ArrayBuffer[]>();
  private freeBytes = 0;
  private takenSinceTrim = false;
  private readonly trimTimer: NodeJS.Timeout;

  constructor() {
    this.trimTimer = setInterval(() => this.trimIfIdle(), IDLE_TRIM_MS);
    this.trimTimer.unref();
  }

  /** Drops every free buffer unless one was taken since the last call (the timer's check). */
  trimIfIdle(): void {
    if (!this.takenSinceTrim) {
      this.free.clear();
      this.freeBytes = 0;
    }
    this.takenSinceTrim = false;
  }

  /** Stops the idle-trim timer and drops the free buffers. */
  close(): void {
    clearInterval(this.trimTimer);
    this.free.clear();
    this.freeBytes = 0;
  }

  /** A buffer of at least `length` bytes: a recycled one when available. */
  take(length: number): ArrayBuffer {
    this.takenSinceTrim = true;
    const c = sizeClass(length);
    const list = this.free.get(c);
    const reused = list?.pop();
    if (reused) {
      this.freeBytes -= c;
      return reused;
    }
    return Buffer.allocUnsafeSlow(c).buffer as ArrayBuffer;
  }

  /** Takes back a buffer from `take` that nothing refers to any more. */
  give(memory: ArrayBuffer): void {
    const c = memory.byteLength;
    if (c > MAX_POOLED_BYTES || this.freeBytes + c > MAX_FREE_BYTES) return;
    let list = this.free.get(c);
    if (!list) {
      list = [];
      this.free.set(c, list);
    }
    if (list.length >= MAX_FREE_PER_CLASS) return;
    list.push(memory);
    this.freeBytes += c;
  }

  /** Bytes held for reuse. */
  get pooledBytes(): number {
    return this.freeBytes;
  }

  lease(): ReadLease {
    return new ReadLease(this);
  }
}

/** The pooled buffers one response read into; `release` returns them all. */
export class ReadLease {
  private readonly pool: ReadBufferPool;
  private taken: ArrayBuffer[] = [];

  constructor(pool: ReadBufferPool) {
    this.pool = pool;
  }

  readonly allocate: ReadAllocator = (length) => {
    if (length < MIN_POOLED_BYTES) return Buffer.allocUnsafe(length);
    const memory = this.pool.take(length);
    this.taken.push(memory);
    return Buffer.from(memory, 0, length);
  };

  /** Makes this lease the owner of pool memory taken elsewhere (a claimed read-ahead, read-ahead.ts). */
  readonly adopt = (memory: ArrayBuffer): void => {
    this.taken.push(memory);
  };

  /** Pool memory this lease holds, at the buffers' full size (what the response keeps alive). */
  get bytes(): number {
    let n = 0;
    for (const m of this.taken) n += m.byteLength;
    return n;
  }

  release(): void {
    const taken = this.taken;
    this.taken = [];
    for (const m of taken) this.pool.give(m);
  }
}
