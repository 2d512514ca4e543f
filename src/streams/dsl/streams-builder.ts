/**
 * `StreamsBuilder`: the DSL's entry point — `stream(topics)`, `table(topic)`, `globalTable(topic)`,
 * `addStateStore`, `addGlobalStore` — and `build()`, which returns the `Topology` to run with
 * `KafkaStreams` or the `TopologyTestDriver`.
 */
import type { Processor, ProcessorSupplier, StoreBuilder } from '../processor/api.ts';
import { Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';
import type { KeyValueStoreImpl, ValueAndTimestamp } from '../state/key-value-store.ts';
import { InternalBuilder } from './internal-builder.ts';
import { KStream } from './kstream.ts';
import { type GlobalKTable, KTable } from './ktable.ts';
import type { Consumed, Materialized } from './options.ts';
import { globalStoreGetter, storeGetter, tableSource } from './table-processors.ts';

export class StreamsBuilder {
  private readonly topology = new Topology();
  private readonly internal = new InternalBuilder(this.topology);
  private built = false;

  private source<K, V>(topics: string[], consumed: Consumed<K, V>): string {
    const name = consumed.name ?? this.internal.newName('KSTREAM-SOURCE-');
    this.topology.addSource({
      name,
      topics,
      ...(consumed.keySerde ? { keySerde: consumed.keySerde as Serde<unknown> } : {}),
      ...(consumed.valueSerde ? { valueSerde: consumed.valueSerde as Serde<unknown> } : {}),
      ...(consumed.timestampExtractor ? { timestampExtractor: consumed.timestampExtractor } : {}),
      ...(consumed.offsetResetPolicy ? { offsetReset: consumed.offsetResetPolicy } : {}),
    });
    return name;
  }

  /** A stream of the records of one or more topics. */
  stream<K = unknown, V = unknown>(topics: string | string[], consumed: Consumed<K, V> = {}): KStream<K, V> {
    const name = this.source(Array.isArray(topics) ? topics : [topics], consumed);
    return new KStream<K, V>(this.internal, name, consumed.keySerde, consumed.valueSerde, false);
  }

  /** A table of the latest value per key of a (usually compacted) topic, materialized in a store. */
  table<K = unknown, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    const source = this.source([topic], consumed);
    const storeName = materialized?.name ?? this.internal.newStoreName(`${topic}-`);
    const name = this.internal.newName('KTABLE-SOURCE-');
    this.internal.addProcessor(
      name,
      tableSource(storeName) as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      [source],
    );
    const keySerde = materialized?.keySerde ?? consumed.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed.valueSerde;
    this.internal.addStore(this.internal.kvStore(materialized, storeName, keySerde, valueSerde), name);
    return new KTable<K, V>(this.internal, name, keySerde, valueSerde, storeName, storeGetter(storeName));
  }

  /** A table replicated in full on every instance, kept up to date from its topic. */
  globalTable<K = unknown, V = unknown>(
    topic: string,
    consumed: Consumed<K, V> = {},
    materialized?: Materialized<K, V>,
  ): GlobalKTable<K, V> {
    const storeName = materialized?.name ?? this.internal.newStoreName(`${topic}-`);
    const keySerde = materialized?.keySerde ?? consumed.keySerde;
    const valueSerde = materialized?.valueSerde ?? consumed.valueSerde;
    const store = this.internal.kvStore(
      { ...materialized, loggingEnabled: false, cachingEnabled: false },
      storeName,
      keySerde,
      valueSerde,
    );
    const processor: ProcessorSupplier<K, V, void, void> = () => {
      let s: KeyValueStoreImpl<K, ValueAndTimestamp<V>>;
      return {
        init(ctx) {
          s = ctx.getStateStore(storeName);
        },
        process(r) {
          if (r.key === null || r.key === undefined) return;
          s.put(
            r.key,
            r.value === null || r.value === undefined ? null : { value: r.value, timestamp: r.timestamp },
          );
        },
      } satisfies Processor<K, V, void, void>;
    };
    this.topology.addGlobalStore(
      store,
      consumed.name ?? this.internal.newName('KSTREAM-SOURCE-'),
      topic,
      { ...(keySerde ? { keySerde } : {}), ...(valueSerde ? { valueSerde } : {}) },
      this.internal.newName('KTABLE-SOURCE-'),
      processor,
    );
    return { globalStoreName: storeName, getter: globalStoreGetter(storeName), keySerde, valueSerde };
  }

  /** Adds a store that `process()` processors can use by name. */
  addStateStore(builder: StoreBuilder): this {
    this.topology.addStateStore(builder);
    return this;
  }

  /** Adds a global store filled from `topic` by `supplier` (which must not forward). */
  addGlobalStore<K, V>(
    store: StoreBuilder,
    topic: string,
    consumed: Consumed<K, V>,
    supplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    this.topology.addGlobalStore(
      store.withLoggingDisabled(),
      consumed.name ?? this.internal.newName('KSTREAM-SOURCE-'),
      topic,
      {
        ...(consumed.keySerde ? { keySerde: consumed.keySerde } : {}),
        ...(consumed.valueSerde ? { valueSerde: consumed.valueSerde } : {}),
      },
      this.internal.newName('KTABLE-SOURCE-'),
      supplier,
    );
    return this;
  }

  build(): Topology {
    if (this.built) return this.topology;
    this.built = true;
    return this.topology;
  }
}
