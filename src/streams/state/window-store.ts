/**
 * Window stores (Kafka's `WindowStore`): values per key and window start, kept in time segments so
 * whole segments past retention are dropped. Byte layout of a store key:
 * [segment 8B][key length 4B][key][window start 8B][sequence 4B]; the changelog key is Kafka's
 * [key][window start 8B][sequence 4B]. `retainDuplicates` (stream-stream join buffers) gives every
 * put its own sequence number so equal key and time keep all values.
 */

import type { StateStoreContext } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import type { Windowed } from '../windows/windows.ts';
import { readInt64, writeInt64 } from './int64.ts';
import type { KeyValue } from './key-value-store.ts';
import { type PendingEntry, resolveSerde, StoreBase, type StoreOptions } from './store-base.ts';

export interface WindowStoreOptions extends StoreOptions {
  retentionMs: number;
  windowSizeMs: number;
  retainDuplicates: boolean;
}

export interface TimestampedValue<V> {
  timestamp: number;
  value: V;
}

export interface ReadOnlyWindowStore<K, V> {
  /** The value of the window of `key` starting at `windowStart`. */
  fetch(key: K, windowStart: number): V | null;
  /** Windows of `key` starting between timeFrom and timeTo (inclusive), oldest first. */
  fetchRange(key: K, timeFrom: number, timeTo: number): TimestampedValue<V>[];
  /** Windows of every key starting between timeFrom and timeTo (inclusive). */
  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[];
  all(): KeyValue<Windowed<K>, V>[];
}

export interface WindowStore<K, V> extends ReadOnlyWindowStore<K, V> {
  readonly name: string;
  put(key: K, value: V | null, windowStart: number): void;
}

const MIN_SEGMENT_INTERVAL = 60_000;

export class WindowStoreImpl<K, V> extends StoreBase implements WindowStore<K, V> {
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  private readonly segmentInterval: number;
  private keySerde: Serde<K> | undefined;
  private valueSerde: Serde<V> | undefined;
  private observedStreamTime = Number.NEGATIVE_INFINITY;
  private lowestLiveSegment = 0;
  private seq = 0;
  /** The last primitive key and window looked up: an aggregation's fetch and put of one record share their bytes. */
  private lastKey: unknown;
  private lastKeyBytes: Buffer | null = null;
  private lastStart = 0;
  private lastWindowKey: Buffer | null = null;

  constructor(name: string, options: WindowStoreOptions, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    super(name, options);
    this.retentionMs = options.retentionMs;
    this.windowSizeMs = options.windowSizeMs;
    this.retainDuplicates = options.retainDuplicates;
    this.segmentInterval = Math.max(Math.floor(options.retentionMs / 2), MIN_SEGMENT_INTERVAL);
    this.sharedStoreKeys = true;
    this.keySerde = keySerde;
    this.valueSerde = valueSerde;
  }

  protected override onInit(context: StateStoreContext): void {
    const { defaultKeySerde: dk, defaultValueSerde: dv } = context;
    this.keySerde = resolveSerde(this.keySerde, dk, dk, dv) as Serde<K>;
    this.valueSerde = resolveSerde(this.valueSerde, dv, dk, dv) as Serde<V>;
  }

  private segmentOf(ts: number): number {
    return Math.floor(Math.max(0, ts) / this.segmentInterval);
  }

  private serKey(key: K): Buffer {
    const b = this.keySerde!.serializer().serialize(this.name, key);
    if (b === null) throw new TypeError(`store ${this.name}: null keys are not allowed`);
    return b;
  }

  private keyBytes(key: K): Buffer {
    if (this.lastKeyBytes !== null && key === this.lastKey && (typeof key !== 'object' || key === null))
      return this.lastKeyBytes;
    const b = this.serKey(key);
    this.lastKey = key;
    this.lastKeyBytes = b;
    this.lastWindowKey = null;
    return b;
  }

  /** Store key of a window without duplicates (seq 0); store keys are never mutated, so they can be shared. */
  private windowStoreKey(key: K, windowStart: number): Buffer {
    const k = this.keyBytes(key);
    if (this.lastWindowKey !== null && this.lastStart === windowStart) return this.lastWindowKey;
    const sk = this.storeKey(this.segmentOf(windowStart), k, windowStart, 0);
    this.lastStart = windowStart;
    this.lastWindowKey = sk;
    return sk;
  }

  private storeKey(seg: number, key: Buffer, start: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(8 + 4 + key.length + 12);
    writeInt64(out, seg, 0);
    out.writeUInt32BE(key.length, 8);
    key.copy(out, 12);
    writeInt64(out, start, 12 + key.length);
    out.writeUInt32BE(seq >>> 0, 20 + key.length);
    return out;
  }

  private parseStoreKey(k: Buffer): { key: Buffer; start: number } {
    const len = k.readUInt32BE(8);
    return { key: k.subarray(12, 12 + len), start: readInt64(k, 12 + len) };
  }

  protected storeKeyOf(changelogKey: Buffer): Buffer | null {
    const keyLen = changelogKey.length - 12;
    if (keyLen < 0) return null;
    const start = readInt64(changelogKey, keyLen);
    const seq = changelogKey.readUInt32BE(keyLen + 8);
    this.observe(start);
    return this.storeKey(this.segmentOf(start), changelogKey.subarray(0, keyLen), start, seq);
  }

  private changelogKey(key: Buffer, start: number, seq: number): Buffer {
    const out = Buffer.allocUnsafe(key.length + 12);
    key.copy(out, 0);
    writeInt64(out, start, key.length);
    out.writeUInt32BE(seq >>> 0, key.length + 8);
    return out;
  }

  /** Advances the store's stream time and drops segments that fell out of retention. */
  private observe(ts: number): void {
    if (ts <= this.observedStreamTime) return;
    this.observedStreamTime = ts;
    const minLive = this.segmentOf(ts - this.retentionMs + 1);
    if (minLive > this.lowestLiveSegment && this.bytes !== null) {
      const from = Buffer.alloc(8);
      const to = Buffer.alloc(8);
      writeInt64(from, this.lowestLiveSegment, 0);
      writeInt64(to, minLive, 0);
      // pending entries stay pending: those of dropped segments are filtered out at flush
      this.bytes.deleteRange(from, to);
      this.lowestLiveSegment = minLive;
    }
  }

  protected override expiredEntry(entry: PendingEntry): boolean {
    return readInt64(entry.storeKey, 0) < this.lowestLiveSegment;
  }

  private expired(start: number): boolean {
    return start <= this.observedStreamTime - this.retentionMs;
  }

  put(key: K, value: V | null, windowStart: number): void {
    this.observe(windowStart);
    if (this.expired(windowStart)) return;
    const k = this.keyBytes(key);
    const seq = this.retainDuplicates ? ++this.seq : 0;
    if (this.retainDuplicates && value === null) return;
    this.putRaw({
      storeKey:
        seq === 0
          ? this.windowStoreKey(key, windowStart)
          : this.storeKey(this.segmentOf(windowStart), k, windowStart, seq),
      changelogKey: this.changelogKey(k, windowStart, seq),
      value: value === null ? null : this.valueSerde!.serializer().serialize(this.name, value),
      timestamp: windowStart,
      headers: null,
    });
  }

  deserializeValue(bytes: Buffer | null): V | null {
    return bytes === null ? null : (this.valueSerde!.deserializer().deserialize(this.name, bytes) as V);
  }

  deserializeKey(bytes: Buffer): K {
    return this.keySerde!.deserializer().deserialize(this.name, bytes) as K;
  }

  fetch(key: K, windowStart: number): V | null {
    if (this.expired(windowStart)) return null;
    const raw = this.getRaw(this.windowStoreKey(key, windowStart));
    return this.deserializeValue(raw);
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): TimestampedValue<V>[] {
    this.syncPending();
    const k = this.serKey(key);
    const from = Math.max(timeFrom, this.observedStreamTime - this.retentionMs + 1, 0);
    const out: TimestampedValue<V>[] = [];
    if (timeTo < from) return out;
    for (let seg = this.segmentOf(from); seg <= this.segmentOf(timeTo); seg++) {
      for (const [sk, v] of this.store().range(
        this.storeKey(seg, k, from, 0),
        this.storeKey(seg, k, timeTo + 1, 0),
      )) {
        const value = this.deserializeValue(v);
        if (value !== null) out.push({ timestamp: this.parseStoreKey(sk).start, value });
      }
    }
    return out;
  }

  private scan(from: Buffer | undefined, to: Buffer | undefined, timeFrom: number, timeTo: number) {
    this.syncPending();
    const out: KeyValue<Windowed<K>, V>[] = [];
    for (const [sk, v] of this.store().range(from, to)) {
      const { key, start } = this.parseStoreKey(sk);
      if (start < timeFrom || start > timeTo || this.expired(start)) continue;
      const value = this.deserializeValue(v);
      if (value === null) continue;
      out.push({
        key: { key: this.deserializeKey(key), window: { start, end: start + this.windowSizeMs } },
        value,
      });
    }
    return out.sort((a, b) => a.key.window.start - b.key.window.start);
  }

  fetchAll(timeFrom: number, timeTo: number): KeyValue<Windowed<K>, V>[] {
    const from = Buffer.alloc(8);
    const to = Buffer.alloc(8);
    from.writeBigInt64BE(BigInt(this.segmentOf(timeFrom)));
    to.writeBigInt64BE(BigInt(this.segmentOf(timeTo) + 1));
    return this.scan(from, to, timeFrom, timeTo);
  }

  all(): KeyValue<Windowed<K>, V>[] {
    return this.scan(undefined, undefined, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }
}
