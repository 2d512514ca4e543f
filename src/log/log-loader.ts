/**
 * Opening a partition directory: finishes or discards an interrupted cleaner swap (segment-swap.ts),
 * removes leftovers (`*.tmp`, indexes without a `.log`), opens the
 * segments in offset order, rebuilds sealed segments' missing indexes, recovers the active segment
 * (see segment-recovery.ts) and reads the log start checkpoint. An empty directory gets one empty
 * segment at the checkpointed start (or 0).
 */
import fs from 'node:fs';
import path from 'node:path';
import { TMP_SUFFIX } from './atomic-file.ts';
import { INDEX_SUFFIX, LOG_SUFFIX, parseLogFileName, TIME_INDEX_SUFFIX } from './file-names.ts';
import { readLogStartCheckpoint } from './log-start-checkpoint.ts';
import type { LogLogger } from './logger.ts';
import { Segment, type SegmentSettings } from './segment.ts';
import { recoverSegment } from './segment-recovery.ts';
import { recoverSwaps } from './segment-swap.ts';

export interface LoadedLog {
  /** In offset order, the last one active; never empty. */
  segments: Segment[];
  /** The checkpointed start, at least the first segment's base. May exceed logEndOffset after data loss. */
  logStartOffset: number;
  logEndOffset: number;
}

function indexStem(name: string): string | null {
  if (name.endsWith(INDEX_SUFFIX)) return name.slice(0, -INDEX_SUFFIX.length);
  if (name.endsWith(TIME_INDEX_SUFFIX)) return name.slice(0, -TIME_INDEX_SUFFIX.length);
  return null;
}

/** Base offsets of the directory's segments, sorted, after removing leftovers. */
function segmentBases(dir: string): number[] {
  const names = fs.readdirSync(dir);
  const present = new Set(names);
  const bases: number[] = [];
  for (const name of names) {
    const base = parseLogFileName(name);
    const stem = indexStem(name);
    if (base !== null) bases.push(base);
    else if (name.endsWith(TMP_SUFFIX) || (stem !== null && !present.has(stem + LOG_SUFFIX))) {
      fs.rmSync(path.join(dir, name), { force: true });
    }
  }
  return bases.sort((a, b) => a - b);
}

export function loadLog(dir: string, settings: SegmentSettings, logger: LogLogger, now: number): LoadedLog {
  recoverSwaps(dir, logger);
  const bases = segmentBases(dir);
  const checkpoint = readLogStartCheckpoint(dir);
  if (bases.length === 0) {
    const start = checkpoint ?? 0;
    return {
      segments: [Segment.create(dir, start, settings, logger, now)],
      logStartOffset: start,
      logEndOffset: start,
    };
  }
  const segments = bases.map((base) => Segment.open(dir, base, settings, logger, now));
  const active = segments.pop()!;
  for (const seg of segments) {
    if (seg.hasIndexFiles()) {
      seg.readMaxTimestampFromTimeIndex();
    } else {
      logger.warn({ segment: seg.logPath }, 'index files missing; rebuilding');
      recoverSegment(seg, { fromScratch: true });
    }
  }
  const problem = active.loadIndexes();
  if (problem !== null) logger.info({ segment: active.logPath, problem }, 'active segment index incomplete');
  const { nextOffset } = recoverSegment(active);
  segments.push(active);
  return {
    segments,
    logStartOffset: Math.max(checkpoint ?? 0, segments[0]!.baseOffset),
    logEndOffset: nextOffset,
  };
}
