/**
 * The `__consumer_offsets` topic as the group coordinator's durable store: coordinator records
 * (Kafka's own OffsetCommit and GroupMetadata key/value formats) are appended as record batches,
 * and replayed into the coordinator when the broker starts. The topic is compacted, so only the
 * latest value per key survives; tombstones delete groups and offsets.
 */

import type { RecordStore, StoredRecord } from '../coordinator/index.ts';
import { buildRecordBatch, decodeRecordBatch } from '../protocol/records/batch.ts';
import { CONTROL_FLAG } from '../protocol/records/batch-header.ts';
import { iterateBatches } from '../protocol/records/split.ts';
import type { FsyncPolicy } from './config.ts';
import type { PartitionLogHandle } from './topics.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(100 * 1024 * 1024),
};

/** Appends coordinator records to partition 0 of __consumer_offsets. */
export class OffsetsTopicStore implements RecordStore {
  private readonly log: PartitionLogHandle;
  private readonly fsync: FsyncPolicy;

  constructor(log: PartitionLogHandle, fsync: FsyncPolicy) {
    this.log = log;
    this.fsync = fsync;
  }

  async append(records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    const batch = buildRecordBatch({
      records: records.map((r) => ({ key: r.key, value: r.value, headers: [] })),
    });
    const { lastOffset } = this.log.append(batch);
    if (this.fsync === 'always') await this.log.whenDurable(lastOffset);
  }
}

/** Every coordinator record stored in the partition, oldest first. */
export function readStoredRecords(log: PartitionLogHandle): StoredRecord[] {
  const out: StoredRecord[] = [];
  let offset = log.logStartOffset;
  const end = log.logEndOffset;
  while (offset < end) {
    const result = log.read(offset, 8 * 1024 * 1024, { minOneBatch: true });
    if ('error' in result || !result.records || result.records.length === 0) break;
    let next = offset;
    for (const span of iterateBatches(result.records)) {
      const { header, records } = decodeRecordBatch(result.records, span.offset);
      next = header.baseOffset + header.lastOffsetDelta + 1;
      if (header.attributes & CONTROL_FLAG) continue;
      for (const r of records) {
        if (header.baseOffset + r.offsetDelta < offset) continue;
        if (r.key) out.push({ key: r.key, value: r.value });
      }
    }
    if (next <= offset) break;
    offset = next;
  }
  return out;
}
