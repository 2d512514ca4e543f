/**
 * Recovery of a segment after open: resumes at the last offset-index entry (or the start when the
 * indexes are missing, corrupt or point at the wrong batch), validates every batch from there
 * (framing, magic 2, CRC-32C, increasing offsets), cuts the file at the first torn or invalid batch,
 * and re-derives index entries and the max timestamp for what it scanned. Logs what it truncated.
 */
import {
  isBatchCrcValid,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAGIC,
  OFFSET_MAX_TIMESTAMP,
} from '../protocol/records/batch-header.ts';
import { scanBatches } from './batch-scan.ts';
import { readFully } from './file-io.ts';
import { readInt64 } from './int64.ts';
import type { IndexPosition } from './offset-index.ts';
import type { Segment } from './segment.ts';

const INT32_MAX = 0x7fffffff;

export interface RecoveryOptions {
  /** Ignore the indexes and rebuild them from a full scan. */
  fromScratch?: boolean;
}

export interface RecoveryResult {
  /** Offset after the last valid batch (the segment's base offset when it holds none). */
  nextOffset: number;
  /** File position the validating scan started at. */
  scannedFrom: number;
  truncatedBytes: number;
}

/** Why the batch at `at` is not acceptable as the next batch, or null. */
function batchProblem(buf: Buffer, at: number, minBaseOffset: number, segmentBase: number): string | null {
  const magic = buf.readInt8(at + OFFSET_MAGIC);
  if (magic !== 2) return `magic ${magic}`;
  const baseOffset = readInt64(buf, at);
  const delta = buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
  if (delta < 0) return `negative lastOffsetDelta ${delta}`;
  if (baseOffset < minBaseOffset) return `base offset ${baseOffset} below expected ${minBaseOffset}`;
  if (baseOffset + delta - segmentBase > INT32_MAX)
    return `offset ${baseOffset + delta} out of segment range`;
  if (!isBatchCrcValid(buf, at)) return 'CRC-32C mismatch';
  return null;
}

function headerMatches(seg: Segment, entry: IndexPosition): boolean {
  if (entry.position + 8 > seg.size) return false;
  const buf = Buffer.alloc(8);
  readFully(seg.fd, buf, 8, entry.position);
  return readInt64(buf, 0) === entry.offset;
}

export function recoverSegment(seg: Segment, opts: RecoveryOptions = {}): RecoveryResult {
  const time = seg.timeIndex;
  let start: IndexPosition | null = opts.fromScratch ? null : seg.offsetIndex.last();
  if (start !== null && !headerMatches(seg, start)) start = null;
  if (start === null) {
    seg.resetIndexes();
  } else {
    time.truncateAfterOffset(start.offset);
    const t = time.last();
    seg.maxTimestamp = t?.timestamp ?? -1;
    seg.offsetOfMaxTimestamp = t?.offset ?? -1;
    seg.bytesSinceIndexEntry = 0;
  }
  const from = start?.position ?? 0;
  let next = start?.offset ?? seg.baseOffset;
  let scanned = 0;
  let problem = '';
  const result = scanBatches(seg.fd, from, seg.size, { body: true }, (buf, at, position, size) => {
    const bad = batchProblem(buf, at, next, seg.baseOffset);
    const base = readInt64(buf, at);
    if (bad === null && scanned === 0 && start !== null && base !== start.offset) {
      problem = `indexed batch has base offset ${base}, expected ${start.offset}`;
      return false;
    }
    if (bad !== null) {
      problem = bad;
      return false;
    }
    seg.indexBatch(position, base, size, readInt64(buf, at + OFFSET_MAX_TIMESTAMP));
    next = base + buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) + 1;
    scanned++;
    return true;
  });
  if (result.stop !== 'end' && start !== null && scanned === 0) {
    // The indexed batch itself is bad: nothing vouches for what precedes it, so scan everything.
    return recoverSegment(seg, { fromScratch: true });
  }
  let truncatedBytes = 0;
  if (result.stop !== 'end') {
    truncatedBytes = seg.size - result.position;
    seg.logger.warn(
      {
        segment: seg.logPath,
        position: result.position,
        truncatedBytes,
        reason: problem || result.stop,
        nextOffset: next,
      },
      'truncating invalid tail of log segment',
    );
    seg.truncateFile(result.position);
    time.truncateAfterOffset(next - 1);
  }
  try {
    if (!seg.indexesWritten) seg.writeIndexes();
  } catch (err) {
    seg.logger.warn(
      { segment: seg.logPath, err },
      'could not write the rebuilt segment indexes; they will be rebuilt again on the next start',
    );
  }
  return { nextOffset: next, scannedFrom: from, truncatedBytes };
}
