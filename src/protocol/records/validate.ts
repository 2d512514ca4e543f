/**
 * Produce-path validation of one partition's records, run by the broker before appending.
 *
 * Per batch, from the header and length fields only (no record bytes are decoded or copied): magic
 * 2, batchLength matching the bytes, size within max.message.bytes, CRC-32C, a known codec,
 * baseOffset 0, recordCount >= 1 and equal to lastOffsetDelta + 1, no control batches from clients,
 * a sequence number for idempotent batches, and a single batch per partition (as Kafka requires).
 * `deepValidate` (or `requireKeys`, for compacted topics) also decompresses and decodes the records
 * to check their offsetDelta sequence and keys; record-level failures come back in `recordErrors`
 * with the record's index in the batch, as ProduceResponse reports them.
 *
 * Kafka error codes are returned as values, never thrown. An empty buffer is valid with no batches.
 */

import { DecodeError } from '../primitives/index.ts';
import { decodeRecordBatch } from './batch.ts';
import {
  BATCH_HEADER_SIZE,
  type BatchHeader,
  COMPRESSION_MASK,
  COMPRESSION_ZSTD,
  CONTROL_FLAG,
  LOG_OVERHEAD,
  OFFSET_ATTRIBUTES,
  OFFSET_BATCH_LENGTH,
  OFFSET_CRC,
  OFFSET_MAGIC,
  readBatchHeader,
  TRANSACTIONAL_FLAG,
} from './batch-header.ts';
import { CompressionError } from './compression-error.ts';
import { crc32c } from './native-codecs.ts';

export const ERROR_CORRUPT_MESSAGE = 2;
export const ERROR_MESSAGE_TOO_LARGE = 10;
export const ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43;
export const ERROR_INVALID_RECORD = 87;

/** Smallest v0 message after its size field: crc, magic, attributes, key and value lengths. */
const MIN_LEGACY_MESSAGE_SIZE = 14;

export interface ValidateOptions {
  /** The topic's max.message.bytes: the largest batch accepted, log overhead included. */
  maxMessageBytes: number;
  /** Decompress and decode every record to check offsetDelta = index (slow path). */
  deepValidate?: boolean;
  /** Compacted topic: every record needs a key (implies decoding the records). */
  requireKeys?: boolean;
  /** Accept more than one batch per partition (Kafka rejects it for v2). */
  allowMultipleBatches?: boolean;
  /** Accept a baseOffset other than 0 (Kafka requires 0 from clients). */
  allowNonZeroBaseOffset?: boolean;
  /** Accept control batches (only the broker's own transaction markers should be). */
  allowControlBatches?: boolean;
  /** Decompression ceiling for the deep checks. */
  maxDecompressedBytes?: number;
}

export interface ValidBatch {
  at: number;
  size: number;
  header: BatchHeader;
}

export interface RecordError {
  batchIndex: number;
  message: string;
}

export type ValidationResult =
  | { ok: true; batches: ValidBatch[]; recordCount: number }
  | { ok: false; errorCode: number; message: string; recordErrors?: RecordError[] };

type Failure = Extract<ValidationResult, { ok: false }>;

function fail(errorCode: number, message: string, recordErrors?: RecordError[]): Failure {
  return recordErrors ? { ok: false, errorCode, message, recordErrors } : { ok: false, errorCode, message };
}

/** Framing, size and CRC of the batch at `at`; returns its size or a failure. */
function checkFraming(buf: Buffer, at: number, index: number, maxMessageBytes: number): number | Failure {
  const left = buf.length - at;
  if (left < OFFSET_MAGIC + 1) {
    return fail(ERROR_CORRUPT_MESSAGE, `batch ${index}: ${left} trailing bytes are not a batch`);
  }
  const magic = buf.readInt8(at + OFFSET_MAGIC);
  const batchLength = buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
  const size = LOG_OVERHEAD + batchLength;
  // A well-framed v0/v1 message set (>= 14 bytes per message) is an old client; anything else is junk.
  if ((magic === 0 || magic === 1) && batchLength >= MIN_LEGACY_MESSAGE_SIZE && size <= left) {
    return fail(
      ERROR_UNSUPPORTED_FOR_MESSAGE_FORMAT,
      `batch ${index}: message format v${magic} is not supported, only RecordBatch v2 (magic 2, Kafka 0.11+ clients)`,
    );
  }
  if (magic !== 2) return fail(ERROR_CORRUPT_MESSAGE, `batch ${index}: unknown or corrupt magic ${magic}`);
  if (size < BATCH_HEADER_SIZE) {
    return fail(ERROR_CORRUPT_MESSAGE, `batch ${index}: batchLength ${batchLength} too small`);
  }
  if (size > left) {
    return fail(
      ERROR_CORRUPT_MESSAGE,
      `batch ${index}: batchLength ${batchLength} exceeds the ${left - LOG_OVERHEAD} bytes sent`,
    );
  }
  if (size > maxMessageBytes) {
    return fail(
      ERROR_MESSAGE_TOO_LARGE,
      `batch ${index}: ${size} bytes exceeds max.message.bytes ${maxMessageBytes}`,
    );
  }
  const crc = crc32c(buf.subarray(at + OFFSET_ATTRIBUTES, at + size)) >>> 0;
  if (crc !== buf.readUInt32BE(at + OFFSET_CRC)) {
    return fail(ERROR_CORRUPT_MESSAGE, `batch ${index}: CRC-32C mismatch`);
  }
  return size;
}

/** Header-level rules for a producer's batch; null when it passes. */
function checkHeader(h: BatchHeader, index: number, opts: ValidateOptions): Failure | null {
  const invalid = (m: string) => fail(ERROR_INVALID_RECORD, `batch ${index}: ${m}`);
  if ((h.attributes & COMPRESSION_MASK) > COMPRESSION_ZSTD) {
    return fail(
      ERROR_CORRUPT_MESSAGE,
      `batch ${index}: unknown compression codec ${h.attributes & COMPRESSION_MASK}`,
    );
  }
  if (h.baseOffset !== 0 && !opts.allowNonZeroBaseOffset) {
    return invalid(`baseOffset ${h.baseOffset} must be 0`);
  }
  if (h.recordCount < 1) return invalid(`record count ${h.recordCount} must be at least 1`);
  if (h.lastOffsetDelta !== h.recordCount - 1) {
    return invalid(`lastOffsetDelta ${h.lastOffsetDelta} inconsistent with record count ${h.recordCount}`);
  }
  const control = (h.attributes & CONTROL_FLAG) !== 0;
  if (control && !opts.allowControlBatches) return invalid('clients may not write control batches');
  if (h.attributes & TRANSACTIONAL_FLAG && h.producerId < 0) {
    return invalid('transactional batch without producer id');
  }
  // Idempotent batches carry a sequence; control batches (broker-written markers) never do.
  if (!control && h.producerId >= 0 && h.baseSequence < 0) {
    return invalid(`invalid base sequence ${h.baseSequence}`);
  }
  return null;
}

/** Slow path: decode the records to check offsetDelta order and (optionally) keys. */
function checkRecords(buf: Buffer, at: number, index: number, opts: ValidateOptions): Failure | null {
  let records: ReturnType<typeof decodeRecordBatch>['records'];
  try {
    records = decodeRecordBatch(buf, at, {
      verifyCrc: false,
      maxDecompressedBytes: opts.maxDecompressedBytes,
    }).records;
  } catch (err) {
    if (err instanceof DecodeError || err instanceof CompressionError) {
      return fail(ERROR_CORRUPT_MESSAGE, `batch ${index}: ${err.message}`);
    }
    throw err;
  }
  const errors: RecordError[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.offsetDelta !== i)
      errors.push({ batchIndex: i, message: `offsetDelta ${r.offsetDelta}, expected ${i}` });
    else if (opts.requireKeys && r.key === null) {
      errors.push({ batchIndex: i, message: 'compacted topic cannot accept a record without a key' });
    }
  }
  if (errors.length === 0) return null;
  return fail(
    ERROR_INVALID_RECORD,
    `batch ${index}: ${errors.length} invalid record(s): ${errors[0]!.message}`,
    errors,
  );
}

export function validateProducedBatches(buf: Buffer, opts: ValidateOptions): ValidationResult {
  const batches: ValidBatch[] = [];
  const deep = opts.deepValidate || opts.requireKeys;
  let recordCount = 0;
  for (let at = 0, index = 0; at < buf.length; index++) {
    const size = checkFraming(buf, at, index, opts.maxMessageBytes);
    if (typeof size !== 'number') return size;
    if (index === 1 && !opts.allowMultipleBatches) {
      return fail(ERROR_INVALID_RECORD, 'more than one record batch for a partition in one produce request');
    }
    const header = readBatchHeader(buf, at);
    const headerError = checkHeader(header, index, opts);
    if (headerError) return headerError;
    if (deep) {
      const recordError = checkRecords(buf, at, index, opts);
      if (recordError) return recordError;
    }
    batches.push({ at, size, header });
    recordCount += header.recordCount;
    at += size;
  }
  return { ok: true, batches, recordCount };
}
