/**
 * Where the emitter's sender runs. By default in a worker thread (sender-worker.ts): per batch the
 * app's thread packs the records into one ArrayBuffer and transfers it (one `postMessage`), and gets
 * one small message back when the batch is settled; the RecordBatch encoding, compression, socket
 * writes and the parsing of acknowledgements — most of what the emitter cost the app's event loop —
 * happen on the worker's. The worker is unref'd while no batch is outstanding, so an idle emitter
 * does not keep the process alive.
 *
 * If the worker cannot be given the producer's options (a function in `tls` or `sasl` cannot be
 * cloned) or `senderThread: false`, the `Sender` runs on the app's thread, as before. If the worker
 * dies (it should not), the sender continues on the app's thread and the batches it had not settled
 * are sent again (the idempotent producer of the new thread has a new producer id, so a batch the
 * broker had already written before the worker died may be written twice).
 */
import { Worker } from 'node:worker_threads';
import type { BatchProducerOptions } from '../client/batch-producer.ts';
import { packRecords, type QueuedRecord } from './record.ts';
import { Sender, type SenderHooks } from './sender.ts';

export interface SenderHandle {
  /** Hands over a batch (ids increase); `hooks.settled(id, ...)` reports it once settled. */
  send(id: number, records: QueuedRecord[]): void;
  /** Stops the sender: unsettled batches are abandoned; resolves once the connections are closed. */
  close(): Promise<void>;
}

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './sender-worker.ts' : './sender-worker.js',
  import.meta.url,
);

export function startSender(
  options: BatchProducerOptions,
  hooks: SenderHooks,
  thread: boolean,
): SenderHandle {
  if (thread) {
    try {
      structuredClone(options);
    } catch {
      thread = false;
    }
  }
  return thread ? new ThreadSender(options, hooks) : new Sender(options, hooks);
}

type WorkerMessage =
  | [id: number, rejected: number, errors: number]
  | { problem: string; fields: Record<string, unknown> }
  | 'closed';

class ThreadSender implements SenderHandle {
  readonly #options: BatchProducerOptions;
  readonly #hooks: SenderHooks;
  #worker: Worker | null;
  /** Set when the worker died: the sender of this thread that took over. */
  #fallback: Sender | null = null;
  /** Batches handed over and not settled (kept to send again should the worker die). */
  readonly #outstanding = new Map<number, QueuedRecord[]>();
  #closing = false;

  constructor(options: BatchProducerOptions, hooks: SenderHooks) {
    this.#options = options;
    this.#hooks = hooks;
    const worker = new Worker(WORKER_URL, { workerData: options, name: 'samsa-emit-sender' });
    worker.unref();
    worker.on('message', (m: WorkerMessage) => this.#onMessage(m));
    worker.on('error', (err) => {
      hooks.problem({ err: err.message }, 'the sender thread failed; sending from the app thread');
    });
    worker.on('exit', () => {
      if (!this.#closing) this.#fallBack();
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
    const packed = packRecords(records);
    this.#worker!.postMessage([id, packed], [packed]);
  }

  #onMessage(m: WorkerMessage): void {
    if (Array.isArray(m)) {
      const id = m[0];
      if (this.#outstanding.delete(id) && this.#outstanding.size === 0) this.#worker?.unref();
      this.#hooks.settled(id, m[1], m[2]);
    } else if (m !== 'closed') {
      this.#hooks.problem(m.fields, m.problem);
    }
  }

  #fallBack(): void {
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
