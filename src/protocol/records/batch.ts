/**
 * Building and decoding whole RecordBatch v2 buffers.
 *
 * buildRecordBatch turns records (producer-style with absolute timestamps, or already relative)
 * into one batch: it encodes the records, compresses them, fills in lastOffsetDelta, the timestamps
 * and the CRC-32C. decodeRecordBatch checks the framing (and by default the CRC), decompresses and
 * decodes every record. Malformed bytes raise DecodeError; a bad compressed payload CompressionError.
 */
import { DecodeError } from '../primitives/index.ts';
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  COMPRESSION_MASK,
  CONTROL_FLAG,
  isBatchCrcValid,
  LOG_OVERHEAD,
  OFFSET_ATTRIBUTES,
  OFFSET_BASE_OFFSET,
  OFFSET_BASE_SEQUENCE,
  OFFSET_BASE_TIMESTAMP,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_LEADER_EPOCH,
  OFFSET_MAGIC,
  OFFSET_MAX_TIMESTAMP,
  OFFSET_PRODUCER_EPOCH,
  OFFSET_PRODUCER_ID,
  OFFSET_RECORD_COUNT,
  readBatchHeader,
  TIMESTAMP_TYPE_LOG_APPEND,
  TRANSACTIONAL_FLAG,
  writeBatchCrc,
} from './batch-header.ts';
import { type CodecName, codecId, compress, decompress, decompressAsync } from './compression.ts';
import { decodeRecords, encodeRecords, type Record, type RecordHeader } from './record.ts';

/** A record as a producer hands it over: absolute timestamp (default: now), offsets implied by order. */
export interface ProducerRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface BuildRecordBatchOptions {
  /** Producer-style records, or records with offsetDelta/timestampDelta already relative. */
  records: readonly ProducerRecord[] | readonly Record[];
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  compression?: number | CodecName;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  control?: boolean;
  /** 'log-append' sets the attribute bit and maxTimestamp = baseTimestamp (the append time). */
  timestampType?: 'create' | 'log-append';
  /** Default: the first producer record's timestamp, or now. Required in spirit for relative records. */
  baseTimestamp?: number;
  /** Override for batches whose trailing records were removed (compaction); default the last delta. */
  lastOffsetDelta?: number;
}

export interface DecodedRecordBatch {
  header: BatchHeader;
  records: Record[];
}

export interface DecodeBatchOptions {
  /** Check CRC-32C before decoding (default true). */
  verifyCrc?: boolean;
  /** Ceiling for the decompressed records section. */
  maxDecompressedBytes?: number;
}

/** Kafka's NO_TIMESTAMP. */
const NO_TIMESTAMP = -1;

function isRelative(records: readonly ProducerRecord[] | readonly Record[]): records is readonly Record[] {
  const first = records[0];
  return first !== undefined && typeof (first as Partial<Record>).offsetDelta === 'number';
}

interface Relative {
  records: readonly Record[];
  baseTimestamp: number;
  maxTimestamp: number;
  lastOffsetDelta: number;
}

function toRelative(opts: BuildRecordBatchOptions): Relative {
  const input = opts.records;
  if (input.length === 0) {
    const base = opts.baseTimestamp ?? NO_TIMESTAMP;
    return { records: [], baseTimestamp: base, maxTimestamp: NO_TIMESTAMP, lastOffsetDelta: -1 };
  }
  if (isRelative(input)) {
    const base = opts.baseTimestamp ?? Date.now();
    let maxDelta = Number.NEGATIVE_INFINITY;
    let lastOffsetDelta = -1;
    for (const r of input) {
      if (r.timestampDelta > maxDelta) maxDelta = r.timestampDelta;
      if (r.offsetDelta > lastOffsetDelta) lastOffsetDelta = r.offsetDelta;
    }
    return { records: input, baseTimestamp: base, maxTimestamp: base + maxDelta, lastOffsetDelta };
  }
  const producer = input as readonly ProducerRecord[];
  const now = Date.now();
  const base = opts.baseTimestamp ?? producer[0]?.timestamp ?? now;
  let max = NO_TIMESTAMP;
  const records = producer.map((p, i): Record => {
    const ts = p.timestamp ?? now;
    if (ts > max) max = ts;
    return {
      offsetDelta: i,
      timestampDelta: ts - base,
      key: p.key,
      value: p.value,
      headers: p.headers ?? [],
    };
  });
  return { records, baseTimestamp: base, maxTimestamp: max, lastOffsetDelta: producer.length - 1 };
}

function attributesOf(opts: BuildRecordBatchOptions, codec: number): number {
  let attributes = codec;
  if (opts.timestampType === 'log-append') attributes |= TIMESTAMP_TYPE_LOG_APPEND;
  if (opts.transactional) attributes |= TRANSACTIONAL_FLAG;
  if (opts.control) attributes |= CONTROL_FLAG;
  return attributes;
}

/** Encodes one complete RecordBatch v2 (CRC included). */
export function buildRecordBatch(opts: BuildRecordBatchOptions): Buffer {
  const codec = codecId(opts.compression ?? 0);
  const rel = toRelative(opts);
  const payload = compress(codec, encodeRecords(rel.records));
  const buf = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  const logAppend = opts.timestampType === 'log-append';
  buf.writeBigInt64BE(BigInt(opts.baseOffset ?? 0), OFFSET_BASE_OFFSET);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, OFFSET_BATCH_LENGTH);
  buf.writeInt32BE(opts.partitionLeaderEpoch ?? -1, OFFSET_LEADER_EPOCH);
  buf.writeInt8(2, OFFSET_MAGIC);
  buf.writeInt16BE(attributesOf(opts, codec), OFFSET_ATTRIBUTES);
  buf.writeInt32BE(opts.lastOffsetDelta ?? rel.lastOffsetDelta, OFFSET_LAST_OFFSET_DELTA);
  buf.writeBigInt64BE(BigInt(rel.baseTimestamp), OFFSET_BASE_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(logAppend ? rel.baseTimestamp : rel.maxTimestamp), OFFSET_MAX_TIMESTAMP);
  buf.writeBigInt64BE(BigInt(opts.producerId ?? -1), OFFSET_PRODUCER_ID);
  buf.writeInt16BE(opts.producerEpoch ?? -1, OFFSET_PRODUCER_EPOCH);
  buf.writeInt32BE(opts.baseSequence ?? -1, OFFSET_BASE_SEQUENCE);
  buf.writeInt32BE(rel.records.length, OFFSET_RECORD_COUNT);
  payload.copy(buf, BATCH_HEADER_SIZE);
  writeBatchCrc(buf);
  return buf;
}

/**
 * Checks that a complete v2 batch starts at `at` and returns its header and size. Throws DecodeError
 * for a short buffer, a batchLength smaller than the header or past the end, another magic, or
 * (when verifyCrc) a CRC mismatch.
 */
export function checkBatchFraming(
  buf: Buffer,
  at = 0,
  verifyCrc = true,
): { header: BatchHeader; size: number } {
  if (at < 0 || buf.length - at < BATCH_HEADER_SIZE) {
    throw new DecodeError(`record batch needs ${BATCH_HEADER_SIZE} bytes at ${at}, ${buf.length - at} left`);
  }
  const batchLength = buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
  const size = LOG_OVERHEAD + batchLength;
  if (size < BATCH_HEADER_SIZE || size > buf.length - at) {
    throw new DecodeError(`record batch length ${batchLength} invalid for ${buf.length - at} bytes`);
  }
  const magic = buf.readInt8(at + OFFSET_MAGIC);
  if (magic !== 2) throw new DecodeError(`unsupported record batch magic ${magic}`);
  if (verifyCrc && !isBatchCrcValid(buf, at)) throw new DecodeError('record batch CRC-32C mismatch');
  const header = readBatchHeader(buf, at);
  if (header.recordCount < 0) throw new DecodeError(`negative record count ${header.recordCount}`);
  return { header, size };
}

function payloadOf(buf: Buffer, at: number, size: number): Buffer {
  return buf.subarray(at + BATCH_HEADER_SIZE, at + size);
}

/** Decodes the batch at `at`: header plus every record (decompressed). */
export function decodeRecordBatch(buf: Buffer, at = 0, opts: DecodeBatchOptions = {}): DecodedRecordBatch {
  const { header, size } = checkBatchFraming(buf, at, opts.verifyCrc ?? true);
  const data = decompress(header.attributes & COMPRESSION_MASK, payloadOf(buf, at, size), {
    maxOutputLength: opts.maxDecompressedBytes,
  });
  return { header, records: decodeRecords(data, header.recordCount) };
}

/** decodeRecordBatch with decompression off the event loop. */
export async function decodeRecordBatchAsync(
  buf: Buffer,
  at = 0,
  opts: DecodeBatchOptions = {},
): Promise<DecodedRecordBatch> {
  const { header, size } = checkBatchFraming(buf, at, opts.verifyCrc ?? true);
  const data = await decompressAsync(header.attributes & COMPRESSION_MASK, payloadOf(buf, at, size), {
    maxOutputLength: opts.maxDecompressedBytes,
  });
  return { header, records: decodeRecords(data, header.recordCount) };
}
