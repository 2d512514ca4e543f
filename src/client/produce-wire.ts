/**
 * Produce v9 (the first flexible version) on the wire, for `BatchProducer`'s lean connections
 * (kafka-socket.ts): `encodeProduceRequestChunks` writes the request body of already encoded
 * RecordBatches after room for the request header, as chunks for one writev: short batches are
 * copied into the request's one Buffer, large ones are chunks of their own (not copied), and
 * `parseProduceResponse` reads each partition's answer (error code, error message, base offset)
 * without building anything else. The platform does not import the broker's
 * generated codecs (src/protocol), so this is a small hand-written codec of the two messages,
 * checked against them in test/client/produce-wire.test.ts.
 *
 *   ProduceRequest v9: transactional_id COMPACT_NULLABLE_STRING, acks INT16, timeout_ms INT32,
 *     [name COMPACT_STRING, [index INT32, records COMPACT_RECORDS, _tags], _tags], _tags
 *   ProduceResponse v9: [name, [index INT32, error_code INT16, base_offset INT64,
 *     log_append_time_ms INT64, log_start_offset INT64, [batch_index INT32, message
 *     COMPACT_NULLABLE_STRING, _tags], error_message COMPACT_NULLABLE_STRING, _tags], _tags],
 *     throttle_time_ms INT32, _tags
 */
import { WireReader } from './wire-reader.ts';

export const PRODUCE_KEY = 0;
export const PRODUCE_WIRE_VERSION = 9;

/** One topic of a Produce request: its partitions' batches, in order. */
export interface ProduceTopicData {
  name: string;
  partitions: { partition: number; batch: Buffer }[];
}

export interface ProducePartitionAnswer {
  topic: string;
  partition: number;
  errorCode: number;
  errorMessage: string | null;
  baseOffset: bigint;
}

function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeUVarint(buf: Buffer, at: number, n: number): number {
  while (n >= 0x80) {
    buf[at++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[at++] = n;
  return at;
}

/**
 * Batches of at least this many bytes are not copied into the request by
 * `encodeProduceRequestChunks`: they go to the socket as chunks of their own (one writev). A copy
 * of a 512 KiB batch into a new request buffer cost the CDC snapshot's worker more than the
 * encoding of its records (fresh memory, page faults); a short batch is cheaper copied than
 * written as a chunk of its own.
 */
export const OWN_CHUNK_BYTES = 16 * 1024;

/** The request body at `headerBytes` of a new Buffer (the header is the connection's to write). */
export function encodeProduceRequest(
  headerBytes: number,
  transactionalId: string | null,
  acks: number,
  timeoutMs: number,
  topics: readonly ProduceTopicData[],
): Buffer {
  return encodeProduceRequestChunks(headerBytes, transactionalId, acks, timeoutMs, topics, Infinity)[0]!;
}

/**
 * The request as chunks to write in order: the first starts with `headerBytes` of room for the
 * request header; batches of `ownChunkBytes` or more are chunks of their own (not copied), the
 * rest of the request is written into one new Buffer whose pieces are the other chunks.
 */
export function encodeProduceRequestChunks(
  headerBytes: number,
  transactionalId: string | null,
  acks: number,
  timeoutMs: number,
  topics: readonly ProduceTopicData[],
  ownChunkBytes: number = OWN_CHUNK_BYTES,
): Buffer[] {
  const txBytes = transactionalId === null ? 0 : Buffer.byteLength(transactionalId, 'utf8');
  let size = headerBytes + (transactionalId === null ? 1 : uvarintSize(txBytes + 1) + txBytes) + 2 + 4;
  size += uvarintSize(topics.length + 1) + 1;
  const nameBytes: number[] = [];
  // Indexed loops: cold code (an app's rate) allocates per step of an iterator.
  for (let i = 0; i < topics.length; i++) {
    const t = topics[i]!;
    const n = Buffer.byteLength(t.name, 'utf8');
    nameBytes.push(n);
    size += uvarintSize(n + 1) + n + uvarintSize(t.partitions.length + 1) + 1;
    for (let j = 0; j < t.partitions.length; j++) {
      const len = t.partitions[j]!.batch.length;
      size += 4 + uvarintSize(len + 1) + (len >= ownChunkBytes ? 0 : len) + 1;
    }
  }
  const buf = Buffer.allocUnsafe(size);
  const chunks: Buffer[] = [];
  let from = 0;
  let at = headerBytes;
  if (transactionalId === null) {
    buf[at++] = 0;
  } else {
    at = writeUVarint(buf, at, txBytes + 1);
    at += buf.write(transactionalId, at, 'utf8');
  }
  buf.writeInt16BE(acks, at);
  buf.writeInt32BE(timeoutMs, at + 2);
  at = writeUVarint(buf, at + 6, topics.length + 1);
  for (let i = 0; i < topics.length; i++) {
    const t = topics[i]!;
    at = writeUVarint(buf, at, nameBytes[i]! + 1);
    at += buf.write(t.name, at, 'utf8');
    at = writeUVarint(buf, at, t.partitions.length + 1);
    for (let j = 0; j < t.partitions.length; j++) {
      const p = t.partitions[j]!;
      buf.writeInt32BE(p.partition, at);
      at = writeUVarint(buf, at + 4, p.batch.length + 1);
      if (p.batch.length >= ownChunkBytes) {
        chunks.push(buf.subarray(from, at), p.batch);
        from = at;
      } else {
        at += p.batch.copy(buf, at);
      }
      buf[at++] = 0;
    }
    buf[at++] = 0;
  }
  buf[at++] = 0;
  chunks.push(buf.subarray(from, at));
  return chunks;
}

/** A truncated or malformed Produce response (the wire reader's error). */
export { WireFormatError as ProduceWireError } from './wire-reader.ts';

/** Each partition's answer in a Produce v9+ response body (after the response header). */
export function parseProduceResponse(body: Buffer): ProducePartitionAnswer[] {
  const r = new WireReader(body, 'Produce response');
  const answers: ProducePartitionAnswer[] = [];
  const topics = r.uvarint() - 1;
  for (let t = 0; t < topics; t++) {
    const topic = r.compactString() ?? '';
    const partitions = r.uvarint() - 1;
    for (let p = 0; p < partitions; p++) {
      const partition = r.int32();
      const errorCode = r.int16();
      const baseOffset = r.int64();
      r.skip(16); // log_append_time_ms, log_start_offset
      const recordErrors = r.uvarint() - 1;
      let recordMessage: string | null = null;
      for (let e = 0; e < recordErrors; e++) {
        const index = r.int32();
        const message = r.compactString();
        recordMessage ??= `record ${index}${message === null ? '' : `: ${message}`}`;
        r.tags();
      }
      const message = r.compactString();
      r.tags();
      answers.push({
        topic,
        partition,
        errorCode,
        errorMessage: message ?? recordMessage,
        baseOffset,
      });
    }
    r.tags();
  }
  r.int32(); // throttle_time_ms
  r.tags();
  return answers;
}
