/**
 * Retention (cleanup.policy containing `delete`): deletes whole closed segments from the start of a
 * partition, Kafka's rules:
 *
 * - time: while the oldest closed segment's largest timestamp (or its file's mtime when it holds no
 *   timestamps) is more than `retention.ms` in the past;
 * - size: while removing the oldest closed segment still leaves the partition at or above
 *   `retention.bytes`.
 *
 * The active segment is never deleted. It is rolled first when it has been open for `segment.ms`
 * (for compacted topics also `max.compaction.lag.ms`) or when everything in it is past retention,
 * as Kafka does, so that idle data ages out. Deleting advances the log start offset (checkpointed
 * by PartitionLog.deleteRecordsBefore); fetches below it answer OFFSET_OUT_OF_RANGE.
 */
import fs from 'node:fs';
import type { PartitionLog } from './partition-log.ts';
import type { Segment } from './segment.ts';

export interface RetentionResult {
  /** The active segment was rolled this pass. */
  rolled: boolean;
  deletedSegments: number;
  deletedBytes: number;
  logStartOffset: number;
}

/** The segment's largest timestamp, falling back to its file's modification time. */
function largestTimestamp(seg: Segment): number {
  if (seg.maxTimestamp >= 0) return seg.maxTimestamp;
  try {
    return fs.statSync(seg.logPath).mtimeMs;
  } catch {
    return -1;
  }
}

/** Rolls an idle active segment when its time is up (any cleanup policy). */
function maybeRollActive(log: PartitionLog, now: number): boolean {
  const cfg = log.config;
  const active = log.activeSegment;
  if (active.size === 0) return false;
  let rollAfter = cfg.segmentMs;
  if (cfg.cleanupPolicy.compact) rollAfter = Math.min(rollAfter, cfg.maxCompactionLagMs);
  const aged = now - active.rollBase >= rollAfter;
  const expired =
    cfg.cleanupPolicy.delete &&
    cfg.retentionMs >= 0 &&
    active.maxTimestamp >= 0 &&
    now - active.maxTimestamp > cfg.retentionMs;
  return (aged || expired) && log.rollActiveSegment();
}

/** One retention pass over `log` with its current config. */
export function applyRetention(log: PartitionLog, now: number): RetentionResult {
  const rolled = log.isClosed ? false : maybeRollActive(log, now);
  const result: RetentionResult = {
    rolled,
    deletedSegments: 0,
    deletedBytes: 0,
    logStartOffset: log.logStartOffset,
  };
  const cfg = log.config;
  if (log.isClosed || !cfg.cleanupPolicy.delete) return result;
  const segs = log.segments;
  const closed = segs.length - 1;
  let byTime = 0;
  if (cfg.retentionMs >= 0) {
    while (byTime < closed && now - largestTimestamp(segs[byTime]!) > cfg.retentionMs) byTime++;
  }
  let bySize = 0;
  if (cfg.retentionBytes >= 0) {
    let excess = -cfg.retentionBytes;
    for (const seg of segs) excess += seg.size;
    while (bySize < closed && excess - segs[bySize]!.size >= 0) {
      excess -= segs[bySize]!.size;
      bySize++;
    }
  }
  const count = Math.max(byTime, bySize);
  if (count === 0) return result;
  for (let i = 0; i < count; i++) result.deletedBytes += segs[i]!.size;
  const newStart = Math.max(log.logStartOffset, segs[count]!.baseOffset);
  const res = log.deleteRecordsBefore(newStart);
  result.deletedSegments = count;
  result.logStartOffset = res.logStartOffset;
  return result;
}
