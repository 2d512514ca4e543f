/**
 * The RecordBatch v2 (magic 2) layout facts the platform's client code shares: the size of the batch
 * header, where its CRC and attributes sit, and the attribute bits. The encoder
 * (record-batch-encoder.ts), the raw fetch parser (raw-fetch.ts) and the reader of the library's
 * decoded batches (consumed-record.ts) read them from here, and the builder and the encoder write
 * records' zigzag varints, copy their bytes and write the batch header with the functions at the end. (The broker has its own copy in
 * src/protocol, which the platform may not import.)
 */

import { crc32c } from '@node-rs/crc32';

/** baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1) crc(4) ... recordCount(4). */
export const BATCH_HEADER_BYTES = 61;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;

/** Attribute bits. */
export const COMPRESSION_MASK = 0x07;
export const LOG_APPEND_TIME = 0x08;
export const TRANSACTIONAL = 0x10;
export const CONTROL = 0x20;

/** Bytes of the zigzag varint of `v` (an integer, |v| < 2^53). */
export function varintSize(v: number): number {
  if (v >= -64 && v < 64) return 1;
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Writes the zigzag varint of `v` at `o`; returns the offset after it. */
export function writeVarint(buf: Buffer, o: number, v: number): number {
  if (v >= -0x40000000 && v < 0x40000000) {
    let z = (v << 1) ^ (v >> 31);
    while (z >= 128 || z < 0) {
      buf[o++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[o++] = z;
    return o;
  }
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[o++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[o++] = z;
  return o;
}

/** Copies `b` into `buf` at `o`; short buffers byte by byte (cheaper than a native call). */
export function copyInto(buf: Buffer, o: number, b: Buffer): number {
  const n = b.length;
  if (n < 48) {
    for (let i = 0; i < n; i++) buf[o + i] = b[i]!;
    return o + n;
  }
  return o + b.copy(buf, o);
}

/** What a batch header says beyond its records' bytes (base offset 0, magic 2). */
export interface BatchHeader {
  attributes: number;
  count: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  partitionLeaderEpoch: number;
}

/**
 * Writes a safe integer as a big-endian INT64 without a BigInt (`writeBigInt64BE` allocates in code
 * that is not optimised yet, which is how a batch header is written at an app's rate).
 */
export function writeInt64Number(buf: Buffer, value: number, offset: number): void {
  const hi = Math.floor(value / 4294967296);
  buf.writeInt32BE(hi, offset);
  buf.writeUInt32BE(value - hi * 4294967296, offset + 4);
}

/** A producer id as INT64 (a Number when it is a safe integer, as Kafka's ids are in practice). */
export function writeProducerId(buf: Buffer, producerId: bigint, offset: number): void {
  const n = Number(producerId);
  if (Number.isSafeInteger(n)) writeInt64Number(buf, n, offset);
  else buf.writeBigInt64BE(producerId, offset);
}

/**
 * Writes the header of `batch` (its records already in place after it), CRC-32C last unless
 * `crc` is false (the caller stamps the producer fields later, which writes the CRC).
 */
export function writeBatchHeader(batch: Buffer, h: BatchHeader, crc = true): void {
  batch.writeInt32BE(0, 0); // baseOffset 0
  batch.writeInt32BE(0, 4);
  batch.writeInt32BE(batch.length - 12, 8); // batchLength: bytes after this field
  batch.writeInt32BE(h.partitionLeaderEpoch, 12);
  batch[16] = 2; // magic
  batch.writeInt16BE(h.attributes, ATTRIBUTES_OFFSET);
  batch.writeInt32BE(h.count - 1, 23); // lastOffsetDelta
  writeInt64Number(batch, h.baseTimestamp, 27);
  writeInt64Number(batch, h.maxTimestamp, 35);
  writeProducerId(batch, h.producerId, 43);
  batch.writeInt16BE(h.producerEpoch, 51);
  batch.writeInt32BE(h.baseSequence, 53);
  batch.writeInt32BE(h.count, 57);
  if (crc) batch.writeUInt32BE(crc32c(batch.subarray(ATTRIBUTES_OFFSET)), CRC_OFFSET);
  else batch.writeUInt32BE(0, CRC_OFFSET);
}
