/**
 * One log segment: `<base>.log` holding RecordBatch v2 bytes verbatim, plus its sparse `.index` and
 * `.timeindex`. The active (last) segment appends with one positional write per call; older
 * segments are read-only and load their indexes on first use. Recovery and reads live in
 * segment-recovery.ts and segment-read.ts; this file owns files, fds and the index bookkeeping.
 */
import fs from 'node:fs';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFFSET_ATTRIBUTES,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_LEADER_EPOCH,
  OFFSET_MAX_TIMESTAMP,
  TIMESTAMP_TYPE_LOG_APPEND,
  writeBatchCrc,
} from '../protocol/records/batch-header.ts';
import { readFully, writeFully } from './file-io.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, segmentPath, TIME_INDEX_SUFFIX } from './file-names.ts';
import { readInt64, writeInt64 } from './int64.ts';
import type { LogLogger } from './logger.ts';
import { OffsetIndex } from './offset-index.ts';
import { recoverSegment } from './segment-recovery.ts';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.ts';

export interface SegmentSettings {
  indexIntervalBytes: number;
  segmentIndexBytes: number;
}

/** Write the indexes out once this many offset-index entries are pending (bounds recovery scans). */
const PERSIST_EVERY_ENTRIES = 512;

/**
 * The partition leader epoch written into every appended batch (outside the CRC, as Kafka does):
 * a single node leads every partition from its creation and never changes leader, so 0. Metadata,
 * ListOffsets and OffsetForLeaderEpoch answer the same epoch (KIP-320 fetch validation).
 */
export const LEADER_EPOCH = 0;

export class Segment {
  readonly dir: string;
  readonly baseOffset: number;
  readonly logPath: string;
  settings: SegmentSettings;
  readonly logger: LogLogger;
  /** Bytes in the `.log` file. */
  size: number;
  /** Largest batch maxTimestamp seen, and the base offset of the batch that carried it (-1: none). */
  maxTimestamp = -1;
  offsetOfMaxTimestamp = -1;
  /** Wall-clock ms from which `segment.ms` is measured. */
  rollBase: number;
  /** Log bytes since the last offset-index entry. */
  bytesSinceIndexEntry = 0;
  private fdValue = -1;
  private offIdx: OffsetIndex | null = null;
  private timeIdx: TimeIndex | null = null;
  /** fdatasyncs and read-ahead preads on the fd; closing waits for them. */
  private ioInFlight = 0;
  private closed = false;
  /** Bumped whenever bytes already in the file change (truncation), so earlier reads are not reused. */
  generation = 0;

  private constructor(dir: string, baseOffset: number, settings: SegmentSettings, logger: LogLogger) {
    this.dir = dir;
    this.baseOffset = baseOffset;
    this.logPath = segmentPath(dir, baseOffset, LOG_SUFFIX);
    this.settings = settings;
    this.logger = logger;
    this.size = 0;
    this.rollBase = 0;
  }

  /** A new empty segment (replacing any stale files of the same name); its index files come later. */
  static create(
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    logger: LogLogger,
    now: number,
  ): Segment {
    const seg = new Segment(dir, baseOffset, settings, logger);
    seg.fdValue = fs.openSync(seg.logPath, 'w+', 0o644);
    seg.rollBase = now;
    seg.offIdx = new OffsetIndex(seg.indexPath, baseOffset, settings.segmentIndexBytes);
    seg.timeIdx = new TimeIndex(seg.timeIndexPath, baseOffset, settings.segmentIndexBytes);
    // Index files appear with their first entries (or whole when sealed), never as empty stand-ins.
    fs.rmSync(seg.indexPath, { force: true });
    fs.rmSync(seg.timeIndexPath, { force: true });
    return seg;
  }

  /** An existing segment; indexes load lazily. Call recoverSegment for the active one. */
  static open(
    dir: string,
    baseOffset: number,
    settings: SegmentSettings,
    logger: LogLogger,
    now: number,
  ): Segment {
    const seg = new Segment(dir, baseOffset, settings, logger);
    seg.fdValue = fs.openSync(seg.logPath, 'r+');
    seg.size = fs.fstatSync(seg.fdValue).size;
    seg.rollBase = now;
    if (seg.size >= BATCH_HEADER_SIZE) {
      const head = Buffer.alloc(BATCH_HEADER_SIZE);
      readFully(seg.fdValue, head, BATCH_HEADER_SIZE, 0);
      const first = readInt64(head, OFFSET_MAX_TIMESTAMP);
      if (first > 0 && first <= now) seg.rollBase = first;
    }
    return seg;
  }

  get indexPath(): string {
    return segmentPath(this.dir, this.baseOffset, INDEX_SUFFIX);
  }

  get timeIndexPath(): string {
    return segmentPath(this.dir, this.baseOffset, TIME_INDEX_SUFFIX);
  }

  get fd(): number {
    if (this.closed) throw new Error(`segment ${this.logPath} is closed`);
    return this.fdValue;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether both index files exist on disk. */
  hasIndexFiles(): boolean {
    return fs.existsSync(this.indexPath) && fs.existsSync(this.timeIndexPath);
  }

  /**
   * Loads both indexes from disk (missing files load empty) and drops inconsistent tails.
   * Returns a description of what was wrong, or null.
   */
  loadIndexes(): string | null {
    const problems: string[] = [];
    const offBytes = readIfExists(this.indexPath);
    const timeBytes = readIfExists(this.timeIndexPath);
    if (offBytes === null) problems.push('offset index missing');
    if (timeBytes === null) problems.push('time index missing');
    this.offIdx = new OffsetIndex(
      this.indexPath,
      this.baseOffset,
      this.settings.segmentIndexBytes,
      offBytes ?? undefined,
    );
    this.timeIdx = new TimeIndex(
      this.timeIndexPath,
      this.baseOffset,
      this.settings.segmentIndexBytes,
      timeBytes ?? undefined,
    );
    const droppedOff = this.offIdx.sanitize(this.size);
    const droppedTime = this.timeIdx.sanitize(Number.MAX_SAFE_INTEGER);
    if (droppedOff > 0) problems.push(`${droppedOff} bad offset index entries`);
    if (droppedTime > 0) problems.push(`${droppedTime} bad time index entries`);
    return problems.length === 0 ? null : problems.join(', ');
  }

  /** For a sealed segment: takes maxTimestamp from the last time-index entry without loading it. */
  readMaxTimestampFromTimeIndex(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.timeIndexPath, 'r');
    } catch {
      return;
    }
    try {
      const size = fs.fstatSync(fd).size;
      const entries = Math.floor(size / TIME_INDEX_ENTRY_SIZE);
      if (entries === 0) return;
      const buf = Buffer.alloc(TIME_INDEX_ENTRY_SIZE);
      readFully(fd, buf, TIME_INDEX_ENTRY_SIZE, (entries - 1) * TIME_INDEX_ENTRY_SIZE);
      this.maxTimestamp = readInt64(buf, 0);
      this.offsetOfMaxTimestamp = this.baseOffset + buf.readInt32BE(8);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The offset index; loaded on first use, rebuilt from the log if missing or inconsistent. */
  get offsetIndex(): OffsetIndex {
    if (this.offIdx === null) this.loadOrRebuild();
    return this.offIdx!;
  }

  get timeIndex(): TimeIndex {
    if (this.timeIdx === null) this.loadOrRebuild();
    return this.timeIdx!;
  }

  private loadOrRebuild(): void {
    const problem = this.loadIndexes();
    if (problem !== null) {
      this.logger.warn({ segment: this.logPath, problem }, 'rebuilding segment indexes');
      recoverSegment(this, { fromScratch: true });
    }
  }

  /** Forgets index state before a rebuild from the start of the log. */
  resetIndexes(): void {
    this.offsetIndex.clear();
    this.timeIndex.clear();
    this.maxTimestamp = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceIndexEntry = 0;
  }

  get indexesFull(): boolean {
    return this.offsetIndex.isFull || this.timeIndex.isFull;
  }

  /** Index bookkeeping for one batch already in the file at `position`. */
  indexBatch(position: number, baseOffset: number, size: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = maxTimestamp;
      this.offsetOfMaxTimestamp = baseOffset;
    }
    if (this.bytesSinceIndexEntry > this.settings.indexIntervalBytes) {
      this.offIdx!.append(baseOffset, position);
      this.timeIdx!.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
  }

  /**
   * Appends concatenated batches: writes offsets `firstOffset..` into their headers (and the log
   * append time when >= 0, recomputing the CRC), writes them in one syscall, indexes them in memory.
   * Returns the next offset. All or nothing: on a write error (ENOSPC, EFBIG, EIO) the file is cut
   * back to its previous length and the error rethrown with nothing else changed; if even the cut
   * fails, a SegmentRollbackError says the segment's tail is unknown. Index files are not written
   * here (see persistIndexes).
   */
  append(batches: Buffer, firstOffset: number, logAppendTime: number): number {
    if (this.offIdx === null || this.timeIdx === null) this.loadOrRebuild();
    let next = firstOffset;
    for (let at = 0; at < batches.length; ) {
      writeInt64(batches, next, at);
      batches.writeInt32BE(LEADER_EPOCH, at + OFFSET_LEADER_EPOCH);
      if (logAppendTime >= 0) {
        writeInt64(batches, logAppendTime, at + OFFSET_MAX_TIMESTAMP);
        const attributes = batches.readInt16BE(at + OFFSET_ATTRIBUTES);
        batches.writeInt16BE(attributes | TIMESTAMP_TYPE_LOG_APPEND, at + OFFSET_ATTRIBUTES);
        writeBatchCrc(batches, at);
      }
      next += batches.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) + 1;
      at += LOG_OVERHEAD + batches.readInt32BE(at + OFFSET_BATCH_LENGTH);
    }
    try {
      writeFully(this.fd, batches, this.size);
    } catch (err) {
      try {
        fs.ftruncateSync(this.fd, this.size);
      } catch (cutErr) {
        throw new SegmentRollbackError(this.logPath, this.size, err, cutErr);
      }
      throw err;
    }
    let offset = firstOffset;
    for (let at = 0; at < batches.length; ) {
      const size = LOG_OVERHEAD + batches.readInt32BE(at + OFFSET_BATCH_LENGTH);
      this.indexBatch(this.size + at, offset, size, readInt64(batches, at + OFFSET_MAX_TIMESTAMP));
      offset += batches.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) + 1;
      at += size;
    }
    this.size += batches.length;
    return next;
  }

  /** Whether enough index entries are pending that the active segment should write them out. */
  get indexesDue(): boolean {
    return (this.offIdx?.pendingEntries ?? 0) >= PERSIST_EVERY_ENTRIES;
  }

  /**
   * Active segment: appends pending index entries to the files (time index first, so it never lags
   * the offset index on disk). A failure leaves a prefix, which recovery of the active segment
   * handles; the entries stay pending in memory.
   */
  persistIndexes(): void {
    this.timeIdx?.persist();
    this.offIdx?.persist();
  }

  /**
   * Writes both indexes whole (temporary file + rename). If either cannot be written, both files
   * are removed, so the next start rebuilds them from the log rather than trusting a partial index,
   * and the error is rethrown.
   */
  writeIndexes(): void {
    try {
      this.timeIndex.persistWhole();
      this.offsetIndex.persistWhole();
    } catch (err) {
      this.offIdx?.removeFile();
      this.timeIdx?.removeFile();
      throw err;
    }
  }

  /** Whether both index files exist and hold exactly what is in memory. */
  get indexesWritten(): boolean {
    return this.timeIndex.upToDate && this.offsetIndex.upToDate && this.hasIndexFiles();
  }

  /** Called when the segment stops being active: final time-index entry, indexes written whole. */
  seal(): void {
    if (this.maxTimestamp >= 0) this.timeIndex.maybeAppend(this.maxTimestamp, this.offsetOfMaxTimestamp);
    this.writeIndexes();
  }

  /** Cuts the log file at `position` (a batch boundary) and drops index entries at or past it. */
  truncateFile(position: number): void {
    fs.ftruncateSync(this.fd, position);
    this.size = position;
    this.generation++;
    this.offsetIndex.truncateFromPosition(position);
  }

  /** fdatasync of the `.log`; the fd stays open until in-flight I/O is done even if closed meanwhile. */
  datasync(cb: (err: NodeJS.ErrnoException | null) => void): void {
    if (this.closed) {
      cb(null);
      return;
    }
    this.ioInFlight++;
    fs.fdatasync(this.fdValue, (err) => {
      this.ioIsDone();
      cb(err);
    });
  }

  /**
   * Reads `buf.length` bytes at `position` on the thread pool (read-ahead.ts); `cb` gets the count
   * read (fewer at the end of the file). The fd stays open until the read is done even if the
   * segment is closed or deleted meanwhile, so the read never lands on a reused descriptor.
   */
  readAsync(
    buf: Buffer,
    position: number,
    cb: (err: NodeJS.ErrnoException | null, bytesRead: number) => void,
  ): void {
    if (this.closed) {
      cb(new Error(`segment ${this.logPath} is closed`), 0);
      return;
    }
    this.ioInFlight++;
    fs.read(this.fdValue, buf, 0, buf.length, position, (err, n) => {
      this.ioIsDone();
      cb(err, n);
    });
  }

  private ioIsDone(): void {
    this.ioInFlight--;
    if (this.closed && this.ioInFlight === 0) this.closeFd();
  }

  /**
   * Closes the file (deferred while an fsync is in flight). Indexes are not written here: a sealed
   * segment's were written whole by seal() (or removed, to be rebuilt), and the log seals its active
   * segment before closing.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ioInFlight === 0) this.closeFd();
  }

  private closeFd(): void {
    if (this.fdValue >= 0) fs.closeSync(this.fdValue);
    this.fdValue = -1;
  }

  /** Closes and removes the segment's three files. */
  deleteFiles(): void {
    this.offIdx = null;
    this.timeIdx = null;
    this.closed = true;
    if (this.ioInFlight === 0) this.closeFd();
    for (const p of [this.logPath, this.indexPath, this.timeIndexPath]) fs.rmSync(p, { force: true });
  }
}

/**
 * A failed append whose partial bytes could not be cut off: the segment's tail is unknown, so its
 * log must stop taking appends until it is reopened (recovery then cuts the torn tail).
 */
export class SegmentRollbackError extends Error {
  override readonly name = 'SegmentRollbackError';
  readonly segment: string;

  constructor(segment: string, position: number, writeError: unknown, cutError: unknown) {
    super(
      `append to ${segment} failed (${(writeError as Error).message}) and cutting it back to ${position} bytes failed too (${(cutError as Error).message})`,
      { cause: writeError },
    );
    this.segment = segment;
  }
}

function readIfExists(path: string): Buffer | null {
  try {
    return fs.readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
