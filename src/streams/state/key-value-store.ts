/**
 * Key-value stores (Kafka's `KeyValueStore` / `ReadOnlyKeyValueStore`): typed through serdes over a
 * byte store, ordered by serialized key, with a changelog. `ValueAndTimestamp` values (what DSL
 * tables keep) are stored as an 8-byte timestamp followed by the value bytes, Kafka's layout.
 */

import type { Headers, StateStoreContext } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import { readInt64, writeInt64 } from './int64.ts';
import { resolveSerde, StoreBase, type StoreOptions } from './store-base.ts';

export interface KeyValue<K, V> {
  key: K;
  value: V;
}

export interface ValueAndTimestamp<V> {
  value: V;
  timestamp: number;
}

export interface ReadOnlyKeyValueStore<K, V> {
  get(key: K): V | null;
  /** Entries with from <= key <= to in serialized key order (null bound = open). */
  range(from: K | null, to: K | null): KeyValue<K, V>[];
  all(): KeyValue<K, V>[];
  /** Entries whose serialized key starts with the serialized prefix. */
  prefixScan(prefix: K): KeyValue<K, V>[];
  approximateNumEntries(): number;
}

export interface KeyValueStore<K, V> extends ReadOnlyKeyValueStore<K, V> {
  readonly name: string;
  put(key: K, value: V | null): void;
  putIfAbsent(key: K, value: V): V | null;
  putAll(entries: KeyValue<K, V>[]): void;
  delete(key: K): V | null;
}

/** Serde of `ValueAndTimestamp<V>`: 8-byte big-endian timestamp, then the value's bytes. */
export function valueAndTimestampSerde<V>(inner: Serde<V> | undefined): Serde<ValueAndTimestamp<V>> {
  if (inner === undefined) {
    return {
      serializer: () => {
        throw new Error('unresolved serde');
      },
      deserializer: () => {
        throw new Error('unresolved serde');
      },
      withDefaults: (_k: Serde<unknown>, v: Serde<unknown>) => valueAndTimestampSerde(v as Serde<V>),
    } as Serde<ValueAndTimestamp<V>>;
  }
  const ser = inner.serializer();
  const de = inner.deserializer();
  return {
    serializer: () => ({
      serialize(topic, data) {
        if (data === null) return null;
        const v = ser.serialize(topic, data.value);
        if (v === null) return null;
        const out = Buffer.allocUnsafe(8 + v.length);
        writeInt64(out, Math.trunc(data.timestamp), 0);
        v.copy(out, 8);
        return out;
      },
    }),
    deserializer: () => ({
      deserialize(topic, data) {
        if (data === null || data.length < 8) return null;
        return {
          timestamp: readInt64(data, 0),
          value: de.deserialize(topic, data.subarray(8)) as V,
        };
      },
    }),
  };
}

/** Exclusive upper bound just above every key that starts with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer | undefined {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

export class KeyValueStoreImpl<K, V> extends StoreBase implements KeyValueStore<K, V> {
  private keySerde: Serde<K> | undefined;
  private valueSerde: Serde<V> | undefined;
  private serKey!: (k: K) => Buffer;
  private serValue!: (v: V | null) => Buffer | null;
  private deKey!: (b: Buffer) => K;
  private deValue!: (b: Buffer | null) => V | null;

  constructor(name: string, options: StoreOptions, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    super(name, options);
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  protected override onInit(context: StateStoreContext): void {
    const { defaultKeySerde: dk, defaultValueSerde: dv } = context;
    const ks = (this.keySerde = resolveSerde(this.keySerde, dk, dk, dv) as Serde<K>);
    const vs = (this.valueSerde = resolveSerde(this.valueSerde, dv, dk, dv) as Serde<V>);
    const topic = this.name;
    const kser = ks.serializer();
    const vser = vs.serializer();
    const kde = ks.deserializer();
    const vde = vs.deserializer();
    this.serKey = (k) => {
      const b = kser.serialize(topic, k);
      if (b === null) throw new TypeError(`store ${this.name}: null keys are not allowed`);
      return b;
    };
    this.serValue = (v) => (v === null || v === undefined ? null : vser.serialize(topic, v));
    this.deKey = (b) => kde.deserialize(topic, b) as K;
    this.deValue = (b) => (b === null ? null : vde.deserialize(topic, b));
  }

  protected storeKeyOf(changelogKey: Buffer): Buffer {
    return changelogKey;
  }

  get(key: K): V | null {
    return this.deValue(this.getRaw(this.serKey(key)));
  }

  /** Raw bytes of a key (used by the DSL's flush listener). */
  deserializeValue(bytes: Buffer | null): V | null {
    return this.deValue(bytes);
  }

  deserializeKey(bytes: Buffer): K {
    return this.deKey(bytes);
  }

  put(key: K, value: V | null, timestamp?: number, headers?: Headers): void {
    const k = this.serKey(key);
    this.putRaw({
      storeKey: k,
      changelogKey: k,
      value: this.serValue(value),
      timestamp: timestamp ?? this.context?.streamTime() ?? 0,
      headers: headers ?? null,
    });
  }

  putIfAbsent(key: K, value: V): V | null {
    const old = this.get(key);
    if (old === null) this.put(key, value);
    return old;
  }

  putAll(entries: KeyValue<K, V>[]): void {
    for (const e of entries) this.put(e.key, e.value);
  }

  delete(key: K): V | null {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  private scan(from: Buffer | undefined, to: Buffer | undefined): KeyValue<K, V>[] {
    this.syncPending();
    const out: KeyValue<K, V>[] = [];
    for (const [k, v] of this.store().range(from, to)) {
      const value = this.deValue(v);
      if (value !== null) out.push({ key: this.deKey(k), value });
    }
    return out;
  }

  range(from: K | null, to: K | null): KeyValue<K, V>[] {
    const end = to === null ? undefined : Buffer.concat([this.serKey(to), Buffer.from([0])]);
    return this.scan(from === null ? undefined : this.serKey(from), end);
  }

  all(): KeyValue<K, V>[] {
    return this.scan(undefined, undefined);
  }

  prefixScan(prefix: K): KeyValue<K, V>[] {
    const p = this.serKey(prefix);
    return this.scan(p, prefixEnd(p));
  }

  approximateNumEntries(): number {
    return this.store().size() + this.pending.size;
  }
}
