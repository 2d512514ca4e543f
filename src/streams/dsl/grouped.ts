/**
 * Grouped streams and their aggregations: `KGroupedStream` (count, reduce, aggregate, windowedBy),
 * `TimeWindowedKStream` (tumbling, hopping and sliding windows) and `SessionWindowedKStream`.
 * A grouped stream whose key changed is repartitioned first, through
 * `<application.id>-<name>-repartition` where name is the Grouped name, else the store name.
 * Window stores keep windows for max(retention, window size + grace).
 */
import type { ProcessorSupplier } from '../processor/api.ts';
import { type Serde, Serdes } from '../serdes.ts';
import { valueAndTimestampSerde } from '../state/key-value-store.ts';
import { Stores } from '../state/stores.ts';
import { type SessionWindows, SlidingWindows, type TimeWindows, type Windowed } from '../windows/windows.ts';
import {
  type Aggregator,
  type Initializer,
  type Merger,
  sessionAggregate,
  slidingAggregate,
  streamAggregate,
  windowAggregate,
  windowedKeyDecoder,
} from './aggregate-processors.ts';
import { applyMaterialized } from './internal-builder.ts';
import type { KStream } from './kstream.ts';
import { KTable, type WindowInfo, windowedKeySerde } from './ktable.ts';
import type { Materialized } from './options.ts';
import { storeGetter } from './table-processors.ts';

type AnySupplier = ProcessorSupplier<unknown, unknown, unknown, unknown>;

export class KGroupedStream<K, V> {
  /** @internal */ readonly stream: KStream<K, V>;
  /** @internal */ readonly keySerde: Serde<K> | undefined;
  /** @internal */ readonly valueSerde: Serde<V> | undefined;
  /** @internal */ readonly name: string | undefined;
  /** @internal */ readonly repartitionRequired: boolean;

  constructor(
    stream: KStream<K, V>,
    keySerde: Serde<K> | undefined,
    valueSerde: Serde<V> | undefined,
    name: string | undefined,
    repartitionRequired: boolean,
  ) {
    this.stream = stream;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
    this.name = name;
    this.repartitionRequired = repartitionRequired;
  }

  /** @internal the node aggregations hang off (after a repartition if needed). */
  source(storeName: string): string {
    if (!this.repartitionRequired) return this.stream.node;
    return this.stream.builder.repartition(
      this.stream.node,
      this.name ?? storeName,
      this.keySerde as Serde<unknown> | undefined,
      this.valueSerde as Serde<unknown> | undefined,
    );
  }

  private build<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    m: Materialized<K, VA> | undefined,
    aggSerde: Serde<VA> | undefined,
  ): KTable<K, VA> {
    const b = this.stream.builder;
    const storeName = m?.name ?? b.newStoreName(prefix);
    const source = this.source(storeName);
    const name = b.newName(prefix);
    b.addProcessor(name, streamAggregate(storeName, initializer, aggregator) as AnySupplier, [source]);
    const keySerde = m?.keySerde ?? this.keySerde;
    const valueSerde = m?.valueSerde ?? aggSerde;
    b.addStore(b.kvStore(m, storeName, keySerde, valueSerde), name);
    return new KTable<K, VA>(b, name, keySerde, valueSerde, storeName, storeGetter(storeName));
  }

  count(materialized?: Materialized<K, number>): KTable<K, number> {
    return this.build<number>(
      'KSTREAM-AGGREGATE-',
      () => 0,
      (_k, _v, n) => n + 1,
      materialized,
      Serdes.Long(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<K, V> {
    return this.build<V>(
      'KSTREAM-REDUCE-',
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)),
      materialized,
      this.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<K, VA> {
    return this.build('KSTREAM-AGGREGATE-', initializer, aggregator, materialized, materialized?.valueSerde);
  }

  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if ('inactivityGapMs' in windows) return new SessionWindowedKStream(this, windows);
    return new TimeWindowedKStream(this, windows);
  }
}

export class TimeWindowedKStream<K, V> {
  private readonly grouped: KGroupedStream<K, V>;
  private readonly windows: TimeWindows | SlidingWindows;

  constructor(grouped: KGroupedStream<K, V>, windows: TimeWindows | SlidingWindows) {
    this.grouped = grouped;
    this.windows = windows;
  }

  private build<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    m: Materialized<K, VA> | undefined,
    aggSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const b = this.grouped.stream.builder;
    const storeName = m?.name ?? b.newStoreName(prefix);
    const source = this.grouped.source(storeName);
    const name = b.newName(prefix);
    const keySerde = m?.keySerde ?? this.grouped.keySerde;
    const valueSerde = m?.valueSerde ?? aggSerde;
    const sliding = this.windows instanceof SlidingWindows;
    const w = this.windows;
    const size = sliding ? (w as SlidingWindows).timeDifferenceMs : (w as TimeWindows).sizeMs;
    const grace = w.gracePeriodMs();
    const retention = Math.max(m?.retentionMs ?? 0, size + grace + (sliding ? size : 0));
    const persistent = m?.storeType !== 'in_memory';
    const supplier = persistent
      ? Stores.persistentWindowStore(storeName, retention, size, false)
      : Stores.inMemoryWindowStore(storeName, retention, size, false);
    const store = applyMaterialized(
      Stores.windowStoreBuilder(supplier, keySerde, valueAndTimestampSerde(valueSerde)),
      m as Materialized<unknown, unknown>,
    );
    if (sliding) {
      const recordsStore = `${storeName}-records`;
      b.addProcessor(
        name,
        slidingAggregate(
          storeName,
          recordsStore,
          w as SlidingWindows,
          initializer,
          aggregator,
        ) as AnySupplier,
        [source],
      );
      b.addStore(store.withCachingDisabled(), name);
      const rs = persistent
        ? Stores.persistentWindowStore(recordsStore, retention, size, true)
        : Stores.inMemoryWindowStore(recordsStore, retention, size, true);
      b.addStore(Stores.windowStoreBuilder(rs, keySerde, this.grouped.valueSerde), name);
    } else {
      b.addProcessor(
        name,
        windowAggregate(storeName, w as TimeWindows, initializer, aggregator) as AnySupplier,
        [source],
      );
      b.addStore(store, name);
    }
    const info: WindowInfo = { kind: sliding ? 'sliding' : 'time', closeAfterMs: grace, sizeMs: size };
    const getter = {
      storeNames: [storeName],
      init() {
        return {
          get: () => {
            throw new TypeError('a windowed table cannot be joined');
          },
        };
      },
    };
    return new KTable<Windowed<K>, VA>(
      b,
      name,
      windowedKeySerde(keySerde, info),
      valueSerde,
      storeName,
      getter,
      info,
    );
  }

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.build<number>(
      'KSTREAM-AGGREGATE-',
      () => 0,
      (_k, _v, n) => n + 1,
      materialized,
      Serdes.Long(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    return this.build<V>(
      'KSTREAM-REDUCE-',
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)),
      materialized,
      this.grouped.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    return this.build('KSTREAM-AGGREGATE-', initializer, aggregator, materialized, materialized?.valueSerde);
  }
}

export class SessionWindowedKStream<K, V> {
  private readonly grouped: KGroupedStream<K, V>;
  private readonly windows: SessionWindows;

  constructor(grouped: KGroupedStream<K, V>, windows: SessionWindows) {
    this.grouped = grouped;
    this.windows = windows;
  }

  private build<VA>(
    prefix: string,
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    m: Materialized<K, VA> | undefined,
    aggSerde: Serde<VA> | undefined,
  ): KTable<Windowed<K>, VA> {
    const b = this.grouped.stream.builder;
    const storeName = m?.name ?? b.newStoreName(prefix);
    const source = this.grouped.source(storeName);
    const name = b.newName(prefix);
    const keySerde = m?.keySerde ?? this.grouped.keySerde;
    const valueSerde = m?.valueSerde ?? aggSerde;
    const retention = Math.max(m?.retentionMs ?? 0, this.windows.inactivityGapMs + this.windows.graceMs);
    const persistent = m?.storeType !== 'in_memory';
    const supplier = persistent
      ? Stores.persistentSessionStore(storeName, retention)
      : Stores.inMemorySessionStore(storeName, retention);
    let store = Stores.sessionStoreBuilder(supplier, keySerde, valueSerde);
    if (m?.loggingEnabled === false) store = store.withLoggingDisabled() as typeof store;
    b.addProcessor(
      name,
      sessionAggregate(storeName, this.windows, initializer, aggregator, merger) as AnySupplier,
      [source],
    );
    b.addStore(store, name);
    const info: WindowInfo = {
      kind: 'session',
      closeAfterMs: this.windows.graceMs + this.windows.inactivityGapMs,
      sizeMs: 0,
    };
    const getter = {
      storeNames: [storeName],
      init() {
        return {
          get: () => {
            throw new TypeError('a windowed table cannot be joined');
          },
        };
      },
    };
    return new KTable<Windowed<K>, VA>(
      b,
      name,
      windowedKeySerde(keySerde, info),
      valueSerde,
      storeName,
      getter,
      info,
    );
  }

  count(materialized?: Materialized<K, number>): KTable<Windowed<K>, number> {
    return this.build<number>(
      'KSTREAM-AGGREGATE-',
      () => 0,
      (_k, _v, n) => n + 1,
      (_k, a, b) => a + b,
      materialized,
      Serdes.Long(),
    );
  }

  reduce(reducer: (aggregate: V, value: V) => V, materialized?: Materialized<K, V>): KTable<Windowed<K>, V> {
    return this.build<V>(
      'KSTREAM-REDUCE-',
      () => undefined as V,
      (_k, v, agg) => (agg === undefined ? v : reducer(agg, v)),
      (_k, a, b) => (a === undefined ? b : b === undefined ? a : reducer(a, b)),
      materialized,
      this.grouped.valueSerde,
    );
  }

  aggregate<VA>(
    initializer: Initializer<VA>,
    aggregator: Aggregator<K, V, VA>,
    merger: Merger<K, VA>,
    materialized?: Materialized<K, VA>,
  ): KTable<Windowed<K>, VA> {
    return this.build(
      'KSTREAM-AGGREGATE-',
      initializer,
      aggregator,
      merger,
      materialized,
      materialized?.valueSerde,
    );
  }
}

export { windowedKeyDecoder };
