/**
 * Producer state persistence: a JSON snapshot `producer-state.snapshot` written at clean close
 * (with the log end offset it covers), and on open a batch-header scan of the log from the
 * snapshot's offset (or the log start when there is none, or it lies beyond the recovered log end,
 * e.g. after truncation). After a kill -9 the older snapshot plus the scan rebuild the same state:
 * the scan visits each batch once and decodes only control batches' single record.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from './atomic-file.ts';
import { scanBatches } from './batch-scan.ts';
import type { LogLogger } from './logger.ts';
import { type AbortedTxn, type ProducerEntry, ProducerStateManager } from './producer-state.ts';
import type { Segment } from './segment.ts';
import { locateBatch } from './segment-read.ts';

export const PRODUCER_SNAPSHOT_FILE = 'producer-state.snapshot';

interface Snapshot {
  version: 1;
  offset: number;
  producers: ProducerEntry[];
  aborted: AbortedTxn[];
}

export function writeProducerSnapshot(dir: string, state: ProducerStateManager, offset: number): void {
  const snap: Snapshot = {
    version: 1,
    offset,
    producers: [...state.producers.values()],
    aborted: state.aborted,
  };
  writeFileAtomicSync(path.join(dir, PRODUCER_SNAPSHOT_FILE), JSON.stringify(snap));
}

function readSnapshot(dir: string): Snapshot | null {
  try {
    const snap = JSON.parse(fs.readFileSync(path.join(dir, PRODUCER_SNAPSHOT_FILE), 'utf8')) as Snapshot;
    return snap.version === 1 && Number.isSafeInteger(snap.offset) ? snap : null;
  } catch {
    return null;
  }
}

/** Rebuilds `state` for a log holding [logStartOffset, logEndOffset) in `segments`. */
export function loadProducerState(
  dir: string,
  segments: readonly Segment[],
  logStartOffset: number,
  logEndOffset: number,
  state: ProducerStateManager,
  logger: LogLogger,
  useSnapshot = true,
): void {
  state.clear();
  let from = logStartOffset;
  const snap = useSnapshot ? readSnapshot(dir) : null;
  if (snap !== null && snap.offset <= logEndOffset && snap.offset >= logStartOffset) {
    for (const p of snap.producers) {
      state.producers.set(p.producerId, p);
      if (p.currentTxnFirstOffset >= 0) state.ongoing.set(p.producerId, p.currentTxnFirstOffset);
    }
    state.aborted = snap.aborted;
    from = snap.offset;
  }
  let batches = 0;
  for (const seg of segments) {
    if (seg.size === 0) continue;
    const next = segments[segments.indexOf(seg) + 1];
    if (next !== undefined && next.baseOffset <= from) continue;
    const position = from > seg.baseOffset ? locateBatch(seg, from) : 0;
    if (position === null) continue;
    scanBatches(seg.fd, position, seg.size, { body: true }, (buf, at) => {
      batches++;
      state.applyBatch(buf, at);
      return true;
    });
  }
  state.dropAbortedBefore(logStartOffset);
  if (batches > 0 || state.producers.size > 0) {
    logger.info({ dir, from, batches, producers: state.producers.size }, 'loaded producer state');
  }
}

export { ProducerStateManager };
