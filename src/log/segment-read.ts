/**
 * Fetch reads from one segment: whole batches starting with the one that contains `fetchOffset`
 * (which may start before it, as in Kafka), up to `maxBytes`, or the first batch alone when it is
 * larger and `minOneBatch` is set (KIP-74). The offset index gives a start at most about one index
 * interval before the target; a single pread normally covers both the scan and the payload.
 * With a ReadAhead, a long read also starts reading the bytes after it for the next Fetch, and a
 * read finds those bytes there when they are ready (read-ahead.ts).
 * Every batch header walked is framing-checked (batch-framing.ts): a damaged one where the read
 * starts throws CorruptBatchError; one after good batches ends the answer before it.
 */
import {
  LOG_OVERHEAD,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
} from '../protocol/records/batch-header.ts';
import { CorruptBatchError, framingProblem } from './batch-framing.ts';
import { scanBatches } from './batch-scan.ts';
import { readRange } from './file-io.ts';
import { readInt64 } from './int64.ts';
import type { ReadAhead } from './read-ahead.ts';
import type { ReadAllocator } from './read-buffers.ts';
import type { Segment } from './segment.ts';

/** Header bytes needed to know a batch's size and offsets. */
const HEADER_PEEK = OFFSET_LAST_OFFSET_DELTA + 4;

export interface SegmentReadOptions {
  maxBytes: number;
  minOneBatch: boolean;
  /** Only batches whose last offset is below this are returned. */
  maxOffset: number;
  /** Where the bytes are read into (Fetch passes a pooled lease). */
  allocate?: ReadAllocator | undefined;
  /** Read-ahead to use, and the owner that takes the memory of a claimed one (the Fetch's lease). */
  readAhead?: { cache: ReadAhead; adopt: (memory: ArrayBuffer) => void; maxBytes: number } | undefined;
}

/**
 * Returns the batches, `null` when the batch holding `fetchOffset` exists but cannot be returned
 * (too large without minOneBatch, or at/after maxOffset), or `undefined` when this segment holds
 * no batch at or after `fetchOffset` (the caller moves on to the next segment).
 */
export function readSegment(
  seg: Segment,
  fetchOffset: number,
  opts: SegmentReadOptions,
): Buffer | null | undefined {
  const end = seg.size;
  const fd = seg.fd;
  const chunk = seg.settings.indexIntervalBytes + 2048 + opts.maxBytes;
  const alloc = opts.allocate;
  const ahead = opts.readAhead?.cache.claim(seg, fetchOffset, opts.readAhead.adopt, opts.readAhead.maxBytes);
  const entry = ahead ? null : seg.offsetIndex.lookup(fetchOffset);
  let pos = ahead ? ahead.position : entry!.position;
  let buf = ahead ? ahead.bytes : readRange(fd, pos, Math.min(end - pos, chunk), alloc);
  let at = 0;
  let size = 0;
  let last = 0;
  let minBase = entry ? entry.offset : seg.baseOffset;
  for (;;) {
    if (pos + at >= end) return undefined;
    if (at + HEADER_PEEK > buf.length) {
      pos += at;
      at = 0;
      buf = readRange(fd, pos, Math.min(end - pos, chunk), alloc);
      if (buf.length < HEADER_PEEK) return undefined;
    }
    const problem = framingProblem(buf, at, pos + at, end, minBase);
    if (problem !== null) throw new CorruptBatchError(seg.logPath, pos + at, problem, minBase);
    size = LOG_OVERHEAD + buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
    last = readInt64(buf, at) + buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
    if (last >= fetchOffset) break;
    minBase = last + 1;
    at += size;
  }
  const start = pos + at;
  if (last >= opts.maxOffset) return null;
  if (size > opts.maxBytes) {
    if (!opts.minOneBatch) return null;
    return at + size <= buf.length ? buf.subarray(at, at + size) : readRange(fd, start, size, alloc);
  }
  const want = Math.min(opts.maxBytes, end - start);
  if (buf.length - at < want) {
    buf = readRange(fd, start, want, alloc);
    at = 0;
  }
  const limit = Math.min(buf.length, at + want);
  let cur = at;
  let nextOffset = fetchOffset;
  while (cur + HEADER_PEEK <= limit) {
    if (cur > at && framingProblem(buf, cur, start + (cur - at), end, nextOffset) !== null) break;
    const n = LOG_OVERHEAD + buf.readInt32BE(cur + OFFSET_BATCH_LENGTH);
    if (cur + n > limit) break;
    const lastOffset = readInt64(buf, cur) + buf.readInt32BE(cur + OFFSET_LAST_OFFSET_DELTA);
    if (lastOffset >= opts.maxOffset) break;
    nextOffset = lastOffset + 1;
    cur += n;
  }
  if (cur === at) return null;
  // A consumer catching up (a long answer, a full read more after it): read the next bytes now.
  const nextPos = start + (cur - at);
  if (opts.readAhead && 2 * (cur - at) >= opts.maxBytes && end - nextPos >= chunk) {
    opts.readAhead.cache.start(seg, nextOffset, nextPos, chunk);
  }
  return buf.subarray(at, cur);
}

/** File position of the first batch whose last offset is >= `offset`, or null if there is none. */
export function locateBatch(seg: Segment, offset: number): number | null {
  let found: number | null = null;
  const from = seg.offsetIndex.lookup(offset).position;
  scanBatches(seg.fd, from, seg.size, { body: false, chunkBytes: 64 * 1024 }, (buf, at, position) => {
    if (readInt64(buf, at) + buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) < offset) return true;
    found = position;
    return false;
  });
  return found;
}
