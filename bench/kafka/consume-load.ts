/**
 * The lean consume loop: one connection fetching one partition from offset 0 with large
 * partition_max_bytes, next fetch as soon as the previous answers, until the end of the log or the
 * time limit. Batches are counted from their headers (no record decoding, as a consumer handing
 * bytes to a deserializer would see them).
 */
import { KafkaConn } from './conn.ts';
import { decodeFetch, fetchFrame } from './frames.ts';
import { walkBatches } from './record-walk.ts';

export interface ConsumeOptions {
  port: number;
  topic: string;
  partition?: number;
  /** Stop at this offset (the high watermark measured before). */
  endOffset: bigint;
  partitionMaxBytes: number;
  durationMs: number;
  /** Payload bytes per record, for MB/s of values. */
  recordSize: number;
}

export interface ConsumeResult {
  records: number;
  payloadBytes: number;
  wireBytes: number;
  seconds: number;
  error?: string;
}

export async function consumeLoad(o: ConsumeOptions): Promise<ConsumeResult> {
  const conn = await KafkaConn.open(o.port, { zeroCopy: true });
  let offset = 0n;
  let records = 0;
  let wireBytes = 0;
  let error: string | undefined;
  let corr = 0;
  const t0 = performance.now();
  const deadline = t0 + o.durationMs;
  try {
    while (offset < o.endOffset && performance.now() < deadline) {
      const frame = fetchFrame(
        [{ topic: o.topic, partition: o.partition ?? 0, offset, partitionMaxBytes: o.partitionMaxBytes }],
        { maxWaitMs: 500, minBytes: 1, maxBytes: o.partitionMaxBytes * 2 },
        corr++,
      );
      const res = decodeFetch(await conn.request(frame));
      const p = res.responses[0]?.partitions[0];
      if (res.errorCode !== 0 || !p || p.errorCode !== 0) {
        error = `fetch error ${res.errorCode}/${p?.errorCode}`;
        break;
      }
      const walk = walkBatches(p.records);
      if (walk.nextOffset < 0n) {
        if (BigInt(p.highWatermark) <= offset) break;
        continue;
      }
      records += walk.records;
      wireBytes += walk.bytes;
      offset = walk.nextOffset;
    }
  } catch (err) {
    error = (err as Error).message;
  } finally {
    conn.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { records, payloadBytes: records * o.recordSize, wireBytes, seconds, error };
}
