/**
 * A null Kafka sink: a TCP server that answers ApiVersions, Metadata, Produce and Fetch with canned
 * responses and stores nothing, to measure a client's own ceiling. Every topic exists with
 * `--partitions` partitions; Fetch returns up to partition_max_bytes of pre-built 100 B-record
 * batches. Run as its own process (`node bench/kafka/null-sink.ts`); prints `null sink listening on PORT`.
 */
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/generated/api-keys.ts';
import {
  defaultApiVersionsResponse,
  writeApiVersionsResponse,
} from '../../src/protocol/generated/messages/api-versions-response.ts';
import { readFetchRequest } from '../../src/protocol/generated/messages/fetch-request.ts';
import {
  defaultFetchResponse,
  defaultFetchResponsePartitionData,
  writeFetchResponse,
} from '../../src/protocol/generated/messages/fetch-response.ts';
import { readMetadataRequest } from '../../src/protocol/generated/messages/metadata-request.ts';
import {
  defaultMetadataResponse,
  defaultMetadataResponseMetadataResponsePartition,
  defaultMetadataResponseMetadataResponseTopic,
  writeMetadataResponse,
} from '../../src/protocol/generated/messages/metadata-response.ts';
import { readProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import {
  defaultProduceResponse,
  defaultProduceResponsePartitionProduceResponse,
  writeProduceResponse,
} from '../../src/protocol/generated/messages/produce-response.ts';
import { readRequestHeader } from '../../src/protocol/generated/messages/request-header.ts';
import { writeResponseHeader } from '../../src/protocol/generated/messages/response-header.ts';
import { Reader, Writer } from '../../src/protocol/primitives/index.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { FrameReader } from './frame-reader.ts';

const SUPPORTED: [number, number, number][] = [
  [0, 3, 11],
  [1, 4, 12],
  [3, 1, 12],
  [18, 0, 4],
];

const TOPIC_ID = '5a6d5a6d5a6d5a6d5a6d5a6d5a6d5a6d';

/** Contiguous 600-record batches of 100 B values, totalling about `totalBytes`. */
interface Canned {
  bytes: Buffer;
  batchSize: number;
}

function cannedBatches(totalBytes: number): Canned {
  const value = Buffer.alloc(100, 0x61);
  const batch = buildRecordBatch({ records: Array.from({ length: 600 }, () => ({ key: null, value })) });
  const count = Math.max(1, Math.floor(totalBytes / batch.length));
  const bytes = Buffer.allocUnsafe(count * batch.length);
  for (let i = 0; i < count; i++) {
    batch.copy(bytes, i * batch.length);
    bytes.writeBigInt64BE(BigInt(i * 600), i * batch.length);
  }
  return { bytes, batchSize: batch.length };
}

function serve(socket: Socket, port: number, partitions: number, canned: Canned): void {
  const reader = new FrameReader();
  let produced = 0n;
  socket.on('data', (chunk: Buffer) => {
    socket.cork();
    reader.push(chunk, (body) => {
      const apiKey = body.readInt16BE(0);
      const version = body.readInt16BE(2);
      const r = new Reader(body);
      const header = readRequestHeader(r, requestHeaderVersion(apiKey, version));
      const w = new Writer();
      const hv = responseHeaderVersion(apiKey, version);
      writeResponseHeader(w, hv, { correlationId: header.correlationId });
      if (apiKey === 18) {
        const res = defaultApiVersionsResponse();
        const v = version > 4 ? 0 : version;
        if (version > 4) res.errorCode = 35;
        res.apiKeys = SUPPORTED.map(([k, min, max]) => ({ apiKey: k, minVersion: min, maxVersion: max }));
        writeApiVersionsResponse(w, v, res);
      } else if (apiKey === 3) {
        const req = readMetadataRequest(r, version);
        const res = defaultMetadataResponse();
        res.brokers = [{ nodeId: 1, host: '127.0.0.1', port, rack: null }];
        res.clusterId = 'null-sink';
        res.controllerId = 1;
        res.topics = (req.topics ?? []).map((t) => {
          const topic = defaultMetadataResponseMetadataResponseTopic();
          topic.name = t.name;
          topic.topicId = TOPIC_ID;
          topic.partitions = Array.from({ length: partitions }, (_, i) => {
            const p = defaultMetadataResponseMetadataResponsePartition();
            p.partitionIndex = i;
            p.leaderId = 1;
            p.replicaNodes = [1];
            p.isrNodes = [1];
            return p;
          });
          return topic;
        });
        writeMetadataResponse(w, version, res);
      } else if (apiKey === 0) {
        const req = readProduceRequest(r, version);
        if (req.acks === 0) return;
        const res = defaultProduceResponse();
        res.responses = req.topicData.map((t) => ({
          name: t.name,
          topicId: TOPIC_ID,
          partitionResponses: t.partitionData.map((p) => {
            const out = defaultProduceResponsePartitionProduceResponse();
            out.index = p.index;
            out.baseOffset = produced;
            produced += BigInt(p.records ? p.records.readInt32BE(57) : 0);
            return out;
          }),
        }));
        writeProduceResponse(w, version, res);
      } else if (apiKey === 1) {
        const req = readFetchRequest(r, version);
        const res = defaultFetchResponse();
        res.responses = req.topics.map((t) => ({
          topic: t.topic,
          topicId: t.topicId,
          partitions: t.partitions.map((p) => {
            const out = defaultFetchResponsePartitionData();
            out.partitionIndex = p.partition;
            out.highWatermark = 1n << 50n;
            out.lastStableOffset = 1n << 50n;
            const batches = Math.max(1, Math.floor(p.partitionMaxBytes / canned.batchSize));
            out.records = canned.bytes.subarray(0, Math.min(batches * canned.batchSize, canned.bytes.length));
            return out;
          }),
        }));
        writeFetchResponse(w, version, res);
      } else {
        socket.destroy();
        return;
      }
      const chunks = w.chunks();
      const size = Buffer.allocUnsafe(4);
      size.writeInt32BE(w.length, 0);
      socket.write(size);
      for (const c of chunks) socket.write(c);
    });
    socket.uncork();
  });
  socket.on('error', () => socket.destroy());
}

function main(): void {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '0' }, partitions: { type: 'string', default: '1' } },
  });
  const partitions = Number(values.partitions);
  const canned = cannedBatches(8 << 20);
  const server = createServer({ noDelay: true }, (socket) => serve(socket, port(), partitions, canned));
  const port = (): number => {
    const a = server.address();
    return typeof a === 'object' && a ? a.port : 0;
  };
  server.listen(Number(values.port), '127.0.0.1', () => console.log(`null sink listening on ${port()}`));
  process.on('SIGTERM', () => process.exit(0));
}

if (import.meta.main) main();
