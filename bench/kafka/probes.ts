/** Small sequential probes: a partition's high watermark, and Metadata request latency. */
import { LatencySamples } from '../lib/percentiles.ts';
import { KafkaConn } from './conn.ts';
import {
  decodeFetch,
  decodeListOffsets,
  decodeMetadata,
  fetchFrame,
  listOffsetsLatestFrame,
  metadataFrame,
} from './frames.ts';

export async function highWatermark(port: number, topic: string, partition = 0): Promise<bigint> {
  const conn = await KafkaConn.open(port);
  try {
    const res = decodeFetch(
      await conn.request(
        fetchFrame(
          [{ topic, partition, offset: 0n, partitionMaxBytes: 1 }],
          { maxWaitMs: 0, minBytes: 0, maxBytes: 1 },
          0,
        ),
      ),
    );
    const p = res.responses[0]?.partitions[0];
    if (p?.errorCode !== 0) throw new Error(`fetch ${topic}: error ${p?.errorCode}`);
    return p.highWatermark;
  } finally {
    conn.close();
  }
}

/**
 * Polls a partition's high watermark through ListOffsets on one connection: unlike
 * `highWatermark` (a Fetch, which answers with the first batch however small its maxBytes, on a
 * new connection each time), it reads no log data, so waiting for a topic to fill costs the broker
 * next to nothing. `close()` when done.
 */
export class EndOffsetProbe {
  #conn: KafkaConn | null = null;
  #correlationId = 0;
  readonly #port: number;
  readonly #topic: string;
  readonly #partition: number;
  constructor(port: number, topic: string, partition = 0) {
    this.#port = port;
    this.#topic = topic;
    this.#partition = partition;
  }

  /** The high watermark (-1 while the topic does not exist yet). */
  async end(): Promise<bigint> {
    this.#conn ??= await KafkaConn.open(this.#port);
    try {
      const res = decodeListOffsets(
        await this.#conn.request(listOffsetsLatestFrame(this.#topic, this.#partition, ++this.#correlationId)),
      );
      const p = res.topics[0]?.partitions[0];
      return p?.errorCode === 0 ? p.offset : -1n;
    } catch (err) {
      this.close();
      throw err;
    }
  }

  close(): void {
    this.#conn?.close();
    this.#conn = null;
  }
}

export interface MetadataLatency {
  p50: number | null;
  p99: number | null;
  p999: number | null;
  partitions: number;
  count: number;
}

/** `count` sequential Metadata requests for `topic` (bounded by `timeLimitMs`). */
export async function metadataLatency(
  port: number,
  topic: string,
  count: number,
  timeLimitMs: number,
): Promise<MetadataLatency> {
  const conn = await KafkaConn.open(port);
  const samples = new LatencySamples(count);
  let partitions = 0;
  const deadline = performance.now() + timeLimitMs;
  try {
    for (let i = 0; i < count && performance.now() < deadline; i++) {
      const t0 = performance.now();
      const body = await conn.request(metadataFrame([topic], i));
      samples.add(performance.now() - t0);
      if (i === 0) partitions = decodeMetadata(body).topics[0]?.partitions.length ?? 0;
    }
  } finally {
    conn.close();
  }
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return { p50: p50 ?? null, p99: p99 ?? null, p999: p999 ?? null, partitions, count: samples.count };
}
