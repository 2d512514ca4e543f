/**
 * The log cleaner (cleanup.policy containing `compact`): keeps the latest record per key in the
 * closed segments of a partition, as Kafka's LogCleaner does.
 *
 * One pass over a partition:
 * 1. The cleanable range runs from the log start to the first uncleanable offset: the active
 *    segment, the first segment holding records younger than `min.compaction.lag.ms`, and the
 *    first segment with a transaction whose outcome is not in the log yet. The part after the
 *    cleaner checkpoint (`cleaner-offset.checkpoint`) is dirty. A pass runs when the dirty share
 *    reaches `min.cleanable.dirty.ratio`, when the oldest dirty record is older than
 *    `max.compaction.lag.ms`, or when a tombstone's delete horizon has passed.
 * 2. A header scan finds aborted transactions (their records are dropped and never shadow older
 *    values), open ones, and each producer's last batch.
 * 3. An offset map (key → latest offset) is built from the dirty part.
 * 4. The cleanable segments are rewritten in groups of at most `segment.bytes`: a record survives
 *    if no later record has its key. A tombstone (null value) survives until its batch's delete
 *    horizon (KIP-534: set to now + `delete.retention.ms` in the batch header the first time the
 *    cleaner keeps it) has passed. Offsets never change. Control batches (transaction markers) are
 *    copied as they are; a batch that loses records is re-encoded with the surviving records alone,
 *    keeping its base offset, last offset delta, producer id/epoch, base sequence, attributes and
 *    codec (decompressed and re-compressed); an emptied batch is dropped unless it is its producer's
 *    last, which stays as an empty batch so producer state survives.
 * 5. Each group is swapped in crash-safely (segment-swap.ts) and atomically for readers
 *    (PartitionLog.replaceSegments); a group whose segments changed meanwhile is discarded.
 *
 * The work is sliced: it yields to the event loop every few milliseconds and reads through its own
 * file descriptors, so produce and fetch go on meanwhile.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  BATCH_HEADER_SIZE,
  COMPRESSION_MASK,
  CONTROL_FLAG,
  DELETE_HORIZON_FLAG,
  LOG_OVERHEAD,
  OFFSET_ATTRIBUTES,
  OFFSET_BASE_TIMESTAMP,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAX_TIMESTAMP,
  OFFSET_PRODUCER_ID,
  OFFSET_RECORD_COUNT,
  TIMESTAMP_TYPE_LOG_APPEND,
  TRANSACTIONAL_FLAG,
  writeBatchCrc,
} from '../protocol/records/batch-header.ts';
import { compress, compressAsync, decompress, decompressAsync } from '../protocol/records/compression.ts';
import { CONTROL_TYPE_ABORT, decodeControlKey } from '../protocol/records/control.ts';
import { decodeRecords, encodeRecords, type Record } from '../protocol/records/record.ts';
import { writeFileAtomicSync } from './atomic-file.ts';
import { CorruptBatchError } from './batch-framing.ts';
import { readFully } from './file-io.ts';
import { readInt64, writeInt64 } from './int64.ts';
import { type LogLogger, noopLogger } from './logger.ts';
import { OffsetIndex } from './offset-index.ts';
import type { PartitionLog } from './partition-log.ts';
import type { Segment } from './segment.ts';
import {
  abortSwap,
  cleanedPaths,
  commitSwap,
  completeSwap,
  discardCleaned,
  installSwap,
  type SwapStep,
} from './segment-swap.ts';
import { TimeIndex } from './time-index.ts';

export const CLEANER_CHECKPOINT = 'cleaner-offset.checkpoint';

const INT32_MAX = 0x7fffffff;
const fsyncAsync = promisify(fs.fsync);
const READ_CHUNK = 1024 * 1024;
const WRITE_CHUNK = 1024 * 1024;
/** Larger payloads are (de)compressed on the thread pool, smaller ones inline (cheaper than the hop). */
const ASYNC_CODEC_BYTES = 64 * 1024;

export interface CleanerOptions {
  now?: () => number;
  logger?: LogLogger;
  /** Most keys in one pass's offset map; the dirty range is cut at a segment boundary past it. */
  maxMapKeys?: number;
  /** Work this long before yielding to the event loop. Default 5 ms. */
  sliceMs?: number;
  /** Stop early (discarding unfinished output) once this returns true. */
  shouldStop?: () => boolean;
  /** Crash tests: called at each step of a swap. */
  onSwapStep?: (step: SwapStep | 'cleaned-written', base: number) => void;
}

export interface CleanerCheckpoint {
  /** Everything below this offset has been cleaned (the first dirty offset). */
  cleanedTo: number;
  /** Earliest delete horizon of a tombstone kept by the last pass, or -1. */
  tombstoneHorizon: number;
}

export interface CleanResult {
  /** Why nothing was done, or null when the log was cleaned. */
  skipped:
    | null
    | 'not-compacted'
    | 'closed'
    | 'nothing-cleanable'
    | 'below-dirty-ratio'
    | 'stopped'
    | 'segments-changed';
  firstDirty: number;
  firstUncleanable: number;
  dirtyRatio: number;
  groups: number;
  swapped: number;
  bytesBefore: number;
  bytesAfter: number;
  recordsRead: number;
  recordsKept: number;
  tombstonesRemoved: number;
  ms: number;
}

export function readCleanerCheckpoint(dir: string): CleanerCheckpoint | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, CLEANER_CHECKPOINT), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const [a, b] = text.trim().split(/\s+/).map(Number);
  if (a === undefined || !Number.isSafeInteger(a) || a < 0) return null;
  return { cleanedTo: a, tombstoneHorizon: b !== undefined && Number.isSafeInteger(b) ? b : -1 };
}

export function writeCleanerCheckpoint(dir: string, cp: CleanerCheckpoint): void {
  writeFileAtomicSync(path.join(dir, CLEANER_CHECKPOINT), `${cp.cleanedTo} ${cp.tombstoneHorizon}\n`);
}

/** A batch read from a segment file through the cleaner's own descriptor. */
interface RawBatch {
  buf: Buffer;
  at: number;
  size: number;
  /** Position in the file. */
  position: number;
}

/**
 * Batches of a file range, read in large chunks; the yielded buffer is only valid until the next one.
 * A damaged length throws CorruptBatchError: cleaning must never drop what follows it.
 */
function* readBatches(fd: number, end: number, file: string): Generator<RawBatch> {
  let chunk = Buffer.allocUnsafe(Math.max(BATCH_HEADER_SIZE, Math.min(READ_CHUNK, end)));
  let chunkPos = 0;
  let chunkLen = 0;
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= end) {
    if (pos + BATCH_HEADER_SIZE > chunkPos + chunkLen) {
      chunkPos = pos;
      chunkLen = readFully(fd, chunk, Math.min(chunk.length, end - pos), pos);
      if (chunkLen < BATCH_HEADER_SIZE) return;
    }
    const size = LOG_OVERHEAD + chunk.readInt32BE(pos - chunkPos + OFFSET_BATCH_LENGTH);
    if (size < BATCH_HEADER_SIZE || pos + size > end) {
      throw new CorruptBatchError(file, pos, `batch length ${size - LOG_OVERHEAD} does not fit`, -1);
    }
    if (pos + size > chunkPos + chunkLen) {
      if (size > chunk.length) chunk = Buffer.allocUnsafe(size);
      chunkPos = pos;
      chunkLen = readFully(fd, chunk, Math.min(chunk.length, end - pos), pos);
      if (chunkLen < size) return;
    }
    yield { buf: chunk, at: pos - chunkPos, size, position: pos };
    pos += size;
  }
}

interface HeaderFacts {
  baseOffset: number;
  lastOffset: number;
  attributes: number;
  producerId: number;
  isControl: boolean;
  isTransactional: boolean;
}

function facts(b: RawBatch): HeaderFacts {
  const baseOffset = readInt64(b.buf, b.at);
  const attributes = b.buf.readInt16BE(b.at + OFFSET_ATTRIBUTES);
  return {
    baseOffset,
    lastOffset: baseOffset + b.buf.readInt32BE(b.at + OFFSET_LAST_OFFSET_DELTA),
    attributes,
    producerId: readInt64(b.buf, b.at + OFFSET_PRODUCER_ID),
    isControl: (attributes & CONTROL_FLAG) !== 0,
    isTransactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
  };
}

async function recordsOf(b: RawBatch): Promise<Record[]> {
  const codec = b.buf.readInt16BE(b.at + OFFSET_ATTRIBUTES) & COMPRESSION_MASK;
  const payload = b.buf.subarray(b.at + BATCH_HEADER_SIZE, b.at + b.size);
  const data =
    codec === 0
      ? payload
      : payload.length < ASYNC_CODEC_BYTES / 4
        ? decompress(codec, payload)
        : await decompressAsync(codec, payload);
  return decodeRecords(data, b.buf.readInt32BE(b.at + OFFSET_RECORD_COUNT));
}

/** What the header scan learned about transactions and producers. */
interface TxnFacts {
  /** Base offsets of transactional data batches whose transaction was aborted. */
  aborted: Set<number>;
  /** First offset of a transaction with no marker in the log yet (Infinity: none). */
  firstUndecided: number;
  /** Producer id → base offset of its last batch in the log. */
  lastBatchOf: Map<number, number>;
}

/** Segment snapshot the pass works on: the sizes are fixed when the pass starts. */
interface SegView {
  seg: Segment;
  base: number;
  size: number;
  /** Offset plus time index entries (sealed segments only; 0 for the active one). */
  indexEntries: number;
}

class Slicer {
  private started = Date.now();
  private readonly sliceMs: number;
  private readonly shouldStop: () => boolean;
  constructor(sliceMs: number, shouldStop: () => boolean) {
    this.sliceMs = sliceMs;
    this.shouldStop = shouldStop;
  }
  /** Yields when the slice is used up; true when the pass must stop. */
  async tick(): Promise<boolean> {
    if (Date.now() - this.started < this.sliceMs) return false;
    await yieldToLoop();
    this.started = Date.now();
    return this.shouldStop();
  }
}

class Stopped extends Error {}

function withFd<T>(file: string, fn: (fd: number) => Promise<T>): Promise<T> {
  const fd = fs.openSync(file, 'r');
  return fn(fd).finally(() => fs.closeSync(fd));
}

async function scanTransactions(views: readonly SegView[], slicer: Slicer): Promise<TxnFacts> {
  const aborted = new Set<number>();
  const pending = new Map<number, number[]>();
  const lastBatchOf = new Map<number, number>();
  for (const v of views) {
    await withFd(v.seg.logPath, async (fd) => {
      for (const b of readBatches(fd, v.size, v.seg.logPath)) {
        const f = facts(b);
        if (f.producerId >= 0) lastBatchOf.set(f.producerId, f.baseOffset);
        if (f.isControl) {
          const open = pending.get(f.producerId);
          if (open !== undefined) {
            const [marker] = await recordsOf(b);
            if (marker !== undefined && decodeControlKey(marker.key).type === CONTROL_TYPE_ABORT) {
              for (const o of open) aborted.add(o);
            }
            pending.delete(f.producerId);
          }
        } else if (f.isTransactional) {
          const open = pending.get(f.producerId);
          if (open === undefined) pending.set(f.producerId, [f.baseOffset]);
          else open.push(f.baseOffset);
        }
        if (await slicer.tick()) throw new Stopped();
      }
    });
  }
  let firstUndecided = Number.POSITIVE_INFINITY;
  for (const open of pending.values()) firstUndecided = Math.min(firstUndecided, open[0]!);
  return { aborted, firstUndecided, lastBatchOf };
}

/** The first batch's max timestamp (Kafka's "first batch timestamp" for max.compaction.lag.ms). */
function firstBatchTimestamp(seg: Segment): number {
  if (seg.size < BATCH_HEADER_SIZE) return -1;
  const head = Buffer.alloc(BATCH_HEADER_SIZE);
  readFully(seg.fd, head, BATCH_HEADER_SIZE, 0);
  return readInt64(head, OFFSET_MAX_TIMESTAMP);
}

/** Output of one group being written to its `.cleaned` files. */
class CleanedWriter {
  readonly base: number;
  private readonly fd: number;
  private fdOpen = true;
  private readonly offIdx: OffsetIndex;
  private readonly timeIdx: TimeIndex;
  private readonly indexInterval: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  size = 0;
  private sinceIndex = 0;
  private maxTs = -1;
  private offsetOfMaxTs = -1;

  constructor(dir: string, base: number, indexInterval: number, indexBytes: number) {
    this.base = base;
    const p = cleanedPaths(dir, base);
    discardCleaned(dir, base);
    this.fd = fs.openSync(p.log, 'w', 0o644);
    fs.writeFileSync(p.index, '');
    fs.writeFileSync(p.timeIndex, '');
    this.offIdx = new OffsetIndex(p.index, base, indexBytes);
    this.timeIdx = new TimeIndex(p.timeIndex, base, indexBytes);
    this.indexInterval = indexInterval;
  }

  append(batch: Buffer, baseOffset: number, maxTimestamp: number): void {
    if (maxTimestamp > this.maxTs) {
      this.maxTs = maxTimestamp;
      this.offsetOfMaxTs = baseOffset;
    }
    if (this.sinceIndex > this.indexInterval) {
      this.offIdx.append(baseOffset, this.size);
      this.timeIdx.maybeAppend(this.maxTs, this.offsetOfMaxTs);
      this.sinceIndex = 0;
    }
    this.sinceIndex += batch.length;
    this.pending.push(batch);
    this.pendingBytes += batch.length;
    this.size += batch.length;
    if (this.pendingBytes >= WRITE_CHUNK) this.flushPending();
  }

  private flushPending(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    const at = this.size - this.pendingBytes;
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, at + done);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Writes everything out, the indexes included, and fsyncs the three files (off the event loop). */
  async finish(): Promise<void> {
    this.flushPending();
    await fsyncAsync(this.fd);
    this.closeFd();
    if (this.maxTs >= 0) this.timeIdx.maybeAppend(this.maxTs, this.offsetOfMaxTs);
    this.timeIdx.persist();
    this.offIdx.persist();
    for (const file of [this.timeIdx.path, this.offIdx.path]) {
      const fd = fs.openSync(file, 'r');
      try {
        await fsyncAsync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
  }

  private closeFd(): void {
    if (this.fdOpen) fs.closeSync(this.fd);
    this.fdOpen = false;
  }

  abandon(dir: string): void {
    this.closeFd();
    discardCleaned(dir, this.base);
  }
}

interface FilterState {
  map: Map<string, number>;
  txn: TxnFacts;
  now: number;
  deleteRetentionMs: number;
  stats: CleanResult;
  /** Earliest delete horizon among kept tombstones. */
  horizon: number;
  changed: boolean;
}

/** Re-encodes a batch with `survivors`, keeping every header field but counts, sizes and timestamps. */
async function rebuildBatch(b: RawBatch, survivors: Record[], horizon: number | null): Promise<Buffer> {
  const header = Buffer.from(b.buf.subarray(b.at, b.at + BATCH_HEADER_SIZE));
  const attributes = header.readInt16BE(OFFSET_ATTRIBUTES);
  const codec = attributes & COMPRESSION_MASK;
  const oldBase = readInt64(header, OFFSET_BASE_TIMESTAMP);
  const logAppend = (attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
  const newBase = horizon ?? oldBase;
  let maxTs = -1;
  const records = survivors.map((r) => {
    const ts = oldBase + r.timestampDelta;
    if (ts > maxTs) maxTs = ts;
    return newBase === oldBase ? r : { ...r, timestampDelta: ts - newBase };
  });
  const raw = encodeRecords(records);
  const payload =
    codec === 0 || records.length === 0
      ? raw
      : raw.length < ASYNC_CODEC_BYTES
        ? compress(codec, raw)
        : await compressAsync(codec, raw);
  const out = Buffer.allocUnsafe(BATCH_HEADER_SIZE + payload.length);
  header.copy(out, 0);
  payload.copy(out, BATCH_HEADER_SIZE);
  out.writeInt32BE(out.length - LOG_OVERHEAD, OFFSET_BATCH_LENGTH);
  out.writeInt32BE(records.length, OFFSET_RECORD_COUNT);
  // An empty batch (kept for producer state) is uncompressed, as Kafka writes it.
  let newAttributes = records.length === 0 ? attributes & ~COMPRESSION_MASK : attributes;
  if (horizon !== null) {
    newAttributes |= DELETE_HORIZON_FLAG;
    writeInt64(out, horizon, OFFSET_BASE_TIMESTAMP);
  }
  out.writeInt16BE(newAttributes, OFFSET_ATTRIBUTES);
  if (!logAppend && records.length > 0) writeInt64(out, maxTs, OFFSET_MAX_TIMESTAMP);
  writeBatchCrc(out);
  return out;
}

/** Filters one batch; returns the bytes to keep (possibly the original) or null. */
async function filterBatch(b: RawBatch, st: FilterState, keepEmpty: boolean): Promise<Buffer | null> {
  const f = facts(b);
  const original = (): Buffer => Buffer.from(b.buf.subarray(b.at, b.at + b.size));
  if (f.isControl) return original();
  const isLastOfProducer = f.producerId >= 0 && st.txn.lastBatchOf.get(f.producerId) === f.baseOffset;
  const records = await recordsOf(b);
  st.stats.recordsRead += records.length;
  const aborted = f.isTransactional && st.txn.aborted.has(f.baseOffset);
  const hasHorizon = (f.attributes & DELETE_HORIZON_FLAG) !== 0;
  const batchBase = readInt64(b.buf, b.at + OFFSET_BASE_TIMESTAMP);
  const horizonPassed = hasHorizon && st.now >= batchBase;
  const survivors: Record[] = [];
  let keptTombstone = false;
  if (!aborted) {
    for (const r of records) {
      if (r.key !== null) {
        const latest = st.map.get(r.key.toString('latin1'));
        if (latest !== undefined && latest > f.baseOffset + r.offsetDelta) continue;
        if (r.value === null) {
          if (horizonPassed) {
            st.stats.tombstonesRemoved++;
            continue;
          }
          keptTombstone = true;
        }
      }
      survivors.push(r);
    }
  }
  st.stats.recordsKept += survivors.length;
  const newHorizon = keptTombstone && !hasHorizon ? st.now + st.deleteRetentionMs : null;
  if (keptTombstone) st.horizon = Math.min(st.horizon, newHorizon ?? batchBase);
  if (survivors.length === records.length && newHorizon === null) return original();
  st.changed = true;
  if (survivors.length === 0 && !isLastOfProducer && !keepEmpty) return null;
  return rebuildBatch(b, survivors, newHorizon);
}

/** Groups consecutive views so each group stays within one segment's limits. */
function groupViews(views: readonly SegView[], nextBase: number, cfg: PartitionLog['config']): SegView[][] {
  const maxEntries = Math.floor(cfg.segmentIndexBytes / 12);
  const groups: SegView[][] = [];
  let cur: SegView[] = [];
  let bytes = 0;
  let entries = 0;
  for (let i = 0; i < views.length; i++) {
    const v = views[i]!;
    const end = views[i + 1]?.base ?? nextBase;
    const idx = v.indexEntries + 2;
    const first = cur[0];
    if (
      first !== undefined &&
      (bytes + v.size > cfg.segmentBytes || entries + idx > maxEntries || end - 1 - first.base > INT32_MAX)
    ) {
      groups.push(cur);
      cur = [];
      bytes = 0;
      entries = 0;
    }
    cur.push(v);
    bytes += v.size;
    entries += idx;
  }
  if (cur.length > 0) groups.push(cur);
  return groups;
}

function emptyResult(): CleanResult {
  return {
    skipped: null,
    firstDirty: -1,
    firstUncleanable: -1,
    dirtyRatio: 0,
    groups: 0,
    swapped: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    recordsRead: 0,
    recordsKept: 0,
    tombstonesRemoved: 0,
    ms: 0,
  };
}

/** One cleaning pass over `log` with its current config. */
export async function cleanLog(log: PartitionLog, opts: CleanerOptions = {}): Promise<CleanResult> {
  const started = Date.now();
  const now = (opts.now ?? Date.now)();
  const logger = opts.logger ?? noopLogger;
  const res = emptyResult();
  const done = (skipped: CleanResult['skipped']): CleanResult => {
    res.skipped = skipped;
    res.ms = Date.now() - started;
    return res;
  };
  const cfg = log.config;
  if (!cfg.cleanupPolicy.compact) return done('not-compacted');
  if (log.isClosed) return done('closed');
  const segs = log.segments;
  const all: SegView[] = segs.map((seg, i) => ({
    seg,
    base: seg.baseOffset,
    size: seg.size,
    indexEntries: i === segs.length - 1 ? 0 : seg.offsetIndex.entries + seg.timeIndex.entries,
  }));
  const active = all[all.length - 1]!;
  const closedViews = all.slice(0, -1);
  if (closedViews.length === 0) return done('nothing-cleanable');
  const dir = log.dir;
  const cp = readCleanerCheckpoint(dir);
  const start = closedViews[0]!.base;
  let firstDirty = cp?.cleanedTo ?? start;
  if (firstDirty < start || firstDirty > active.base) firstDirty = start;

  // The uncleanable boundary before transactions are known.
  let firstUncleanable = active.base;
  if (cfg.minCompactionLagMs > 0) {
    for (const v of closedViews) {
      if (v.base >= firstDirty && v.seg.maxTimestamp > now - cfg.minCompactionLagMs) {
        firstUncleanable = v.base;
        break;
      }
    }
  }
  const ratioOf = (limit: number): { dirty: number; ratio: number } => {
    let clean = 0;
    let dirty = 0;
    for (const v of closedViews) {
      if (v.base < firstDirty) clean += v.size;
      else if (v.base < limit) dirty += v.size;
    }
    return { dirty, ratio: clean + dirty === 0 ? 0 : dirty / (clean + dirty) };
  };
  const firstDirtyView = closedViews.find((v) => v.base === firstDirty);
  const lagForced =
    firstDirtyView !== undefined &&
    firstDirty < firstUncleanable &&
    (() => {
      const ts = firstBatchTimestamp(firstDirtyView.seg);
      return ts >= 0 && now - ts > cfg.maxCompactionLagMs;
    })();
  const horizonDue = cp !== null && cp.tombstoneHorizon >= 0 && now >= cp.tombstoneHorizon;
  const wanted = (limit: number): boolean => {
    const { dirty, ratio } = ratioOf(limit);
    res.dirtyRatio = ratio;
    return (dirty > 0 && (ratio >= cfg.minCleanableDirtyRatio || lagForced)) || horizonDue;
  };
  res.firstDirty = firstDirty;
  res.firstUncleanable = firstUncleanable;
  if (!wanted(firstUncleanable)) return done('below-dirty-ratio');

  const slicer = new Slicer(opts.sliceMs ?? 5, opts.shouldStop ?? (() => log.isClosed));
  try {
    const txn = await scanTransactions(all, slicer);
    if (txn.firstUndecided < firstUncleanable) {
      let bound = start;
      for (const v of all) if (v.base <= txn.firstUndecided) bound = v.base;
      firstUncleanable = Math.min(firstUncleanable, bound);
      res.firstUncleanable = firstUncleanable;
      if (firstDirty > firstUncleanable) firstDirty = firstUncleanable;
      if (!wanted(firstUncleanable)) return done('below-dirty-ratio');
    }

    // Offset map from the dirty part.
    const map = new Map<string, number>();
    const maxKeys = opts.maxMapKeys ?? 5_000_000;
    for (const v of closedViews) {
      if (v.base < firstDirty || v.base >= firstUncleanable) continue;
      if (map.size >= maxKeys && v.base > firstDirty) {
        firstUncleanable = v.base;
        res.firstUncleanable = v.base;
        break;
      }
      await withFd(v.seg.logPath, async (fd) => {
        for (const b of readBatches(fd, v.size, v.seg.logPath)) {
          const f = facts(b);
          if (!f.isControl && !(f.isTransactional && txn.aborted.has(f.baseOffset))) {
            for (const r of await recordsOf(b)) {
              if (r.key !== null) map.set(r.key.toString('latin1'), f.baseOffset + r.offsetDelta);
            }
          }
          if (await slicer.tick()) throw new Stopped();
        }
      });
    }

    const cleanable = closedViews.filter((v) => v.base < firstUncleanable);
    const groups = groupViews(cleanable, firstUncleanable, cfg);
    res.groups = groups.length;
    let horizon = Number.POSITIVE_INFINITY;
    let cleanedTo = firstUncleanable;
    const lastView = cleanable[cleanable.length - 1];
    for (const group of groups) {
      const st: FilterState = {
        map,
        txn,
        now,
        deleteRetentionMs: cfg.deleteRetentionMs,
        stats: res,
        horizon: Number.POSITIVE_INFINITY,
        changed: group.length > 1,
      };
      const base = group[0]!.base;
      const out = new CleanedWriter(dir, base, cfg.indexIntervalBytes, cfg.segmentIndexBytes);
      let before = 0;
      try {
        for (const v of group) {
          before += v.size;
          await withFd(v.seg.logPath, async (fd) => {
            for (const b of readBatches(fd, v.size, v.seg.logPath)) {
              // The range's last batch stays (empty if need be): with an empty active segment after
              // it, it is what carries consumers past the removed tail to the log end.
              const last = v === lastView && b.position + b.size === v.size;
              const kept = await filterBatch(b, st, last);
              if (kept !== null) {
                out.append(kept, readInt64(kept, 0), readInt64(kept, OFFSET_MAX_TIMESTAMP));
              }
              if (await slicer.tick()) throw new Stopped();
            }
          });
        }
      } catch (err) {
        out.abandon(dir);
        throw err;
      }
      res.bytesBefore += before;
      horizon = Math.min(horizon, st.horizon);
      if (!st.changed) {
        out.abandon(dir);
        res.bytesAfter += before;
        continue;
      }
      await out.finish();
      if (opts.shouldStop?.() ?? log.isClosed) {
        out.abandon(dir);
        return done('stopped');
      }
      opts.onSwapStep?.('cleaned-written', base);
      const manifest = { base, replaces: group.map((v) => v.base) };
      await commitSwap(dir, manifest);
      const onStep = opts.onSwapStep;
      const swapped = log.replaceSegments(
        group.map((v) => v.seg),
        () => installSwap(dir, manifest, onStep ? (s) => onStep(s, base) : undefined),
      );
      if (swapped) await completeSwap(dir, manifest);
      if (!swapped) {
        abortSwap(dir, manifest);
        cleanedTo = Math.min(cleanedTo, base);
        res.bytesAfter += before;
        logger.info({ dir, base }, 'segments changed during cleaning; group skipped');
        break;
      }
      res.swapped++;
      res.bytesAfter += out.size;
    }
    if (!log.isClosed) {
      writeCleanerCheckpoint(dir, {
        cleanedTo,
        tombstoneHorizon: Number.isFinite(horizon) ? horizon : -1,
      });
    }
  } catch (err) {
    if (err instanceof Stopped) return done('stopped');
    // A segment file deleted under us (retention, DeleteRecords, topic deletion): try again later.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return done('segments-changed');
    throw err;
  }
  done(null);
  logger.info(
    {
      dir,
      firstDirty: res.firstDirty,
      firstUncleanable: res.firstUncleanable,
      swapped: res.swapped,
      bytesBefore: res.bytesBefore,
      bytesAfter: res.bytesAfter,
      recordsRead: res.recordsRead,
      recordsKept: res.recordsKept,
      ms: res.ms,
    },
    'cleaned log',
  );
  return res;
}
