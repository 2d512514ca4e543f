/**
 * Read-ahead for consumers catching up on a log. A Fetch that returned a long run of batches (at
 * least half its limit) from a segment with at least another full read of bytes after them is
 * almost always followed by a Fetch for the next offset. Right after answering, the following bytes
 * are read on libuv's thread pool, so the next Fetch finds them in memory and the broker's main
 * thread only has to write them to the socket: the copy out of the page cache runs on the other
 * core, overlapped with the socket write and the consumer's own work (consume throughput before and
 * after: docs/benchmarks.md). A Fetch that arrives while its read-ahead is still in flight waits for
 * it (whenReady) rather than reading the same bytes a second time.
 *
 * Bounded: a few read-aheads per segment (one per consumer position), MAX_BYTES of memory in all,
 * and one not claimed within MAX_AGE_MS is dropped. The memory comes from the ReadBufferPool; a
 * claimed read-ahead's memory passes to the Fetch's lease, which returns it once the response is
 * written. The segment keeps its fd open while a read is in flight (Segment.readAsync), and bytes
 * read before a truncation are never served (Segment.generation).
 */
import type { ReadBufferPool } from './read-buffers.ts';
import type { Segment } from './segment.ts';

const MAX_PER_SEGMENT = 4;
const MAX_BYTES = 64 * 1024 * 1024;
const MAX_AGE_MS = 5_000;

interface Ahead {
  readonly segment: Segment;
  readonly generation: number;
  /** The fetch offset this read serves: one past the last offset of the previous answer. */
  readonly nextOffset: number;
  readonly position: number;
  readonly memory: ArrayBuffer;
  readonly startedAt: number;
  bytesRead: number;
  done: boolean;
  failed: boolean;
  /** Given up while its read was in flight: the memory returns to the pool when it completes. */
  dropped: boolean;
  /** Called when the read completes (whenReady). */
  waiters: (() => void)[];
}

export interface ReadAheadStats {
  started: number;
  /** Fetches served from a finished read-ahead. */
  hits: number;
  /** Fetches that found their read-ahead still in flight (read synchronously instead). */
  unfinished: number;
}

export class ReadAhead {
  private readonly pool: ReadBufferPool;
  private readonly now: () => number;
  private readonly bySegment = new Map<Segment, Ahead[]>();
  /** Pool memory held by read-aheads, in flight or waiting to be claimed. */
  private heldBytes = 0;
  private readonly timer: NodeJS.Timeout;
  readonly stats: ReadAheadStats = { started: 0, hits: 0, unfinished: 0 };

  constructor(pool: ReadBufferPool, now: () => number = Date.now) {
    this.pool = pool;
    this.now = now;
    this.timer = setInterval(() => this.sweep(), MAX_AGE_MS);
    this.timer.unref();
  }

  /** No read-ahead in flight or waiting to be claimed (lets callers skip their lookups). */
  get isEmpty(): boolean {
    return this.bySegment.size === 0;
  }

  /** Memory held by read-aheads. */
  get bytesHeld(): number {
    return this.heldBytes;
  }

  /** Read-aheads kept for `segment` (in flight or waiting to be claimed). */
  heldFor(segment: Segment): number {
    return this.bySegment.get(segment)?.length ?? 0;
  }

  /** Starts reading `length` bytes at `position` of `segment` for a later Fetch at `nextOffset`. */
  start(segment: Segment, nextOffset: number, position: number, length: number): void {
    if (length <= 0 || segment.isClosed) return;
    let list = this.bySegment.get(segment);
    if (list?.some((a) => a.nextOffset === nextOffset)) return;
    if (this.heldBytes + length > MAX_BYTES) {
      this.sweep();
      if (this.heldBytes + length > MAX_BYTES) return;
    }
    if (list && list.length >= MAX_PER_SEGMENT) this.drop(list.shift()!);
    const memory = this.pool.take(length);
    this.heldBytes += memory.byteLength;
    const ahead: Ahead = {
      segment,
      generation: segment.generation,
      nextOffset,
      position,
      memory,
      startedAt: this.now(),
      bytesRead: 0,
      done: false,
      failed: false,
      dropped: false,
      waiters: [],
    };
    if (!list) {
      list = [];
      this.bySegment.set(segment, list);
    }
    list.push(ahead);
    this.stats.started++;
    segment.readAsync(Buffer.from(memory, 0, length), position, (err, n) => {
      ahead.done = true;
      ahead.failed = err !== null;
      ahead.bytesRead = n;
      if (ahead.dropped) this.release(ahead);
      for (const w of ahead.waiters.splice(0)) w();
    });
  }

  /**
   * Resolves when the read-ahead for a Fetch of `segment` at `fetchOffset` has finished, if one is
   * in flight (undefined otherwise): waiting for it costs less than reading the same bytes again.
   */
  whenReady(segment: Segment, fetchOffset: number): Promise<void> | undefined {
    const ahead = this.bySegment.get(segment)?.find((a) => a.nextOffset === fetchOffset);
    if (!ahead || ahead.done) return undefined;
    return new Promise((resolve) => ahead.waiters.push(resolve));
  }

  /**
   * The bytes read ahead for a Fetch of `segment` at `fetchOffset`, if that read has finished and
   * the file has not been truncated since: `position` is where they start in the file. Ownership of
   * the memory passes to `adopt` (the Fetch's lease). Otherwise undefined, and the read-ahead is
   * given up either way — except when its memory exceeds `maxBytes` (the Fetch's memory budget):
   * then it is left for a later Fetch and the caller reads the bytes itself.
   */
  claim(
    segment: Segment,
    fetchOffset: number,
    adopt: (memory: ArrayBuffer) => void,
    maxBytes = Infinity,
  ): { position: number; bytes: Buffer } | undefined {
    const list = this.bySegment.get(segment);
    if (!list) return undefined;
    const i = list.findIndex((a) => a.nextOffset === fetchOffset);
    if (i < 0) return undefined;
    const ahead = list[i]!;
    if (ahead.memory.byteLength > maxBytes) return undefined;
    this.unlist(ahead, list, i);
    if (!ahead.done) {
      this.stats.unfinished++;
      ahead.dropped = true;
      return undefined;
    }
    if (
      ahead.failed ||
      ahead.bytesRead === 0 ||
      ahead.generation !== segment.generation ||
      segment.isClosed
    ) {
      this.release(ahead);
      return undefined;
    }
    this.heldBytes -= ahead.memory.byteLength;
    adopt(ahead.memory);
    this.stats.hits++;
    return { position: ahead.position, bytes: Buffer.from(ahead.memory, 0, ahead.bytesRead) };
  }

  /** Drops read-aheads older than MAX_AGE_MS or on closed segments (also run by a timer). */
  sweep(): void {
    const cutoff = this.now() - MAX_AGE_MS;
    for (const list of [...this.bySegment.values()]) {
      for (const ahead of [...list]) {
        if (ahead.startedAt <= cutoff || ahead.segment.isClosed) this.drop(ahead);
      }
    }
  }

  /** Drops every read-ahead and stops the timer. */
  close(): void {
    clearInterval(this.timer);
    for (const list of [...this.bySegment.values()]) for (const ahead of [...list]) this.drop(ahead);
  }

  private drop(ahead: Ahead): void {
    const list = this.bySegment.get(ahead.segment);
    const i = list ? list.indexOf(ahead) : -1;
    if (list && i >= 0) this.unlist(ahead, list, i);
    if (ahead.done) this.release(ahead);
    else ahead.dropped = true;
  }

  private unlist(ahead: Ahead, list: Ahead[], i: number): void {
    list.splice(i, 1);
    if (list.length === 0) this.bySegment.delete(ahead.segment);
  }

  private release(ahead: Ahead): void {
    this.heldBytes -= ahead.memory.byteLength;
    this.pool.give(ahead.memory);
  }
}
