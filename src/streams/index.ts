/**
 * `samsa/streams`: a stream-processing library with Kafka Streams' API for TypeScript — the DSL
 * (StreamsBuilder, KStream, KTable, GlobalKTable, windows, joins, suppress), the Processor API
 * (Topology, processors, punctuation, state stores), the runtime (KafkaStreams: tasks, consumer
 * group with its own assignor, changelogs and restore, at_least_once and exactly_once_v2,
 * interactive queries) and the TopologyTestDriver. Serdes are an interface anyone can implement
 * (the schema registry's Avro/JSON Schema serdes plug in the same way).
 */
export { type ProcessingGuarantee, parseStreamsConfig, type StreamsConfigInput } from './config.ts';
export type { Aggregator, Initializer, Merger } from './dsl/aggregate-processors.ts';
export type { Change } from './dsl/change.ts';
export { KGroupedStream, SessionWindowedKStream, TimeWindowedKStream } from './dsl/grouped.ts';
export type { ValueJoiner } from './dsl/join-processors.ts';
export { BranchedKStream, KStream } from './dsl/kstream.ts';
export { type GlobalKTable, KGroupedTable, KTable } from './dsl/ktable.ts';
export {
  Branched,
  BufferConfig,
  type Consumed,
  type Grouped,
  type Joined,
  KeyValue,
  Materialized,
  type Named,
  type Produced,
  type Repartitioned,
  type StreamJoined,
  Suppressed,
} from './dsl/options.ts';
export { StreamsBuilder } from './dsl/streams-builder.ts';
export {
  type DeserializationContext,
  type DeserializationExceptionHandler,
  InvalidStateStoreException,
  StreamsConfigError,
  StreamsException,
  TaskMigratedException,
  TopologyException,
} from './errors.ts';
export {
  type Cancellable,
  type Headers,
  type Processor,
  type ProcessorContext,
  type ProcessorSupplier,
  PunctuationType,
  type Punctuator,
  type Record,
  type RecordMetadata,
  type StateStore,
  type StoreBuilder,
  type TaskId,
} from './processor/api.ts';
export {
  type StreamPartitioner,
  type TimestampExtractor,
  type TopicNameExtractor,
  Topology,
} from './processor/topology.ts';
export {
  type HostInfo,
  KafkaStreams,
  type KafkaStreamsState,
  type KeyQueryMetadata,
  type StateRestoreListener,
  type StreamsMetadata,
} from './runtime/kafka-streams.ts';
export type { StreamsMetricsSnapshot } from './runtime/metrics.ts';
export { registerStreamsMetrics } from './runtime/prometheus.ts';
export {
  type Deserializer,
  type Serde,
  Serdes,
  SerializationError,
  type Serializer,
  serdeFrom,
} from './serdes.ts';
export type { KeyValueStore, ReadOnlyKeyValueStore, ValueAndTimestamp } from './state/key-value-store.ts';
export type { ReadOnlySessionStore, SessionStore } from './state/session-store.ts';
export { Stores } from './state/stores.ts';
export type { ReadOnlyWindowStore, TimestampedValue, WindowStore } from './state/window-store.ts';
export { TestInputTopic, TestOutputTopic, type TestRecord } from './test-driver/test-topics.ts';
export { TopologyTestDriver } from './test-driver/topology-test-driver.ts';
export { WindowedSerdes } from './windows/windowed-serdes.ts';
export {
  JoinWindows,
  SessionWindows,
  SlidingWindows,
  TimeWindows,
  type Window,
  type Windowed,
} from './windows/windows.ts';
