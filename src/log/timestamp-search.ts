/**
 * Timestamp lookups for ListOffsets. `searchByTimestamp` finds the earliest record with timestamp
 * >= t: the time index skips batches that are all earlier, a header scan finds the first batch whose
 * maxTimestamp reaches t, and that one batch is decoded to pick the exact record (Kafka semantics).
 * `recordWithMaxTimestamp` likewise resolves the batch holding a segment's max timestamp to the first
 * record carrying it (KIP-734). Log-append-time batches need no decoding: every record has maxTimestamp.
 */
import { decodeRecordBatch } from '../protocol/records/batch.ts';
import {
  OFFSET_ATTRIBUTES,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAX_TIMESTAMP,
  TIMESTAMP_TYPE_LOG_APPEND,
} from '../protocol/records/batch-header.ts';
import { scanBatches } from './batch-scan.ts';
import { readRange } from './file-io.ts';
import { readInt64 } from './int64.ts';
import type { Segment } from './segment.ts';
import type { TimestampOffset } from './time-index.ts';

/** The first record at or after `fromOffset` in `batch` matching `accept`; batch-level if undecodable. */
function pickRecord(
  batch: Buffer,
  fromOffset: number,
  accept: (timestamp: number) => boolean,
): TimestampOffset {
  const base = readInt64(batch, 0);
  const maxTimestamp = readInt64(batch, OFFSET_MAX_TIMESTAMP);
  const fallback = { offset: Math.max(base, fromOffset), timestamp: maxTimestamp };
  if (batch.readInt16BE(OFFSET_ATTRIBUTES) & TIMESTAMP_TYPE_LOG_APPEND) return fallback;
  try {
    const { header, records } = decodeRecordBatch(batch, 0, { verifyCrc: false });
    for (const r of records) {
      const offset = base + r.offsetDelta;
      const timestamp = header.baseTimestamp + r.timestampDelta;
      if (offset >= fromOffset && accept(timestamp)) return { offset, timestamp };
    }
  } catch {
    // An undecodable batch still answers at batch granularity.
  }
  return fallback;
}

/** Earliest record in `seg` at or after `fromOffset` with timestamp >= `timestamp`, or null. */
export function searchByTimestamp(
  seg: Segment,
  timestamp: number,
  fromOffset: number,
): TimestampOffset | null {
  if (seg.maxTimestamp < timestamp) return null;
  const entry = seg.timeIndex.lastBefore(timestamp);
  const startOffset = Math.max(entry?.offset ?? seg.baseOffset, fromOffset);
  const from = seg.offsetIndex.lookup(startOffset).position;
  let found = -1;
  let foundSize = 0;
  scanBatches(seg.fd, from, seg.size, { body: false, chunkBytes: 64 * 1024 }, (buf, at, position, size) => {
    const last = readInt64(buf, at) + buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
    if (last < fromOffset || readInt64(buf, at + OFFSET_MAX_TIMESTAMP) < timestamp) return true;
    found = position;
    foundSize = size;
    return false;
  });
  if (found < 0) return null;
  return pickRecord(readRange(seg.fd, found, foundSize), fromOffset, (t) => t >= timestamp);
}

/** The first record carrying the segment's max timestamp, or null for an empty segment. */
export function recordWithMaxTimestamp(seg: Segment, batch: Buffer | null): TimestampOffset | null {
  if (seg.maxTimestamp < 0 || batch === null) return null;
  const max = seg.maxTimestamp;
  const hit = pickRecord(batch, 0, (t) => t === max);
  return { offset: hit.offset, timestamp: max };
}
