/**
 * Session stores (Kafka's `SessionStore`): one value per key and session [start, end], segmented by
 * session end for retention. Store key: [segment 8B][key length 4B][key][end 8B][start 8B];
 * changelog key: Kafka's [key][end 8B][start 8B].
 */

import type { StateStoreContext } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import type { Windowed } from '../windows/windows.ts';
import type { KeyValue } from './key-value-store.ts';
import { type PendingEntry, resolveSerde, StoreBase, type StoreOptions } from './store-base.ts';

export interface SessionStoreOptions extends StoreOptions {
  retentionMs: number;
}

export interface ReadOnlySessionStore<K, V> {
  /** Sessions of `key` ending at or after earliestSessionEnd and starting at or before latestSessionStart. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[];
  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | null;
  /** Every session of `key`. */
  fetch(key: K): KeyValue<Windowed<K>, V>[];
}

export interface SessionStore<K, V> extends ReadOnlySessionStore<K, V> {
  readonly name: string;
  put(session: Windowed<K>, value: V | null): void;
  remove(session: Windowed<K>): void;
}

const MIN_SEGMENT_INTERVAL = 60_000;

export class SessionStoreImpl<K, V> extends StoreBase implements SessionStore<K, V> {
  readonly retentionMs: number;
  private readonly segmentInterval: number;
  private keySerde: Serde<K> | undefined;
  private valueSerde: Serde<V> | undefined;
  private observedStreamTime = Number.NEGATIVE_INFINITY;
  private lowestLiveSegment = 0;
  private highestSegment = 0;

  constructor(name: string, options: SessionStoreOptions, keySerde?: Serde<K>, valueSerde?: Serde<V>) {
    super(name, options);
    this.retentionMs = options.retentionMs;
    this.segmentInterval = Math.max(Math.floor(options.retentionMs / 2), MIN_SEGMENT_INTERVAL);
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

  private storeKey(seg: number, key: Buffer, end: number, start: number): Buffer {
    const out = Buffer.allocUnsafe(12 + key.length + 16);
    out.writeBigInt64BE(BigInt(seg), 0);
    out.writeUInt32BE(key.length, 8);
    key.copy(out, 12);
    out.writeBigInt64BE(BigInt(end), 12 + key.length);
    out.writeBigInt64BE(BigInt(start), 20 + key.length);
    return out;
  }

  protected storeKeyOf(changelogKey: Buffer): Buffer | null {
    const keyLen = changelogKey.length - 16;
    if (keyLen < 0) return null;
    const end = Number(changelogKey.readBigInt64BE(keyLen));
    const start = Number(changelogKey.readBigInt64BE(keyLen + 8));
    this.observe(end);
    return this.storeKey(this.segmentOf(end), changelogKey.subarray(0, keyLen), end, start);
  }

  private observe(ts: number): void {
    if (ts <= this.observedStreamTime) return;
    this.observedStreamTime = ts;
    this.highestSegment = Math.max(this.highestSegment, this.segmentOf(ts));
    const minLive = this.segmentOf(ts - this.retentionMs + 1);
    if (minLive > this.lowestLiveSegment && this.bytes !== null) {
      const from = Buffer.alloc(8);
      const to = Buffer.alloc(8);
      from.writeBigInt64BE(BigInt(this.lowestLiveSegment));
      to.writeBigInt64BE(BigInt(minLive));
      this.syncPending();
      this.bytes.deleteRange(from, to);
      this.lowestLiveSegment = minLive;
    }
  }

  protected override expiredEntry(entry: PendingEntry): boolean {
    return entry.storeKey.readBigInt64BE(0) < BigInt(this.lowestLiveSegment);
  }

  put(session: Windowed<K>, value: V | null): void {
    const { start, end } = session.window;
    this.observe(end);
    if (end <= this.observedStreamTime - this.retentionMs) return;
    const k = this.serKey(session.key);
    const changelogKey = Buffer.allocUnsafe(k.length + 16);
    k.copy(changelogKey, 0);
    changelogKey.writeBigInt64BE(BigInt(end), k.length);
    changelogKey.writeBigInt64BE(BigInt(start), k.length + 8);
    this.putRaw({
      storeKey: this.storeKey(this.segmentOf(end), k, end, start),
      changelogKey,
      value: value === null ? null : this.valueSerde!.serializer().serialize(this.name, value),
      timestamp: end,
      headers: null,
    });
  }

  remove(session: Windowed<K>): void {
    this.put(session, null);
  }

  deserializeValue(bytes: Buffer | null): V | null {
    return bytes === null ? null : (this.valueSerde!.deserializer().deserialize(this.name, bytes) as V);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValue<Windowed<K>, V>[] {
    this.syncPending();
    const k = this.serKey(key);
    const out: KeyValue<Windowed<K>, V>[] = [];
    const fromEnd = Math.max(0, earliestSessionEnd);
    for (
      let seg = Math.max(this.segmentOf(fromEnd), this.lowestLiveSegment);
      seg <= this.highestSegment;
      seg++
    ) {
      const lo = this.storeKey(seg, k, fromEnd, 0);
      const hi = this.storeKey(seg, k, Number.MAX_SAFE_INTEGER, 0);
      for (const [sk, v] of this.store().range(lo, hi)) {
        const end = Number(sk.readBigInt64BE(12 + k.length));
        const start = Number(sk.readBigInt64BE(20 + k.length));
        if (start > latestSessionStart) continue;
        const value = this.deserializeValue(v);
        if (value !== null) out.push({ key: { key, window: { start, end } }, value });
      }
    }
    return out.sort((a, b) => a.key.window.start - b.key.window.start);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): V | null {
    const raw = this.getRaw(
      this.storeKey(this.segmentOf(sessionEnd), this.serKey(key), sessionEnd, sessionStart),
    );
    return this.deserializeValue(raw);
  }

  fetch(key: K): KeyValue<Windowed<K>, V>[] {
    return this.findSessions(key, 0, Number.MAX_SAFE_INTEGER);
  }
}
