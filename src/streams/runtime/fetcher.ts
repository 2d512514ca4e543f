/**
 * Fetches records of many topic partitions from given positions without a consumer-group
 * subscription (positions are ours) through the client's raw fetch path (client/raw-fetch.ts: one
 * Fetch per partition leader on the fetcher's own connections, long polling, record batches walked
 * straight from the response bytes, aborted transactions dropped for read_committed); positions
 * out of range move to the earliest offset. Used for input partitions, changelog restore and
 * global topics.
 */
import type { Consumer } from '@platformatic/kafka';
import {
  type FetchedPartition,
  nextOffset,
  type RawFetcher,
  type RawFetchRequest,
  visitRecords,
} from '../../client/raw-fetch.ts';
import type { RawRecord } from './stream-task.ts';

const OFFSET_OUT_OF_RANGE = 1;

export interface FetchOptions {
  isolationLevel: 0 | 1;
  maxWaitMs: number;
  partitionMaxBytes?: number;
  /** Told each partition's high watermark (log end offset) from the fetch response. */
  onHighWatermark?: (tp: string, highWatermark: bigint) => void;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

export function splitTp(tp: string): { topic: string; partition: number } {
  const i = tp.lastIndexOf(':');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
}

/** One partition's part of a fetch: raw record bytes and the position they were asked from. */
export interface FetchedSlice {
  tp: string;
  topic: string;
  partition: number;
  /** The position this fetch read from. */
  position: number;
  fetched: FetchedPartition;
}

/**
 * Fetches once from every partition in `positions` and returns the raw slices (no record decoded
 * yet), advancing the positions past the fetched batches; positions out of range move to the
 * earliest offset.
 */
export async function fetchRawOnce(
  fetcher: RawFetcher,
  consumer: Consumer,
  positions: Map<string, bigint>,
  options: FetchOptions,
): Promise<FetchedSlice[]> {
  if (positions.size === 0) return [];
  const partitionMaxBytes = options.partitionMaxBytes ?? 1024 * 1024;
  const request: RawFetchRequest['partitions'] = [];
  for (const [tp, position] of positions) {
    const { topic, partition } = splitTp(tp);
    request.push({ topic, partition, fetchOffset: Number(position), maxBytes: partitionMaxBytes });
  }
  const fetched = await fetcher.fetch({
    partitions: request,
    maxWaitMs: options.maxWaitMs,
    maxBytes: partitionMaxBytes * 8,
    isolationLevel: options.isolationLevel,
  });
  const out: FetchedSlice[] = [];
  const outOfRange: string[] = [];
  for (const p of fetched) {
    const tp = tpKey(p.topic, p.partition);
    const position = positions.get(tp);
    if (position === undefined) continue;
    if (p.errorCode === OFFSET_OUT_OF_RANGE) {
      outOfRange.push(tp);
      continue;
    }
    if (p.errorCode !== 0) continue;
    options.onHighWatermark?.(tp, BigInt(p.highWatermark));
    if (p.records === null) continue;
    const next = nextOffset(p.records, Number(position));
    if (next > Number(position)) positions.set(tp, BigInt(next));
    out.push({ tp, topic: p.topic, partition: p.partition, position: Number(position), fetched: p });
  }
  if (outOfRange.length > 0) {
    const reset = await endOffsets(consumer, outOfRange, 'earliest', options.isolationLevel);
    for (const tp of outOfRange) positions.set(tp, reset.get(tp) ?? 0n);
  }
  return out;
}

/** Reads once from every partition in `positions` (advancing them); returns records per partition. */
export async function fetchOnce(
  fetcher: RawFetcher,
  consumer: Consumer,
  positions: Map<string, bigint>,
  options: FetchOptions,
): Promise<Map<string, RawRecord[]>> {
  const out = new Map<string, RawRecord[]>();
  for (const slice of await fetchRawOnce(fetcher, consumer, positions, options)) {
    const records: RawRecord[] = [];
    const { topic, partition } = slice;
    visitRecords(slice.fetched, slice.position, (r) => {
      records.push({
        topic,
        partition,
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key(),
        value: r.value(),
        headers: r.headers(),
      });
    });
    if (records.length > 0) out.set(slice.tp, records);
  }
  return out;
}

/** Earliest or latest (high watermark, or last stable offset with read_committed) offsets. */
export async function endOffsets(
  consumer: Consumer,
  tps: string[],
  which: 'earliest' | 'latest',
  isolationLevel: 0 | 1,
): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (tps.length === 0) return out;
  const partitions: Record<string, number[]> = {};
  for (const tp of tps) {
    const { topic, partition } = splitTp(tp);
    (partitions[topic] ??= []).push(partition);
  }
  const offsets = await consumer.listOffsets({
    topics: Object.keys(partitions),
    partitions,
    timestamp: which === 'earliest' ? -2n : -1n,
    isolationLevel,
  });
  for (const [topic, list] of offsets) {
    for (let p = 0; p < list.length; p++) if (list[p] !== undefined) out.set(tpKey(topic, p), list[p]!);
  }
  return new Map([...out].filter(([tp]) => tps.includes(tp)));
}
