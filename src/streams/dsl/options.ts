/**
 * Options of DSL operators, as plain objects with Kafka Streams' names (`Consumed`, `Produced`,
 * `Grouped`, `Materialized`, `Joined`, `StreamJoined`, `Repartitioned`, `Named`, `Branched`,
 * `Suppressed`) plus small factories in Kafka's style (`Materialized.as('counts')`).
 */

import type { StreamPartitioner, TimestampExtractor } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';

export interface KeyValue<K, V> {
  key: K;
  value: V;
}

export const KeyValue = {
  pair: <K, V>(key: K, value: V): KeyValue<K, V> => ({ key, value }),
};

/** What mappers may return: `{ key, value }` or a `[key, value]` pair. */
export type KeyValueLike<K, V> = KeyValue<K, V> | readonly [K, V];

export function toKeyValue<K, V>(kv: KeyValueLike<K, V>): KeyValue<K, V> {
  return Array.isArray(kv) ? { key: kv[0] as K, value: kv[1] as V } : (kv as KeyValue<K, V>);
}

export interface Named {
  name?: string;
}

export interface Consumed<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  timestampExtractor?: TimestampExtractor;
  offsetResetPolicy?: 'earliest' | 'latest';
}

export interface Produced<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  partitioner?: StreamPartitioner<K, V>;
}

export interface Grouped<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface Materialized<K, V> {
  /** Store name (queryable, and names the changelog topic `<application.id>-<name>-changelog`). */
  name?: string;
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  /** 'rocksdb' is accepted as Kafka's name for the persistent (lmdb) store. */
  storeType?: 'persistent' | 'rocksdb' | 'in_memory';
  loggingEnabled?: boolean;
  logConfig?: { [key: string]: string };
  cachingEnabled?: boolean;
  /** Window and session stores: how long windows are kept (default: window size + grace). */
  retentionMs?: number;
}

export const Materialized = {
  as: <K, V>(name: string): Materialized<K, V> => ({ name }),
  with: <K, V>(keySerde?: Serde<K>, valueSerde?: Serde<V>): Materialized<K, V> => {
    const m: Materialized<K, V> = {};
    if (keySerde) m.keySerde = keySerde;
    if (valueSerde) m.valueSerde = valueSerde;
    return m;
  },
};

export interface Joined<K, V, VO> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VO>;
}

export interface StreamJoined<K, V, VO> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  otherValueSerde?: Serde<VO>;
  /** Base name of the two join stores (and their changelogs). */
  storeName?: string;
  storeType?: 'persistent' | 'rocksdb' | 'in_memory';
  loggingEnabled?: boolean;
}

export interface Repartitioned<K, V> extends Named {
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
  numberOfPartitions?: number;
  partitioner?: StreamPartitioner<K, V>;
}

export interface Branched<K, V> {
  name?: string;
  /** Transforms the branch stream; its result is what the returned map holds. */
  withFunction?: (
    stream: import('./kstream.ts').KStream<K, V>,
  ) => import('./kstream.ts').KStream<K, V> | undefined;
  /** Consumes the branch stream; the map then holds nothing for it. */
  withConsumer?: (stream: import('./kstream.ts').KStream<K, V>) => void;
}

export const Branched = {
  as: <K, V>(name: string): Branched<K, V> => ({ name }),
  withFunction: <K, V>(
    fn: (stream: import('./kstream.ts').KStream<K, V>) => import('./kstream.ts').KStream<K, V>,
    name?: string,
  ): Branched<K, V> => (name === undefined ? { withFunction: fn } : { withFunction: fn, name }),
  withConsumer: <K, V>(
    fn: (stream: import('./kstream.ts').KStream<K, V>) => void,
    name?: string,
  ): Branched<K, V> => (name === undefined ? { withConsumer: fn } : { withConsumer: fn, name }),
};

export type BufferConfig = { maxRecords?: number; maxBytes?: number };

export const BufferConfig = {
  unbounded: (): BufferConfig => ({}),
  maxRecords: (n: number): BufferConfig => ({ maxRecords: n }),
  maxBytes: (n: number): BufferConfig => ({ maxBytes: n }),
};

export type Suppressed =
  | { kind: 'untilWindowCloses'; buffer: BufferConfig; name?: string }
  | { kind: 'untilTimeLimit'; timeToWaitMs: number; buffer: BufferConfig; name?: string };

export const Suppressed = {
  untilWindowCloses: (buffer: BufferConfig = {}): Suppressed => ({ kind: 'untilWindowCloses', buffer }),
  untilTimeLimit: (timeToWaitMs: number, buffer: BufferConfig = {}): Suppressed => ({
    kind: 'untilTimeLimit',
    timeToWaitMs,
    buffer,
  }),
};
