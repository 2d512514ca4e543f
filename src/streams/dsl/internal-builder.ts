/**
 * Shared plumbing of the DSL classes: node and store naming in Kafka's style
 * (`KSTREAM-MAP-0000000001`, `KSTREAM-AGGREGATE-STATE-STORE-0000000003`), store builders from
 * `Materialized`, and repartition topics (`<name>-repartition`, prefixed with the application id
 * at run time) inserted when a key-changing operation is followed by grouping or a join.
 */
import type { ProcessorSupplier, StoreBuilder } from '../processor/api.ts';
import type { Topology } from '../processor/topology.ts';
import type { Serde } from '../serdes.ts';
import { valueAndTimestampSerde } from '../state/key-value-store.ts';
import { Stores } from '../state/stores.ts';
import type { Materialized } from './options.ts';

export class InternalBuilder {
  readonly topology: Topology;
  private index = 0;

  constructor(topology: Topology) {
    this.topology = topology;
  }

  newName(prefix: string): string {
    return `${prefix}${String(this.index++).padStart(10, '0')}`;
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }

  addProcessor(
    name: string,
    supplier: ProcessorSupplier<unknown, unknown, unknown, unknown>,
    parents: string[],
    stores: string[] = [],
  ): string {
    this.topology.addProcessor(name, supplier, ...parents);
    if (stores.length > 0) this.topology.connectProcessorAndStateStores(name, ...stores);
    return name;
  }

  /** Adds a store unless it exists, and connects it to the processors. */
  addStore(builder: StoreBuilder, ...processors: string[]): void {
    if (!this.topology.stores.has(builder.name)) this.topology.addStateStore(builder);
    if (processors.length > 0) this.topology.connectProcessorAndStateStores(processors, builder.name);
  }

  /** A timestamped key-value store as the DSL uses it (caching and logging on unless disabled). */
  kvStore<K, V>(
    m: Materialized<K, V> | undefined,
    name: string,
    keySerde?: Serde<K>,
    valueSerde?: Serde<V>,
  ): StoreBuilder {
    const persistent = m?.storeType !== 'in_memory';
    const supplier = persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name);
    const b: StoreBuilder = Stores.keyValueStoreBuilder(
      supplier,
      m?.keySerde ?? keySerde,
      valueAndTimestampSerde(m?.valueSerde ?? valueSerde),
    );
    return applyMaterialized(b, m);
  }

  windowStore<K, V>(
    m: Materialized<K, V> | undefined,
    name: string,
    retentionMs: number,
    windowSizeMs: number,
    retainDuplicates: boolean,
    keySerde?: Serde<K>,
    valueSerde?: Serde<unknown>,
  ): StoreBuilder {
    const persistent = m?.storeType !== 'in_memory';
    const supplier = persistent
      ? Stores.persistentWindowStore(name, retentionMs, windowSizeMs, retainDuplicates)
      : Stores.inMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates);
    return applyMaterialized(Stores.windowStoreBuilder(supplier, m?.keySerde ?? keySerde, valueSerde), m);
  }

  /** Sink to and source from an internal repartition topic; returns the source node's name. */
  repartition(
    parent: string,
    baseName: string,
    keySerde: Serde<unknown> | undefined,
    valueSerde: Serde<unknown> | undefined,
    partitions?: number,
    partitioner?: import('../processor/topology.ts').StreamPartitioner,
  ): string {
    const topic = `${baseName}-repartition`;
    this.topology.addInternalTopic({ name: topic, kind: 'repartition', partitions });
    const filter = this.addProcessor(`${baseName}-repartition-filter`, () => {
      let ctx: import('../processor/api.ts').ProcessorContext<unknown, unknown>;
      return {
        init(c) {
          ctx = c;
        },
        process(r) {
          if (r.key !== null && r.key !== undefined) ctx.forward(r);
        },
      };
    }, [parent]);
    const sink = `${baseName}-repartition-sink`;
    const source = `${baseName}-repartition-source`;
    this.topology.addSink({ name: sink, topic, parents: [filter], keySerde, valueSerde, partitioner });
    this.topology.addSource({ name: source, topics: [topic], keySerde, valueSerde });
    return source;
  }
}

export function applyMaterialized(
  b: StoreBuilder,
  m: Materialized<unknown, unknown> | undefined,
): StoreBuilder {
  let out = b.withCachingEnabled();
  if (m?.loggingEnabled === false) out = out.withLoggingDisabled();
  else if (m?.logConfig) out = out.withLoggingEnabled(m.logConfig);
  if (m?.cachingEnabled === false) out = out.withCachingDisabled();
  return out;
}
