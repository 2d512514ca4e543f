/**
 * `KTable` (a changelog stream: latest value per key), `KGroupedTable` and `GlobalKTable`.
 * Tables forward `Change`s (new and old value) between nodes; a table built from a topic,
 * a stream or an aggregation is materialized in a store (queryable by its name); filter and
 * mapValues are materialized only when asked. Joins read tables through value getters.
 */
import type { ProcessorSupplier } from '../processor/api.ts';
import { type Serde, Serdes } from '../serdes.ts';
import { Stores } from '../state/stores.ts';
import { WindowedSerdes } from '../windows/windowed-serdes.ts';
import type { Windowed } from '../windows/windows.ts';
import { type Aggregator, type Initializer, tableAggregate } from './aggregate-processors.ts';
import { type Change, changeSerde } from './change.ts';
import type { InternalBuilder } from './internal-builder.ts';
import { type JoinKind, tableTableJoin, type ValueJoiner } from './join-processors.ts';
import { KStream } from './kstream.ts';
import type { Grouped, KeyValueLike, Materialized, Named, Suppressed } from './options.ts';
import {
  mappedGetter,
  storeGetter,
  suppressProcessor,
  tableGroupByMap,
  tableToStream,
  tableTransform,
  type ValueGetterSupplier,
} from './table-processors.ts';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

/** Window facts a windowed table carries for suppress(untilWindowCloses). */
export interface WindowInfo {
  /** Time after a window's end until it closes (grace, plus the inactivity gap for sessions). */
  closeAfterMs: number;
  kind: 'time' | 'session' | 'sliding';
  sizeMs: number;
}

export class KTable<K, V> {
  /** @internal */ readonly builder: InternalBuilder;
  /** @internal */ readonly node: string;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  /** Name of the store holding this table, when materialized (for interactive queries). */
  readonly queryableStoreName: string | null;
  /** @internal */ readonly getterSupplier: ValueGetterSupplier<K, V>;
  /** @internal */ readonly windowInfo: WindowInfo | undefined;

  constructor(
    builder: InternalBuilder,
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    storeName: string | null,
    getter: ValueGetterSupplier<K, V>,
    windowInfo?: WindowInfo,
  ) {
    this.builder = builder;
    this.node = node;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.queryableStoreName = storeName;
    this.getterSupplier = getter;
    this.windowInfo = windowInfo;
  }

  /** @internal */
  valueGetter(): ValueGetterSupplier<K, V> {
    return this.getterSupplier;
  }

  private transform<V2>(
    prefix: string,
    fn: (key: K, value: V) => V2 | null,
    valueSerde: Serde<V2> | undefined,
    named?: Named,
    materialized?: Materialized<K, V2>,
  ): KTable<K, V2> {
    const name = named?.name ?? this.builder.newName(prefix);
    const storeName =
      materialized === undefined ? null : (materialized.name ?? this.builder.newStoreName(prefix));
    this.builder.addProcessor(name, tableTransform(fn, storeName) as AnySupplier, [this.node]);
    if (storeName !== null)
      this.builder.addStore(
        this.builder.kvStore(
          materialized,
          storeName,
          materialized?.keySerde ?? this.keySerde,
          materialized?.valueSerde ?? valueSerde,
        ),
        name,
      );
    const getter =
      storeName !== null
        ? storeGetter<K, V2>(storeName)
        : mappedGetter(this.getterSupplier, (k, v) => {
            const out = fn(k, v.value);
            return out === null ? null : { value: out, timestamp: v.timestamp };
          });
    return new KTable<K, V2>(
      this.builder,
      name,
      this.keySerde,
      materialized?.valueSerde ?? valueSerde,
      storeName,
      getter,
      this.windowInfo,
    );
  }

  filter(
    predicate: (key: K, value: V) => boolean,
    named?: Named,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    return this.transform(
      'KTABLE-FILTER-',
      (k, v) => (predicate(k, v) ? v : null),
      this.valueSerde,
      named,
      materialized,
    );
  }

  filterNot(
    predicate: (key: K, value: V) => boolean,
    named?: Named,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    return this.transform(
      'KTABLE-FILTER-',
      (k, v) => (predicate(k, v) ? null : v),
      this.valueSerde,
      named,
      materialized,
    );
  }

  mapValues<V2>(
    mapper: (value: V, key: K) => V2,
    named?: Named,
    materialized?: Materialized<K, V2>,
  ): KTable<K, V2> {
    return this.transform<V2>('KTABLE-MAPVALUES-', (k, v) => mapper(v, k), undefined, named, materialized);
  }

  /** The table's updates as a stream (deletes become records with a null value). */
  toStream(named?: Named): KStream<K, V>;
  toStream<K2>(mapper: (key: K, value: V | null) => K2, named?: Named): KStream<K2, V>;
  toStream<K2>(a?: Named | ((key: K, value: V | null) => K2), b?: Named): KStream<K | K2, V> {
    const named = typeof a === 'function' ? b : a;
    const name = named?.name ?? this.builder.newName('KTABLE-TOSTREAM-');
    this.builder.addProcessor(name, tableToStream<K, V, V>(null) as AnySupplier, [this.node]);
    const stream = new KStream<K, V>(this.builder, name, this.keySerde, this.valueSerde, false);
    if (typeof a === 'function') return stream.selectKey((k, v) => a(k, v)) as KStream<K | K2, V>;
    return stream as KStream<K | K2, V>;
  }

  /** Holds back updates: only final window results (untilWindowCloses) or at most one per time limit. */
  suppress(suppressed: Suppressed): KTable<K, V> {
    const name = suppressed.name ?? this.builder.newName('KTABLE-SUPPRESS-');
    const storeName = suppressed.name
      ? `${suppressed.name}-store`
      : this.builder.newStoreName('KTABLE-SUPPRESS-');
    let bufferTime: (key: K, r: { timestamp: number }) => number;
    let suppressMs: number;
    if (suppressed.kind === 'untilWindowCloses') {
      if (!this.windowInfo)
        throw new TypeError(
          'suppress(untilWindowCloses) needs a windowed table (after windowedBy(...).aggregate)',
        );
      bufferTime = (key) => (key as unknown as Windowed<unknown>).window.end;
      suppressMs = this.windowInfo.closeAfterMs;
    } else {
      bufferTime = (_key, r) => r.timestamp;
      suppressMs = suppressed.timeToWaitMs;
    }
    this.builder.addProcessor(
      name,
      suppressProcessor<K, V>(storeName, bufferTime as never, suppressMs, (k) =>
        JSON.stringify(k),
      ) as AnySupplier,
      [this.node],
    );
    const store = Stores.keyValueStoreBuilder(
      Stores.inMemoryKeyValueStore(storeName),
      Serdes.String(),
      suppressBufferSerde(this.keySerde, this.valueSerde),
    );
    this.builder.addStore(store, name);
    return new KTable<K, V>(
      this.builder,
      name,
      this.keySerde,
      this.valueSerde,
      null,
      this.getterSupplier,
      this.windowInfo,
    );
  }

  groupBy<K2, V2>(
    selector: (key: K, value: V) => KeyValueLike<K2, V2>,
    grouped: Grouped<K2, V2> = {},
  ): KGroupedTable<K2, V2> {
    const name = this.builder.newName('KTABLE-SELECT-');
    this.builder.addProcessor(name, tableGroupByMap(selector) as AnySupplier, [this.node]);
    return new KGroupedTable<K2, V2>(this.builder, name, grouped.keySerde, grouped.valueSerde, grouped.name);
  }

  join<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.tableJoin(
      'inner',
      other,
      joiner as ValueJoiner<unknown, unknown, unknown>,
      named,
      materialized,
    );
  }

  leftJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.tableJoin(
      'left',
      other,
      joiner as ValueJoiner<unknown, unknown, unknown>,
      named,
      materialized,
    );
  }

  outerJoin<VO, VR>(
    other: KTable<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    return this.tableJoin(
      'outer',
      other,
      joiner as ValueJoiner<unknown, unknown, unknown>,
      named,
      materialized,
    );
  }

  private tableJoin<VO, VR>(
    kind: JoinKind,
    other: KTable<K, VO>,
    joiner: ValueJoiner<unknown, unknown, unknown>,
    named?: Named,
    materialized?: Materialized<K, VR>,
  ): KTable<K, VR> {
    const base = named?.name ?? this.builder.newName('KTABLE-JOIN-');
    const leftName = `${base}-this`;
    const rightName = `${base}-other`;
    const otherGetter = other.valueGetter() as ValueGetterSupplier<unknown, unknown>;
    const thisGetter = this.getterSupplier as ValueGetterSupplier<unknown, unknown>;
    this.builder.addProcessor(
      leftName,
      tableTableJoin(otherGetter, joiner, kind, true) as AnySupplier,
      [this.node],
      otherGetter.storeNames,
    );
    this.builder.addProcessor(
      rightName,
      tableTableJoin(thisGetter, joiner, kind, false) as AnySupplier,
      [other.node],
      thisGetter.storeNames,
    );
    const merge = `${base}-merge`;
    const storeName =
      materialized === undefined ? null : (materialized.name ?? this.builder.newStoreName('KTABLE-JOIN-'));
    this.builder.addProcessor(merge, tableTransform<K, VR, VR>((_k, v) => v, storeName) as AnySupplier, [
      leftName,
      rightName,
    ]);
    if (storeName !== null)
      this.builder.addStore(
        this.builder.kvStore(materialized, storeName, this.keySerde, materialized?.valueSerde),
        merge,
      );
    const join = (l: unknown, r: unknown, key: unknown): unknown => {
      if (l === null && r === null) return null;
      if (kind === 'inner' && (l === null || r === null)) return null;
      if (kind === 'left' && l === null) return null;
      return joiner(l, r, key);
    };
    const getter: ValueGetterSupplier<K, VR> =
      storeName !== null
        ? storeGetter(storeName)
        : {
            storeNames: [...thisGetter.storeNames, ...otherGetter.storeNames],
            init(context) {
              const a = thisGetter.init(context);
              const b = otherGetter.init(context);
              return {
                get(key) {
                  const l = a.get(key);
                  const r = b.get(key);
                  const v = join(l?.value ?? null, r?.value ?? null, key);
                  return v === null
                    ? null
                    : { value: v as VR, timestamp: Math.max(l?.timestamp ?? 0, r?.timestamp ?? 0) };
                },
              };
            },
          };
    return new KTable<K, VR>(this.builder, merge, this.keySerde, materialized?.valueSerde, storeName, getter);
  }
}

/** Serde of a suppress buffer entry (key, both values and times) over the table's serdes. */
function suppressBufferSerde<K, V>(
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): Serde<{ key: K; value: Change<V>; time: number; timestamp: number }> {
  type Entry = { key: K; value: Change<V>; time: number; timestamp: number };
  if (keySerde === undefined || valueSerde === undefined) {
    return {
      serializer: () => {
        throw new Error('unresolved serde');
      },
      deserializer: () => {
        throw new Error('unresolved serde');
      },
      withDefaults: (k: Serde<unknown>, v: Serde<unknown>) =>
        suppressBufferSerde(keySerde ?? (k as Serde<K>), valueSerde ?? (v as Serde<V>)),
    } as Serde<Entry>;
  }
  const part = (b: Buffer | null) => {
    const len = Buffer.alloc(4);
    len.writeInt32BE(b === null ? -1 : b.length);
    return b === null ? [len] : [len, b];
  };
  return {
    serializer: () => ({
      serialize(topic, e) {
        if (e === null) return null;
        const head = Buffer.alloc(16);
        head.writeBigInt64BE(BigInt(e.time), 0);
        head.writeBigInt64BE(BigInt(e.timestamp), 8);
        return Buffer.concat([
          head,
          ...part(keySerde.serializer().serialize(topic, e.key)),
          ...part(
            e.value.newValue === null ? null : valueSerde.serializer().serialize(topic, e.value.newValue),
          ),
          ...part(
            e.value.oldValue === null ? null : valueSerde.serializer().serialize(topic, e.value.oldValue),
          ),
        ]);
      },
    }),
    deserializer: () => ({
      deserialize(topic, b) {
        if (b === null) return null;
        let pos = 16;
        const read = () => {
          const len = b.readInt32BE(pos);
          pos += 4;
          if (len < 0) return null;
          const out = b.subarray(pos, pos + len);
          pos += len;
          return out;
        };
        const k = read();
        const n = read();
        const o = read();
        return {
          time: Number(b.readBigInt64BE(0)),
          timestamp: Number(b.readBigInt64BE(8)),
          key: keySerde.deserializer().deserialize(topic, k) as K,
          value: {
            newValue: n === null ? null : (valueSerde.deserializer().deserialize(topic, n) as V),
            oldValue: o === null ? null : (valueSerde.deserializer().deserialize(topic, o) as V),
          },
        };
      },
    }),
  };
}

export class KGroupedTable<K, V> {
  private readonly builder: InternalBuilder;
  private readonly node: string;
  private readonly keySerde: Serde<K> | undefined;
  private readonly valueSerde: Serde<V> | undefined;
  private readonly name: string | undefined;

  constructor(
    builder: InternalBuilder,
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    name: string | undefined,
  ) {
    this.builder = builder;
    this.node = node;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.name = name;
  }

  private build<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    m: Materialized<K, VA> | undefined,
    aggSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const storeName = m?.name ?? this.builder.newStoreName(prefix);
    const keySerde = m?.keySerde ?? this.keySerde;
    const source = this.builder.repartition(
      this.node,
      this.name ?? storeName,
      keySerde as Serde<unknown> | undefined,
      changeSerde(this.valueSerde) as Serde<unknown>,
    );
    const name = this.builder.newName(prefix);
    this.builder.addProcessor(
      name,
      tableAggregate(storeName, initializer, adder, subtractor) as AnySupplier,
      [source],
    );
    this.builder.addStore(this.builder.kvStore(m, storeName, keySerde, m?.valueSerde ?? aggSerde), name);
    return new KTable<K, VA>(
      this.builder,
      name,
      keySerde,
      m?.valueSerde ?? aggSerde,
      storeName,
      storeGetter(storeName),
    );
  }

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.build<number>(
      'KTABLE-AGGREGATE-',
      () => 0,
      (_k, _v, a) => a + 1,
      (_k, _v, a) => a - 1,
      materialized,
      Serdes.Long(),
    );
  }

  reduce(
    adder: (agg: V, value: V) => V,
    subtractor: (agg: V, value: V) => V,
    materialized?: Materialized<K, V>,
  ): KTable<K, V> {
    return this.build<V | null>(
      'KTABLE-REDUCE-',
      () => null,
      (_k, v, a) => (a === null ? v : adder(a, v)),
      (_k, v, a) => (a === null ? null : subtractor(a, v)),
      materialized as Materialized<K, V | null>,
      this.valueSerde as Serde<V | null> | undefined,
    ) as KTable<K, V>;
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    adder: Aggregator<K, V, VA>,
    subtractor: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    return this.build(
      'KTABLE-AGGREGATE-',
      initializer,
      adder,
      subtractor,
      materialized,
      materialized?.valueSerde,
    );
  }
}

/** A table replicated in full on every instance (no co-partitioning needed to join with it). */
export interface GlobalKTable<K, V> {
  readonly globalStoreName: string;
  /** @internal */ readonly getter: ValueGetterSupplier<unknown, unknown>;
  readonly keySerde?: Serde<K> | undefined;
  readonly valueSerde?: Serde<V> | undefined;
}

/** Key serde of a windowed table built from the inner key serde. */
export function windowedKeySerde<K>(inner: Serde<K> | undefined, info: WindowInfo): Serde<Windowed<K>> {
  return info.kind === 'session'
    ? WindowedSerdes.sessionWindowedSerdeFrom(inner)
    : WindowedSerdes.timeWindowedSerdeFrom(inner, info.sizeMs);
}
