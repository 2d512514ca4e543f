/**
 * Where the emitter's sender runs: on the app's thread (the default), or with `senderThread: true`
 * in a worker thread (sender-worker.ts): per batch the
 * app's thread packs the records into a ring in shared memory (handover.ts), which the worker polls
 * while busy (every lingerMs, 1-5 ms; an idle worker sleeps and the next batch notifies it); the
 * RecordBatch encoding, compression, socket writes and
 * the parsing of acknowledgements — most of what the emitter cost the app's event loop — happen on
 * the worker's thread. Settlements come back through shared memory too: the emitter reads them when
 * it next takes a batch, and asks for a message only while it has nothing scheduled (then after a
 * poll interval) or someone waits (flush, close: at once), so a steady stream wakes the app's loop
 * neither to hand over a batch nor for its acknowledgement. The worker is unref'd while no batch is outstanding, so an idle
 * emitter does not keep the process alive.
 *
 * If the worker cannot be given the producer's options (a function in `tls` or `sasl` cannot be
 * cloned) or `senderThread: false`, the `Sender` runs on the app's thread, as before. If the worker
 * dies (it should not), the sender continues on the app's thread and the batches not settled yet
 * are sent again (by a new idempotent producer id, so a batch the broker had already written before
 * the worker died may be written twice).
 */
import { Worker } from 'node:worker_threads';
import type { BatchProducerOptions } from '../client/batch-producer.ts';
import { CTL_DRAINED, CTL_SETTLED, CTL_WAKE, createHandover, type Handover, writeBatch } from './handover.ts';
import { packRecords, type QueuedRecord } from './record.ts';
import { Sender, type SenderHooks } from './sender.ts';
import type { SenderWorkerData } from './sender-worker.ts';

export interface SenderHandle {
  /** Hands over a batch (ids are 1, 2, 3, ...); `hooks.settled(id, ...)` reports it once settled. */
  send(id: number, records: QueuedRecord[]): void;
  /** Reports the settlements that came back since the last call (`hooks.settled`). */
  drain(): void;
  /** When settlements should wake this thread (WAKE_NEVER: they wait for `drain`; handover.ts). */
  wantWake(level: number): void;
  /** Stops the sender: unsettled batches are abandoned; resolves once the connections are closed. */
  close(): Promise<void>;
}

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './sender-worker.ts' : './sender-worker.js',
  import.meta.url,
);

export interface SenderLimits {
  /** The larger of the emitter's batchBytes and maxEventBytes: the ring holds a few batches. */
  batchBytes: number;
  maxInFlight: number;
  lingerMs: number;
  /** `senderNice` (sender-worker.ts). */
  nice: number;
}

export function startSender(
  options: BatchProducerOptions,
  hooks: SenderHooks,
  thread: boolean,
  limits: SenderLimits,
): SenderHandle {
  if (thread) {
    try {
      structuredClone(options);
    } catch {
      thread = false;
    }
  }
  return thread ? new ThreadSender(options, hooks, limits) : new Sender(options, hooks);
}

type WorkerMessage =
  | 0
  | [id: number, rejected: number, errors: number, at: number]
  | { problem: string; fields: Record<string, unknown> }
  | 'closed';

class ThreadSender implements SenderHandle {
  readonly #options: BatchProducerOptions;
  readonly #hooks: SenderHooks;
  readonly #h: Handover;
  #worker: Worker | null;
  /** Set when the worker died: the sender of this thread that took over. */
  #fallback: Sender | null = null;
  /** Batches handed over and not settled (kept to send again should the worker die). */
  readonly #outstanding = new Map<number, QueuedRecord[]>();
  #wake = 0;
  #draining = false;
  #closing = false;

  constructor(options: BatchProducerOptions, hooks: SenderHooks, limits: SenderLimits) {
    this.#options = options;
    this.#hooks = hooks;
    // Room for several full batches; a larger one goes by message.
    this.#h = createHandover(Math.min(4 * limits.batchBytes, 64 * 1024 * 1024), 2 * limits.maxInFlight + 2);
    const workerData: SenderWorkerData = {
      producer: options,
      sab: this.#h.sab,
      ringBytes: this.#h.ringBytes,
      settleSlots: this.#h.settleSlots,
      pollMs: Math.min(Math.max(Math.round(limits.lingerMs), 1), 5),
      nice: limits.nice,
    };
    const worker = new Worker(WORKER_URL, { workerData, name: 'samsa-emit-sender' });
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.#onMessage(m));
    let failure: string | undefined;
    worker.on('error', (err) => {
      failure = err.message;
    });
    worker.on('exit', (exitCode) => {
      if (this.#closing) return;
      hooks.problem({ err: failure, exitCode }, 'the sender thread ended; sending from the app thread');
      this.#fallBack();
    });
    this.#worker = worker;
  }

  send(id: number, records: QueuedRecord[]): void {
    if (this.#fallback !== null) {
      this.#fallback.send(id, records);
      return;
    }
    if (this.#outstanding.size === 0) this.#worker!.ref();
    this.#outstanding.set(id, records);
    if (!writeBatch(this.#h, id, records)) {
      const packed = packRecords(records);
      this.#worker!.postMessage([id, packed], [packed]);
    }
  }

  drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      const { ctl, settled, settledAt, settleSlots } = this.#h;
      let r = ctl[CTL_DRAINED]!;
      while (r !== Atomics.load(ctl, CTL_SETTLED)) {
        const i = r & (settleSlots - 1);
        const id = settled[i * 4]!;
        const rejected = settled[i * 4 + 1]!;
        const errors = settled[i * 4 + 2]!;
        const at = settledAt[i]!;
        r = (r + 1) | 0;
        Atomics.store(ctl, CTL_DRAINED, r);
        this.#settled(id, rejected, errors, at);
      }
    } finally {
      this.#draining = false;
    }
  }

  wantWake(level: number): void {
    if (level === this.#wake) return;
    const raised = level > this.#wake;
    this.#wake = level;
    Atomics.store(this.#h.ctl, CTL_WAKE, level);
    // A settlement written before the worker could see the new level: read it now.
    if (raised) this.drain();
  }

  #settled(id: number, rejected: number, errors: number, at: number): void {
    if (this.#outstanding.delete(id) && this.#outstanding.size === 0) this.#worker?.unref();
    this.#hooks.settled(id, rejected, errors, at);
  }

  #onMessage(m: WorkerMessage): void {
    if (m === 0) this.drain();
    else if (Array.isArray(m)) {
      this.drain();
      this.#settled(m[0], m[1], m[2], m[3]);
    } else if (m !== 'closed') this.#hooks.problem(m.fields, m.problem);
  }

  #fallBack(): void {
    this.drain();
    this.#worker = null;
    const sender = new Sender(this.#options, this.#hooks);
    this.#fallback = sender;
    for (const [id, records] of this.#outstanding) sender.send(id, records);
    this.#outstanding.clear();
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#fallback !== null) {
      await this.#fallback.close();
      return;
    }
    const worker = this.#worker!;
    worker.ref();
    await new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.on('message', (m: WorkerMessage) => {
        if (m === 'closed') resolve();
      });
      worker.postMessage('close');
    });
    await worker.terminate();
  }
}
