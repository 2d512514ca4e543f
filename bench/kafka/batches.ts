/**
 * Pre-built Produce requests for the lean generator. A producer tuned for throughput sends batches
 * of about `batchBytes` per partition (like batch.size with linger); every request in the pool
 * carries the same number of records so acknowledged records are requests × recordsPerRequest.
 */
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { type PartitionBatch, produceFrame } from './frames.ts';

export interface ProducePool {
  frames: Buffer[];
  recordsPerRequest: number;
  recordSize: number;
}

export interface PoolOptions {
  topic: string;
  recordSize: number;
  acks: number;
  /** Bytes of record values per request (default 64 KiB). */
  requestBytes?: number;
  /** Partitions in the topic; each request carries `partitionsPerRequest` of them, rotating. */
  partitions?: number;
  partitionsPerRequest?: number;
}

function batchOf(count: number, recordSize: number): Buffer {
  const value = Buffer.alloc(recordSize, 0x61);
  const records = Array.from({ length: count }, () => ({ key: null, value }));
  return buildRecordBatch({ records });
}

export function producePool(o: PoolOptions): ProducePool {
  const partitions = o.partitions ?? 1;
  const perRequest = Math.min(o.partitionsPerRequest ?? 1, partitions);
  const requestRecords = Math.max(1, Math.floor((o.requestBytes ?? 65536) / o.recordSize));
  const perBatch = Math.max(1, Math.floor(requestRecords / perRequest));
  const batch = batchOf(perBatch, o.recordSize);
  const requests = Math.max(8, Math.ceil(partitions / perRequest));
  const frames: Buffer[] = [];
  let next = 0;
  for (let i = 0; i < requests; i++) {
    const batches: PartitionBatch[] = [];
    for (let j = 0; j < perRequest; j++) {
      batches.push({ partition: next, records: batch });
      next = (next + 1) % partitions;
    }
    frames.push(produceFrame(o.topic, batches, o.acks, i));
  }
  return { frames, recordsPerRequest: perBatch * perRequest, recordSize: o.recordSize };
}
