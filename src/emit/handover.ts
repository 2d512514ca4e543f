/**
 * The memory the app's thread and the sender's worker thread share (sender-thread.ts,
 * sender-worker.ts), one SharedArrayBuffer:
 *
 * - control words (Int32, Atomics): bytes written to / read from the batch ring, whether the worker
 *   sleeps (waits for a notify), when the app's thread wants a message about settled batches,
 *   settlements written / read. Counters run free and wrap at 2^32;
 * - the batch ring (app → worker): `u32 length | u32 batch id | packed records | padding to 8`;
 *   an entry that does not fit before the end of the ring is written at its start, after a
 *   `0xffffffff` length that says so. A batch that does not fit at all goes by `postMessage`;
 *   the worker puts batches back in id order;
 * - the settlement ring (worker → app): per batch its id, events rejected, refusals and the time it
 *   settled. The app's thread reads it when it next takes a batch (so a steady stream costs it no
 *   wake-up per acknowledgement), or when it asked to be told (CTL_WAKE).
 *
 * Waking another thread is what costs here (measured on the 2-core VM: ~50 µs of the waker's CPU
 * per `Atomics.notify` of a sleeping thread or `postMessage`, against ~3 µs to pack a batch): so a
 * busy worker polls the ring on a timer of its own instead of being notified per batch, and sleeps
 * (waits for a notify) only after a while without batches.
 */
import { packedLength, packInto, type QueuedRecord } from './record.ts';

export const CTL_WRITE = 0;
export const CTL_READ = 1;
/** 1 while the worker waits on this word for a notify (it polls the ring while it is busy). */
export const CTL_WORKER_WAITS = 2;
/** When the app's thread wants a message about settlements: WAKE_NEVER, WAKE_SOON or WAKE_AT_ONCE. */
export const CTL_WAKE = 3;
/** It reads them when it next takes a batch. */
export const WAKE_NEVER = 0;
/** Nothing scheduled on its side: a message once settlements have waited for a poll interval. */
export const WAKE_SOON = 1;
/** Someone waits (flush, close, a full window of batches in flight, the spool): a message each. */
export const WAKE_AT_ONCE = 2;
export const CTL_SETTLED = 4;
export const CTL_DRAINED = 5;
const CTL_BYTES = 64;
const WRAP = 0xffffffff;

export interface Handover {
  sab: SharedArrayBuffer;
  ctl: Int32Array;
  /** id, rejected, refusals, (unused) per settlement. */
  settled: Int32Array;
  settledAt: Float64Array;
  settleSlots: number;
  ring: Buffer;
  ringBytes: number;
}

/** Sizes are rounded up to powers of two. */
export function createHandover(ringBytes: number, settleSlots: number): Handover {
  ringBytes = powerOfTwo(Math.max(ringBytes, 4096));
  settleSlots = powerOfTwo(Math.max(settleSlots, 16));
  const sab = new SharedArrayBuffer(CTL_BYTES + settleSlots * 8 + settleSlots * 16 + ringBytes);
  return viewHandover(sab, ringBytes, settleSlots);
}

export function viewHandover(sab: SharedArrayBuffer, ringBytes: number, settleSlots: number): Handover {
  return {
    sab,
    ctl: new Int32Array(sab, 0, CTL_BYTES / 4),
    settledAt: new Float64Array(sab, CTL_BYTES, settleSlots),
    settled: new Int32Array(sab, CTL_BYTES + settleSlots * 8, settleSlots * 4),
    settleSlots,
    ring: Buffer.from(sab, CTL_BYTES + settleSlots * 24, ringBytes),
    ringBytes,
  };
}

function powerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(n));
}

const align8 = (n: number): number => (n + 7) & ~7;

/** App side: writes a batch into the ring; false when it does not fit now. Wakes a sleeping worker. */
export function writeBatch(h: Handover, id: number, records: readonly QueuedRecord[]): boolean {
  const length = packedLength(records);
  const need = align8(8 + length);
  const w = h.ctl[CTL_WRITE]!;
  const free = h.ringBytes - ((w - Atomics.load(h.ctl, CTL_READ)) >>> 0);
  let pos = w & (h.ringBytes - 1);
  const skip = need > h.ringBytes - pos ? h.ringBytes - pos : 0;
  if (need + skip > free) return false;
  if (skip > 0) {
    h.ring.writeUInt32LE(WRAP, pos);
    pos = 0;
  }
  h.ring.writeUInt32LE(length, pos);
  h.ring.writeUInt32LE(id, pos + 4);
  packInto(h.ring, pos + 8, records);
  Atomics.store(h.ctl, CTL_WRITE, (w + skip + need) | 0);
  if (Atomics.load(h.ctl, CTL_WORKER_WAITS) === 1) Atomics.notify(h.ctl, CTL_WORKER_WAITS);
  return true;
}

/** Worker side: the next batch in the ring (its packed records copied out), or null. */
export function readBatch(h: Handover): { id: number; packed: Buffer } | null {
  const r = h.ctl[CTL_READ]!;
  if (r === Atomics.load(h.ctl, CTL_WRITE)) return null;
  let pos = r & (h.ringBytes - 1);
  let skip = 0;
  let length = h.ring.readUInt32LE(pos);
  if (length === WRAP) {
    skip = h.ringBytes - pos;
    pos = 0;
    length = h.ring.readUInt32LE(0);
  }
  const id = h.ring.readUInt32LE(pos + 4);
  const packed = Buffer.allocUnsafeSlow(length);
  h.ring.copy(packed, 0, pos + 8, pos + 8 + length);
  Atomics.store(h.ctl, CTL_READ, (r + skip + align8(8 + length)) | 0);
  return { id, packed };
}

/** Worker side: records a settlement; false when the ring is full (then it goes by message). */
export function writeSettlement(
  h: Handover,
  id: number,
  rejected: number,
  errors: number,
  at: number,
): boolean {
  const w = h.ctl[CTL_SETTLED]!;
  if ((w - Atomics.load(h.ctl, CTL_DRAINED)) >>> 0 >= h.settleSlots) return false;
  const i = w & (h.settleSlots - 1);
  h.settled[i * 4] = id;
  h.settled[i * 4 + 1] = rejected;
  h.settled[i * 4 + 2] = errors;
  h.settledAt[i] = at;
  Atomics.store(h.ctl, CTL_SETTLED, (w + 1) | 0);
  return true;
}
