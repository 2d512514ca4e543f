/** __consumer_offsets record formats (Kafka's own): offset commits, group metadata, partitioning. */
export * from './group-metadata.ts';
export * from './offset-commit.ts';
export { offsetsPartitionFor } from './partition.ts';
export * from './record.ts';
