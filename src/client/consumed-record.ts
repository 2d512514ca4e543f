/**
 * Records out of fetched RecordBatches: absolute offsets and timestamps, control batches dropped,
 * records before the fetch position dropped (a batch can start earlier), and, for read_committed,
 * records of aborted transactions dropped using the fetch response's aborted-transaction list.
 */
import type { RecordsBatch } from '@platformatic/kafka';
import { CONTROL, LOG_APPEND_TIME, TRANSACTIONAL } from './record-batch-format.ts';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Milliseconds since the epoch. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: [Buffer, Buffer | null][];
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

/** True when a control batch holds an ABORT marker (control record key: version int16, type int16 = 0). */
function isAbortMarker(batch: RecordsBatch): boolean {
  const key = batch.records[0]?.key;
  return key !== null && key !== undefined && key.length >= 4 && key.readInt16BE(2) === 0;
}

/** Called for each record to keep, with its absolute offset and timestamp (ms since the epoch). */
export type RecordVisitor = (
  offset: bigint,
  timestamp: bigint,
  record: RecordsBatch['records'][number],
  batch: RecordsBatch,
) => void;

/**
 * Walks the records of fetched batches that a reader at `fetchOffset` should see (control batches,
 * records before the position and, for read_committed, aborted transactions left out) without
 * building an object per record: the allocation-free core of `recordsFromBatches`.
 */
export function visitRecords(
  batches: readonly RecordsBatch[],
  fetchOffset: bigint,
  aborted: readonly AbortedTransaction[],
  visit: RecordVisitor,
): void {
  const pending =
    aborted.length === 0 ? [] : [...aborted].sort((a, b) => (a.firstOffset < b.firstOffset ? -1 : 1));
  const abortedProducers = new Set<bigint>();
  for (const batch of batches) {
    const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
    while (pending.length > 0 && pending[0]!.firstOffset <= lastOffset)
      abortedProducers.add(pending.shift()!.producerId);
    if (batch.attributes & CONTROL) {
      if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
      continue;
    }
    if (batch.attributes & TRANSACTIONAL && abortedProducers.has(batch.producerId)) continue;
    const appendTime = (batch.attributes & LOG_APPEND_TIME) !== 0;
    const skipBefore = fetchOffset > batch.firstOffset;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (skipBefore && offset < fetchOffset) continue;
      visit(
        offset,
        appendTime ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
        record,
        batch,
      );
    }
  }
}

export function recordsFromBatches(
  topic: string,
  partition: number,
  batches: readonly RecordsBatch[],
  fetchOffset: bigint,
  aborted: readonly AbortedTransaction[] = [],
): ConsumedRecord[] {
  const out: ConsumedRecord[] = [];
  visitRecords(batches, fetchOffset, aborted, (offset, timestamp, record) => {
    out.push({
      topic,
      partition,
      offset,
      timestamp,
      key: record.key,
      value: record.value,
      headers:
        record.headers.length === 0
          ? []
          : record.headers.filter((h): h is [Buffer, Buffer | null] => h[0] !== null),
    });
  });
  return out;
}

/** The offset after the last batch (where the next fetch starts), or the given position. */
export function nextFetchOffset(batches: readonly RecordsBatch[], position: bigint): bigint {
  const last = batches.at(-1);
  if (!last) return position;
  const next = last.firstOffset + BigInt(last.lastOffsetDelta) + 1n;
  return next > position ? next : position;
}
