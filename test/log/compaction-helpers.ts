/** Helpers for the retention and compaction tests: keyed batches and reading a log back record by record. */
import assert from 'node:assert/strict';
import type { PartitionLog } from '../../src/log/partition-log.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import type { BatchHeader } from '../../src/protocol/records/batch-header.ts';
import type { CodecName } from '../../src/protocol/records/compression.ts';
import { iterateBatches } from '../../src/protocol/records/split.ts';

export interface KV {
  key: string | null;
  /** null: tombstone */
  value: string | null;
  timestamp?: number;
}

export interface BatchOpts {
  compression?: CodecName;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
}

export function kvBatch(records: readonly KV[], opts: BatchOpts = {}): Buffer {
  return buildRecordBatch({
    records: records.map((r) => ({
      key: r.key === null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: r.timestamp ?? 1_700_000_000_000,
    })),
    compression: opts.compression ?? 'none',
    producerId: opts.producerId ?? -1,
    producerEpoch: opts.producerEpoch ?? -1,
    baseSequence: opts.baseSequence ?? -1,
    transactional: opts.transactional ?? false,
  });
}

export interface ReadRecord {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

export interface ReadBatch {
  header: BatchHeader;
  records: ReadRecord[];
}

/** Every batch from the log start to the end, decoded. */
export function readBatches(log: PartitionLog): ReadBatch[] {
  const out: ReadBatch[] = [];
  let offset = log.logStartOffset;
  while (offset < log.logEndOffset) {
    const r = log.read(offset, 1 << 20, { minOneBatch: true });
    assert.ok(!('error' in r), `read at ${offset} failed`);
    if (r.records === null) break;
    let next = offset;
    for (const span of iterateBatches(r.records)) {
      const { header, records } = decodeRecordBatch(r.records, span.offset);
      next = header.baseOffset + header.lastOffsetDelta + 1;
      out.push({
        header,
        records: records.map((rec) => ({
          offset: header.baseOffset + rec.offsetDelta,
          key: rec.key === null ? null : rec.key.toString(),
          value: rec.value === null ? null : rec.value.toString(),
          timestamp: header.baseTimestamp + rec.timestampDelta,
        })),
      });
    }
    assert.ok(next > offset, 'read made no progress');
    offset = next;
  }
  return out;
}

export function readRecords(log: PartitionLog): ReadRecord[] {
  return readBatches(log).flatMap((b) => b.records);
}

/** key → latest value, tombstones deleting (what a consumer from the beginning ends up with). */
export function latestState(
  records: readonly { key: string | null; value: string | null }[],
): Map<string, string> {
  const state = new Map<string, string>();
  for (const r of records) {
    if (r.key === null) continue;
    if (r.value === null) state.delete(r.key);
    else state.set(r.key, r.value);
  }
  return state;
}
