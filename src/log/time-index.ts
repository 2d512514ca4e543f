/**
 * Sparse time index (`.timeindex`): entries of timestamp int64 + relative offset int32. An entry
 * (t, o) says: every batch starting at or before offset o has maxTimestamp <= t, and o is the batch
 * where t was first reached. Timestamps strictly increase. Entries are added next to offset-index
 * entries when the max timestamp grew, plus a final one when the segment is rolled or closed.
 */
import { IndexFile } from './index-file.ts';
import { readInt64, writeInt64 } from './int64.ts';

export const TIME_INDEX_ENTRY_SIZE = 12;

export interface TimestampOffset {
  timestamp: number;
  offset: number;
}

export class TimeIndex extends IndexFile {
  readonly baseOffset: number;

  constructor(path: string, baseOffset: number, maxBytes: number, initial?: Buffer) {
    super(path, TIME_INDEX_ENTRY_SIZE, Math.floor(maxBytes / TIME_INDEX_ENTRY_SIZE), initial);
    this.baseOffset = baseOffset;
  }

  timestampAt(i: number): number {
    return readInt64(this.buf, i * TIME_INDEX_ENTRY_SIZE);
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readInt32BE(i * TIME_INDEX_ENTRY_SIZE + 8);
  }

  last(): TimestampOffset | null {
    if (this.count === 0) return null;
    return { timestamp: this.timestampAt(this.count - 1), offset: this.offsetAt(this.count - 1) };
  }

  /** Adds (timestamp, offset) if it raises the last timestamp; false if skipped or full. */
  maybeAppend(timestamp: number, offset: number): boolean {
    const last = this.count > 0 ? this.timestampAt(this.count - 1) : -1;
    if (timestamp <= last) return false;
    if (this.count > 0 && offset < this.offsetAt(this.count - 1)) return false;
    if (!this.reserve()) return false;
    const at = this.count * TIME_INDEX_ENTRY_SIZE;
    writeInt64(this.buf, timestamp, at);
    this.buf.writeInt32BE(offset - this.baseOffset, at + 8);
    this.count++;
    return true;
  }

  /** The last entry with timestamp < `timestamp` (all batches up to its offset are too early), or null. */
  lastBefore(timestamp: number): TimestampOffset | null {
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestampAt(mid) < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found < 0 ? null : { timestamp: this.timestampAt(found), offset: this.offsetAt(found) };
  }

  /** Drops entries whose offset is above `offset`. */
  truncateAfterOffset(offset: number): void {
    let n = this.count;
    while (n > 0 && this.offsetAt(n - 1) > offset) n--;
    this.truncateEntries(n);
  }

  /** Keeps the longest prefix with strictly increasing timestamps and non-decreasing offsets. */
  sanitize(maxOffset: number): number {
    let prevTs = Number.NEGATIVE_INFINITY;
    let prevOff = -1;
    let n = 0;
    for (; n < this.count; n++) {
      const ts = this.timestampAt(n);
      const off = this.offsetAt(n);
      if (ts <= prevTs || off < prevOff || off < this.baseOffset || off > maxOffset) break;
      prevTs = ts;
      prevOff = off;
    }
    const dropped = this.count - n;
    this.truncateEntries(n);
    return dropped;
  }

  clear(): void {
    this.truncateEntries(0);
    this.forgetDisk();
  }
}
