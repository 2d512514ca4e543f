/**
 * ProducerStateManager: one partition's idempotent/transactional producer state, kept per batch
 * (never per record) from the RecordBatch v2 headers.
 *
 * - Per producer id: the current epoch, the last 5 appended batches (first/last sequence and
 *   offsets) for duplicate detection, the last timestamp, and the first offset of its open
 *   transaction, if any.
 * - The open transactions (producer id → first offset); the last stable offset is the smallest.
 * - The aborted-transaction index (producer id, first offset, last offset = the abort marker) that
 *   read_committed fetches return.
 *
 * `check` validates produced batches before they are appended (Kafka's ProducerAppendInfo rules:
 * INVALID_PRODUCER_EPOCH for an older epoch, OUT_OF_ORDER_SEQUENCE_NUMBER for a gap or a new epoch
 * not starting at 0, a retried batch matching one of the last 5 is a duplicate answered with its
 * original offsets). An unknown producer id is accepted at any sequence (KIP-360: its state may have
 * been removed by retention). `onAppended` updates the state from the appended bytes (offsets
 * assigned), including commit/abort control batches. State is rebuilt on open by a header scan
 * from the last snapshot (see producer-snapshot.ts). `removeExpired` forgets idle producers.
 */
import { ErrorCode } from '../protocol/errors.ts';
import {
  CONTROL_FLAG,
  LOG_OVERHEAD,
  OFFSET_ATTRIBUTES,
  OFFSET_BASE_SEQUENCE,
  OFFSET_BATCH_LENGTH,
  OFFSET_LAST_OFFSET_DELTA,
  OFFSET_MAX_TIMESTAMP,
  OFFSET_PRODUCER_EPOCH,
  OFFSET_PRODUCER_ID,
  TRANSACTIONAL_FLAG,
} from '../protocol/records/batch-header.ts';
import { readInt64 } from './int64.ts';

/** Kafka's ProducerStateEntry.NumBatchesToRetain. */
export const BATCHES_TO_RETAIN = 5;
const INT32_MAX = 0x7fffffff;

export interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

export interface ProducerEntry {
  producerId: number;
  epoch: number;
  /** Oldest first, at most BATCHES_TO_RETAIN. */
  batches: BatchMetadata[];
  lastTimestamp: number;
  coordinatorEpoch: number;
  /** First offset of the open transaction, -1 when none. */
  currentTxnFirstOffset: number;
}

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** Offset of the abort marker. */
  lastOffset: number;
}

export type ProducerCheck =
  | { kind: 'ok' }
  | { kind: 'duplicate'; baseOffset: number; lastOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

const OK: ProducerCheck = { kind: 'ok' };

/** Producer id of the batch at `at`; -1 (no producer) read without allocating a BigInt. */
export function batchProducerId(buf: Buffer, at: number): number {
  const hi = buf.readInt32BE(at + OFFSET_PRODUCER_ID);
  if (hi < 0) return -1;
  return hi * 0x100000000 + buf.readUInt32BE(at + OFFSET_PRODUCER_ID + 4);
}

function lastSequence(firstSeq: number, lastOffsetDelta: number): number {
  const last = firstSeq + lastOffsetDelta;
  return last > INT32_MAX ? last - INT32_MAX - 1 : last;
}

/** Kafka's inSequence: the next batch starts right after `lastSeq` (wrapping at int32 max). */
export function inSequence(lastSeq: number, nextSeq: number): boolean {
  return nextSeq === lastSeq + 1 || (nextSeq === 0 && lastSeq === INT32_MAX);
}

/** Reads the control type (0 abort, 1 commit) and coordinator epoch of a control batch's record. */
function readControlRecord(buf: Buffer, at: number): { type: number; coordinatorEpoch: number } {
  let p = at + 61;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[p++]!;
      v |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7;
    }
    return (v >>> 1) ^ -(v & 1);
  };
  varint(); // record length
  p += 1; // attributes
  varint(); // timestamp delta
  varint(); // offset delta
  const keyLength = varint();
  const type = keyLength >= 4 ? buf.readInt16BE(p + 2) : -1;
  p += Math.max(keyLength, 0);
  const valueLength = varint();
  const coordinatorEpoch = valueLength >= 6 ? buf.readInt32BE(p + 2) : -1;
  return { type, coordinatorEpoch };
}

export class ProducerStateManager {
  readonly producers = new Map<number, ProducerEntry>();
  /** Producer id → first offset of its open transaction. */
  readonly ongoing = new Map<number, number>();
  /** Ordered by lastOffset (markers are appended in log order). */
  aborted: AbortedTxn[] = [];

  /** Validates the producer fields of concatenated batches about to be appended. */
  check(batches: Buffer): ProducerCheck {
    let result: ProducerCheck = OK;
    let prevPid = -1;
    let prevEpoch = -1;
    let prevLastSeq = -1;
    let duplicates = 0;
    let count = 0;
    for (
      let at = 0;
      at < batches.length;
      at += LOG_OVERHEAD + batches.readInt32BE(at + OFFSET_BATCH_LENGTH)
    ) {
      count++;
      const pid = batchProducerId(batches, at);
      if (pid < 0) continue;
      const epoch = batches.readInt16BE(at + OFFSET_PRODUCER_EPOCH);
      const firstSeq = batches.readInt32BE(at + OFFSET_BASE_SEQUENCE);
      const lastSeq = lastSequence(firstSeq, batches.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA));
      if (pid === prevPid && epoch === prevEpoch) {
        // A later batch of the same request continues the previous one.
        if (!inSequence(prevLastSeq, firstSeq)) return outOfOrder(pid, prevLastSeq, firstSeq);
      } else {
        const r = this.checkOne(pid, epoch, firstSeq, lastSeq);
        if (r.kind === 'error') return r;
        if (r.kind === 'duplicate') {
          duplicates++;
          result =
            duplicates === 1
              ? r
              : { ...r, baseOffset: Math.min(r.baseOffset, (result as typeof r).baseOffset) };
        }
      }
      prevPid = pid;
      prevEpoch = epoch;
      prevLastSeq = lastSeq;
    }
    if (duplicates > 0 && duplicates !== count) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: 'partially duplicated request',
      };
    }
    return result;
  }

  private checkOne(pid: number, epoch: number, firstSeq: number, lastSeq: number): ProducerCheck {
    const entry = this.producers.get(pid);
    if (entry === undefined) return OK;
    if (epoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `Epoch ${epoch} of producer ${pid} is older than the current epoch ${entry.epoch}`,
      };
    }
    if (epoch > entry.epoch) {
      if (firstSeq !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `Invalid sequence number for new epoch of producer ${pid}: ${epoch} (request epoch), ${firstSeq} (seq. number), ${entry.epoch} (current producer epoch)`,
        };
      }
      return OK;
    }
    for (const b of entry.batches) {
      if (b.firstSeq === firstSeq && b.lastSeq === lastSeq) {
        return { kind: 'duplicate', baseOffset: b.firstOffset, lastOffset: b.lastOffset };
      }
    }
    const last = entry.batches[entry.batches.length - 1];
    const currentLastSeq = last === undefined ? -1 : last.lastSeq;
    if (!inSequence(currentLastSeq, firstSeq)) return outOfOrder(pid, currentLastSeq, firstSeq);
    return OK;
  }

  /** Updates the state from batches just appended (their base offsets written in). */
  onAppended(batches: Buffer): void {
    for (
      let at = 0;
      at < batches.length;
      at += LOG_OVERHEAD + batches.readInt32BE(at + OFFSET_BATCH_LENGTH)
    ) {
      if (batches.readInt32BE(at + OFFSET_PRODUCER_ID) < 0) continue;
      this.applyBatch(batches, at);
    }
  }

  /** Applies the batch at `at` (header, plus the control record for control batches). */
  applyBatch(buf: Buffer, at: number): void {
    const pid = batchProducerId(buf, at);
    if (pid < 0) return;
    const epoch = buf.readInt16BE(at + OFFSET_PRODUCER_EPOCH);
    const attributes = buf.readInt16BE(at + OFFSET_ATTRIBUTES);
    const baseOffset = readInt64(buf, at);
    const lastOffset = baseOffset + buf.readInt32BE(at + OFFSET_LAST_OFFSET_DELTA);
    let entry = this.producers.get(pid);
    if (entry === undefined) {
      entry = {
        producerId: pid,
        epoch,
        batches: [],
        lastTimestamp: -1,
        coordinatorEpoch: -1,
        currentTxnFirstOffset: -1,
      };
      this.producers.set(pid, entry);
    } else if (epoch > entry.epoch) {
      entry.epoch = epoch;
      entry.batches = [];
    }
    entry.lastTimestamp = readInt64(buf, at + OFFSET_MAX_TIMESTAMP);
    if (attributes & CONTROL_FLAG) {
      const control = readControlRecord(buf, at);
      entry.coordinatorEpoch = control.coordinatorEpoch;
      if (entry.currentTxnFirstOffset >= 0) {
        if (control.type === 0) {
          this.aborted.push({
            producerId: pid,
            firstOffset: entry.currentTxnFirstOffset,
            lastOffset: baseOffset,
          });
        }
        entry.currentTxnFirstOffset = -1;
        this.ongoing.delete(pid);
      }
      return;
    }
    const firstSeq = buf.readInt32BE(at + OFFSET_BASE_SEQUENCE);
    if (firstSeq >= 0) {
      entry.batches.push({
        firstSeq,
        lastSeq: lastSequence(firstSeq, lastOffset - baseOffset),
        firstOffset: baseOffset,
        lastOffset,
      });
      if (entry.batches.length > BATCHES_TO_RETAIN) entry.batches.shift();
    }
    if (attributes & TRANSACTIONAL_FLAG && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = baseOffset;
      this.ongoing.set(pid, baseOffset);
    }
  }

  /** First offset of the oldest open transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    let min: number | null = null;
    for (const first of this.ongoing.values()) if (min === null || first < min) min = first;
    return min;
  }

  /** Aborted transactions overlapping [from, to): lastOffset >= from and firstOffset < to. */
  abortedIn(from: number, to: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.aborted.length - 1; i >= 0; i--) {
      const a = this.aborted[i]!;
      if (a.lastOffset < from) break;
      if (a.firstOffset < to) out.push(a);
    }
    return out.reverse();
  }

  /** Forgets aborted transactions entirely below the log start offset. */
  dropAbortedBefore(offset: number): void {
    let n = 0;
    while (n < this.aborted.length && this.aborted[n]!.lastOffset < offset) n++;
    if (n > 0) this.aborted = this.aborted.slice(n);
  }

  /**
   * Forgets producers idle for `expirationMs` (Kafka's producer.id.expiration.ms): no open
   * transaction and their last batch's timestamp at least that old. A forgotten producer that comes
   * back is accepted at any sequence (KIP-360), as after retention. Returns how many were removed.
   */
  removeExpired(now: number, expirationMs: number): number {
    let removed = 0;
    for (const [pid, entry] of this.producers) {
      if (entry.currentTxnFirstOffset >= 0 || now - entry.lastTimestamp < expirationMs) continue;
      this.producers.delete(pid);
      removed++;
    }
    return removed;
  }

  clear(): void {
    this.producers.clear();
    this.ongoing.clear();
    this.aborted = [];
  }
}

function outOfOrder(pid: number, lastSeq: number, firstSeq: number): ProducerCheck {
  return {
    kind: 'error',
    errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    message: `Out of order sequence number for producer ${pid}: ${firstSeq} (incoming seq. number), ${lastSeq} (current end sequence number)`,
  };
}
