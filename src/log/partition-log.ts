/**
 * PartitionLog: one partition's durable, segmented log in `<dataDir>/<topic>-<partition>/`.
 *
 * Appends take already-validated RecordBatch v2 bytes, write the assigned offsets into them in place
 * and hit the OS with one write per call; reads return whole batches from the page cache. Segments
 * roll by size, age and full indexes. Durability follows the flush policy (see flusher.ts). The
 * log start offset (DeleteRecords) is checkpointed. On open the active segment's tail is validated
 * and a torn write cut off. `segments` and the sealed/active split are the seam for retention and
 * compaction.
 *
 * An append is all or nothing: when the write fails (a full disk), the segment is cut back to its
 * last good length and nothing in memory moves (offsets, producer state), so the next append gets
 * the same offset into a clean file and writes resume as soon as space returns. Index files are
 * hints and their write failures do not fail an append (see segment.ts). Only an append whose
 * partial bytes could not be cut off takes the log offline until it is reopened.
 */
import fs from 'node:fs';
import {
  BATCH_HEADER_SIZE,
  LOG_OVERHEAD,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
} from '../protocol/records/batch-header.ts';
import { CorruptBatchError } from './batch-framing.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './config.ts';
import { Flusher } from './flusher.ts';
import { loadLog } from './log-loader.ts';
import { writeLogStartCheckpoint } from './log-start-checkpoint.ts';
import { LogThrottle } from './log-throttle.ts';
import { type LogLogger, noopLogger } from './logger.ts';
import { loadProducerState, writeProducerSnapshot } from './producer-snapshot.ts';
import { type AbortedTxn, type ProducerCheck, ProducerStateManager } from './producer-state.ts';
import type { ReadAhead } from './read-ahead.ts';
import type { ReadAllocator } from './read-buffers.ts';
import { Segment, SegmentRollbackError, type SegmentSettings } from './segment.ts';
import { locateBatch, readSegment } from './segment-read.ts';
import { recoverSegment } from './segment-recovery.ts';
import type { TimestampOffset } from './time-index.ts';
import { recordWithMaxTimestamp, searchByTimestamp } from './timestamp-search.ts';

const INT32_MAX = 0x7fffffff;

export interface PartitionLogOptions {
  config?: Partial<LogConfig>;
  logger?: LogLogger;
  /** Wall clock (ms) for segment.ms; injectable for tests. */
  now?: () => number;
  /** Read-ahead for catching-up Fetches (shared by the LogManager's partitions). */
  readAhead?: ReadAhead | undefined;
  /** Rate limit for warnings that repeat per append (shared by the LogManager's partitions). */
  throttle?: LogThrottle | undefined;
}

export interface AppendOptions {
  /** Stamp every batch with this log append time (message.timestamp.type=LogAppendTime). */
  logAppendTime?: number;
}

export interface AppendResult {
  baseOffset: number;
  lastOffset: number;
  /** The log append time written, or -1 (CreateTime). */
  logAppendTime: number;
}

export interface ReadOptions {
  /** Return the first batch even if it exceeds maxBytes (KIP-74). Default false. */
  minOneBatch?: boolean;
  /** Only return batches entirely below this offset (e.g. the last stable offset). */
  maxOffset?: number;
  /** Where the bytes are read into; default a new buffer per read. */
  allocate?: ReadAllocator | undefined;
  /** Takes ownership of read-ahead memory (the Fetch's lease); read-ahead is used only with it. */
  adopt?: ((memory: ArrayBuffer) => void) | undefined;
  /** Largest read-ahead memory `adopt` may take (a Fetch's memory budget); default no limit. */
  adoptMaxBytes?: number | undefined;
}

export type ReadResult =
  | { records: Buffer | null; highWatermark: number; logStartOffset: number }
  | { error: 'OFFSET_OUT_OF_RANGE' | 'CORRUPT_MESSAGE'; highWatermark: number; logStartOffset: number };

export type DeleteRecordsResult =
  | { logStartOffset: number }
  | { error: 'OFFSET_OUT_OF_RANGE'; logStartOffset: number; highWatermark: number };

export type AppendListener = (logEndOffset: number) => void;

export class PartitionLog {
  readonly dir: string;
  private cfg: LogConfig;
  private readonly segmentSettings: SegmentSettings;
  private readonly logger: LogLogger;
  private readonly now: () => number;
  private segs: Segment[] = [];
  #logStartOffset = 0;
  #logEndOffset = 0;
  private appended = 0;
  private readonly dirty = new Set<Segment>();
  private readonly listeners = new Set<AppendListener>();
  /** Idempotent/transactional producer state (sequences, open and aborted transactions). */
  readonly producers = new ProducerStateManager();
  private readonly flusher: Flusher;
  private readonly readAhead: ReadAhead | undefined;
  private readonly throttle: LogThrottle;
  private closed = false;
  /** Segments whose corruption was already logged (once per segment, not per Fetch). */
  private readonly reportedCorrupt = new WeakSet<Segment>();
  /** Set when a failed append could not be undone: appends are refused until the log is reopened. */
  private offline: Error | null = null;

  private constructor(dir: string, opts: PartitionLogOptions) {
    this.dir = dir;
    this.cfg = { ...DEFAULT_LOG_CONFIG, ...opts.config };
    this.segmentSettings = {
      indexIntervalBytes: this.cfg.indexIntervalBytes,
      segmentIndexBytes: this.cfg.segmentIndexBytes,
    };
    this.logger = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
    this.readAhead = opts.readAhead;
    this.throttle = opts.throttle ?? new LogThrottle();
    fs.mkdirSync(dir, { recursive: true });
    this.load();
    this.flusher = new Flusher(
      {
        logEndOffset: () => this.#logEndOffset,
        takeDirtySegments: () => {
          const segs = [...this.dirty];
          this.dirty.clear();
          return segs;
        },
      },
      this.cfg.flushPolicy,
      this.cfg.flushMs,
      this.logger,
    );
  }

  /** Opens (creating if needed) the log in `dir`, recovering the active segment. */
  static open(dir: string, opts: PartitionLogOptions = {}): PartitionLog {
    return new PartitionLog(dir, opts);
  }

  private load(): void {
    const loaded = loadLog(this.dir, this.segmentSettings, this.logger, this.now());
    this.segs = loaded.segments;
    this.#logStartOffset = loaded.logStartOffset;
    this.#logEndOffset = loaded.logEndOffset;
    if (this.#logStartOffset > this.#logEndOffset) {
      this.logger.warn(
        { dir: this.dir, logStartOffset: this.#logStartOffset, logEndOffset: this.#logEndOffset },
        'log start beyond end',
      );
      this.resetTo(this.#logStartOffset);
    }
    this.logger.info(
      {
        dir: this.dir,
        logStartOffset: this.#logStartOffset,
        logEndOffset: this.#logEndOffset,
        segments: this.segs.length,
      },
      'opened partition log',
    );
    loadProducerState(
      this.dir,
      this.segs,
      this.#logStartOffset,
      this.#logEndOffset,
      this.producers,
      this.logger,
    );
  }

  get logStartOffset(): number {
    return this.#logStartOffset;
  }

  get logEndOffset(): number {
    return this.#logEndOffset;
  }

  /** Single node: everything appended is committed. */
  get highWatermark(): number {
    return this.#logEndOffset;
  }

  /** First offset of the oldest open transaction, else the high watermark (read_committed's limit). */
  get lastStableOffset(): number {
    return this.producers.firstUnstableOffset() ?? this.#logEndOffset;
  }

  /** Validates producer id, epoch and sequence of batches about to be appended (per batch). */
  checkProducers(batches: Buffer): ProducerCheck {
    return this.producers.check(batches);
  }

  /** Aborted transactions overlapping [from, to) for read_committed fetches. */
  abortedTransactions(from: number, to: number): AbortedTxn[] {
    return this.producers.abortedIn(from, to);
  }

  /** Bytes appended since the log was opened (long-polling fetches compare snapshots of it). */
  get appendedBytes(): number {
    return this.appended;
  }

  get config(): Readonly<LogConfig> {
    return this.cfg;
  }

  /** All segments in offset order; the last is the active one. For retention and compaction. */
  get segments(): readonly Segment[] {
    return this.segs;
  }

  get activeSegment(): Segment {
    return this.segs[this.segs.length - 1]!;
  }

  /** fsync syscalls issued so far (group commit makes this far smaller than the append count). */
  get fsyncCount(): number {
    return this.flusher.syncCalls;
  }

  /** New settings apply to the next roll / index entry / flush period. */
  setConfig(config: Partial<LogConfig>): void {
    this.cfg = { ...this.cfg, ...config };
    this.segmentSettings.indexIntervalBytes = this.cfg.indexIntervalBytes;
    this.segmentSettings.segmentIndexBytes = this.cfg.segmentIndexBytes;
    this.flusher.setPolicy(this.cfg.flushPolicy, this.cfg.flushMs);
  }

  /**
   * Appends one or more concatenated, validated v2 batches; `batches` is modified in place (offsets,
   * and with logAppendTime the max timestamp, attributes and CRC) and must not be reused by the caller.
   */
  append(batches: Buffer, opts: AppendOptions = {}): AppendResult {
    if (this.closed) throw new Error(`partition log ${this.dir} is closed`);
    if (this.offline) throw this.offline;
    const count = countOffsets(batches);
    const now = this.now();
    let seg = this.activeSegment;
    if (this.shouldRoll(seg, batches.length, count, now)) seg = this.roll(now);
    if (seg.size === 0) seg.rollBase = now;
    const baseOffset = this.#logEndOffset;
    const logAppendTime = opts.logAppendTime ?? -1;
    try {
      this.#logEndOffset = seg.append(batches, baseOffset, logAppendTime);
    } catch (err) {
      if (err instanceof SegmentRollbackError) {
        this.offline = err;
        this.logger.warn({ dir: this.dir, err }, 'partition log offline until restart');
      }
      throw err;
    }
    if (seg.indexesDue) this.persistActiveIndexes(seg);
    this.producers.onAppended(batches);
    this.appended += batches.length;
    this.dirty.add(seg);
    this.flusher.appended(this.#logEndOffset);
    for (const listener of this.listeners) {
      try {
        listener(this.#logEndOffset);
      } catch (err) {
        this.logger.warn({ err }, 'append listener failed');
      }
    }
    return { baseOffset, lastOffset: this.#logEndOffset - 1, logAppendTime };
  }

  private shouldRoll(seg: Segment, bytes: number, offsets: number, now: number): boolean {
    if (seg.size === 0) return false;
    return (
      seg.size + bytes > this.cfg.segmentBytes ||
      now - seg.rollBase >= this.cfg.segmentMs ||
      seg.indexesFull ||
      this.#logEndOffset + offsets - 1 - seg.baseOffset > INT32_MAX
    );
  }

  /** Index files are hints: a failed write is retried with the next entries, the append stands. */
  private persistActiveIndexes(seg: Segment): void {
    try {
      seg.persistIndexes();
    } catch (err) {
      this.throttle.warn(
        this.logger,
        `index-write:${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        { dir: this.dir, segment: seg.logPath, err },
        'could not write index entries of the active segment; will retry (the log itself is intact)',
      );
    }
  }

  private roll(now: number): Segment {
    const old = this.activeSegment;
    try {
      old.seal();
    } catch (err) {
      // seal() removed the index files: the next start rebuilds them from the log.
      this.throttle.warn(
        this.logger,
        `index-write:${(err as NodeJS.ErrnoException).code ?? 'error'}`,
        { dir: this.dir, segment: old.logPath, err },
        'could not write the indexes of a rolled segment; they will be rebuilt from the log on the next start',
      );
    }
    const seg = Segment.create(this.dir, this.#logEndOffset, this.segmentSettings, this.logger, now);
    this.segs.push(seg);
    this.flusher.syncPaths(old.indexPath, old.timeIndexPath, this.dir);
    this.logger.info({ dir: this.dir, baseOffset: seg.baseOffset }, 'rolled log segment');
    return seg;
  }

  /**
   * Whole batches from the one containing `fetchOffset`, up to `maxBytes` (or one whole batch with
   * minOneBatch), all from one segment as in Kafka: a read reaching a segment's end returns what that
   * segment had. `records` is null when there is nothing to return (e.g. fetchOffset at the end).
   */
  read(fetchOffset: number, maxBytes: number, opts: ReadOptions = {}): ReadResult {
    const highWatermark = this.#logEndOffset;
    const logStartOffset = this.#logStartOffset;
    if (fetchOffset < logStartOffset || fetchOffset > highWatermark) {
      return { error: 'OFFSET_OUT_OF_RANGE', highWatermark, logStartOffset };
    }
    if (fetchOffset === highWatermark) return { records: null, highWatermark, logStartOffset };
    const readOpts = {
      maxBytes,
      minOneBatch: opts.minOneBatch ?? false,
      maxOffset: Math.min(opts.maxOffset ?? highWatermark, highWatermark),
      allocate: opts.allocate,
      readAhead:
        this.readAhead && opts.adopt
          ? { cache: this.readAhead, adopt: opts.adopt, maxBytes: opts.adoptMaxBytes ?? Infinity }
          : undefined,
    };
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segs.length; i++) {
      let records: Buffer | null | undefined;
      try {
        records = readSegment(this.segs[i]!, fetchOffset, readOpts);
      } catch (err) {
        if (!(err instanceof CorruptBatchError)) throw err;
        this.reportCorruption(i, err);
        return { error: 'CORRUPT_MESSAGE', highWatermark, logStartOffset };
      }
      if (records !== undefined) return { records, highWatermark, logStartOffset };
    }
    return { records: null, highWatermark, logStartOffset };
  }

  /** Logs a damaged batch once per segment, with the offsets that cannot be read because of it. */
  private reportCorruption(index: number, err: CorruptBatchError): void {
    const seg = this.segs[index]!;
    if (this.reportedCorrupt.has(seg)) return;
    this.reportedCorrupt.add(seg);
    const lastOffset = (this.segs[index + 1]?.baseOffset ?? this.#logEndOffset) - 1;
    this.logger.warn(
      {
        segment: err.segment,
        position: err.position,
        reason: err.reason,
        firstOffset: err.firstOffset,
        lastOffset,
      },
      `corrupt record batch: offsets ${err.firstOffset} to ${lastOffset} of ${this.dir} cannot be read (Fetch answers CORRUPT_MESSAGE); check the log with samsa log:verify`,
    );
  }

  /** Resolves when a read-ahead in flight for a Fetch at `fetchOffset` is done; undefined if none. */
  whenReadAheadReady(fetchOffset: number): Promise<void> | undefined {
    if (!this.readAhead || this.readAhead.isEmpty || this.segs.length === 0) return undefined;
    return this.readAhead.whenReady(this.segs[this.segmentIndexFor(fetchOffset)]!, fetchOffset);
  }

  /** Index of the last segment whose base offset is <= `offset` (0 if none). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segs.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segs[mid]!.baseOffset <= offset) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** Resolves once an fsync covering `offset` finished (immediately under flushPolicy 'never'). */
  whenDurable(offset: number): Promise<void> {
    return this.flusher.whenDurable(offset);
  }

  /** fsyncs everything appended so far, whatever the policy. */
  flush(): Promise<void> {
    return this.flusher.flush();
  }

  /** Calls `listener` after every append (e.g. to wake long-polling fetches); returns the unsubscribe. */
  onAppend(listener: AppendListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Earliest record at or after the log start with timestamp >= `timestamp`, or null. */
  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    for (const seg of this.segs) {
      const hit = searchByTimestamp(seg, timestamp, this.#logStartOffset);
      if (hit !== null) return hit;
    }
    return null;
  }

  /** The record with the largest timestamp (first such record), for ListOffsets -3; null when empty. */
  maxTimestampOffset(): TimestampOffset | null {
    let best: Segment | null = null;
    for (const seg of this.segs) {
      if (seg.maxTimestamp >= 0 && (best === null || seg.maxTimestamp > best.maxTimestamp)) best = seg;
    }
    if (best === null) return null;
    const batch = readSegment(best, best.offsetOfMaxTimestamp, {
      maxBytes: 0,
      minOneBatch: true,
      maxOffset: Number.MAX_SAFE_INTEGER,
    });
    return recordWithMaxTimestamp(best, batch ?? null);
  }

  /**
   * Removes everything at and after `offset`. The cut is at a batch boundary: a batch containing
   * `offset` goes entirely. Returns the new log end offset.
   */
  truncateTo(offset: number): number {
    if (offset >= this.#logEndOffset) return this.#logEndOffset;
    if (offset <= this.#logStartOffset) {
      this.resetTo(Math.max(0, offset));
      writeLogStartCheckpoint(this.dir, this.#logStartOffset);
      this.flusher.truncated(this.#logEndOffset);
      return this.#logEndOffset;
    }
    while (this.segs.length > 1 && this.activeSegment.baseOffset >= offset) {
      this.dropSegment(this.segs.pop()!);
    }
    const seg = this.activeSegment;
    const position = locateBatch(seg, offset);
    if (position !== null) seg.truncateFile(position);
    this.#logEndOffset = recoverSegment(seg).nextOffset;
    loadProducerState(
      this.dir,
      this.segs,
      this.#logStartOffset,
      this.#logEndOffset,
      this.producers,
      this.logger,
      false,
    );
    this.dirty.add(seg);
    this.flusher.truncated(this.#logEndOffset);
    this.logger.info({ dir: this.dir, requested: offset, logEndOffset: this.#logEndOffset }, 'truncated log');
    return this.#logEndOffset;
  }

  /** Advances the log start offset (DeleteRecords), persisting it; whole segments below it are removed. */
  deleteRecordsBefore(offset: number): DeleteRecordsResult {
    if (offset < 0 || offset > this.#logEndOffset) {
      return {
        error: 'OFFSET_OUT_OF_RANGE',
        logStartOffset: this.#logStartOffset,
        highWatermark: this.#logEndOffset,
      };
    }
    if (offset <= this.#logStartOffset) return { logStartOffset: this.#logStartOffset };
    this.#logStartOffset = offset;
    writeLogStartCheckpoint(this.dir, offset);
    if (offset === this.#logEndOffset && this.activeSegment.size > 0) this.roll(this.now());
    while (this.segs.length > 1 && this.segs[1]!.baseOffset <= offset) this.dropSegment(this.segs.shift()!);
    return { logStartOffset: this.#logStartOffset };
  }

  /** Whether close() or delete() ran (background tasks skip such logs). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Retention and the cleaner: seals a non-empty active segment and starts a new one so that time
   * can act on idle data. Returns false when there was nothing to roll.
   */
  rollActiveSegment(): boolean {
    if (this.closed || this.activeSegment.size === 0) return false;
    this.roll(this.now());
    return true;
  }

  /**
   * The cleaner's swap: if `olds` are still contiguous closed segments of this log, closes them, runs
   * `commit` (which puts the cleaned files in place under the first one's base offset and removes
   * the others' files) and installs the result as one segment, all within one synchronous step, so
   * readers see the old segments or the new one. Returns false (without calling `commit`) when the
   * segments changed meanwhile (retention, DeleteRecords, truncation, close).
   */
  replaceSegments(olds: readonly Segment[], commit: () => void): boolean {
    const first = olds[0];
    if (this.closed || first === undefined) return false;
    const at = this.segs.indexOf(first);
    if (at < 0 || at + olds.length >= this.segs.length) return false;
    for (let i = 0; i < olds.length; i++) if (this.segs[at + i] !== olds[i]) return false;
    for (const seg of olds) {
      this.dirty.delete(seg);
      seg.close();
    }
    commit();
    const seg = Segment.open(this.dir, first.baseOffset, this.segmentSettings, this.logger, this.now());
    seg.readMaxTimestampFromTimeIndex();
    this.segs.splice(at, olds.length, seg);
    return true;
  }

  /** Drops every segment and starts empty at `offset` (log start = end = offset). */
  private resetTo(offset: number): void {
    for (const seg of this.segs) this.dropSegment(seg);
    this.segs = [Segment.create(this.dir, offset, this.segmentSettings, this.logger, this.now())];
    this.#logStartOffset = offset;
    this.#logEndOffset = offset;
    this.producers.clear();
  }

  private dropSegment(seg: Segment): void {
    this.dirty.delete(seg);
    seg.deleteFiles();
  }

  /**
   * Writes indexes and the producer snapshot, fsyncs everything, closes the files. Every step runs
   * even when an earlier one failed (a full disk): the log data is never touched, and a missing
   * index or snapshot is rebuilt on the next start. Rejects, naming what failed, if anything did.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const failures: string[] = [];
    const active = this.activeSegment;
    try {
      active.seal();
    } catch (err) {
      failures.push(`segment indexes: ${(err as Error).message}`);
    }
    this.flusher.syncPaths(active.indexPath, active.timeIndexPath);
    try {
      writeProducerSnapshot(this.dir, this.producers, this.#logEndOffset);
    } catch (err) {
      failures.push(`producer snapshot: ${(err as Error).message}`);
    }
    try {
      await this.flusher.flush();
    } catch (err) {
      failures.push(`fsync: ${(err as Error).message}`);
    } finally {
      this.flusher.stop();
      this.listeners.clear();
      for (const seg of this.segs) seg.close();
    }
    if (failures.length > 0) {
      throw new Error(`partition log ${this.dir} did not close cleanly: ${failures.join('; ')}`);
    }
  }

  /** Closes without flushing or writing anything (the files are about to be removed). */
  abandon(): void {
    this.closed = true;
    this.flusher.stop();
    this.listeners.clear();
    for (const seg of this.segs) {
      this.dirty.delete(seg);
      seg.close();
    }
    this.segs = [];
  }

  /** Closes without flushing and removes the partition directory. */
  delete(): void {
    this.abandon();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Number of offsets the concatenated batches claim; throws if they do not tile the buffer exactly. */
function countOffsets(batches: Buffer): number {
  if (batches.length === 0) throw new RangeError('append needs at least one record batch');
  let count = 0;
  for (let at = 0; at < batches.length; ) {
    if (batches.length - at < BATCH_HEADER_SIZE) throw new RangeError(`truncated batch header at ${at}`);
    const size = LOG_OVERHEAD + batches.readInt32BE(at + OFFSET_BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE || at + size > batches.length) {
      throw new RangeError(`bad batch length at ${at}`);
    }
    count += batches.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA) + 1;
    at += size;
  }
  return count;
}
