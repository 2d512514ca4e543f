/**
 * Framing checks for batches read back from a segment file: a length that fits the header and the
 * file, magic 2, a base offset at or above where the batch must start, a non-negative last offset
 * delta. The read path (Fetch), the cleaner and `samsa log:verify` use them so a damaged length
 * field is reported as corruption rather than walked into (a negative length would loop, a huge
 * one would allocate). CRC checks are not here: reads serve bytes unchanged and clients check CRCs.
 */
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAGIC,
} from '../protocol/records/batch-header.ts';
import { readInt64 } from './int64.ts';

/** Bytes of a batch header the framing check reads. */
export const FRAMING_BYTES = OFFSET_LAST_OFFSET_DELTA + 4;

/**
 * Why the header at `buf[at]` (file position `position` in a file of `end` bytes) cannot start a
 * stored batch whose base offset must be at least `minBaseOffset`; null when it can.
 */
export function framingProblem(
  buf: Buffer,
  at: number,
  position: number,
  end: number,
  minBaseOffset: number,
): string | null {
  const length = buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
  if (LOG_OVERHEAD + length < BATCH_HEADER_SIZE) {
    return `batch length ${length} is below the minimum of ${BATCH_HEADER_SIZE - LOG_OVERHEAD}`;
  }
  if (position + LOG_OVERHEAD + length > end) {
    return `batch length ${length} runs past the end of the file (${end - position - LOG_OVERHEAD} bytes left)`;
  }
  const magic = buf.readInt8(at + OFFSET_MAGIC);
  if (magic !== 2) return `magic ${magic} (expected 2)`;
  const baseOffset = readInt64(buf, at);
  if (baseOffset < minBaseOffset) return `base offset ${baseOffset} is below the expected ${minBaseOffset}`;
  const delta = buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
  if (delta < 0) return `negative last offset delta ${delta}`;
  return null;
}

/** A batch that cannot be framed: the segment cannot be read at or past `position`. */
export class CorruptBatchError extends Error {
  override readonly name = 'CorruptBatchError';
  readonly segment: string;
  readonly position: number;
  readonly reason: string;
  /** The first offset that cannot be read (the offset the damaged batch should start at). */
  readonly firstOffset: number;

  constructor(segment: string, position: number, reason: string, firstOffset: number) {
    super(`corrupt record batch in ${segment} at position ${position}: ${reason}`);
    this.segment = segment;
    this.position = position;
    this.reason = reason;
    this.firstOffset = firstOffset;
  }
}
