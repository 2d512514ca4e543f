/**
 * Test helper: a minimal Kafka wire client built on our generated codecs, for tests that need to
 * send exact requests (specific versions, malformed input) rather than go through a client library.
 */
import { connect, type Socket } from 'node:net';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/generated/api-keys.ts';
import {
  defaultFetchRequest,
  type FetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import { readProduceResponse } from '../../src/protocol/generated/messages/produce-response.ts';
import { writeRequestHeader } from '../../src/protocol/generated/messages/request-header.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';

/** One request frame, size prefix included: the request header for the version, then `body`. */
export function requestFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  clientId: string,
  body: (w: Writer) => void,
): Buffer {
  const w = new Writer(256);
  w.writeInt32(0);
  writeRequestHeader(w, requestHeaderVersion(apiKey, version), {
    requestApiKey: apiKey,
    requestApiVersion: version,
    correlationId,
    clientId,
  });
  body(w);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

export class WireClient {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private readonly waiting = new Map<number, (r: Reader) => void>();
  private readonly meta = new Map<number, { apiKey: number; version: number }>();
  private nextId = 1;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => this.onData(c));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {});
  }

  static open(port: number, host = '127.0.0.1'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host, () => resolve(new WireClient(s)));
      s.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves when the broker closes the connection (or after timeoutMs with false). */
  waitClosed(timeoutMs = 2000): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a request; resolves with a Reader positioned at the response body. */
  request(apiKey: number, version: number, body: (w: Writer) => void): Promise<Reader> {
    const correlationId = this.nextId++;
    const buf = requestFrame(apiKey, version, correlationId, 'wire-test', body);
    this.meta.set(correlationId, { apiKey, version });
    return new Promise((resolve) => {
      this.waiting.set(correlationId, resolve);
      this.socket.write(buf);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const r = new Reader(frame);
      const correlationId = r.readInt32();
      const m = this.meta.get(correlationId);
      if (m && responseHeaderVersion(m.apiKey, m.version) >= 1) r.readUVarint(); // tagged fields (none expected)
      this.waiting.get(correlationId)?.(r);
      this.waiting.delete(correlationId);
    }
  }
}

/** Creates a topic through Metadata auto-creation (broker defaults). */
export async function autoCreateTopic(c: WireClient, topic: string): Promise<void> {
  const md = defaultMetadataRequest();
  md.topics = [{ topicId: '0'.repeat(32), name: topic }];
  md.allowAutoTopicCreation = true;
  readMetadataResponse(await c.request(3, 12, (w) => writeMetadataRequest(w, 12, md)), 12);
}

/** Produces one batch to partition 0 (Produce v9); resolves with that partition's response. */
export async function produceBatch(c: WireClient, topic: string, batch: Buffer, acks = -1) {
  const produced = readProduceResponse(
    await c.request(0, 9, (w) =>
      writeProduceRequest(w, 9, {
        transactionalId: null,
        acks,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      }),
    ),
    9,
  );
  return produced.responses[0]!.partitionResponses[0]!;
}

/** A Fetch v12 request for partition 0 of `topic` from `offset`, up to `maxBytes` (also per partition). */
export function fetchPartition0(
  topic: string,
  offset: bigint,
  maxBytes: number,
  maxWaitMs: number,
  minBytes: number,
): FetchRequest {
  const fetch = defaultFetchRequest();
  fetch.maxWaitMs = maxWaitMs;
  fetch.minBytes = minBytes;
  fetch.maxBytes = maxBytes;
  fetch.topics = [
    {
      topic,
      topicId: '0'.repeat(32),
      partitions: [
        {
          partition: 0,
          currentLeaderEpoch: -1,
          fetchOffset: offset,
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: maxBytes,
          replicaDirectoryId: '0'.repeat(32),
        },
      ],
    },
  ];
  return fetch;
}

/** Creates (via auto-create) a topic, produces one record and fetches it back; returns its value. */
export async function roundTrip(port: number, topic: string, value: string): Promise<string | null> {
  const c = await WireClient.open(port);
  try {
    await autoCreateTopic(c, topic);
    const batch = buildRecordBatch({ records: [{ key: Buffer.from('k'), value: Buffer.from(value) }] });
    const p = await produceBatch(c, topic, batch);
    if (p.errorCode !== 0) throw new Error(`produce failed: ${p.errorCode}`);
    const fetch = fetchPartition0(topic, p.baseOffset, 1 << 20, 100, 1);
    const fetched = readFetchResponse(await c.request(1, 12, (w) => writeFetchRequest(w, 12, fetch)), 12);
    const records = fetched.responses[0]!.partitions[0]!.records;
    if (!records) return null;
    const { records: decoded } = decodeRecordBatch(records, 0);
    return decoded[0]?.value?.toString() ?? null;
  } finally {
    c.close();
  }
}
