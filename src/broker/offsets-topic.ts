/**
 * The `__consumer_offsets` topic as the group coordinator's durable store: coordinator records
 * (Kafka's own OffsetCommit and GroupMetadata key/value formats) are appended as record batches,
 * and replayed into the coordinator when the broker starts. The topic is compacted, so only the
 * latest value per key survives; tombstones delete groups and offsets.
 */

import type { StoredRecord } from '../coordinator/index.ts';
import { decodeRecordBatch } from '../protocol/records/batch.ts';
import { CONTROL_FLAG, TRANSACTIONAL_FLAG } from '../protocol/records/batch-header.ts';
import { CONTROL_TYPE_COMMIT, decodeControlKey } from '../protocol/records/control.ts';
import { iterateBatches } from '../protocol/records/split.ts';
import { INTERNAL_TOPIC_CONFIGS } from './internal-topic-store.ts';
import type { PartitionLogHandle } from './topics.ts';

export const OFFSETS_TOPIC = '__consumer_offsets';
export const OFFSETS_TOPIC_CONFIGS = INTERNAL_TOPIC_CONFIGS;

export interface StoredRecordsWithTransactions {
  /** Non-transactional records and those of committed transactions (at their marker), in log order. */
  records: StoredRecord[];
  /** Records of transactions without a marker yet, per producer id. */
  pending: Map<number, StoredRecord[]>;
}

/** Like readStoredRecords, honouring transactional batches (TxnOffsetCommit) and their markers. */
export function readStoredRecordsWithTransactions(log: PartitionLogHandle): StoredRecordsWithTransactions {
  const records: StoredRecord[] = [];
  const pending = new Map<number, StoredRecord[]>();
  let offset = log.logStartOffset;
  const end = log.logEndOffset;
  while (offset < end) {
    const result = log.read(offset, 8 * 1024 * 1024, { minOneBatch: true });
    if ('error' in result || !result.records || result.records.length === 0) break;
    let next = offset;
    for (const span of iterateBatches(result.records)) {
      const { header, records: batchRecords } = decodeRecordBatch(result.records, span.offset);
      next = header.baseOffset + header.lastOffsetDelta + 1;
      if (header.baseOffset < offset) continue;
      if (header.attributes & CONTROL_FLAG) {
        const held = pending.get(header.producerId) ?? [];
        pending.delete(header.producerId);
        const marker = batchRecords[0];
        if (marker && decodeControlKey(marker.key).type === CONTROL_TYPE_COMMIT) records.push(...held);
        continue;
      }
      const target =
        header.attributes & TRANSACTIONAL_FLAG ? pendingList(pending, header.producerId) : records;
      for (const r of batchRecords) if (r.key) target.push({ key: r.key, value: r.value });
    }
    if (next <= offset) break;
    offset = next;
  }
  return { records, pending };
}

function pendingList(pending: Map<number, StoredRecord[]>, producerId: number): StoredRecord[] {
  let list = pending.get(producerId);
  if (list === undefined) pending.set(producerId, (list = []));
  return list;
}

/**
 * Every committed coordinator record stored in the partition, oldest first: records of transactional
 * batches (TxnOffsetCommit) count only once their COMMIT marker is reached (see
 * readStoredRecordsWithTransactions).
 */
export function readStoredRecords(log: PartitionLogHandle): StoredRecord[] {
  return readStoredRecordsWithTransactions(log).records;
}

/** Every record in the partition, transactional or not, oldest first (no marker handling). */
export function readAllStoredRecords(log: PartitionLogHandle): StoredRecord[] {
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
