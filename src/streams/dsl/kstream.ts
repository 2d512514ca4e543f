/**
 * `KStream`: a record stream with Kafka Streams' operators — stateless (filter, filterNot, map,
 * mapValues, flatMap, flatMapValues, selectKey, peek, foreach, split/branch, merge), repartition,
 * to, toTable, process, groupByKey/groupBy, and joins with streams (windowed), tables and global
 * tables. Operations that change the key mark the stream; grouping or joining it afterwards goes
 * through a repartition topic. Mappers take (value, key) for *Values operators and (key, value)
 * otherwise, as Kafka's ValueMapperWithKey/KeyValueMapper.
 */
import type { Processor, ProcessorContext, ProcessorSupplier } from '../processor/api.ts';
import type { TopicNameExtractor } from '../processor/topology.ts';
import { type Serde, Serdes } from '../serdes.ts';
import { Stores } from '../state/stores.ts';
import type { JoinWindows } from '../windows/windows.ts';
import { KGroupedStream } from './grouped.ts';
import type { InternalBuilder } from './internal-builder.ts';
import {
  type JoinKind,
  outerRecordSerde,
  streamStreamJoin,
  streamTableJoin,
  type ValueJoiner,
} from './join-processors.ts';
import { type GlobalKTable, type KTable, KTable as KTableImpl } from './ktable.ts';
import {
  type Branched,
  type Grouped,
  type Joined,
  type KeyValueLike,
  type Materialized,
  type Named,
  type Produced,
  type Repartitioned,
  type StreamJoined,
  toKeyValue,
} from './options.ts';
import { storeGetter, tableSource } from './table-processors.ts';

function passThrough<K, V>(
  fn: (
    ctx: ProcessorContext<unknown, unknown>,
    key: K,
    value: V,
    r: import('../processor/api.ts').Record<K, V>,
  ) => void,
): ProcessorSupplier<K, V, unknown, unknown> {
  return () => {
    let ctx: ProcessorContext<unknown, unknown>;
    return {
      init(c) {
        ctx = c;
      },
      process(r) {
        fn(ctx, r.key, r.value, r);
      },
    };
  };
}

export class KStream<K, V> {
  /** @internal */ readonly builder: InternalBuilder;
  /** @internal name of the node this stream comes out of */ readonly node: string;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  /** @internal the key changed since the last partitioning */ readonly repartitionRequired: boolean;

  constructor(
    builder: InternalBuilder,
    node: string,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    repartitionRequired: boolean,
  ) {
    this.builder = builder;
    this.node = node;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.repartitionRequired = repartitionRequired;
  }

  private next<K2, V2>(
    prefix: string,
    named: Named | undefined,
    supplier: ProcessorSupplier<K, V, unknown, unknown>,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
    repartition: boolean,
  ): KStream<K2, V2> {
    const name = named?.name ?? this.builder.newName(prefix);
    this.builder.addProcessor(name, supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>, [
      this.node,
    ]);
    return new KStream<K2, V2>(this.builder, name, keySerde, valueSerde, repartition);
  }

  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.next(
      'KSTREAM-FILTER-',
      named,
      passThrough<K, V>((c, k, v, r) => predicate(k, v) && c.forward(r)),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    return this.next(
      'KSTREAM-FILTER-',
      named,
      passThrough<K, V>((c, k, v, r) => !predicate(k, v) && c.forward(r)),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  map<K2, V2>(mapper: (key: K, value: V) => KeyValueLike<K2, V2>, named?: Named): KStream<K2, V2> {
    return this.next<K2, V2>(
      'KSTREAM-MAP-',
      named,
      passThrough<K, V>((c, k, v, r) => {
        const kv = toKeyValue(mapper(k, v));
        c.forward({ key: kv.key, value: kv.value, timestamp: r.timestamp, headers: r.headers });
      }),
      undefined,
      undefined,
      true,
    );
  }

  mapValues<V2>(mapper: (value: V, key: K) => V2, named?: Named): KStream<K, V2> {
    return this.next<K, V2>(
      'KSTREAM-MAPVALUES-',
      named,
      passThrough<K, V>((c, k, v, r) =>
        c.forward({ key: k, value: mapper(v, k), timestamp: r.timestamp, headers: r.headers }),
      ),
      this.keySerde,
      undefined,
      this.repartitionRequired,
    );
  }

  flatMap<K2, V2>(
    mapper: (key: K, value: V) => Iterable<KeyValueLike<K2, V2>>,
    named?: Named,
  ): KStream<K2, V2> {
    return this.next<K2, V2>(
      'KSTREAM-FLATMAP-',
      named,
      passThrough<K, V>((c, k, v, r) => {
        for (const out of mapper(k, v)) {
          const kv = toKeyValue(out);
          c.forward({ key: kv.key, value: kv.value, timestamp: r.timestamp, headers: r.headers });
        }
      }),
      undefined,
      undefined,
      true,
    );
  }

  flatMapValues<V2>(mapper: (value: V, key: K) => Iterable<V2>, named?: Named): KStream<K, V2> {
    return this.next<K, V2>(
      'KSTREAM-FLATMAPVALUES-',
      named,
      passThrough<K, V>((c, k, v, r) => {
        for (const out of mapper(v, k))
          c.forward({ key: k, value: out, timestamp: r.timestamp, headers: r.headers });
      }),
      this.keySerde,
      undefined,
      this.repartitionRequired,
    );
  }

  selectKey<K2>(mapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    return this.next<K2, V>(
      'KSTREAM-KEY-SELECT-',
      named,
      passThrough<K, V>((c, k, v, r) =>
        c.forward({ key: mapper(k, v), value: v, timestamp: r.timestamp, headers: r.headers }),
      ),
      undefined,
      this.valueSerde,
      true,
    );
  }

  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.next(
      'KSTREAM-PEEK-',
      named,
      passThrough<K, V>((c, k, v, r) => {
        action(k, v);
        c.forward(r);
      }),
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired,
    );
  }

  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.next(
      'KSTREAM-FOREACH-',
      named,
      passThrough<K, V>((_c, k, v) => action(k, v)),
      undefined,
      undefined,
      false,
    );
  }

  /** Splits the stream by predicates; the first matching branch gets each record. */
  split(named?: Named): BranchedKStream<K, V> {
    return new BranchedKStream(this, named?.name ?? this.builder.newName('KSTREAM-BRANCH-'));
  }

  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = named?.name ?? this.builder.newName('KSTREAM-MERGE-');
    this.builder.addProcessor(
      name,
      passThrough<unknown, unknown>((c, _k, _v, r) => c.forward(r)),
      [this.node, other.node],
    );
    return new KStream(
      this.builder,
      name,
      this.keySerde,
      this.valueSerde,
      this.repartitionRequired || other.repartitionRequired,
    );
  }

  /** Writes the stream through a repartition topic `<application.id>-<name>-repartition`. */
  repartition(options: Repartitioned<K, V> = {}): KStream<K, V> {
    const base = options.name ?? this.builder.newName('KSTREAM-REPARTITION-');
    const keySerde = options.keySerde ?? this.keySerde;
    const valueSerde = options.valueSerde ?? this.valueSerde;
    const source = this.builder.repartition(
      this.node,
      base,
      keySerde as Serde<unknown> | undefined,
      valueSerde as Serde<unknown> | undefined,
      options.numberOfPartitions,
      options.partitioner as import('../processor/topology.ts').StreamPartitioner | undefined,
    );
    return new KStream(this.builder, source, keySerde, valueSerde, false);
  }

  /** Writes the stream to a topic (or to the topic an extractor picks per record). */
  to(topic: string | TopicNameExtractor<K, V>, produced: Produced<K, V> = {}): void {
    const name = produced.name ?? this.builder.newName('KSTREAM-SINK-');
    this.builder.topology.addSink({
      name,
      topic: topic as string | TopicNameExtractor,
      parents: [this.node],
      keySerde: (produced.keySerde ?? this.keySerde) as Serde<unknown> | undefined,
      valueSerde: (produced.valueSerde ?? this.valueSerde) as Serde<unknown> | undefined,
      partitioner: produced.partitioner as import('../processor/topology.ts').StreamPartitioner | undefined,
    });
  }

  /** Runs a Processor API processor; its forwarded records form the returned stream. */
  process<K2, V2>(supplier: ProcessorSupplier<K, V, K2, V2>, ...storeNames: string[]): KStream<K2, V2> {
    const name = this.builder.newName('KSTREAM-PROCESSOR-');
    this.builder.addProcessor(
      name,
      supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      [this.node],
      storeNames,
    );
    return new KStream<K2, V2>(this.builder, name, undefined, undefined, true);
  }

  toTable(materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    const stream = this.repartitionRequired
      ? this.repartition({ name: materialized?.name ?? this.builder.newName('KSTREAM-TOTABLE-') })
      : this;
    const storeName = materialized?.name ?? this.builder.newStoreName('KSTREAM-TOTABLE-');
    const name = named?.name ?? this.builder.newName('KSTREAM-TOTABLE-');
    this.builder.addProcessor(
      name,
      tableSource(storeName) as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      [stream.node],
    );
    this.builder.addStore(
      this.builder.kvStore(
        materialized,
        storeName,
        materialized?.keySerde ?? this.keySerde,
        materialized?.valueSerde ?? this.valueSerde,
      ),
      name,
    );
    return new KTableImpl<K, V>(
      this.builder,
      name,
      materialized?.keySerde ?? this.keySerde,
      materialized?.valueSerde ?? this.valueSerde,
      storeName,
      storeGetter(storeName),
    );
  }

  groupByKey(grouped: Grouped<K, V> = {}): KGroupedStream<K, V> {
    return new KGroupedStream<K, V>(
      this,
      grouped.keySerde ?? this.keySerde,
      grouped.valueSerde ?? this.valueSerde,
      grouped.name,
      this.repartitionRequired,
    );
  }

  groupBy<K2>(selector: (key: K, value: V) => K2, grouped: Grouped<K2, V> = {}): KGroupedStream<K2, V> {
    const selected = this.selectKey(selector, { name: this.builder.newName('KSTREAM-KEY-SELECT-') });
    return new KGroupedStream<K2, V>(
      selected,
      grouped.keySerde,
      grouped.valueSerde ?? this.valueSerde,
      grouped.name,
      true,
    );
  }

  /** @internal repartitions if the key changed, naming the topic after `base`. */
  ensurePartitioned(base: string, keySerde?: Serde<K>, valueSerde?: Serde<V>): KStream<K, V> {
    if (!this.repartitionRequired) return this;
    const ks = keySerde ?? this.keySerde;
    const vs = valueSerde ?? this.valueSerde;
    const source = this.builder.repartition(
      this.node,
      base,
      ks as Serde<unknown> | undefined,
      vs as Serde<unknown> | undefined,
    );
    return new KStream(this.builder, source, ks, vs, false);
  }

  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT, VR>,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  join<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: ValueJoiner<V, VG, VR>,
  ): KStream<K, VR>;
  join(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.dispatchJoin('inner', other, a, b, c);
  }

  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR>,
    joined?: Joined<K, V, VT>,
  ): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    globalTable: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: ValueJoiner<V, VG | null, VR>,
  ): KStream<K, VR>;
  leftJoin(other: unknown, a: unknown, b?: unknown, c?: unknown): KStream<K, unknown> {
    return this.dispatchJoin('left', other, a, b, c);
  }

  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR>,
    windows: JoinWindows,
    streamJoined?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return this.streamJoin(
      'outer',
      other as unknown as KStream<K, unknown>,
      joiner as ValueJoiner<unknown, unknown, unknown>,
      windows,
      streamJoined,
    ) as KStream<K, VR>;
  }

  private dispatchJoin(
    kind: JoinKind,
    other: unknown,
    a: unknown,
    b: unknown,
    c: unknown,
  ): KStream<K, unknown> {
    if (other instanceof KStream)
      return this.streamJoin(
        kind,
        other,
        a as ValueJoiner<unknown, unknown, unknown>,
        b as JoinWindows,
        c as StreamJoined<K, V, unknown>,
      );
    if (other instanceof KTableImpl)
      return this.tableJoin(
        kind,
        other,
        a as ValueJoiner<unknown, unknown, unknown>,
        b as Joined<K, V, unknown>,
      );
    if (other !== null && typeof other === 'object' && 'globalStoreName' in other)
      return this.globalJoin(
        kind,
        other as GlobalKTable<unknown, unknown>,
        a as (k: K, v: V) => unknown,
        b as ValueJoiner<unknown, unknown, unknown>,
      );
    throw new TypeError('join: the other side must be a KStream, KTable or GlobalKTable');
  }

  private streamJoin(
    kind: JoinKind,
    other: KStream<K, unknown>,
    joiner: ValueJoiner<unknown, unknown, unknown>,
    windows: JoinWindows,
    sj: StreamJoined<K, V, unknown> = {},
  ): KStream<K, unknown> {
    const base =
      sj.name ??
      this.builder.newName(
        kind === 'inner' ? 'KSTREAM-JOIN-' : kind === 'left' ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-OUTERJOIN-',
      );
    const keySerde = sj.keySerde ?? this.keySerde ?? other.keySerde;
    const left = this.ensurePartitioned(`${base}-left`, keySerde, sj.valueSerde);
    const right = other.ensurePartitioned(
      `${base}-right`,
      keySerde,
      sj.otherValueSerde as Serde<unknown> | undefined,
    );
    const storeBase = sj.storeName ?? base;
    const retention = windows.beforeMs + windows.afterMs + windows.graceMs;
    const size = windows.beforeMs + windows.afterMs;
    const persistent = sj.storeType !== 'in_memory';
    const thisStoreName = `${storeBase}-this-join-store`;
    const otherStoreName = `${storeBase}-other-join-store`;
    const mk = (name: string, valueSerde: Serde<unknown> | undefined) => {
      const supplier = persistent
        ? Stores.persistentWindowStore(name, retention, size, true)
        : Stores.inMemoryWindowStore(name, retention, size, true);
      const builder = Stores.windowStoreBuilder(supplier, keySerde as Serde<unknown> | undefined, valueSerde);
      return sj.loggingEnabled === false ? builder.withLoggingDisabled() : builder;
    };
    const thisName = `${base}-this`;
    const otherName = `${base}-other`;
    const outerStoreName = kind === 'inner' ? null : `${storeBase}-outer-shared-join-store`;
    const common = { outerStore: outerStoreName, graceMs: windows.graceMs, kind, joiner };
    this.builder.addProcessor(
      thisName,
      streamStreamJoin({
        ...common,
        thisStore: thisStoreName,
        otherStore: otherStoreName,
        isLeftSide: true,
        beforeMs: windows.beforeMs,
        afterMs: windows.afterMs,
      }),
      [left.node],
    );
    this.builder.addProcessor(
      otherName,
      streamStreamJoin({
        ...common,
        thisStore: otherStoreName,
        otherStore: thisStoreName,
        isLeftSide: false,
        beforeMs: windows.afterMs,
        afterMs: windows.beforeMs,
      }),
      [right.node],
    );
    this.builder.addStore(
      mk(thisStoreName, (sj.valueSerde ?? left.valueSerde) as Serde<unknown> | undefined),
      thisName,
      otherName,
    );
    this.builder.addStore(
      mk(otherStoreName, (sj.otherValueSerde ?? right.valueSerde) as Serde<unknown> | undefined),
      thisName,
      otherName,
    );
    if (outerStoreName !== null) {
      const supplier = persistent
        ? Stores.persistentKeyValueStore(outerStoreName)
        : Stores.inMemoryKeyValueStore(outerStoreName);
      const builder = Stores.keyValueStoreBuilder(
        supplier,
        Serdes.String(),
        outerRecordSerde(
          keySerde as Serde<unknown> | undefined,
          (sj.valueSerde ?? left.valueSerde) as Serde<unknown> | undefined,
          (sj.otherValueSerde ?? right.valueSerde) as Serde<unknown> | undefined,
        ),
      );
      this.builder.addStore(
        sj.loggingEnabled === false ? builder.withLoggingDisabled() : builder,
        thisName,
        otherName,
      );
    }
    const merge = this.builder.newName('KSTREAM-MERGE-');
    this.builder.addProcessor(
      merge,
      passThrough<unknown, unknown>((c, _k, _v, r) => c.forward(r)),
      [thisName, otherName],
    );
    return new KStream(this.builder, merge, keySerde, undefined, false);
  }

  private tableJoin(
    kind: JoinKind,
    table: KTableImpl<K, unknown>,
    joiner: ValueJoiner<unknown, unknown, unknown>,
    joined: Joined<K, V, unknown> = {},
  ): KStream<K, unknown> {
    const base =
      joined.name ?? this.builder.newName(kind === 'inner' ? 'KSTREAM-JOIN-' : 'KSTREAM-LEFTJOIN-');
    const stream = this.ensurePartitioned(base, joined.keySerde ?? table.keySerde, joined.valueSerde);
    const getter = table.valueGetter();
    this.builder.addProcessor(
      base,
      streamTableJoin(getter, null, joiner, kind === 'left'),
      [stream.node],
      getter.storeNames,
    );
    return new KStream(this.builder, base, stream.keySerde, undefined, false);
  }

  private globalJoin(
    kind: JoinKind,
    table: GlobalKTable<unknown, unknown>,
    keySelector: (k: K, v: V) => unknown,
    joiner: ValueJoiner<unknown, unknown, unknown>,
  ): KStream<K, unknown> {
    const name = this.builder.newName(kind === 'inner' ? 'KSTREAM-JOIN-' : 'KSTREAM-LEFTJOIN-');
    this.builder.addProcessor(
      name,
      streamTableJoin(
        table.getter,
        keySelector as (k: unknown, v: unknown) => unknown,
        joiner,
        kind === 'left',
      ),
      [this.node],
    );
    return new KStream(this.builder, name, this.keySerde, undefined, this.repartitionRequired);
  }
}

/** The result of `split()`: add branches, then end with defaultBranch() or noDefaultBranch(). */
export class BranchedKStream<K, V> {
  private readonly stream: KStream<K, V>;
  private readonly name: string;
  private readonly predicates: { predicate: (key: K, value: V) => boolean; child: string }[] = [];
  private readonly result = new Map<string, KStream<K, V>>();
  private defaultChild: string | null = null;

  constructor(stream: KStream<K, V>, name: string) {
    this.stream = stream;
    this.name = name;
    const branches = this.predicates;
    const self = this;
    stream.builder.addProcessor(name, () => {
      let ctx: ProcessorContext<unknown, unknown>;
      return {
        init(c) {
          ctx = c;
        },
        process(r) {
          for (const b of branches) {
            if (b.predicate(r.key as K, r.value as V)) {
              ctx.forward(r, b.child);
              return;
            }
          }
          if (self.defaultChild !== null) ctx.forward(r, self.defaultChild);
        },
      } satisfies Processor<unknown, unknown, unknown, unknown>;
    }, [stream.node]);
  }

  private add(branched: Branched<K, V> | undefined, index: number): string {
    const suffix = branched?.name ?? String(index);
    const child = `${this.name}${suffix}`;
    this.stream.builder.addProcessor(
      child,
      passThrough<unknown, unknown>((c, _k, _v, r) => c.forward(r)),
      [this.name],
    );
    const branch = new KStream<K, V>(
      this.stream.builder,
      child,
      this.stream.keySerde,
      this.stream.valueSerde,
      this.stream.repartitionRequired,
    );
    if (branched?.withConsumer) branched.withConsumer(branch);
    else {
      const out = branched?.withFunction ? branched.withFunction(branch) : branch;
      if (out !== undefined) this.result.set(child, out);
    }
    return child;
  }

  branch(predicate: (key: K, value: V) => boolean, branched?: Branched<K, V>): this {
    const index = this.predicates.length + 1;
    this.predicates.push({ predicate, child: this.add(branched, index) });
    return this;
  }

  defaultBranch(branched?: Branched<K, V>): Map<string, KStream<K, V>> {
    this.defaultChild = this.add(branched, 0);
    return this.result;
  }

  noDefaultBranch(): Map<string, KStream<K, V>> {
    return this.result;
  }
}
