/**
 * What every built-in store shares: opening its byte store (lmdb under the task's state directory
 * when persistent, memory otherwise), a write cache of pending changes keyed by store key, and the
 * flush that writes them to the byte store, appends them to the changelog and — for DSL stores with
 * caching — hands them to a flush listener that forwards them downstream (Kafka's cache flush
 * listener). Without caching, pending changes are still flushed once per commit (the changelog
 * gets the last value per key per commit, which is what a compacted topic keeps anyway).
 */
import { join } from 'node:path';
import { InvalidStateStoreException } from '../errors.ts';
import type { ChangelogRecord, Headers, StateStore, StateStoreContext } from '../processor/api.ts';
import type { Serde } from '../serdes.ts';
import { type BytesStore, LmdbBytesStore, MemoryBytesStore } from './bytes-store.ts';

/** A serde that needs the application's default serdes (windowed keys, timestamped values). */
export function resolveSerde<T>(
  serde: Serde<T> | undefined,
  fallback: Serde<unknown>,
  keyDefault: Serde<unknown>,
  valueDefault: Serde<unknown>,
): Serde<T> {
  if (serde === undefined) return fallback as Serde<T>;
  const d = serde as Serde<T> & { withDefaults?: (k: Serde<unknown>, v: Serde<unknown>) => Serde<T> };
  return typeof d.withDefaults === 'function' ? d.withDefaults(keyDefault, valueDefault) : serde;
}

export interface PendingEntry {
  /** Key in the byte store's layout. */
  storeKey: Buffer;
  /** Key as written to the changelog. */
  changelogKey: Buffer;
  value: Buffer | null;
  timestamp: number;
  headers: Headers | null;
}

/** Called at flush for each pending entry of a caching store: new value and the value it replaced. */
export type FlushListener = (entry: PendingEntry, oldValue: Buffer | null) => void;

export interface StoreOptions {
  persistent: boolean;
  logging: boolean;
  caching: boolean;
}

export abstract class StoreBase implements StateStore {
  readonly name: string;
  readonly persistent: boolean;
  protected readonly logging: boolean;
  protected caching: boolean;
  protected bytes: BytesStore | null = null;
  protected context: StateStoreContext | null = null;
  protected readonly pending = new Map<string, PendingEntry>();
  private pendingBytes = 0;
  private flushListener: FlushListener | null = null;

  constructor(name: string, options: StoreOptions) {
    this.name = name;
    this.persistent = options.persistent;
    this.logging = options.logging;
    this.caching = options.caching;
  }

  init(context: StateStoreContext): void {
    this.context = context;
    this.bytes =
      this.persistent && context.stateDir !== null
        ? new LmdbBytesStore(join(context.stateDir, this.name))
        : new MemoryBytesStore();
    this.onInit(context);
  }

  /** Subclasses pick their serdes here. */
  protected onInit(_context: StateStoreContext): void {}

  isOpen(): boolean {
    return this.bytes !== null;
  }

  protected store(): BytesStore {
    if (this.bytes === null) throw new InvalidStateStoreException(`store ${this.name} is not open`);
    return this.bytes;
  }

  /** True when a flush listener forwards changes (the DSL then must not forward itself). */
  setFlushListener(listener: FlushListener): boolean {
    if (!this.caching || (this.context?.cacheMaxBytes ?? 0) <= 0) return false;
    this.flushListener = listener;
    return true;
  }

  /**
   * Set by stores whose store keys are freshly built and never mutated (window stores): the pending
   * map's string key of the last store key is then reused (an aggregation's read and write of one
   * record use the same key). Not for user-serialized keys, which a serde could reuse and change.
   */
  protected sharedStoreKeys = false;
  private lastStoreKey: Buffer | null = null;
  private lastStoreKeyString = '';

  private pendingKey(storeKey: Buffer): string {
    if (storeKey === this.lastStoreKey) return this.lastStoreKeyString;
    const k = storeKey.toString('latin1');
    if (this.sharedStoreKeys) {
      this.lastStoreKey = storeKey;
      this.lastStoreKeyString = k;
    }
    return k;
  }

  protected readPending(storeKey: Buffer): PendingEntry | undefined {
    return this.pending.size === 0 ? undefined : this.pending.get(this.pendingKey(storeKey));
  }

  /** Reads through the pending changes. */
  protected getRaw(storeKey: Buffer): Buffer | null {
    const p = this.readPending(storeKey);
    if (p !== undefined) return p.value;
    return this.store().get(storeKey) ?? null;
  }

  protected putRaw(entry: PendingEntry): void {
    const k = this.pendingKey(entry.storeKey);
    const previous = this.pending.get(k);
    if (previous !== undefined) this.pendingBytes -= previous.storeKey.length + (previous.value?.length ?? 0);
    this.pending.set(k, entry);
    this.pendingBytes += entry.storeKey.length + (entry.value?.length ?? 0);
    const limit = this.context?.cacheMaxBytes ?? 0;
    if (
      this.flushListener === null ? this.pendingBytes > Math.max(limit, 1 << 20) : this.pendingBytes > limit
    )
      this.flush();
  }

  /** Writes pending changes to the byte store (they stay pending for the changelog and listener). */
  protected syncPending(): void {
    if (this.pending.size === 0) return;
    this.store().write(
      [...this.pending.values()].map((e) => [e.storeKey, e.value] as [Buffer, Buffer | null]),
    );
  }

  flush(): void {
    if (this.pending.size === 0 || this.bytes === null) return;
    const entries = [...this.pending.values()];
    this.pending.clear();
    this.pendingBytes = 0;
    const listener = this.flushListener;
    const olds = listener === null ? null : entries.map((e) => this.bytes!.get(e.storeKey) ?? null);
    // entries that expired while cached are still logged and forwarded, but not kept
    this.bytes.write(
      entries
        .filter((e) => !this.expiredEntry(e))
        .map((e) => [e.storeKey, e.value] as [Buffer, Buffer | null]),
    );
    if (this.logging && this.context !== null) {
      for (const e of entries)
        this.context.logChange(this.name, { key: e.changelogKey, value: e.value, timestamp: e.timestamp });
    }
    if (listener !== null) for (let i = 0; i < entries.length; i++) listener(entries[i]!, olds![i]!);
  }

  /** Window and session stores: true for a pending entry whose segment fell out of retention. */
  protected expiredEntry(_entry: PendingEntry): boolean {
    return false;
  }

  /** Maps a changelog key to this store's byte layout (identity for key-value stores). */
  protected abstract storeKeyOf(changelogKey: Buffer): Buffer | null;

  restoreBatch(records: readonly ChangelogRecord[]): void {
    const entries: [Buffer, Buffer | null][] = [];
    for (const r of records) {
      const k = this.storeKeyOf(r.key);
      if (k !== null) entries.push([k, r.value]);
    }
    this.store().write(entries);
  }

  /**
   * Restore without a record list: `fill` puts changelog keys and values (null = delete), all
   * written in one batch of the byte store (the runtime walks fetched bytes straight into it).
   */
  restoreWith(fill: (put: (changelogKey: Buffer, value: Buffer | null) => void) => void): void {
    this.store().writeWith((put) =>
      fill((changelogKey, value) => {
        const k = this.storeKeyOf(changelogKey);
        if (k !== null) put(k, value);
      }),
    );
  }

  close(): void {
    this.bytes?.close();
    this.bytes = null;
    this.pending.clear();
  }
}
