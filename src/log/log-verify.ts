/**
 * Offline check of a data directory's logs (what `samsa log:verify` runs), in the spirit of Kafka's
 * `kafka-dump-log --deep-iteration`: walks every segment of every partition (or one topic's) and
 * reports, with file and position, what a broker would trip over:
 *
 * - batch framing: a length that fits, magic 2, base offsets increasing within and across segments;
 * - with `deep`: each batch's CRC-32C, and its records decoded (decompressed) and counted against
 *   the header's record count;
 * - indexes: every offset-index entry points at the start of a batch with that base offset, every
 *   time-index entry names a batch and increases; a sealed segment's time index must reach the
 *   segment's largest timestamp (retention and timestamp lookups trust it); a missing index of a
 *   sealed segment is a warning (the broker rebuilds it on start);
 * - topic metadata: a damaged or missing topic file, a missing `partition.metadata`.
 *
 * Errors are damage; warnings are states the broker repairs on its next start (a torn tail of the
 * last segment, missing index files or partition.metadata). It only reads, and works on a directory
 * a broker is using too (the active segments may then grow while they are read).
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeRecordBatch } from '../protocol/records/batch.ts';
import {
  BATCH_HEADER_SIZE,
  isBatchCrcValid,
  LOG_OVERHEAD,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAX_TIMESTAMP,
  OFFSET_RECORD_COUNT,
} from '../protocol/records/batch-header.ts';
import { FRAMING_BYTES, framingProblem } from './batch-framing.ts';
import { readFully } from './file-io.ts';
import { INDEX_SUFFIX, parseLogFileName, segmentPath, TIME_INDEX_SUFFIX } from './file-names.ts';
import { readInt64 } from './int64.ts';
import { OFFSET_INDEX_ENTRY_SIZE } from './offset-index.ts';
import { PARTITION_METADATA_FILE, readPartitionMetadata } from './partition-metadata.ts';
import { TIME_INDEX_ENTRY_SIZE } from './time-index.ts';
import { loadTopicMetadata, topicMetaDir } from './topic-metadata.ts';
import { validateTopicName } from './topic-name.ts';

export interface VerifyOptions {
  /** Only this topic's partitions. */
  topic?: string | undefined;
  /** Check CRCs and decode every record (slower: reads and decompresses everything). */
  deep?: boolean | undefined;
}

export interface VerifyProblem {
  severity: 'error' | 'warning';
  /** The file concerned, relative to the data directory. */
  file: string;
  /** Byte position in the file, when the problem has one. */
  position?: number;
  message: string;
}

export interface VerifyReport {
  dataDir: string;
  deep: boolean;
  partitions: number;
  segments: number;
  batches: number;
  records: number;
  bytes: number;
  problems: VerifyProblem[];
}

const PARTITION_DIR = /^(.+)-(\d+)$/;
const CHUNK = 1024 * 1024;

export function verifyDataDir(dataDir: string, opts: VerifyOptions = {}): VerifyReport {
  const report: VerifyReport = {
    dataDir,
    deep: opts.deep ?? false,
    partitions: 0,
    segments: 0,
    batches: 0,
    records: 0,
    bytes: 0,
    problems: [],
  };
  if (!fs.statSync(dataDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`${dataDir} is not a directory`);
  }
  const topics = new Set<string>();
  const metaDir = topicMetaDir(dataDir);
  if (fs.existsSync(metaDir)) {
    const loaded = loadTopicMetadata(metaDir);
    for (const t of loaded.topics) topics.add(t.name);
    for (const d of loaded.damaged) {
      if (opts.topic !== undefined && d.name !== opts.topic) continue;
      report.problems.push({
        severity: 'error',
        file: path.relative(dataDir, d.file),
        message: `damaged topic metadata (${d.reason}); the broker rebuilds it from partition.metadata if it can`,
      });
    }
  }
  const dirs = fs
    .readdirSync(dataDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, m: PARTITION_DIR.exec(e.name) }))
    .filter((d) => d.m !== null && validateTopicName(d.m[1]!) === null)
    .filter((d) => opts.topic === undefined || d.m![1] === opts.topic)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  if (opts.topic !== undefined && dirs.length === 0) {
    throw new Error(`no partition directories of topic "${opts.topic}" in ${dataDir}`);
  }
  for (const d of dirs) {
    report.partitions++;
    const topic = d.m![1]!;
    if (!topics.has(topic)) {
      report.problems.push({
        severity: 'warning',
        file: path.join('__meta/topics', `${topic}.json`),
        message:
          'missing: the broker rebuilds the topic from partition.metadata, or sets the directory aside',
      });
      topics.add(topic);
    }
    verifyPartition(dataDir, d.name, report);
  }
  return report;
}

function verifyPartition(dataDir: string, name: string, report: VerifyReport): void {
  const dir = path.join(dataDir, name);
  const pm = readPartitionMetadata(dir);
  if (pm.kind !== 'ok') {
    report.problems.push({
      severity: 'warning',
      file: path.join(name, PARTITION_METADATA_FILE),
      message: pm.kind === 'missing' ? 'missing (written on the next start)' : `invalid: ${pm.reason}`,
    });
  }
  const bases = fs
    .readdirSync(dir)
    .map(parseLogFileName)
    .filter((b): b is number => b !== null)
    .sort((a, b) => a - b);
  let nextOffset = -1;
  for (const [i, base] of bases.entries()) {
    const active = i === bases.length - 1;
    const file = path.join(name, path.basename(segmentPath(dir, base, '.log')));
    const problem = (severity: VerifyProblem['severity'], message: string, position?: number): void => {
      report.problems.push({ severity, file, message, ...(position === undefined ? {} : { position }) });
    };
    if (base < nextOffset)
      problem('error', `base offset ${base} overlaps the previous segment (which ends at ${nextOffset - 1})`);
    const seg = walkSegment(dir, base, report.deep, active, problem);
    report.segments++;
    report.batches += seg.batches;
    report.records += seg.records;
    report.bytes += seg.bytes;
    if (seg.nextOffset > nextOffset) nextOffset = seg.nextOffset;
    verifyIndexes(dir, name, base, seg, active, report);
  }
}

interface SegmentFacts {
  bytes: number;
  batches: number;
  records: number;
  /** Offset after the last good batch. */
  nextOffset: number;
  /** Batch start position → base offset, for the good batches. */
  starts: Map<number, number>;
  baseOffsets: Set<number>;
  maxTimestamp: number;
  /** Whether every byte was walked (no damage stopped the walk). */
  complete: boolean;
}

function walkSegment(
  dir: string,
  base: number,
  deep: boolean,
  active: boolean,
  problem: (severity: VerifyProblem['severity'], message: string, position?: number) => void,
): SegmentFacts {
  const fd = fs.openSync(segmentPath(dir, base, '.log'), 'r');
  const facts: SegmentFacts = {
    bytes: 0,
    batches: 0,
    records: 0,
    nextOffset: base,
    starts: new Map(),
    baseOffsets: new Set(),
    maxTimestamp: -1,
    complete: true,
  };
  try {
    const end = fs.fstatSync(fd).size;
    facts.bytes = end;
    let chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(end, FRAMING_BYTES)));
    let chunkPos = 0;
    let chunkLen = 0;
    const ensure = (pos: number, n: number): boolean => {
      if (pos >= chunkPos && pos + n <= chunkPos + chunkLen) return true;
      if (n > chunk.length) chunk = Buffer.allocUnsafe(n);
      chunkPos = pos;
      chunkLen = readFully(fd, chunk, Math.min(chunk.length, end - pos), pos);
      return chunkLen >= n;
    };
    let pos = 0;
    while (pos < end) {
      if (!ensure(pos, Math.min(FRAMING_BYTES, end - pos)) || end - pos < FRAMING_BYTES) {
        facts.complete = false;
        const message = `${end - pos} trailing bytes, too few for a batch header`;
        if (active) problem('warning', `${message} (a torn write: cut on the next start)`, pos);
        else problem('error', message, pos);
        break;
      }
      const at = pos - chunkPos;
      const bad = framingProblem(chunk, at, pos, end, facts.nextOffset);
      if (bad !== null) {
        facts.complete = false;
        const tail = active && pos + LOG_OVERHEAD + chunk.readInt32BE(at + OFFSET_BATCH_LENGTH) > end;
        const lost = `offsets from ${facts.nextOffset} on in this segment cannot be read`;
        if (tail) problem('warning', `${bad} (a torn write: cut on the next start)`, pos);
        else problem('error', `${bad}; ${lost}`, pos);
        break;
      }
      const size = LOG_OVERHEAD + chunk.readInt32BE(at + OFFSET_BATCH_LENGTH);
      const baseOffset = readInt64(chunk, at);
      const lastOffset = baseOffset + chunk.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
      if (deep) {
        ensure(pos, size);
        const b = pos - chunkPos;
        if (!isBatchCrcValid(chunk, b)) {
          problem('error', `CRC-32C mismatch in the batch of offsets ${baseOffset} to ${lastOffset}`, pos);
        } else {
          try {
            const { records } = decodeRecordBatch(chunk.subarray(b, b + size), 0);
            const declared = chunk.readInt32BE(b + OFFSET_RECORD_COUNT);
            if (records.length !== declared) {
              problem(
                'error',
                `batch of offsets ${baseOffset} to ${lastOffset} declares ${declared} records, holds ${records.length}`,
                pos,
              );
            }
            facts.records += records.length;
          } catch (err) {
            problem(
              'error',
              `records of offsets ${baseOffset} to ${lastOffset} cannot be decoded: ${(err as Error).message}`,
              pos,
            );
          }
        }
      }
      ensure(pos, BATCH_HEADER_SIZE);
      const maxTimestamp = readInt64(chunk, pos - chunkPos + OFFSET_MAX_TIMESTAMP);
      if (maxTimestamp > facts.maxTimestamp) facts.maxTimestamp = maxTimestamp;
      facts.starts.set(pos, baseOffset);
      facts.baseOffsets.add(baseOffset);
      facts.batches++;
      facts.nextOffset = lastOffset + 1;
      pos += size;
    }
  } finally {
    fs.closeSync(fd);
  }
  return facts;
}

function verifyIndexes(
  dir: string,
  name: string,
  base: number,
  seg: SegmentFacts,
  active: boolean,
  report: VerifyReport,
): void {
  const stem = path.basename(segmentPath(dir, base, ''));
  const offsetFile = path.join(name, stem + INDEX_SUFFIX);
  const timeFile = path.join(name, stem + TIME_INDEX_SUFFIX);
  const problem = (file: string, message: string, position?: number): void => {
    report.problems.push({
      severity: 'error',
      file,
      message,
      ...(position === undefined ? {} : { position }),
    });
  };
  const offsets = readIfExists(path.join(dir, stem + INDEX_SUFFIX));
  const times = readIfExists(path.join(dir, stem + TIME_INDEX_SUFFIX));
  if (!active && (offsets === null || times === null)) {
    report.problems.push({
      severity: 'warning',
      file: offsets === null ? offsetFile : timeFile,
      message: 'missing (rebuilt from the log on the next start)',
    });
  }
  if (offsets !== null) {
    if (offsets.length % OFFSET_INDEX_ENTRY_SIZE !== 0 && !active) {
      problem(offsetFile, `size ${offsets.length} is not a multiple of ${OFFSET_INDEX_ENTRY_SIZE}`);
    }
    let prev = -1;
    for (let at = 0; at + OFFSET_INDEX_ENTRY_SIZE <= offsets.length; at += OFFSET_INDEX_ENTRY_SIZE) {
      const offset = base + offsets.readInt32BE(at);
      const position = offsets.readInt32BE(at + 4);
      if (position <= prev) {
        problem(
          offsetFile,
          `entry for offset ${offset} has position ${position}, not above the previous one`,
          at,
        );
        break;
      }
      prev = position;
      const batchBase = seg.starts.get(position);
      if (batchBase === undefined) {
        if (seg.complete || position < lastStart(seg)) {
          problem(
            offsetFile,
            `entry for offset ${offset} points at position ${position}, which is not the start of a batch`,
            at,
          );
          break;
        }
      } else if (batchBase !== offset) {
        problem(offsetFile, `entry for offset ${offset} points at the batch of base offset ${batchBase}`, at);
        break;
      }
    }
  }
  if (times !== null) {
    let prevTs = Number.NEGATIVE_INFINITY;
    let last = -1;
    for (let at = 0; at + TIME_INDEX_ENTRY_SIZE <= times.length; at += TIME_INDEX_ENTRY_SIZE) {
      const ts = readInt64(times, at);
      const offset = base + times.readInt32BE(at + 8);
      if (ts <= prevTs) {
        problem(timeFile, `timestamp ${ts} does not increase`, at);
        break;
      }
      if (!seg.baseOffsets.has(offset) && seg.complete) {
        problem(timeFile, `entry (${ts}, offset ${offset}) names no batch of the segment`, at);
        break;
      }
      prevTs = ts;
      last = ts;
    }
    if (!active && seg.complete && seg.batches > 0 && last < seg.maxTimestamp) {
      problem(
        timeFile,
        `ends at timestamp ${last} but the segment holds records up to ${seg.maxTimestamp} (retention and timestamp lookups would be wrong)`,
      );
    }
  }
}

function lastStart(seg: SegmentFacts): number {
  let max = -1;
  for (const p of seg.starts.keys()) if (p > max) max = p;
  return max;
}

function readIfExists(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
