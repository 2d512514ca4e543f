/**
 * message.timestamp.difference.max.ms (and its KIP-937 successors message.timestamp.before.max.ms /
 * after.max.ms) for CreateTime topics: every record's timestamp must lie within the window around
 * the broker clock, else the produce fails with INVALID_TIMESTAMP and Kafka's message. Records are
 * decoded only for topics that set a limit; the default (Long.MAX_VALUE) costs nothing.
 */
import { decodeRecordBatch } from '../protocol/records/batch.ts';
import { batchSize, readBatchHeader, TIMESTAMP_TYPE_LOG_APPEND } from '../protocol/records/batch-header.ts';

export interface TimestampViolation {
  /** Index of the offending record within its batch (ProduceResponse record_errors). */
  batchIndex: number;
  message: string;
}

/** The first record outside [now - beforeMs, now + afterMs], or null when all are inside. */
export function findTimestampViolation(
  batches: Buffer,
  now: number,
  beforeMs: number,
  afterMs: number,
): TimestampViolation | null {
  if (beforeMs === Number.POSITIVE_INFINITY && afterMs === Number.POSITIVE_INFINITY) return null;
  const lo = now - beforeMs;
  const hi = now + afterMs;
  for (let at = 0; at < batches.length; at += batchSize(batches, at)) {
    const header = readBatchHeader(batches, at);
    if ((header.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0) continue;
    let records: ReturnType<typeof decodeRecordBatch>['records'];
    try {
      records = decodeRecordBatch(batches, at, { verifyCrc: false }).records;
    } catch {
      continue; // undecodable records are the record validator's business, not this check's
    }
    for (const [i, r] of records.entries()) {
      const ts = header.baseTimestamp + r.timestampDelta;
      if (ts < lo || ts > hi) {
        const window = `[${Number.isFinite(lo) ? lo : '-inf'}, ${Number.isFinite(hi) ? hi : 'inf'}]`;
        return {
          batchIndex: i,
          message: `Timestamp ${ts} of message with offset ${r.offsetDelta} is out of range. The timestamp should be within ${window}`,
        };
      }
    }
  }
  return null;
}
