/**
 * KTable processors: source (materializes a topic or stream into a store), filter and mapValues
 * over `Change`s (materialized or not), toStream, the re-keying map of a table groupBy, and the
 * value getters that joins use to look up a table's current value — from its store, or composed
 * through filter/mapValues when the table is not materialized. Also suppress.
 */
import type { Headers, Processor, ProcessorContext, Record } from '../processor/api.ts';
import type { InternalProcessorContext } from '../runtime/stream-task.ts';
import type { KeyValueStoreImpl, ValueAndTimestamp } from '../state/key-value-store.ts';
import { type Change, TupleForwarder } from './change.ts';
import { type KeyValueLike, toKeyValue } from './options.ts';

type Ctx = InternalProcessorContext;

/** Looks up a table's current value by key (Kafka's KTableValueGetter). */
export interface ValueGetter<K, V> {
  get(key: K): ValueAndTimestamp<V> | null;
}

export interface ValueGetterSupplier<K, V> {
  /** Stores the getter reads (the processor using it must be connected to them). */
  storeNames: string[];
  init(context: ProcessorContext<unknown, unknown>): ValueGetter<K, V>;
}

export function storeGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [storeName],
    init(context) {
      const store = context.getStateStore<KeyValueStoreImpl<K, ValueAndTimestamp<V>>>(storeName);
      return { get: (key) => store.get(key) };
    },
  };
}

/** A getter for a global store (stores plain values, timestamps are not kept). */
export function globalStoreGetter<K, V>(storeName: string): ValueGetterSupplier<K, V> {
  return {
    storeNames: [],
    init(context) {
      const store = context.getStateStore<KeyValueStoreImpl<K, ValueAndTimestamp<V>>>(storeName);
      return { get: (key) => store.get(key) };
    },
  };
}

export function mappedGetter<K, V, V2>(
  parent: ValueGetterSupplier<K, V>,
  map: (key: K, v: ValueAndTimestamp<V>) => ValueAndTimestamp<V2> | null,
): ValueGetterSupplier<K, V2> {
  return {
    storeNames: parent.storeNames,
    init(context) {
      const g = parent.init(context);
      return {
        get(key) {
          const v = g.get(key);
          return v === null ? null : map(key, v);
        },
      };
    },
  };
}

function materializedForwarder<K, V>(
  store: KeyValueStoreImpl<K, ValueAndTimestamp<V>>,
  context: ProcessorContext<unknown, unknown>,
): TupleForwarder<K, V> {
  return new TupleForwarder(store, context as unknown as Ctx, (e, old) => ({
    key: store.deserializeKey(e.storeKey),
    newValue: store.deserializeValue(e.value)?.value ?? null,
    oldValue: store.deserializeValue(old)?.value ?? null,
  }));
}

/** table(topic) / toTable(): upserts into the store, null value deletes. */
export function tableSource<K, V>(storeName: string): () => Processor<K, V, K, Change<V>> {
  return () => {
    let store: KeyValueStoreImpl<K, ValueAndTimestamp<V>>;
    let forwarder: TupleForwarder<K, V>;
    return {
      init(context) {
        store = context.getStateStore(storeName);
        forwarder = materializedForwarder(store, context);
      },
      process(record) {
        if (record.key === null || record.key === undefined) return;
        const old = store.get(record.key);
        const value = record.value ?? null;
        store.put(
          record.key,
          value === null ? null : { value, timestamp: record.timestamp },
          record.timestamp,
          record.headers,
        );
        if (value === null && old === null) return;
        forwarder.maybeForward(record.key, value, old?.value ?? null, record.timestamp, record.headers);
      },
    };
  };
}

/** filter / filterNot / mapValues over Change, optionally materialized. */
export function tableTransform<K, V, V2>(
  fn: (key: K, value: V) => V2 | null,
  storeName: string | null,
): () => Processor<K, Change<V>, K, Change<V2>> {
  return () => {
    let store: KeyValueStoreImpl<K, ValueAndTimestamp<V2>> | null = null;
    let forwarder: TupleForwarder<K, V2> | null = null;
    let context: ProcessorContext<K, Change<V2>>;
    return {
      init(ctx) {
        context = ctx;
        if (storeName !== null) {
          store = ctx.getStateStore(storeName);
          forwarder = materializedForwarder(store!, ctx as ProcessorContext<unknown, unknown>);
        }
      },
      process(record) {
        const key = record.key;
        const newValue = record.value.newValue === null ? null : fn(key, record.value.newValue);
        const oldValue = record.value.oldValue === null ? null : fn(key, record.value.oldValue);
        if (newValue === null && oldValue === null) return;
        if (store !== null && forwarder !== null) {
          const old = store.get(key);
          store.put(
            key,
            newValue === null ? null : { value: newValue, timestamp: record.timestamp },
            record.timestamp,
            record.headers,
          );
          forwarder.maybeForward(key, newValue, old?.value ?? null, record.timestamp, record.headers);
        } else {
          context.forward({
            key,
            value: { newValue, oldValue },
            timestamp: record.timestamp,
            headers: record.headers,
          });
        }
      },
    };
  };
}

export function tableToStream<K, V, V2>(
  mapper: ((key: K, value: V | null) => V2) | null,
): () => Processor<K, Change<V>, K, V2 | V | null> {
  return () => {
    let context: ProcessorContext<K, V2 | V | null>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const v = record.value.newValue;
        context.forward({
          key: record.key,
          value: mapper === null ? v : mapper(record.key, v),
          timestamp: record.timestamp,
          headers: record.headers,
        });
      },
    };
  };
}

/** Table groupBy: each update becomes a subtract of the old and an add of the new, re-keyed. */
export function tableGroupByMap<K, V, K2, V2>(
  selector: (key: K, value: V) => KeyValueLike<K2, V2>,
): () => Processor<K, Change<V>, K2, Change<V2>> {
  return () => {
    let context: ProcessorContext<K2, Change<V2>>;
    return {
      init(ctx) {
        context = ctx;
      },
      process(record) {
        const { newValue, oldValue } = record.value;
        const emit = (kv: KeyValueLike<K2, V2>, isOld: boolean) => {
          const { key, value } = toKeyValue(kv);
          if (key === null || key === undefined) return;
          context.forward({
            key,
            value: isOld ? { newValue: null, oldValue: value } : { newValue: value, oldValue: null },
            timestamp: record.timestamp,
            headers: record.headers,
          });
        };
        if (oldValue !== null) emit(selector(record.key, oldValue), true);
        if (newValue !== null) emit(selector(record.key, newValue), false);
      },
    };
  };
}

interface Buffered<K, V> {
  key: K;
  value: Change<V>;
  time: number;
  timestamp: number;
  headers: Headers;
}

/**
 * suppress: holds the latest update per key and emits it once its time comes — for
 * untilWindowCloses when stream time reaches window end + grace (only final results), for
 * untilTimeLimit when stream time passes the first buffered update's time + the limit. The buffer
 * is backed by a logged key-value store, so it survives a restart or a move to another instance.
 */
export function suppressProcessor<K, V>(
  storeName: string,
  bufferTime: (key: K, record: Record<K, Change<V>>) => number,
  suppressMs: number,
  keyOf: (k: K) => string,
): () => Processor<K, Change<V>, K, Change<V>> {
  return () => {
    let store: KeyValueStoreImpl<string, { key: K; value: Change<V>; time: number; timestamp: number }>;
    let context: ProcessorContext<K, Change<V>>;
    const buffer = new Map<string, Buffered<K, V>>();
    let minTime = Number.POSITIVE_INFINITY;
    const evict = () => {
      const limit = context.currentStreamTimeMs() - suppressMs;
      if (minTime > limit) return;
      const due = [...buffer.entries()]
        .filter(([, b]) => b.time <= limit)
        .sort((a, b) => a[1].time - b[1].time);
      for (const [k, b] of due) {
        buffer.delete(k);
        store.delete(k);
        if (b.value.newValue === null && b.value.oldValue === null) continue;
        context.forward({ key: b.key, value: b.value, timestamp: b.timestamp, headers: b.headers });
      }
      minTime = Number.POSITIVE_INFINITY;
      for (const b of buffer.values()) minTime = Math.min(minTime, b.time);
    };
    return {
      init(ctx) {
        context = ctx;
        store = ctx.getStateStore(storeName);
        for (const { key, value } of store.all()) {
          buffer.set(key, { ...value, headers: [] });
          minTime = Math.min(minTime, value.time);
        }
      },
      process(record) {
        const k = keyOf(record.key);
        const prior = buffer.get(k);
        const time = prior?.time ?? bufferTime(record.key, record);
        const value: Change<V> = {
          newValue: record.value.newValue,
          oldValue: prior ? prior.value.oldValue : record.value.oldValue,
        };
        const entry = { key: record.key, value, time, timestamp: record.timestamp };
        buffer.set(k, { ...entry, headers: record.headers });
        store.put(k, entry);
        minTime = Math.min(minTime, time);
        evict();
      },
    };
  };
}
