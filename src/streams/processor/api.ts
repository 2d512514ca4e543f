/**
 * The Processor API (Kafka Streams' `org.apache.kafka.streams.processor.api`): records, processors,
 * the context a processor runs in (forward, state stores, punctuation, record metadata) and the
 * store interface every state store implements. Processing is synchronous: `process` returns when
 * the record and everything it forwarded has been handled.
 */
import type { Serde } from '../serdes.ts';

export type Headers = [string, Buffer | null][];

export interface Record<K, V> {
  readonly key: K;
  readonly value: V;
  /** Event time, milliseconds since the epoch. */
  readonly timestamp: number;
  readonly headers: Headers;
}

/** Copy helpers in the style of Kafka's immutable `Record.withKey(...)`. */
export function withKey<K, V, K2>(r: Record<K, V>, key: K2): Record<K2, V> {
  return { key, value: r.value, timestamp: r.timestamp, headers: r.headers };
}
export function withValue<K, V, V2>(r: Record<K, V>, value: V2): Record<K, V2> {
  return { key: r.key, value, timestamp: r.timestamp, headers: r.headers };
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: bigint;
}

export const PunctuationType = { STREAM_TIME: 'STREAM_TIME', WALL_CLOCK_TIME: 'WALL_CLOCK_TIME' } as const;
export type PunctuationType = (typeof PunctuationType)[keyof typeof PunctuationType];

export type Punctuator = (timestamp: number) => void;

export interface Cancellable {
  cancel(): void;
}

export interface TaskId {
  subtopology: number;
  partition: number;
  toString(): string;
}

export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Sends a record to all children, or to the named child. */
  forward<K extends KOut, V extends VOut>(record: Record<K, V>, childName?: string): void;
  getStateStore<S = StateStore>(name: string): S;
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** Topic, partition and offset of the input record being processed (null inside a punctuator). */
  recordMetadata(): RecordMetadata | null;
  currentStreamTimeMs(): number;
  currentSystemTimeMs(): number;
  /** Asks for a commit as soon as possible. */
  commit(): void;
}

export interface Processor<KIn, VIn, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  process(record: Record<KIn, VIn>): void;
  close?(): void;
}

export type ProcessorSupplier<KIn, VIn, KOut = unknown, VOut = unknown> = () => Processor<
  KIn,
  VIn,
  KOut,
  VOut
>;

/** A record written to a store's changelog. */
export interface ChangelogRecord {
  key: Buffer;
  value: Buffer | null;
  timestamp: number;
}

/** What a store needs from the task that owns it. */
export interface StateStoreContext {
  readonly applicationId: string;
  readonly taskId: TaskId;
  /** Partition of the store's changelog (the task's partition). */
  readonly partition: number;
  /** Where a persistent store keeps its files. */
  readonly stateDir: string | null;
  /** Appends to the changelog (no-op when logging is disabled or there is no broker). */
  logChange(storeName: string, record: ChangelogRecord): void;
  /** Bytes the store may keep in its write cache before flushing (0 = write through). */
  readonly cacheMaxBytes: number;
  /** Current stream time of the task (for window retention). */
  streamTime(): number;
  /** `default.key.serde` / `default.value.serde`, for stores built without serdes. */
  readonly defaultKeySerde: Serde<unknown>;
  readonly defaultValueSerde: Serde<unknown>;
}

/** Every state store: a name, a lifecycle, and a changelog it can be rebuilt from. */
export interface StateStore {
  readonly name: string;
  readonly persistent: boolean;
  init(context: StateStoreContext): void;
  /** Writes buffered changes to the local store and the changelog. */
  flush(): void;
  close(): void;
  /** Applies changelog records during restore (null value = delete). */
  restoreBatch(records: readonly ChangelogRecord[]): void;
  isOpen(): boolean;
}

/** Describes a store and builds one instance per task (Kafka's `StoreBuilder`). */
export interface StoreBuilder<S extends StateStore = StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  /** Topic configs of the changelog (cleanup.policy, retention.ms, ...). */
  readonly logConfig: { [key: string]: string };
  build(): S;
  withLoggingDisabled(): StoreBuilder<S>;
  withLoggingEnabled(config: { [key: string]: string }): StoreBuilder<S>;
  withCachingEnabled(): StoreBuilder<S>;
  withCachingDisabled(): StoreBuilder<S>;
}
