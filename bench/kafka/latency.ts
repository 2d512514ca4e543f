/**
 * End-to-end latency at a fixed rate: a producer connection sends, every millisecond, a batch of the
 * records due by then (acks=1), each value stamped with its send time; a consumer connection
 * long-polls Fetch (min_bytes 1) and takes receive time − send time for every record. Both ends run
 * in this process, so they share one clock.
 */
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { KafkaConn } from './conn.ts';
import { decodeFetch, decodeProduce, fetchFrame, produceFrame } from './frames.ts';

export interface LatencyOptions {
  port: number;
  topic: string;
  rate: number;
  recordSize: number;
  warmupMs: number;
  durationMs: number;
}

export interface LatencyResult {
  sent: number;
  received: number;
  seconds: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
  error?: string;
}

export async function latencyRun(o: LatencyOptions): Promise<LatencyResult> {
  const producer = await KafkaConn.open(o.port);
  const consumer = await KafkaConn.open(o.port);
  const samples = new LatencySamples(Math.ceil((o.rate * (o.durationMs + 2000)) / 1000));
  const pad = Buffer.alloc(Math.max(0, o.recordSize - 8), 0x62);
  const total = o.warmupMs + o.durationMs;
  let start = performance.now();
  let measureFrom = start + o.warmupMs;
  let sent = 0;
  let received = 0;
  let error: string | undefined;
  let producing = true;
  let corr = 0;

  const tick = (): void => {
    const now = performance.now();
    if (now - start >= total || error) {
      producing = false;
      return;
    }
    const due = Math.floor(((now - start) * o.rate) / 1000) - sent;
    if (due > 0) {
      const records = new Array(due);
      for (let i = 0; i < due; i++) {
        const value = Buffer.allocUnsafe(8 + pad.length);
        value.writeDoubleBE(performance.now(), 0);
        pad.copy(value, 8);
        records[i] = { key: null, value };
      }
      sent += due;
      const frame = produceFrame(
        o.topic,
        [{ partition: 0, records: buildRecordBatch({ records }) }],
        1,
        corr++,
      );
      producer.request(frame).then(
        (body) => {
          const p = decodeProduce(body).responses[0]?.partitionResponses[0];
          if (p && p.errorCode !== 0) error ??= `produce error ${p.errorCode}`;
        },
        (err: Error) => {
          error ??= err.message;
        },
      );
    }
    setTimeout(tick, 1);
  };

  const consume = async (): Promise<void> => {
    let offset = -1n;
    // Start at the log end, so only this run's records are timed.
    const first = decodeFetch(
      await consumer.request(
        fetchFrame(
          [{ topic: o.topic, partition: 0, offset: 0n, partitionMaxBytes: 1 }],
          {
            maxWaitMs: 0,
            minBytes: 0,
            maxBytes: 1,
          },
          0,
        ),
      ),
    );
    offset = first.responses[0]?.partitions[0]?.highWatermark ?? 0n;
    ready.resolve();
    const hardStop = performance.now() + total + 2000;
    while ((producing || received < sent) && performance.now() < hardStop && !error) {
      const res = decodeFetch(
        await consumer.request(
          fetchFrame(
            [{ topic: o.topic, partition: 0, offset, partitionMaxBytes: 1 << 20 }],
            {
              maxWaitMs: 100,
              minBytes: 1,
              maxBytes: 1 << 21,
            },
            1,
          ),
        ),
      );
      const now = performance.now();
      const p = res.responses[0]?.partitions[0];
      if (p?.errorCode !== 0) {
        error ??= `fetch error ${p?.errorCode}`;
        break;
      }
      let buf = p.records;
      while (buf && buf.length >= 61) {
        const size = 12 + buf.readInt32BE(8);
        if (size > buf.length) break;
        const batch = decodeRecordBatch(buf.subarray(0, size), 0, { verifyCrc: false });
        for (const r of batch.records) {
          received++;
          const sentAt = r.value ? r.value.readDoubleBE(0) : now;
          if (sentAt >= measureFrom) samples.add(now - sentAt);
        }
        offset = BigInt(batch.header.baseOffset + batch.header.lastOffsetDelta + 1);
        buf = buf.subarray(size);
      }
    }
  };

  const ready = Promise.withResolvers<void>();
  const consuming = consume().catch((err: Error) => {
    error ??= err.message;
    ready.resolve();
  });
  await ready.promise;
  const t0 = performance.now();
  start = t0;
  measureFrom = t0 + o.warmupMs;
  setTimeout(tick, 0);
  await consuming;
  const seconds = (performance.now() - t0) / 1000;
  producer.close();
  consumer.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { sent, received, seconds, p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, error };
}
