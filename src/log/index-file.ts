/**
 * Fixed-size big-endian entries kept in memory in their on-disk format and written to their file
 * lazily (`persist`), so appends cost no syscall. The on-disk copy is only ever a prefix of the
 * in-memory one, which is all recovery needs: indexes are hints, the log is re-scanned from the last
 * persisted entry. Shared storage for OffsetIndex and TimeIndex.
 */
import fs from 'node:fs';

export class IndexFile {
  readonly path: string;
  readonly entrySize: number;
  readonly maxEntries: number;
  protected buf: Buffer;
  protected count = 0;
  /** Entries (a prefix of ours) that the file holds. */
  private onDisk = 0;
  /** Bytes the file holds (can exceed onDisk * entrySize after a truncation or a torn tail). */
  private fileBytes = 0;

  constructor(path: string, entrySize: number, maxEntries: number, initial?: Buffer) {
    this.path = path;
    this.entrySize = entrySize;
    this.maxEntries = Math.max(1, maxEntries);
    const loaded = initial ? Math.floor(initial.length / entrySize) : 0;
    const cap = Math.min(this.maxEntries, Math.max(64, loaded));
    this.buf = Buffer.alloc(cap * entrySize);
    if (initial) {
      const n = Math.min(this.maxEntries, loaded);
      initial.copy(this.buf, 0, 0, n * entrySize);
      this.count = n;
      this.onDisk = n;
      this.fileBytes = initial.length;
    }
  }

  get entries(): number {
    return this.count;
  }

  get isFull(): boolean {
    return this.count >= this.maxEntries;
  }

  /** Space for one more entry; false when the index is full. */
  protected reserve(): boolean {
    if (this.count >= this.maxEntries) return false;
    const need = (this.count + 1) * this.entrySize;
    if (need > this.buf.length) {
      const cap = Math.min(this.maxEntries, Math.max(64, (this.buf.length / this.entrySize) * 2));
      const next = Buffer.alloc(cap * this.entrySize);
      this.buf.copy(next, 0, 0, this.count * this.entrySize);
      this.buf = next;
    }
    return true;
  }

  /** Keeps the first `n` entries. */
  truncateEntries(n: number): void {
    if (n >= this.count) return;
    this.count = Math.max(0, n);
    if (this.onDisk > this.count) this.onDisk = this.count;
  }

  /** Entries not yet in the file. */
  get pendingEntries(): number {
    return this.count - this.onDisk;
  }

  /** Brings the file in line with memory: drops a stale tail, writes new entries (one write). */
  persist(): void {
    const want = this.count * this.entrySize;
    if (this.onDisk === this.count && this.fileBytes === want) return;
    const fd = fs.openSync(this.path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    try {
      if (this.fileBytes > want) fs.ftruncateSync(fd, want);
      let at = this.onDisk * this.entrySize;
      while (at < want) at += fs.writeSync(fd, this.buf, at, want - at, at);
      this.onDisk = this.count;
      this.fileBytes = want;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Marks everything as needing a rewrite (after rebuilding from the log). */
  protected forgetDisk(): void {
    this.onDisk = 0;
  }
}
