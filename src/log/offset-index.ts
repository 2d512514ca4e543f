/**
 * Sparse offset index (`.index`): entries of relative offset int32 + file position int32, one per
 * batch start every `index.interval.bytes`. Offsets and positions strictly increase.
 * `lookup(o)` gives the last indexed batch starting at or before offset `o`.
 */
import { IndexFile } from './index-file.ts';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

export interface IndexPosition {
  offset: number;
  position: number;
}

export class OffsetIndex extends IndexFile {
  readonly baseOffset: number;

  constructor(path: string, baseOffset: number, maxBytes: number, initial?: Buffer) {
    super(path, OFFSET_INDEX_ENTRY_SIZE, Math.floor(maxBytes / OFFSET_INDEX_ENTRY_SIZE), initial);
    this.baseOffset = baseOffset;
  }

  offsetAt(i: number): number {
    return this.baseOffset + this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE);
  }

  positionAt(i: number): number {
    return this.buf.readInt32BE(i * OFFSET_INDEX_ENTRY_SIZE + 4);
  }

  /** Adds an entry for the batch with `offset` at file `position`; false if the index is full. */
  append(offset: number, position: number): boolean {
    if (!this.reserve()) return false;
    const at = this.count * OFFSET_INDEX_ENTRY_SIZE;
    this.buf.writeInt32BE(offset - this.baseOffset, at);
    this.buf.writeInt32BE(position, at + 4);
    this.count++;
    return true;
  }

  /** Index of the last entry with offset <= `offset`, or -1. */
  private floor(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.count - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buf.readInt32BE(mid * OFFSET_INDEX_ENTRY_SIZE) <= rel) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  lookup(offset: number): IndexPosition {
    const i = this.floor(offset);
    if (i < 0) return { offset: this.baseOffset, position: 0 };
    return { offset: this.offsetAt(i), position: this.positionAt(i) };
  }

  last(): IndexPosition | null {
    if (this.count === 0) return null;
    return { offset: this.offsetAt(this.count - 1), position: this.positionAt(this.count - 1) };
  }

  /** Drops entries at or after file position `position`. */
  truncateFromPosition(position: number): void {
    let n = this.count;
    while (n > 0 && this.positionAt(n - 1) >= position) n--;
    this.truncateEntries(n);
  }

  /**
   * Keeps the longest prefix of loaded entries that is strictly increasing with positions below
   * `logSize`; returns how many entries were dropped.
   */
  sanitize(logSize: number): number {
    let prevOff = -1;
    let prevPos = -1;
    let n = 0;
    for (; n < this.count; n++) {
      const rel = this.buf.readInt32BE(n * OFFSET_INDEX_ENTRY_SIZE);
      const pos = this.positionAt(n);
      if (rel <= prevOff || pos <= prevPos || pos >= logSize) break;
      prevOff = rel;
      prevPos = pos;
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
