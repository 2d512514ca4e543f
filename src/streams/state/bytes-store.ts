/**
 * The ordered byte-key store under every state store: bytewise key order, synchronous reads and
 * batched synchronous writes, range scans with an inclusive start and exclusive end. Two engines:
 * `MemoryBytesStore` (a Map plus a sorted key list kept up to date once a range scan needed it; in-memory stores and the test
 * driver) and `LmdbBytesStore` (lmdb on local disk, chosen over classic-level for its synchronous
 * reads — measurements in docs/benchmarks.md).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';

export type BytesEntry = [key: Buffer, value: Buffer];

export interface BytesStore {
  get(key: Buffer): Buffer | undefined;
  /** Writes in one batch; a null value deletes. */
  write(entries: Iterable<[Buffer, Buffer | null]>): void;
  /** Writes whatever `fill` puts in one batch (one lmdb transaction), without an entry list. */
  writeWith(fill: (put: (key: Buffer, value: Buffer | null) => void) => void): void;
  /** Entries with from <= key < to, in key order (both bounds optional). */
  range(from?: Buffer, to?: Buffer): IterableIterator<BytesEntry>;
  /** Deletes every key with from <= key < to. */
  deleteRange(from: Buffer, to: Buffer): void;
  size(): number;
  close(): void;
}

const latin1 = (b: Buffer) => b.toString('latin1');

export class MemoryBytesStore implements BytesStore {
  private readonly map = new Map<string, Buffer>();
  private sorted: string[] | null = null;

  get(key: Buffer): Buffer | undefined {
    return this.map.get(latin1(key));
  }

  write(entries: Iterable<[Buffer, Buffer | null]>): void {
    for (const [key, value] of entries) {
      const k = latin1(key);
      if (value === null) {
        if (this.map.delete(k) && this.sorted !== null)
          this.sorted.splice(this.lowerBound(this.sorted, k), 1);
      } else {
        if (!this.map.has(k) && this.sorted !== null)
          this.sorted.splice(this.lowerBound(this.sorted, k), 0, k);
        this.map.set(k, value);
      }
    }
  }

  writeWith(fill: (put: (key: Buffer, value: Buffer | null) => void) => void): void {
    const one: [Buffer, Buffer | null][] = [[Buffer.alloc(0), null]];
    fill((key, value) => {
      one[0] = [key, value];
      this.write(one);
    });
  }

  private keys(): string[] {
    if (this.sorted === null) this.sorted = [...this.map.keys()].sort();
    return this.sorted;
  }

  private lowerBound(keys: string[], k: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  *range(from?: Buffer, to?: Buffer): IterableIterator<BytesEntry> {
    const keys = this.keys();
    const end = to === undefined ? undefined : latin1(to);
    for (let i = from === undefined ? 0 : this.lowerBound(keys, latin1(from)); i < keys.length; i++) {
      const k = keys[i]!;
      if (end !== undefined && k >= end) return;
      const v = this.map.get(k);
      if (v !== undefined) yield [Buffer.from(k, 'latin1'), v];
    }
  }

  deleteRange(from: Buffer, to: Buffer): void {
    const doomed = [...this.range(from, to)].map(([k]) => k);
    this.write(doomed.map((k) => [k, null]));
  }

  size(): number {
    return this.map.size;
  }

  close(): void {
    this.map.clear();
    this.sorted = null;
  }
}

export class LmdbBytesStore implements BytesStore {
  private readonly db: RootDatabase<Buffer, Buffer>;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(path, { recursive: true });
    // No fsync: like Kafka Streams (RocksDB without a WAL), durability comes from the changelog
    // and the checkpoint; a process crash keeps what lmdb wrote to its memory map.
    this.db = open<Buffer, Buffer>({
      path: join(path, 'data.mdb'),
      keyEncoding: 'binary',
      encoding: 'binary',
      noSync: true,
    });
  }

  get(key: Buffer): Buffer | undefined {
    return this.db.get(key);
  }

  write(entries: Iterable<[Buffer, Buffer | null]>): void {
    this.db.transactionSync(() => {
      for (const [key, value] of entries) {
        if (value === null) this.db.removeSync(key);
        else this.db.putSync(key, value);
      }
    });
  }

  writeWith(fill: (put: (key: Buffer, value: Buffer | null) => void) => void): void {
    const db = this.db;
    db.transactionSync(() =>
      fill((key, value) => {
        if (value === null) db.removeSync(key);
        else db.putSync(key, value);
      }),
    );
  }

  *range(from?: Buffer, to?: Buffer): IterableIterator<BytesEntry> {
    const options: { start?: Buffer; end?: Buffer } = {};
    if (from !== undefined) options.start = from;
    if (to !== undefined) options.end = to;
    for (const { key, value } of this.db.getRange(options)) yield [key as Buffer, value as Buffer];
  }

  deleteRange(from: Buffer, to: Buffer): void {
    const doomed: Buffer[] = [];
    for (const key of this.db.getKeys({ start: from, end: to })) doomed.push(key as Buffer);
    this.write(doomed.map((k) => [k, null]));
  }

  size(): number {
    return (this.db.getStats() as { entryCount: number }).entryCount;
  }

  close(): void {
    this.db.close();
  }

  /** Removes a store's files (used when a task's state must be rebuilt from scratch). */
  static destroy(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }
}
