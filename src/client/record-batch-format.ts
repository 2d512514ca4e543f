/**
 * The RecordBatch v2 (magic 2) layout facts the platform's client code shares: the size of the batch
 * header, where its CRC and attributes sit, and the attribute bits. The encoder
 * (record-batch-encoder.ts), the raw fetch parser (raw-fetch.ts) and the reader of the library's
 * decoded batches (consumed-record.ts) read them from here. (The broker has its own copy in
 * src/protocol, which the platform may not import.)
 */

/** baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1) crc(4) ... recordCount(4). */
export const BATCH_HEADER_BYTES = 61;
export const CRC_OFFSET = 17;
export const ATTRIBUTES_OFFSET = 21;

/** Attribute bits. */
export const COMPRESSION_MASK = 0x07;
export const LOG_APPEND_TIME = 0x08;
export const TRANSACTIONAL = 0x10;
export const CONTROL = 0x20;
