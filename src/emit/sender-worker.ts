/**
 * The entry of the sender's worker thread (sender-thread.ts starts it): a `Sender` fed from the
 * app's thread through the shared batch ring (handover.ts). While batches come, the worker polls the
 * ring every `pollMs` on a timer of its own (waking it per batch would cost the app's thread a
 * cross-thread wake-up each time); after `IDLE_MS` without a batch and with nothing in flight it
 * waits on a control word, and the app's thread notifies it with its next batch. Messages in:
 * `[id, ArrayBuffer]` (a batch that did not fit in the ring), `'close'`. Messages out: `0` (read
 * the settlements, as CTL_WAKE asked), `[id, rejected, errors, at]` (a settlement that did not fit
 * in its ring), `{ problem, fields }`, `'closed'`.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchProducerOptions } from '../client/batch-producer.ts';
import {
  CTL_DRAINED,
  CTL_READ,
  CTL_SETTLED,
  CTL_WAKE,
  CTL_WORKER_WAITS,
  CTL_WRITE,
  readBatch,
  viewHandover,
  WAKE_AT_ONCE,
  WAKE_NEVER,
  writeSettlement,
} from './handover.ts';
import { type SenderRecord, unpackRecords } from './record.ts';
import { Sender } from './sender.ts';

export interface SenderWorkerData {
  producer: BatchProducerOptions;
  sab: SharedArrayBuffer;
  ringBytes: number;
  settleSlots: number;
  /** How often a busy worker looks for batches (the emitter's lingerMs, 1-5 ms). */
  pollMs: number;
  /** How much nicer than the app's thread the worker runs (0: the same priority). */
  nice: number;
}

/** Without a batch for this long and nothing in flight, the worker sleeps until notified. */
const IDLE_MS = 200;

const data = workerData as SenderWorkerData;

// A lower scheduling priority than the app's thread (`senderNice`), where the OS lets a thread have
// its own (Linux): when the app's thread and the sender compete for a core, the request goes first
// and the sender catches up after (it has the buffer to do so).
try {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  if (data.nice > 0 && Number.isInteger(tid) && tid !== process.pid)
    setPriority(tid, Math.min(19, getPriority(tid) + data.nice));
} catch {
  // Not Linux, or not allowed: the sender runs at the app's priority.
}
const port = parentPort!;
const h = viewHandover(data.sab, data.ringBytes, data.settleSlots);
let inFlight = 0;
/** The settlement count the app's thread was last told about. */
let told = 0;
const sender = new Sender(data.producer, {
  settled: (id, rejected, errors, at) => {
    inFlight--;
    if (!writeSettlement(h, id, rejected, errors, at)) port.postMessage([id, rejected, errors, at]);
    else if (Atomics.load(h.ctl, CTL_WAKE) === WAKE_AT_ONCE) tell();
  },
  problem: (fields, problem) => port.postMessage({ problem, fields }),
});

function tell(): void {
  told = Atomics.load(h.ctl, CTL_SETTLED);
  port.postMessage(0);
}

/** Settlements the app's thread has not read, and it wants to hear of them: tell it (once). */
function tellIfWanted(): void {
  const settled = Atomics.load(h.ctl, CTL_SETTLED);
  if (
    settled !== told &&
    settled !== Atomics.load(h.ctl, CTL_DRAINED) &&
    Atomics.load(h.ctl, CTL_WAKE) !== WAKE_NEVER
  ) {
    tell();
  }
}

// Batches reach the sender in id order, whichever way they came.
let nextId = 1;
const early = new Map<number, SenderRecord[]>();
function accept(id: number, records: SenderRecord[]): void {
  lastBatch = performance.now();
  if (id !== nextId) {
    early.set(id, records);
    return;
  }
  inFlight++;
  sender.send(id, records);
  nextId++;
  for (let r = early.get(nextId); r !== undefined; r = early.get(nextId)) {
    early.delete(nextId);
    inFlight++;
    sender.send(nextId, r);
    nextId++;
  }
}

let closed = false;
let lastBatch = performance.now();
let poll: NodeJS.Timeout | null = null;

port.on('message', (message: [number, ArrayBuffer] | 'close') => {
  if (message === 'close') {
    closed = true;
    if (poll !== null) clearInterval(poll);
    sender.close().then(() => {
      port.postMessage('closed');
      port.close();
    });
    return;
  }
  drainRing();
  accept(message[0], unpackRecords(Buffer.from(message[1])));
  awake();
});

function drainRing(): void {
  for (let b = readBatch(h); b !== null; b = readBatch(h)) accept(b.id, unpackRecords(b.packed));
}

function awake(): void {
  // A batch by message while asleep: stop asking the app's thread for notifies.
  Atomics.store(h.ctl, CTL_WORKER_WAITS, 0);
  if (poll === null && !closed) poll = setInterval(onPoll, data.pollMs);
}

function onPoll(): void {
  drainRing();
  tellIfWanted();
  if (inFlight > 0 || early.size > 0 || performance.now() - lastBatch < IDLE_MS) return;
  clearInterval(poll!);
  poll = null;
  sleep();
}

async function sleep(): Promise<void> {
  Atomics.store(h.ctl, CTL_WORKER_WAITS, 1);
  if (Atomics.load(h.ctl, CTL_WRITE) === h.ctl[CTL_READ]) {
    const wait = Atomics.waitAsync(h.ctl, CTL_WORKER_WAITS, 1);
    if (wait.async) await wait.value;
  }
  if (closed || poll !== null) return;
  drainRing();
  awake();
}

sleep();
