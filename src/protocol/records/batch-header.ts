/**
 * RecordBatch v2 (magic 2) header layout and helpers that work on the raw bytes in place.
 *
 * Layout: baseOffset int64 @0, batchLength int32 @8 (bytes after this field), partitionLeaderEpoch
 * int32 @12, magic int8 @16, crc uint32 @17 (CRC-32C over attributes..end), attributes int16 @21,
 * lastOffsetDelta int32 @23, baseTimestamp int64 @27, maxTimestamp int64 @35, producerId int64 @43,
 * producerEpoch int16 @51, baseSequence int32 @53, recordCount int32 @57, records @61.
 * baseOffset and partitionLeaderEpoch sit outside the CRC, so the broker rewrites them freely.
 */
import { crc32c } from './native-codecs.ts';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before the batchLength value counts: baseOffset + batchLength itself. */
export const LOG_OVERHEAD = 12;

export const OFFSET_BASE_OFFSET = 0;
export const OFFSET_BATCH_LENGTH = 8;
export const OFFSET_LEADER_EPOCH = 12;
export const OFFSET_MAGIC = 16;
export const OFFSET_CRC = 17;
export const OFFSET_ATTRIBUTES = 21;
export const OFFSET_LAST_OFFSET_DELTA = 23;
export const OFFSET_BASE_TIMESTAMP = 27;
export const OFFSET_MAX_TIMESTAMP = 35;
export const OFFSET_PRODUCER_ID = 43;
export const OFFSET_PRODUCER_EPOCH = 51;
export const OFFSET_BASE_SEQUENCE = 53;
export const OFFSET_RECORD_COUNT = 57;

/** attributes bits */
export const COMPRESSION_MASK = 0x07;
export const TIMESTAMP_TYPE_LOG_APPEND = 0x08;
export const TRANSACTIONAL_FLAG = 0x10;
export const CONTROL_FLAG = 0x20;
export const DELETE_HORIZON_FLAG = 0x40;

export const COMPRESSION_NONE = 0;
export const COMPRESSION_GZIP = 1;
export const COMPRESSION_SNAPPY = 2;
export const COMPRESSION_LZ4 = 3;
export const COMPRESSION_ZSTD = 4;

export interface BatchHeader {
  baseOffset: number;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/** Reads the header of the batch starting at `at`. The caller ensures 61 bytes are present. */
export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: Number(buf.readBigInt64BE(at + OFFSET_BASE_OFFSET)),
    batchLength: buf.readInt32BE(at + OFFSET_BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(at + OFFSET_LEADER_EPOCH),
    magic: buf.readInt8(at + OFFSET_MAGIC),
    crc: buf.readUInt32BE(at + OFFSET_CRC),
    attributes: buf.readInt16BE(at + OFFSET_ATTRIBUTES),
    lastOffsetDelta: buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA),
    baseTimestamp: Number(buf.readBigInt64BE(at + OFFSET_BASE_TIMESTAMP)),
    maxTimestamp: Number(buf.readBigInt64BE(at + OFFSET_MAX_TIMESTAMP)),
    producerId: Number(buf.readBigInt64BE(at + OFFSET_PRODUCER_ID)),
    producerEpoch: buf.readInt16BE(at + OFFSET_PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + OFFSET_BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + OFFSET_RECORD_COUNT),
  };
}

/** Total size in bytes of the batch starting at `at` (header fields included). */
export function batchSize(buf: Buffer, at = 0): number {
  return LOG_OVERHEAD + buf.readInt32BE(at + OFFSET_BATCH_LENGTH);
}

/** CRC-32C of attributes..end of the batch starting at `at`, as stored in the crc field. */
export function computeBatchCrc(buf: Buffer, at = 0): number {
  const end = at + batchSize(buf, at);
  return crc32c(buf.subarray(at + OFFSET_ATTRIBUTES, end)) >>> 0;
}

export function isBatchCrcValid(buf: Buffer, at = 0): boolean {
  return computeBatchCrc(buf, at) === buf.readUInt32BE(at + OFFSET_CRC);
}

/** Recomputes and stores the CRC (after the broker changed a field inside the CRC range). */
export function writeBatchCrc(buf: Buffer, at = 0): void {
  buf.writeUInt32BE(computeBatchCrc(buf, at), at + OFFSET_CRC);
}

export function setBaseOffset(buf: Buffer, baseOffset: number, at = 0): void {
  buf.writeBigInt64BE(BigInt(baseOffset), at + OFFSET_BASE_OFFSET);
}

export function setPartitionLeaderEpoch(buf: Buffer, epoch: number, at = 0): void {
  buf.writeInt32BE(epoch, at + OFFSET_LEADER_EPOCH);
}
