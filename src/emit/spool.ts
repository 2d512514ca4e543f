/**
 * The `spill` policy's local spool: an append-only, checksummed log of records (frames from
 * record.ts) in a directory, replayed in order when the broker is back, surviving a restart.
 *
 *   <dir>/<16-digit seq>.spool   segments, appended in order, rolled at `segmentBytes`
 *   <dir>/head.spool             records older than every segment (written only at close, see below)
 *   <dir>/checkpoint             JSON { head, seq, offset }: where delivery has got to (replaced atomically)
 *
 * Appends are buffered in memory and written in the background (one write at a time); `read` hands
 * out whole frames up to what has been written, and `commit` moves the checkpoint once a batch is
 * delivered, deleting segments read to the end. On open, the tail of the last segment is scanned and
 * a torn or corrupt frame (a crash mid-write) is cut off. `close` writes what is still buffered
 * and fsyncs. `prepend` puts records that are older than everything spooled (the in-flight batch
 * and the memory buffer at a shutdown deadline) into head.spool so order holds after a restart.
 *
 * Delivery is at least once: a batch sent but not yet acknowledged when the process dies is sent
 * again after the restart. Not implemented: an upper bound on the spool's size (the disk is the
 * bound), and fsync per append (records written but not yet fsynced survive a process crash, not a
 * machine crash).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeFrames, FRAME_HEADER_BYTES, type QueuedRecord } from './record.ts';

const SEGMENT = /^(\d{16})\.spool$/;
const HEAD = 'head.spool';
const CHECKPOINT = 'checkpoint';

/** A place in the spool: in head.spool (`head` set) or in segment `seq` at `offset`. */
export interface SpoolPosition {
  head: number | null;
  seq: number;
  offset: number;
}

export interface SpoolRead {
  records: QueuedRecord[];
  frames: Buffer[];
  /** The position after these records (pass it to `commit` once they are delivered). */
  end: SpoolPosition;
}

export interface SpoolOptions {
  segmentBytes: number;
  /** Told about torn or corrupt data cut off during recovery. */
  onCorrupt?: (message: string) => void;
  /** Told when appended records could not be written (they are lost). */
  onWriteError?: (err: Error, records: number) => void;
}

interface Segment {
  seq: number;
  /** Bytes on disk (written, not necessarily fsynced). */
  size: number;
}

const name = (seq: number): string => `${String(seq).padStart(16, '0')}.spool`;

export class Spool {
  readonly dir: string;
  readonly #o: SpoolOptions;
  readonly #segments: Segment[] = [];
  #headSize = 0;
  /** Next record to hand out. */
  #cursor: SpoolPosition;
  /** Delivered up to here (persisted). */
  #committed: SpoolPosition;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #writing: Promise<void> | null = null;
  #closed = false;
  /** Bytes on disk not yet committed, plus pending appends. */
  #unreadBytes = 0;

  constructor(dir: string, o: SpoolOptions) {
    this.dir = dir;
    this.#o = o;
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir).sort()) {
      const m = SEGMENT.exec(f);
      if (m) this.#segments.push({ seq: Number(m[1]), size: statSync(join(dir, f)).size });
      else if (f.endsWith('.tmp')) unlinkSync(join(dir, f));
    }
    const headPath = join(dir, HEAD);
    this.#headSize = existsSync(headPath) ? statSync(headPath).size : 0;
    const saved = this.#readCheckpoint();
    this.#committed = saved;
    // Segments before the checkpoint were delivered (a crash between commit and unlink leaves them).
    while (this.#segments.length > 0 && this.#segments[0]!.seq < saved.seq) {
      unlinkSync(join(dir, name(this.#segments.shift()!.seq)));
    }
    if (this.#segments.length === 0) this.#segments.push({ seq: Math.max(saved.seq, 1), size: 0 });
    if (this.#committed.seq < this.#segments[0]!.seq)
      this.#committed = { ...this.#committed, seq: this.#segments[0]!.seq, offset: 0 };
    this.#recover();
    if (this.#headSize === 0) this.#committed = { ...this.#committed, head: null };
    else if (this.#committed.head === null) this.#committed = { ...this.#committed, head: 0 };
    this.#cursor = { ...this.#committed };
    this.#unreadBytes = this.#computeUnread(this.#committed);
  }

  /** Bytes spooled and not yet delivered (including appends not yet written). */
  get bytes(): number {
    return this.#unreadBytes;
  }

  /** True when nothing is left to read or write. */
  get empty(): boolean {
    return this.#unreadBytes === 0;
  }

  /** True when there is nothing more to hand out right now (all read, or waiting for a write). */
  get caughtUp(): boolean {
    return this.#available(this.#cursor) === 0;
  }

  append(frame: Buffer): void {
    if (this.#closed) throw new Error('spool is closed');
    this.#pending.push(frame);
    this.#pendingBytes += frame.length;
    this.#unreadBytes += frame.length;
    if (this.#writing === null) this.#writing = this.#writeLoop();
  }

  /** Resolves when every append so far is on disk. */
  async written(): Promise<void> {
    while (this.#writing !== null) await this.#writing;
  }

  async #writeLoop(): Promise<void> {
    while (this.#pending.length > 0 && !this.#closed) {
      const chunks = this.#pending;
      const bytes = this.#pendingBytes;
      this.#pending = [];
      this.#pendingBytes = 0;
      let tail = this.#segments[this.#segments.length - 1]!;
      if (tail.size >= this.#o.segmentBytes) {
        tail = { seq: tail.seq + 1, size: 0 };
        this.#segments.push(tail);
      }
      try {
        const fh = await open(join(this.dir, name(tail.seq)), 'a');
        try {
          await fh.writev(chunks);
        } finally {
          await fh.close();
        }
        tail.size += bytes;
      } catch (err) {
        // Disk full or gone: these records cannot be kept.
        this.#unreadBytes -= bytes;
        this.#o.onWriteError?.(err as Error, chunks.length);
      }
    }
    this.#writing = null;
  }

  /** Reads up to `maxBytes` / `maxRecords` of whole records from the cursor on (written ones only). */
  async read(maxBytes: number, maxRecords: number): Promise<SpoolRead> {
    const start = { ...this.#cursor };
    for (;;) {
      const p = this.#cursor;
      const inHead = p.head !== null;
      const size = inHead ? this.#headSize : this.#segmentSize(p.seq);
      const offset = inHead ? p.head! : p.offset;
      if (offset >= size) {
        if (inHead) {
          this.#cursor = { head: null, seq: p.seq, offset: p.offset };
          continue;
        }
        const next = this.#segments.find((s) => s.seq > p.seq);
        if (next === undefined) return { records: [], frames: [], end: start };
        this.#cursor = { head: null, seq: next.seq, offset: 0 };
        continue;
      }
      const path = join(this.dir, inHead ? HEAD : name(p.seq));
      let want = Math.min(maxBytes, size - offset);
      let buf = await readAt(path, offset, want);
      let decoded = decodeFrames(buf, maxRecords);
      if (decoded.consumed === 0 && decoded.corrupt === undefined && buf.length >= FRAME_HEADER_BYTES) {
        // One frame larger than maxBytes: read exactly that frame.
        want = Math.min(FRAME_HEADER_BYTES + buf.readUInt32BE(0), size - offset);
        buf = await readAt(path, offset, want);
        decoded = decodeFrames(buf, 1);
      }
      if (decoded.consumed === 0) {
        // Cannot happen for data this process wrote; skip the rest of the file rather than stall.
        this.#o.onCorrupt?.(
          `spool ${path}: ${decoded.corrupt ?? 'unreadable frame'}; skipping ${size - offset} bytes`,
        );
        this.#cursor = inHead ? { ...p, head: size } : { ...p, offset: size };
        continue;
      }
      const frames: Buffer[] = [];
      let o = 0;
      for (let i = 0; i < decoded.records.length; i++) {
        const length = FRAME_HEADER_BYTES + buf.readUInt32BE(o);
        frames.push(buf.subarray(o, o + length));
        o += length;
      }
      this.#cursor = inHead
        ? { ...p, head: offset + decoded.consumed }
        : { ...p, offset: offset + decoded.consumed };
      return { records: decoded.records, frames, end: { ...this.#cursor } };
    }
  }

  /** Records delivered up to `end`: persist it and delete what is no longer needed. */
  commit(end: SpoolPosition): void {
    const before = this.#computeUnread(this.#committed);
    this.#committed = { ...end };
    if (end.head === null && this.#headSize > 0) {
      unlinkIfExists(join(this.dir, HEAD));
      this.#headSize = 0;
    }
    this.#writeCheckpoint(end);
    while (this.#segments.length > 1 && this.#segments[0]!.seq < end.seq) {
      unlinkIfExists(join(this.dir, name(this.#segments.shift()!.seq)));
    }
    this.#unreadBytes -= before - this.#computeUnread(this.#committed);
  }

  /** Rewinds the cursor to the last commit (a batch handed out was not delivered). */
  rewind(): void {
    this.#cursor = { ...this.#committed };
  }

  /**
   * Puts records older than everything spooled in front of it (shutdown: the unacknowledged batch and
   * the memory buffer). What was committed stays delivered; what was handed out and not committed
   * is kept after them in the new head.
   */
  async prepend(frames: Buffer[]): Promise<void> {
    if (frames.length === 0) return;
    await this.written();
    const c = this.#committed;
    const parts = [...frames];
    if (c.head !== null && c.head < this.#headSize) {
      parts.push(readFileSync(join(this.dir, HEAD)).subarray(c.head));
    }
    const tmp = join(this.dir, `${HEAD}.tmp`);
    const fd = openSync(tmp, 'w');
    let size = 0;
    try {
      for (const p of parts) size += writeSync(fd, p);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(this.dir, HEAD));
    const before = this.#computeUnread(this.#committed);
    this.#headSize = size;
    this.#committed = { head: 0, seq: c.seq, offset: c.offset };
    this.#cursor = { ...this.#committed };
    this.#writeCheckpoint(this.#committed);
    this.#unreadBytes += this.#computeUnread(this.#committed) - before;
  }

  /** Writes what is still buffered, fsyncs the last segment and stops accepting appends. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.written();
    this.#closed = true;
    const tail = this.#segments[this.#segments.length - 1]!;
    const fd = openSync(join(this.dir, name(tail.seq)), 'a');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  #segmentSize(seq: number): number {
    return this.#segments.find((s) => s.seq === seq)?.size ?? 0;
  }

  #available(p: SpoolPosition): number {
    let n = p.head !== null ? this.#headSize - p.head : 0;
    for (const s of this.#segments) {
      if (s.seq > p.seq) n += s.size;
      else if (s.seq === p.seq) n += s.size - p.offset;
    }
    return n;
  }

  #computeUnread(p: SpoolPosition): number {
    return this.#available(p) + this.#pendingBytes;
  }

  #readCheckpoint(): SpoolPosition {
    const path = join(this.dir, CHECKPOINT);
    if (!existsSync(path)) return { head: null, seq: 0, offset: 0 };
    try {
      const c = JSON.parse(readFileSync(path, 'utf8')) as SpoolPosition;
      if (
        Number.isSafeInteger(c.seq) &&
        Number.isSafeInteger(c.offset) &&
        (c.head === null || Number.isSafeInteger(c.head))
      ) {
        return c;
      }
    } catch {}
    this.#o.onCorrupt?.(`spool ${path}: unreadable checkpoint; replaying the whole spool`);
    return { head: null, seq: 0, offset: 0 };
  }

  #writeCheckpoint(p: SpoolPosition): void {
    const path = join(this.dir, CHECKPOINT);
    writeFileSync(`${path}.tmp`, JSON.stringify(p));
    renameSync(`${path}.tmp`, path);
  }

  /** Cuts a torn or corrupt tail off the last segment and off head.spool. */
  #recover(): void {
    const tail = this.#segments[this.#segments.length - 1]!;
    const from = tail.seq === this.#committed.seq ? Math.min(this.#committed.offset, tail.size) : 0;
    tail.size = this.#validPrefix(join(this.dir, name(tail.seq)), from, tail.size);
    if (this.#committed.seq === tail.seq && this.#committed.offset > tail.size) {
      this.#committed = { ...this.#committed, offset: tail.size };
    }
    if (this.#headSize > 0) this.#headSize = this.#validPrefix(join(this.dir, HEAD), 0, this.#headSize);
  }

  #validPrefix(path: string, from: number, size: number): number {
    if (size <= from) return size;
    const buf = readAt.sync(path, from, size - from);
    const { consumed, corrupt } = decodeFrames(buf);
    if (consumed < buf.length) {
      truncateSync(path, from + consumed);
      this.#o.onCorrupt?.(
        `spool ${path}: cut ${buf.length - consumed} bytes after byte ${from + consumed} (${corrupt ?? 'incomplete frame'})`,
      );
    }
    return from + consumed;
  }
}

function unlinkIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

readAt.sync = (path: string, offset: number, length: number): Buffer => {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
};
