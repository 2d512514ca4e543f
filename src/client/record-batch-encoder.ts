/**
 * Encodes one Kafka RecordBatch (magic 2) in one pass into one Buffer: the size of every record is
 * computed first, then records and their zigzag varints are written in place, the CRC-32C
 * (@node-rs/crc32) goes over the bytes from `attributes` to the end. Producer id, epoch and base
 * sequence (idempotent/transactional producers), the transactional flag, timestamps (create time) and
 * headers are written as given. Compression: `none`, `gzip` (node:zlib), and `lz4`, `snappy`, `zstd`
 * through the codecs @platformatic/kafka ships (the same bytes its own producer sends).
 *
 * The platform may not import `src/protocol`, hence this encoder on the client side. It does not
 * write control batches (commit/abort markers: the broker writes those) nor log-append-time batches.
 */
import { crc32c } from '@node-rs/crc32';
import { compressionsAlgorithms } from '@platformatic/kafka';
import {
  ATTRIBUTES_OFFSET,
  BATCH_HEADER_BYTES,
  CRC_OFFSET,
  copyInto,
  TRANSACTIONAL,
  varintSize,
  writeBatchHeader,
  writeProducerId,
  writeVarint,
} from './record-batch-format.ts';

export type BatchCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface BatchRecord {
  key?: Buffer | null | undefined;
  /**
   * A string is written as its UTF-8 bytes, and an array of Buffers as their concatenation (a value
   * with a constant part, such as JsonConverter's schema, goes from its cached bytes), both straight
   * into the batch, no Buffer made for the value.
   */
  value?: Buffer | string | readonly Buffer[] | null | undefined;
  /** Header names and values; a null value is a header without a value. */
  headers?: readonly (readonly [Buffer, Buffer | null])[] | undefined;
  /** Create time, ms since the epoch (default: the batch's `timestamp`). */
  timestamp?: number | undefined;
}

export interface RecordBatchOptions {
  compression?: BatchCompression;
  /**
   * A batch whose records take fewer bytes than this is written uncompressed whatever
   * `compression` says (default 0: always compressed). Compression is per batch in Kafka, so
   * consumers read both; on a batch of a record or two it saves nothing and costs the call.
   */
  minCompressBytes?: number;
  /** -1 (default) for a producer that is not idempotent. */
  producerId?: bigint;
  producerEpoch?: number;
  /** Sequence number of the first record (-1 default, not idempotent). */
  baseSequence?: number;
  /**
   * Leave the CRC out (zero): for a batch whose producer fields `setBatchProducer` sets before it
   * is sent, which computes the CRC then (the idempotent producer), so it is computed once.
   */
  skipCrc?: boolean;
  /** Sets the transactional attribute bit (the batch belongs to an open transaction). */
  transactional?: boolean;
  /** Default -1 (the broker sets it). */
  partitionLeaderEpoch?: number;
  /** Timestamp of records without one (default Date.now()). */
  timestamp?: number;
  /**
   * Where the batch is written: a Buffer of exactly `size` bytes (default `Buffer.allocUnsafe`). A
   * producer that reuses its acknowledged batches' memory passes its own.
   */
  allocate?: (size: number) => Buffer;
}

/** Kafka's codec ids, the low three bits of a batch's attributes. */
const CODEC_BITS: Record<BatchCompression, number> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
/** The codec names, as Kafka's producer `compression.type` takes them. */
export const BATCH_COMPRESSIONS = Object.keys(CODEC_BITS) as readonly BatchCompression[];

export class RecordBatchEncodeError extends Error {
  override name = 'RecordBatchEncodeError';
}

function bytesSize(b: Buffer | null | undefined): number {
  return b == null ? 1 : varintSize(b.length) + b.length;
}

function writeBytes(buf: Buffer, o: number, b: Buffer | null | undefined): number {
  if (b == null) {
    buf[o] = 1; // zigzag(-1)
    return o + 1;
  }
  o = writeVarint(buf, o, b.length);
  return copyInto(buf, o, b);
}

/** Reused between calls: the body size of each record (the encoder is synchronous). */
let sizes = new Int32Array(1024);
/** A value given as parts (a Buffer is not an Array). */
function isParts(value: BatchRecord['value']): value is readonly Buffer[] {
  return Array.isArray(value);
}

/** Reused between calls: the byte length of each record's value given as a string or as parts. */
let valueSizes = new Int32Array(1024);

type Utf8Buffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };

/** Writes the records section (no batch header) at `start` of `buf`; returns the end offset. */
function writeRecords(
  buf: Buffer,
  start: number,
  records: readonly BatchRecord[],
  baseTimestamp: number,
  defaultTs: number,
): number {
  let o = start;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    o = writeVarint(buf, o, sizes[i]!);
    buf[o++] = 0; // attributes
    o = writeVarint(buf, o, (r.timestamp ?? defaultTs) - baseTimestamp);
    o = writeVarint(buf, o, i);
    o = writeBytes(buf, o, r.key);
    const value = r.value;
    if (typeof value === 'string') {
      const n = valueSizes[i]!;
      o = writeVarint(buf, o, n);
      if (n > 0) o += (buf as Utf8Buffer).utf8Write(value, o, n);
    } else if (isParts(value)) {
      o = writeVarint(buf, o, valueSizes[i]!);
      for (let p = 0; p < value.length; p++) o = copyInto(buf, o, value[p]!);
    } else {
      o = writeBytes(buf, o, value);
    }
    const headers = r.headers;
    if (headers === undefined) {
      buf[o++] = 0;
    } else {
      o = writeVarint(buf, o, headers.length);
      // Indexed, not `for (const [k, v] of ...)`: at an app's rate this code runs cold (not
      // optimised), where destructuring allocates an iterator and a result per header.
      for (let h = 0; h < headers.length; h++) {
        const header = headers[h]!;
        const k = header[0];
        o = writeVarint(buf, o, k.length);
        o = copyInto(buf, o, k);
        o = writeBytes(buf, o, header[1]);
      }
    }
  }
  return o;
}

/** Encodes `records` (at least one) as one RecordBatch; baseOffset is 0 (the broker assigns it). */
export function encodeRecordBatch(records: readonly BatchRecord[], options: RecordBatchOptions = {}): Buffer {
  const count = records.length;
  if (count === 0) throw new RecordBatchEncodeError('a record batch needs at least one record');
  const compression = options.compression ?? 'none';
  let codec = CODEC_BITS[compression];
  if (codec === undefined) throw new RecordBatchEncodeError(`unknown compression ${String(compression)}`);
  const defaultTs = options.timestamp ?? Date.now();

  // Pass 1: timestamps and sizes.
  let baseTimestamp = Number.POSITIVE_INFINITY;
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const t = records[i]!.timestamp ?? defaultTs;
    if (!Number.isSafeInteger(t))
      throw new RecordBatchEncodeError(`record ${i}: timestamp ${t} is not an integer`);
    if (t < baseTimestamp) baseTimestamp = t;
    if (t > maxTimestamp) maxTimestamp = t;
  }
  if (sizes.length < count) {
    sizes = new Int32Array(Math.max(count, sizes.length * 2));
    valueSizes = new Int32Array(sizes.length);
  }
  let recordsBytes = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i]!;
    let size = 1 + varintSize((r.timestamp ?? defaultTs) - baseTimestamp) + varintSize(i);
    const value = r.value;
    if (typeof value === 'string') {
      const n = Buffer.byteLength(value, 'utf8');
      valueSizes[i] = n;
      size += bytesSize(r.key) + varintSize(n) + n;
    } else if (isParts(value)) {
      let n = 0;
      for (let p = 0; p < value.length; p++) n += value[p]!.length;
      valueSizes[i] = n;
      size += bytesSize(r.key) + varintSize(n) + n;
    } else {
      size += bytesSize(r.key) + bytesSize(value);
    }
    const headers = r.headers;
    if (headers === undefined) {
      size += 1;
    } else {
      size += varintSize(headers.length);
      for (let h = 0; h < headers.length; h++) {
        const header = headers[h]!;
        size += varintSize(header[0].length) + header[0].length + bytesSize(header[1]);
      }
    }
    sizes[i] = size;
    recordsBytes += varintSize(size) + size;
  }

  if (recordsBytes < (options.minCompressBytes ?? 0)) codec = 0;

  // Pass 2: write.
  let batch: Buffer;
  if (codec === 0) {
    batch = (options.allocate ?? Buffer.allocUnsafe)(BATCH_HEADER_BYTES + recordsBytes);
    const end = writeRecords(batch, BATCH_HEADER_BYTES, records, baseTimestamp, defaultTs);
    if (end !== batch.length)
      throw new RecordBatchEncodeError(`encoder size mismatch (${end} != ${batch.length})`);
  } else {
    const plain = Buffer.allocUnsafe(recordsBytes);
    const end = writeRecords(plain, 0, records, baseTimestamp, defaultTs);
    if (end !== plain.length)
      throw new RecordBatchEncodeError(`encoder size mismatch (${end} != ${plain.length})`);
    const compressed = compressionsAlgorithms[compression].compressSync(plain) as Buffer;
    batch = (options.allocate ?? Buffer.allocUnsafe)(BATCH_HEADER_BYTES + compressed.length);
    compressed.copy(batch, BATCH_HEADER_BYTES);
  }

  const attributes = codec | (options.transactional ? TRANSACTIONAL : 0);
  writeBatchHeader(
    batch,
    {
      attributes,
      count,
      baseTimestamp,
      maxTimestamp,
      producerId: options.producerId ?? -1n,
      producerEpoch: options.producerEpoch ?? -1,
      baseSequence: options.baseSequence ?? -1,
      partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
    },
    options.skipCrc !== true,
  );
  return batch;
}

/** Sets the producer fields of an encoded batch in place and recomputes its CRC (for retries/fencing). */
export function setBatchProducer(
  batch: Buffer,
  producerId: bigint,
  producerEpoch: number,
  baseSequence: number,
): void {
  writeProducerId(batch, producerId, 43);
  batch.writeInt16BE(producerEpoch, 51);
  batch.writeInt32BE(baseSequence, 53);
  batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
}

/** Number of records in an encoded batch. */
export function batchRecordCount(batch: Buffer): number {
  return batch.readInt32BE(57);
}
