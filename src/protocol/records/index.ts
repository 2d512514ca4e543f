/** RecordBatch v2 public API: header layout, records, batches, compression, control records, validation. */
export * from './batch.ts';
export * from './batch-header.ts';
export * from './compression.ts';
export * from './control.ts';
export {
  decodeRecord,
  decodeRecords,
  encodeRecord,
  encodeRecords,
  type KafkaRecord,
  MIN_RECORD_SIZE,
  type Record,
  type RecordHeader,
} from './record.ts';
export * from './split.ts';
export * from './validate.ts';
