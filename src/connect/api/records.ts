/**
 * The records connectors exchange with the runtime, after Kafka Connect's `ConnectRecord`,
 * `SourceRecord` and `SinkRecord`: topic, partition, key and value each with an optional schema,
 * timestamp and headers. Source records also carry where they came from (source partition and
 * offset, JSON-serialisable maps the runtime stores in the offset topic); sink records carry where
 * they were read (Kafka partition and offset).
 */
import type { Schema } from './schema.ts';

export interface ConnectHeader {
  readonly key: string;
  /** Schemaless headers are strings or Buffers; with a schema, a value of that schema. */
  readonly value: unknown;
  readonly schema?: Schema | null;
}

export interface ConnectRecord {
  readonly topic: string;
  /** null: let the producer's partitioner choose (source records only). */
  readonly kafkaPartition: number | null;
  readonly keySchema: Schema | null;
  readonly key: unknown;
  readonly valueSchema: Schema | null;
  /** null value = tombstone. */
  readonly value: unknown;
  /** Milliseconds since the epoch; null lets the producer stamp it. */
  readonly timestamp: number | null;
  readonly headers: readonly ConnectHeader[];
}

/** A source partition or offset: a small JSON object (for example `{ server: 'db1' }`, `{ lsn: 123 }`). */
export type SourceMap = Readonly<Record<string, string | number | boolean | null>>;

export interface SourceRecord extends ConnectRecord {
  readonly sourcePartition: SourceMap;
  readonly sourceOffset: SourceMap;
}

export type TimestampType = 'NoTimestampType' | 'CreateTime' | 'LogAppendTime';

export interface SinkRecord extends ConnectRecord {
  readonly kafkaPartition: number;
  /** Offset in the topic partition the record was read from. */
  readonly kafkaOffset: bigint;
  readonly timestampType: TimestampType;
  /** The topic, partition and offset as originally consumed, before transforms changed them. */
  readonly originalTopic: string;
  readonly originalKafkaPartition: number;
  readonly originalKafkaOffset: bigint;
  /** The bytes as consumed, before converters and transforms (dead-letter and retry topics keep these). */
  readonly raw: RawRecord;
}

export interface RawRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [string, Buffer])[];
  readonly timestamp: number;
}

/** `{ topic, partition }`, the unit sink tasks are assigned and commit offsets for. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** topic partition key `topic/partition` → the next offset to consume. */
export type SinkOffsets = Map<string, { topic: string; partition: number; offset: bigint }>;

export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}

/** A copy of a record with some fields replaced (transforms use this; records are immutable). */
export function withRecord<R extends ConnectRecord>(record: R, changes: Partial<ConnectRecord>): R {
  return { ...record, ...changes };
}
