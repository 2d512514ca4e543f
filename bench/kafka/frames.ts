/**
 * Request frames for the lean load generator, built once with our own codec: a 4-byte size, the
 * request header, the body. Also the matching response decoders (header skipped by version).
 */
import { requestHeaderVersion, responseHeaderVersion } from '../../src/protocol/generated/api-keys.ts';
import {
  defaultCreateTopicsRequest,
  writeCreateTopicsRequest,
} from '../../src/protocol/generated/messages/create-topics-request.ts';
import {
  type CreateTopicsResponse,
  readCreateTopicsResponse,
} from '../../src/protocol/generated/messages/create-topics-response.ts';
import {
  defaultDeleteTopicsRequest,
  writeDeleteTopicsRequest,
} from '../../src/protocol/generated/messages/delete-topics-request.ts';
import {
  defaultFetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import {
  type FetchResponse,
  readFetchResponse,
} from '../../src/protocol/generated/messages/fetch-response.ts';
import {
  defaultListOffsetsRequest,
  writeListOffsetsRequest,
} from '../../src/protocol/generated/messages/list-offsets-request.ts';
import {
  type ListOffsetsResponse,
  readListOffsetsResponse,
} from '../../src/protocol/generated/messages/list-offsets-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import {
  type MetadataResponse,
  readMetadataResponse,
} from '../../src/protocol/generated/messages/metadata-response.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import {
  type ProduceResponse,
  readProduceResponse,
} from '../../src/protocol/generated/messages/produce-response.ts';
import { writeRequestHeader } from '../../src/protocol/generated/messages/request-header.ts';
import { readResponseHeader } from '../../src/protocol/generated/messages/response-header.ts';
import { Reader, Writer } from '../../src/protocol/primitives/index.ts';

export const PRODUCE = { key: 0, version: 9 } as const;
export const FETCH = { key: 1, version: 12 } as const;
export const LIST_OFFSETS = { key: 2, version: 7 } as const;
export const METADATA = { key: 3, version: 12 } as const;
export const CREATE_TOPICS = { key: 19, version: 7 } as const;
export const DELETE_TOPICS = { key: 20, version: 4 } as const;

const CLIENT_ID = 'samsa-bench';

/** A whole request frame (size prefix included). */
export function frame(
  api: { key: number; version: number },
  correlationId: number,
  body: (w: Writer) => void,
): Buffer {
  const w = new Writer();
  writeRequestHeader(w, requestHeaderVersion(api.key, api.version), {
    requestApiKey: api.key,
    requestApiVersion: api.version,
    correlationId,
    clientId: CLIENT_ID,
  });
  body(w);
  const chunks = w.chunks();
  const out = Buffer.allocUnsafe(4 + w.length);
  out.writeInt32BE(w.length, 0);
  let pos = 4;
  for (const c of chunks) {
    c.copy(out, pos);
    pos += c.length;
  }
  return out;
}

export interface PartitionBatch {
  partition: number;
  records: Buffer;
}

export function produceFrame(
  topic: string,
  batches: readonly PartitionBatch[],
  acks: number,
  correlationId: number,
): Buffer {
  return frame(PRODUCE, correlationId, (w) =>
    writeProduceRequest(w, PRODUCE.version, {
      transactionalId: null,
      acks,
      timeoutMs: 30000,
      topicData: [
        { name: topic, partitionData: batches.map((b) => ({ index: b.partition, records: b.records })) },
      ],
    }),
  );
}

export interface FetchSpec {
  topic: string;
  partition: number;
  offset: bigint;
  partitionMaxBytes: number;
}

export function fetchFrame(
  specs: readonly FetchSpec[],
  opts: { maxWaitMs: number; minBytes: number; maxBytes: number },
  correlationId: number,
): Buffer {
  const byTopic = new Map<string, FetchSpec[]>();
  for (const s of specs) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s]);
  const req = defaultFetchRequest();
  req.replicaId = -1;
  req.maxWaitMs = opts.maxWaitMs;
  req.minBytes = opts.minBytes;
  req.maxBytes = opts.maxBytes;
  req.topics = [...byTopic].map(([topic, parts]) => ({
    topic,
    topicId: '00000000000000000000000000000000',
    partitions: parts.map((p) => ({
      partition: p.partition,
      currentLeaderEpoch: -1,
      fetchOffset: p.offset,
      lastFetchedEpoch: -1,
      logStartOffset: -1n,
      partitionMaxBytes: p.partitionMaxBytes,
      replicaDirectoryId: '00000000000000000000000000000000',
    })),
  }));
  return frame(FETCH, correlationId, (w) => writeFetchRequest(w, FETCH.version, req));
}

/** ListOffsets for the latest offset (timestamp -1: the high watermark) of one partition. */
export function listOffsetsLatestFrame(topic: string, partition: number, correlationId: number): Buffer {
  const req = defaultListOffsetsRequest();
  req.replicaId = -1;
  req.topics = [
    {
      name: topic,
      partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 }],
    },
  ];
  return frame(LIST_OFFSETS, correlationId, (w) => writeListOffsetsRequest(w, LIST_OFFSETS.version, req));
}

export function metadataFrame(topics: readonly string[] | null, correlationId: number): Buffer {
  const req = defaultMetadataRequest();
  req.topics =
    topics === null ? null : topics.map((name) => ({ topicId: '00000000000000000000000000000000', name }));
  req.allowAutoTopicCreation = false;
  return frame(METADATA, correlationId, (w) => writeMetadataRequest(w, METADATA.version, req));
}

export function createTopicsFrame(name: string, partitions: number, correlationId: number): Buffer {
  const req = defaultCreateTopicsRequest();
  req.topics = [{ name, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }];
  return frame(CREATE_TOPICS, correlationId, (w) => writeCreateTopicsRequest(w, CREATE_TOPICS.version, req));
}

export function deleteTopicsFrame(name: string, correlationId: number): Buffer {
  const req = defaultDeleteTopicsRequest();
  req.topicNames = [name];
  req.timeoutMs = 60000;
  return frame(DELETE_TOPICS, correlationId, (w) => writeDeleteTopicsRequest(w, DELETE_TOPICS.version, req));
}

function bodyReader(api: { key: number; version: number }, body: Buffer): Reader {
  const r = new Reader(body);
  readResponseHeader(r, responseHeaderVersion(api.key, api.version));
  return r;
}

export const decodeProduce = (body: Buffer): ProduceResponse =>
  readProduceResponse(bodyReader(PRODUCE, body), PRODUCE.version);
export const decodeFetch = (body: Buffer): FetchResponse =>
  readFetchResponse(bodyReader(FETCH, body), FETCH.version);
export const decodeListOffsets = (body: Buffer): ListOffsetsResponse =>
  readListOffsetsResponse(bodyReader(LIST_OFFSETS, body), LIST_OFFSETS.version);
export const decodeMetadata = (body: Buffer): MetadataResponse =>
  readMetadataResponse(bodyReader(METADATA, body), METADATA.version);
export const decodeCreateTopics = (body: Buffer): CreateTopicsResponse =>
  readCreateTopicsResponse(bodyReader(CREATE_TOPICS, body), CREATE_TOPICS.version);

/** Correlation id of a response frame body (first 4 bytes, every header version). */
export const correlationOf = (body: Buffer): number => body.readInt32BE(0);
