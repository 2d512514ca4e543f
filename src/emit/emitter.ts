/**
 * `createEmitter()`: the non-blocking event emitter. `emit()` encodes a CloudEvent (cloudevent.ts),
 * puts it in a bounded memory buffer and returns its id. Batches are taken from the buffer (after
 * `lingerMs`, or from the emit() that finds the batch within 1 ms of that so that a steady stream
 * does not wake the loop for a timer, or at once when `batchBytes`/`batchEvents` are reached) and
 * handed to the sender (sender.ts), by default in a worker thread (sender-thread.ts), which splits
 * each batch by partition (Java's partitioner for keys, round-robin without), encodes one
 * RecordBatch per partition and hands them to the client's `BatchProducer` together (idempotent,
 * acks=all, compression), which sends them in one Produce request per broker. Up to `maxInFlight`
 * batches are in flight; the idempotent producer keeps each partition's batches,
 * and so each key's events, in order. The buffer, its accounting, the drop policies, the spool,
 * the metrics, `flush` and `close` stay on the app's thread; the sender reports each batch settled.
 *
 * When the broker is slow or down the batches in flight are retried by the producer with the same
 * producer id and sequence (so a retry after a lost acknowledgement is not written twice), the
 * buffer absorbs new events up to `maxBufferBytes`, then `policy` applies: `drop-newest`,
 * `drop-oldest` (evicts from the head of the buffer) or `spill` (spool.ts: new events go to a local
 * file until everything spooled is delivered, in order, also after a restart). Every drop is counted
 * (metrics.ts) and logged at a bounded rate (drop-log.ts). `emit` throws only for mistakes in the
 * call (`EmitUsageError`), never for broker trouble, and never after close (it counts a drop).
 *
 * `close()` stops accepting events, delivers what it can before its deadline, then with `spill`
 * writes what is left to the spool (otherwise counts it dropped) and closes the producer.
 */
import { hostname } from 'node:os';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { SASLOptions } from '@platformatic/kafka';
import { connectionOptions } from '../client/connection-options.ts';
import { CloudEventEncoder, type ContentMode, type EmitOptions, EmitUsageError } from './cloudevent.ts';
import { consoleLogger, DropLog, type EmitLogger } from './drop-log.ts';
import { WAKE_AT_ONCE, WAKE_NEVER, WAKE_SOON } from './handover.ts';
import { type DropReason, type EmitterMetrics, MetricsState } from './metrics.ts';
import { RecordQueue } from './queue.ts';
import { encodeFrame, type QueuedRecord } from './record.ts';
import { DEFERRED, DEFERRED_PUSHED, DeferredRequestEvents, type DeferringEmitter } from './request-event.ts';
import { type SenderHandle, startSender } from './sender-thread.ts';
import { Spool, type SpoolPosition } from './spool.ts';

export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'spill';
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface EmitterOptions {
  /** Brokers, `host:port[,host:port]` or a list (default: KAFKA_URL, then 127.0.0.1:9092). */
  bootstrap?: string | string[];
  sasl?: SASLOptions;
  tls?: TlsOptions;
  clientId?: string;
  /** Default topic (default `events`). */
  topic?: string;
  /** Default CloudEvents `source` (default `/samsa-emit/<hostname>`). */
  source?: string;
  /** CloudEvents content mode (default `binary`). */
  mode?: ContentMode;
  /** Memory for events not yet acknowledged, in bytes (default 32 MiB). */
  maxBufferBytes?: number;
  /** What happens when the buffer is full (default `drop-newest`). */
  policy?: OverflowPolicy;
  /** Directory of the spool (required with `spill`). */
  spoolDir?: string;
  spoolSegmentBytes?: number;
  /** How long a batch waits for more events (default 5 ms). */
  lingerMs?: number;
  /** A batch is sent at once when it reaches this many bytes (default 1 MiB) or events (default 5,000). */
  batchBytes?: number;
  batchEvents?: number;
  /** Default `lz4`. */
  compression?: Compression;
  /** Default -1 (all in-sync replicas); the idempotent producer requires -1. 0 is not supported. */
  acks?: -1 | 1;
  /** Default true. */
  idempotent?: boolean;
  /**
   * Run the sender (RecordBatch encoding, compression, socket writes, acknowledgements) in a worker
   * thread, off the app's event loop (default false: on the app's thread). The thread halves the
   * main thread's CPU per event but costs the process more CPU in all, so it pays only when a core
   * has room for it (docs/emit.md). Functions in `tls`/`sasl` (which cannot be handed to a thread)
   * keep it on the app's thread.
   */
  senderThread?: boolean;
  /**
   * How much lower the sender thread's scheduling priority is than the app's (a nice increment,
   * 0-19, default 10; Linux): when both want the same core, the app's requests go first.
   */
  senderNice?: number;
  /** Batches sent and not yet acknowledged, at most (default 5). */
  maxInFlight?: number;
  /** Larger events are dropped (`too-large`); default 1 MiB (the broker's default max.message.bytes). */
  maxEventBytes?: number;
  /** Ask the broker to create missing topics (default true; the broker decides). */
  autocreateTopics?: boolean;
  /** close()'s default deadline (default 10 s). */
  closeTimeoutMs?: number;
  /** On SIGTERM: close (flush with the deadline), then let the signal take its course. */
  handleSigterm?: boolean;
  logger?: EmitLogger;
  /** At most one drop/problem log line per this interval (default 10 s). */
  logIntervalMs?: number;
}

export interface CloseResult {
  delivered: number;
  dropped: number;
  /** Bytes left in the spool for the next start (0 without `spill`). */
  spoolBytes: number;
  /** True when everything was delivered before the deadline. */
  clean: boolean;
}

export interface Emitter {
  /** Queues one event and returns its CloudEvents id at once. Throws only EmitUsageError. */
  emit(type: string, data?: unknown, options?: EmitOptions): string;
  /** Resolves true once everything emitted so far is delivered (or dropped), false at the timeout. */
  flush(timeoutMs?: number): Promise<boolean>;
  close(options?: { timeoutMs?: number }): Promise<CloseResult>;
  metrics(): EmitterMetrics;
  readonly closed: boolean;
}

/**
 * An emit() this close to the end of the linger time (at most a fifth of it) sends the batch from its
 * own turn of the event loop (setImmediate) and cancels the timer: at a steady rate the sender then
 * costs no wake-up of its own, only the acknowledgement's.
 */
const LINGER_SLACK_MS = 1;
/**
 * A partition's batch smaller than this goes uncompressed: at an app's rate a linger window holds an
 * event or two per partition, which lz4 does not shrink, and compressing them cost ~5 µs per event
 * (docs/benchmarks.md). Larger batches (a busy app, the spool) are compressed as configured.
 */
const MIN_COMPRESS_BYTES = 4096;
const KiB = 1024;
const MiB = 1024 * KiB;

interface Batch {
  records: QueuedRecord[];
  /** Bytes the batch counts against the buffer (0 for batches from the spool). */
  bytes: number;
  /** Set when the batch came from the spool: where to commit after delivery. */
  spoolEnd: SpoolPosition | null;
  startedAt: number;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new EmitUsageError(`${name} must be a positive number, got ${value}`);
  return value;
}

class EmitterImpl implements Emitter, DeferringEmitter {
  readonly #o: Required<
    Pick<
      EmitterOptions,
      | 'maxBufferBytes'
      | 'policy'
      | 'lingerMs'
      | 'batchBytes'
      | 'batchEvents'
      | 'maxEventBytes'
      | 'closeTimeoutMs'
      | 'maxInFlight'
    >
  >;
  readonly #encoder: CloudEventEncoder;
  readonly #sender: SenderHandle;
  readonly #queue = new RecordQueue();
  /** The middleware's per-request events, encoded in groups and before a batch is taken (request-event.ts). */
  readonly #deferred = new DeferredRequestEvents();
  readonly [DEFERRED] = this.#deferred;
  readonly #emitAt = (type: string, data: unknown, options: EmitOptions | undefined, now: number): string =>
    this.#emitOne(type, data, options, now);
  readonly #spool: Spool | null;
  readonly #m = new MetricsState();
  readonly #log: DropLog;
  /** New events go to the spool while it holds undelivered events (keeps them in order). */
  #spilling = false;
  /** Batches handed to the sender and not yet settled, by id, oldest first. */
  readonly #inflight = new Map<number, Batch>();
  #lastBatchId = 0;
  #inflightBytes = 0;
  /** A spool read, a wait for spool writes, or a batch from the spool is under way (one at a time). */
  #spoolBusy = false;
  #timer: NodeJS.Timeout | null = null;
  /** While the linger timer is armed: from when an emit() sends the batch itself (performance.now()). */
  #sendFrom = 0;
  /** The same as a wall-clock time (Date.now()), for per-request events, which carry one. */
  #sendFromWall = 0;
  #immediate: NodeJS.Immediate | null = null;
  /** Set while #pump reads settlements: #pump takes the batches and schedules what follows. */
  #pumping = false;
  #closing: Promise<CloseResult> | null = null;
  #aborted = false;
  #idleWaiters: (() => void)[] = [];
  #sigterm: (() => void) | null = null;
  #watchdog: NodeJS.Timeout;

  constructor(options: EmitterOptions) {
    const policy = options.policy ?? 'drop-newest';
    if (!['drop-newest', 'drop-oldest', 'spill'].includes(policy)) {
      throw new EmitUsageError(
        `policy must be drop-newest, drop-oldest or spill, got ${JSON.stringify(policy)}`,
      );
    }
    const mode = options.mode ?? 'binary';
    if (mode !== 'binary' && mode !== 'structured') {
      throw new EmitUsageError(`mode must be binary or structured, got ${JSON.stringify(mode)}`);
    }
    const idempotent = options.idempotent ?? true;
    const acks = options.acks ?? -1;
    if (acks !== -1 && acks !== 1) throw new EmitUsageError(`acks must be -1 or 1, got ${String(acks)}`);
    if (idempotent && acks !== -1)
      throw new EmitUsageError('the idempotent producer needs acks=-1 (set idempotent: false)');
    this.#o = {
      maxBufferBytes: positive('maxBufferBytes', options.maxBufferBytes, 32 * MiB),
      policy,
      lingerMs: options.lingerMs === 0 ? 0 : positive('lingerMs', options.lingerMs, 5),
      batchBytes: positive('batchBytes', options.batchBytes, MiB),
      batchEvents: positive('batchEvents', options.batchEvents, 5000),
      maxEventBytes: positive('maxEventBytes', options.maxEventBytes, MiB),
      closeTimeoutMs: positive('closeTimeoutMs', options.closeTimeoutMs, 10_000),
      maxInFlight: Math.floor(positive('maxInFlight', options.maxInFlight, 5)),
    };
    if (idempotent && this.#o.maxInFlight > 5)
      throw new EmitUsageError(
        `the idempotent producer keeps order with up to 5 batches in flight, got ${this.#o.maxInFlight}`,
      );
    this.#encoder = new CloudEventEncoder({
      topic: options.topic ?? 'events',
      source: options.source ?? `/samsa-emit/${hostname()}`,
      mode,
    });
    const logger = options.logger ?? consoleLogger;
    this.#log = new DropLog(logger, positive('logIntervalMs', options.logIntervalMs, 10_000));

    if (policy === 'spill') {
      if (options.spoolDir === undefined) throw new EmitUsageError('policy "spill" needs spoolDir');
      this.#spool = new Spool(options.spoolDir, {
        segmentBytes: positive('spoolSegmentBytes', options.spoolSegmentBytes, 64 * MiB),
        onCorrupt: (message) => logger.warn({ spoolDir: options.spoolDir }, message),
        onWriteError: (err, records) => {
          this.#m.drop('spool-error', records);
          this.#log.dropped('spool-error', records);
          this.#log.problem({ err: err.message }, 'cannot write the spool');
        },
      });
      // A spool left by the previous run is older than anything emitted now.
      this.#spilling = !this.#spool.empty;
    } else {
      this.#spool = null;
    }

    const senderNice = options.senderNice ?? 10;
    if (!Number.isInteger(senderNice) || senderNice < 0 || senderNice > 19)
      throw new EmitUsageError(`senderNice must be an integer from 0 to 19, got ${senderNice}`);
    const bootstrap = Array.isArray(options.bootstrap) ? options.bootstrap.join(',') : options.bootstrap;
    const connection = connectionOptions(bootstrap === undefined ? {} : { bootstrap }, process.env);
    const compression = options.compression ?? 'lz4';
    if (!['none', 'gzip', 'snappy', 'lz4', 'zstd'].includes(compression))
      throw new EmitUsageError(`unknown compression ${JSON.stringify(compression)}`);
    // Retries until delivered (or close): the same producer id and sequence on every attempt.
    this.#sender = startSender(
      {
        ...connection,
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.sasl ? { sasl: options.sasl } : {}),
        clientId: options.clientId ?? 'samsa-emit',
        idempotent,
        acks,
        compression,
        minCompressBytes: MIN_COMPRESS_BYTES,
        autocreateTopics: options.autocreateTopics ?? true,
        connectTimeoutMs: 5000,
        requestTimeoutMs: 30_000,
      },
      {
        settled: (id, rejected, errors, at) => {
          const batch = this.#inflight.get(id);
          if (batch === undefined) return;
          this.#m.sendErrors += errors;
          this.#settle(id, batch, rejected, at);
          this.#updateWake();
        },
        problem: (fields, message) => {
          if (!this.#aborted) this.#log.problem(fields, message);
        },
      },
      options.senderThread ?? false,
      {
        batchBytes: Math.max(this.#o.batchBytes, this.#o.maxEventBytes),
        maxInFlight: this.#o.maxInFlight,
        lingerMs: this.#o.lingerMs,
        nice: senderNice,
      },
    );
    this.#watchdog = setInterval(() => this.#checkStuck(), 1000);
    this.#watchdog.unref();
    if (options.handleSigterm) {
      this.#sigterm = () => {
        this.close().finally(() => {
          if (process.listenerCount('SIGTERM') === 0) process.kill(process.pid, 'SIGTERM');
        });
      };
      process.once('SIGTERM', this.#sigterm);
    }
    if (this.#spilling) this.#schedule(true);
  }

  get closed(): boolean {
    return this.#closing !== null;
  }

  emit(type: string, data?: unknown, options?: EmitOptions): string {
    // The middleware's events of earlier requests first: one key's events stay in call order.
    if (this.#deferred.length > 0) this.#flushDeferred();
    return this.#emitOne(type, data, options, Date.now());
  }

  /** After a per-request event was pushed (request-event.ts); never throws. */
  [DEFERRED_PUSHED](now: number): void {
    if (this.#closing !== null || this.#deferred.length >= DeferredRequestEvents.GROUP) {
      this.#flushDeferred();
      return;
    }
    // As emit() would: the linger timer, or this turn of the loop when the batch is nearly due
    // (by the event's own clock reading: no second one per request).
    if (this.#timer === null) {
      if (this.#immediate === null) this.#schedule(false);
    } else if (now >= this.#sendFromWall) {
      this.#schedule(true);
    }
  }

  /** Encodes the waiting per-request events into the buffer, oldest first. */
  #flushDeferred(): void {
    this.#deferred.replay(this.#emitAt);
  }

  #emitOne(type: string, data: unknown, options: EmitOptions | undefined, now: number): string {
    const record = this.#encoder.encode(type, data, options, now);
    const id = this.#encoder.lastId;
    this.#m.emitted++;
    if (this.#closing !== null) {
      this.#drop('closed');
      return id;
    }
    if (record.size > this.#o.maxEventBytes) {
      this.#drop('too-large');
      return id;
    }
    if (this.#spilling) {
      this.#toSpool(record);
      return id;
    }
    if (this.#queue.bytes + this.#inflightBytes + record.size > this.#o.maxBufferBytes) {
      switch (this.#o.policy) {
        case 'drop-newest':
          this.#drop('buffer-full');
          return id;
        case 'drop-oldest':
          while (
            this.#queue.length > 0 &&
            this.#queue.bytes + this.#inflightBytes + record.size > this.#o.maxBufferBytes
          ) {
            this.#queue.shift();
            this.#drop('evicted');
          }
          if (this.#queue.bytes + this.#inflightBytes + record.size > this.#o.maxBufferBytes) {
            this.#drop('buffer-full');
            return id;
          }
          break;
        case 'spill':
          this.#spilling = true;
          this.#toSpool(record);
          return id;
      }
    }
    this.#queue.push(record);
    this.#schedule(
      this.#queue.bytes >= this.#o.batchBytes ||
        this.#queue.length >= this.#o.batchEvents ||
        // Nearly due: go from this turn of the loop instead of waking it for the timer.
        (this.#timer !== null && performance.now() >= this.#sendFrom),
    );
    return id;
  }

  #toSpool(record: QueuedRecord): void {
    this.#spool!.append(encodeFrame(record));
    this.#m.spooled++;
    this.#schedule(false);
  }

  #drop(reason: DropReason, n = 1): void {
    this.#m.drop(reason, n);
    this.#log.dropped(reason, n);
  }

  metrics(): EmitterMetrics {
    if (this.#deferred.length > 0) this.#flushDeferred();
    this.#sender.drain();
    return this.#m.snapshot(
      {
        events: this.#queue.length + this.#inflightEvents(),
        bytes: this.#queue.bytes + this.#inflightBytes,
      },
      this.#spool?.bytes ?? 0,
    );
  }

  #inflightEvents(): number {
    let n = 0;
    for (const b of this.#inflight.values()) if (b.spoolEnd === null) n += b.records.length;
    return n;
  }

  /** Arms the sender: now, or after the linger time. */
  #schedule(now: boolean): void {
    if (this.#inflight.size >= this.#o.maxInFlight || this.#aborted || this.#pumping) return;
    if (now || this.#closing !== null) {
      if (this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      if (this.#immediate === null) {
        this.#immediate = setImmediate(() => {
          this.#immediate = null;
          this.#pump();
        });
        this.#updateWake();
      }
    } else if (this.#timer === null && this.#immediate === null) {
      const slack = Math.min(LINGER_SLACK_MS, this.#o.lingerMs / 5);
      this.#sendFrom = performance.now() + this.#o.lingerMs - slack;
      // Whole milliseconds: a request's clock reading at most 1 ms late still sends before the timer.
      this.#sendFromWall = Date.now() + this.#o.lingerMs - Math.ceil(slack);
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, this.#o.lingerMs);
      this.#updateWake();
    }
  }

  /**
   * Settlements wait in shared memory until the next pump reads them (handover.ts), unless nothing
   * is scheduled to read them (the last batches of a burst: the sender tells us soon), or someone
   * waits for them (flush, close, a full window of batches in flight, the spool: at once).
   */
  #updateWake(): void {
    let level = WAKE_NEVER;
    if (this.#inflight.size > 0) {
      if (
        this.#idleWaiters.length > 0 ||
        this.#closing !== null ||
        this.#spilling ||
        ((this.#queue.length > 0 || this.#deferred.length > 0) && this.#inflight.size >= this.#o.maxInFlight)
      ) {
        level = WAKE_AT_ONCE;
      } else if (this.#timer === null && this.#immediate === null) {
        level = WAKE_SOON;
      }
    }
    this.#sender.wantWake(level);
  }

  #pump(): void {
    if (this.#aborted) return;
    // Settlements first (they free room in the buffer and batches in flight); they schedule nothing.
    this.#pumping = true;
    this.#sender.drain();
    // Scheduling nothing meanwhile: the batches are taken right after.
    if (this.#deferred.length > 0) this.#flushDeferred();
    this.#pumping = false;
    this.#takeBatches();
    this.#updateWake();
  }

  #takeBatches(): void {
    let first = true;
    while (
      this.#queue.length > 0 &&
      this.#inflight.size < this.#o.maxInFlight &&
      // After the first batch, only full ones: the rest waits for the linger time.
      (first || this.#queue.bytes >= this.#o.batchBytes || this.#queue.length >= this.#o.batchEvents)
    ) {
      first = false;
      const records = this.#queue.take(this.#o.batchEvents, this.#o.batchBytes);
      let bytes = 0;
      for (let i = 0; i < records.length; i++) bytes += records[i]!.size;
      this.#inflightBytes += bytes;
      this.#send({ records, bytes, spoolEnd: null, startedAt: performance.now() });
    }
    if (this.#queue.length > 0) {
      this.#schedule(false);
      return;
    }
    const spool = this.#spool;
    // The spool's batches go one at a time, after what the memory buffer held (older events).
    if (spool !== null && this.#spilling && !this.#spoolBusy && this.#inflight.size < this.#o.maxInFlight) {
      if (spool.empty) {
        this.#spilling = false;
      } else if (spool.caughtUp) {
        // Appends not yet on disk: read them once written.
        this.#spoolBusy = true;
        spool.written().then(() => {
          this.#spoolBusy = false;
          this.#schedule(true);
        });
        return;
      } else {
        this.#spoolBusy = true;
        spool.read(this.#o.batchBytes, this.#o.batchEvents).then(
          (read) => {
            if (this.#aborted) return;
            if (read.records.length === 0) {
              this.#spoolBusy = false;
              this.#schedule(true);
              return;
            }
            this.#send({ records: read.records, bytes: 0, spoolEnd: read.end, startedAt: performance.now() });
            this.#updateWake();
          },
          (err: Error) => {
            this.#spoolBusy = false;
            this.#log.problem({ err: err.message }, 'cannot read the spool; retrying in 1 s');
            spool.rewind();
            this.#timer = setTimeout(() => {
              this.#timer = null;
              this.#pump();
            }, 1000);
          },
        );
        return;
      }
    }
    this.#wakeIdle();
  }

  #send(batch: Batch): void {
    const id = ++this.#lastBatchId;
    this.#inflight.set(id, batch);
    this.#sender.send(id, batch.records);
  }

  #settle(id: number, batch: Batch, rejected: number, now: number): void {
    if (this.#aborted) return;
    this.#inflight.delete(id);
    this.#inflightBytes -= batch.bytes;
    if (batch.spoolEnd !== null) this.#spoolBusy = false;
    const delivered = batch.records.length - rejected;
    if (delivered > 0) {
      this.#m.delivered += delivered;
      const records = batch.records;
      for (let i = 0; i < records.length; i++) this.#m.delivery(now - records[i]!.timestamp);
    }
    // The producer retries retriable errors until close; what reaches us is a refusal for good.
    if (rejected > 0) this.#drop('rejected', rejected);
    if (batch.spoolEnd !== null) this.#spool!.commit(batch.spoolEnd);
    const more =
      this.#queue.bytes >= this.#o.batchBytes ||
      this.#queue.length >= this.#o.batchEvents ||
      (this.#spilling && this.#queue.length === 0);
    if (this.#queue.length > 0 || this.#deferred.length > 0 || this.#spilling) this.#schedule(more);
    else this.#wakeIdle();
  }

  #isIdle(): boolean {
    return (
      this.#inflight.size === 0 &&
      !this.#spoolBusy &&
      this.#queue.length === 0 &&
      this.#deferred.length === 0 &&
      !this.#spilling
    );
  }

  #wakeIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #checkStuck(): void {
    this.#sender.drain();
    const b = this.#inflight.values().next().value;
    if (b === undefined || b.records.length === 0) return;
    const seconds = (performance.now() - b.startedAt) / 1000;
    if (seconds < 5) return;
    this.#log.problem(
      {
        waitingSeconds: Math.round(seconds),
        bufferedEvents: this.#queue.length + this.#inflightEvents(),
        spoolBytes: this.#spool?.bytes ?? 0,
      },
      'the broker has not acknowledged a batch yet; buffering',
    );
  }

  flush(timeoutMs?: number): Promise<boolean> {
    if (this.#deferred.length > 0) this.#flushDeferred();
    this.#sender.drain();
    if (this.#isIdle() || this.#aborted) return Promise.resolve(this.#isIdle());
    this.#schedule(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(done);
      this.#updateWake();
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#idleWaiters = this.#idleWaiters.filter((w) => w !== done);
          resolve(false);
        }, timeoutMs);
      }
    });
  }

  close(options: { timeoutMs?: number } = {}): Promise<CloseResult> {
    this.#closing ??= this.#close(options.timeoutMs ?? this.#o.closeTimeoutMs);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<CloseResult> {
    if (this.#sigterm !== null) process.off('SIGTERM', this.#sigterm);
    clearInterval(this.#watchdog);
    const clean = await this.flush(timeoutMs);
    this.#aborted = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#immediate !== null) clearImmediate(this.#immediate);
    // What is left: the batches in flight (unless from the spool, which keeps them) and the buffer.
    const left: QueuedRecord[] = [];
    for (const b of this.#inflight.values()) if (b.spoolEnd === null) left.push(...b.records);
    while (this.#queue.length > 0) left.push(this.#queue.shift()!);
    this.#inflight.clear();
    this.#inflightBytes = 0;
    let spoolBytes = 0;
    if (this.#spool !== null) {
      await this.#spool.prepend(left.map(encodeFrame));
      await this.#spool.close();
      this.#m.spooled += left.length;
      spoolBytes = this.#spool.bytes;
    } else if (left.length > 0) {
      this.#drop('shutdown', left.length);
    }
    this.#log.flush();
    await this.#sender.close().catch(() => {});
    const m = this.#m;
    return { delivered: m.delivered, dropped: m.droppedTotal, spoolBytes, clean };
  }
}

/** Creates an emitter; it connects in the background on the first batch. */
export function createEmitter(options: EmitterOptions = {}): Emitter {
  return new EmitterImpl(options);
}
