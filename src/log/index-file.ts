/**
 * Fixed-size big-endian entries kept in memory in their on-disk format and written to their file
 * lazily (`persist`), so appends cost no syscall. While a segment is active its file is only ever a
 * prefix of the in-memory index, which is all recovery needs: the active segment is re-scanned from
 * the last persisted entry. A sealed segment's index is written whole to `<file>.tmp` and renamed
 * over the file (`persistWhole`), so it is complete or, if that fails (a full disk), absent and
 * rebuilt from the log on the next start: never empty or cut short. Shared storage for OffsetIndex
 * and TimeIndex.
 */
import fs from 'node:fs';
import { TMP_SUFFIX } from './atomic-file.ts';

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

  /** Whether the file (if any) holds exactly the entries in memory. */
  get upToDate(): boolean {
    return this.onDisk === this.count && this.fileBytes === this.count * this.entrySize;
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
    } catch (err) {
      fs.closeSync(fd);
      if (this.onDisk === 0) {
        // Nothing valid in the file (it may just have been created): no empty index is left behind.
        fs.rmSync(this.path, { force: true });
        this.fileBytes = 0;
      } else {
        // Part of the write may have landed: cut the file back to `want` first next time.
        this.fileBytes = Number.MAX_SAFE_INTEGER;
      }
      throw err;
    }
    fs.closeSync(fd);
  }

  /** Writes every entry to `<file>.tmp` and renames it over the file; on failure the file is untouched. */
  persistWhole(): void {
    const want = this.count * this.entrySize;
    const tmp = this.path + TMP_SUFFIX;
    try {
      fs.writeFileSync(tmp, this.buf.subarray(0, want), { mode: 0o644 });
      fs.renameSync(tmp, this.path);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
    this.onDisk = this.count;
    this.fileBytes = want;
  }

  /** Removes the file (it could not be brought up to date); the next persist starts a new one. */
  removeFile(): void {
    fs.rmSync(this.path, { force: true });
    this.onDisk = 0;
    this.fileBytes = 0;
  }

  /** Marks everything as needing a rewrite (after rebuilding from the log). */
  protected forgetDisk(): void {
    this.onDisk = 0;
  }
}
