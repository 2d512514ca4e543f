/**
 * How table updates travel between DSL nodes: a `Change` carries the new and the old value of a
 * key (Kafka's `Change<V>`), so downstream aggregations can subtract the old and add the new. The
 * repartition topic of a table groupBy carries one side per record with a flag byte in front.
 */

import type { Headers } from '../processor/api.ts';
import type { InternalProcessorContext } from '../runtime/stream-task.ts';
import type { Serde } from '../serdes.ts';
import type { FlushListener, PendingEntry } from '../state/store-base.ts';

export interface Change<V> {
  newValue: V | null;
  oldValue: V | null;
}

/** Serde of one side of a Change: [flag: 1 = old value, 0 = new value][value bytes]. */
export function changeSerde<V>(inner: Serde<V> | undefined): Serde<Change<V>> {
  if (inner === undefined) {
    return {
      serializer: () => {
        throw new Error('unresolved serde');
      },
      deserializer: () => {
        throw new Error('unresolved serde');
      },
      withDefaults: (_k: Serde<unknown>, v: Serde<unknown>) => changeSerde(v as Serde<V>),
    } as Serde<Change<V>>;
  }
  const ser = inner.serializer();
  const de = inner.deserializer();
  return {
    serializer: () => ({
      serialize(topic, change) {
        if (change === null) return null;
        const isOld = change.newValue === null;
        const v = ser.serialize(topic, isOld ? change.oldValue : change.newValue) ?? Buffer.alloc(0);
        return Buffer.concat([Buffer.from([isOld ? 1 : 0]), v]);
      },
    }),
    deserializer: () => ({
      deserialize(topic, data) {
        if (data === null || data.length === 0) return null;
        const v = de.deserialize(topic, data.subarray(1)) as V;
        return data[0] === 1 ? { newValue: null, oldValue: v } : { newValue: v, oldValue: null };
      },
    }),
  };
}

interface ListeningStore {
  setFlushListener(listener: FlushListener): boolean;
}

/**
 * Forwards a table update either at once or, when the store caches, when the cache flushes
 * (Kafka's TimestampedTupleForwarder): then only the last update per key per commit goes on.
 */
export class TupleForwarder<K, V> {
  private readonly viaCache: boolean;
  private readonly context: InternalProcessorContext;

  constructor(
    store: ListeningStore,
    context: InternalProcessorContext,
    decode: (
      entry: PendingEntry,
      oldValue: Buffer | null,
    ) => { key: K; newValue: V | null; oldValue: V | null },
  ) {
    this.context = context;
    this.viaCache = store.setFlushListener((entry, old) => {
      const { key, newValue, oldValue } = decode(entry, old);
      const headers: Headers = entry.headers ?? [];
      context.withRecordContext(entry.timestamp, headers, () =>
        context.forward({ key, value: { newValue, oldValue }, timestamp: entry.timestamp, headers }),
      );
    });
  }

  maybeForward(key: K, newValue: V | null, oldValue: V | null, timestamp: number, headers: Headers): void {
    if (this.viaCache) return;
    this.context.forward({ key, value: { newValue, oldValue } as Change<V>, timestamp, headers });
  }
}
