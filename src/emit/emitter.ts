/**
 * `createEmitter()`: the non-blocking event emitter. `emit()` encodes a CloudEvent (cloudevent.ts),
 * puts it in a bounded memory buffer and returns its id; a background sender takes batches (after
 * `lingerMs`, or at once when `batchBytes`/`batchEvents` are reached) and sends them with
 * @platformatic/kafka's idempotent producer (acks=all, compression), one batch in flight so the
 * order of each key's events holds.
 *
 * When the broker is slow or down the batch in flight is retried by the client with the same
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
import { Producer, type SASLOptions } from '@platformatic/kafka';
import { connectionOptions } from '../client/connection-options.ts';
import { javaPartitioner } from '../client/partitioner.ts';
import { CloudEventEncoder, type ContentMode, type EmitOptions, EmitUsageError } from './cloudevent.ts';
import { consoleLogger, DropLog, type EmitLogger } from './drop-log.ts';
import { type DropReason, type EmitterMetrics, MetricsState } from './metrics.ts';
import { RecordQueue } from './queue.ts';
import { encodeFrame, type QueuedRecord } from './record.ts';
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
  /** Default -1 (all in-sync replicas); the idempotent producer requires -1. */
  acks?: -1 | 0 | 1;
  /** Default true. */
  idempotent?: boolean;
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

const KiB = 1024;
const MiB = 1024 * KiB;

interface Batch {
  records: QueuedRecord[];
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

class EmitterImpl implements Emitter {
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
    >
  >;
  readonly #encoder: CloudEventEncoder;
  readonly #producer: Producer;
  readonly #queue = new RecordQueue();
  readonly #spool: Spool | null;
  readonly #m = new MetricsState();
  readonly #log: DropLog;
  /** New events go to the spool while it holds undelivered events (keeps them in order). */
  #spilling = false;
  #inflight: Batch | null = null;
  #inflightBytes = 0;
  #timer: NodeJS.Timeout | null = null;
  #immediate: NodeJS.Immediate | null = null;
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
    };
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

    const bootstrap = Array.isArray(options.bootstrap) ? options.bootstrap.join(',') : options.bootstrap;
    const connection = connectionOptions(bootstrap === undefined ? {} : { bootstrap }, process.env);
    this.#producer = new Producer({
      ...connection,
      ...(options.tls ? { tls: options.tls } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
      clientId: options.clientId ?? 'samsa-emit',
      idempotent,
      acks,
      compression: options.compression ?? 'lz4',
      autocreateTopics: options.autocreateTopics ?? true,
      partitioner: javaPartitioner(),
      // Retry until delivered (or close): the same producer id and sequence on every attempt.
      retries: Number.MAX_SAFE_INTEGER,
      retryDelay: (_client, _op, attempt) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000),
      connectTimeout: 5000,
      timeout: 30_000,
      requestTimeout: 30_000,
    });
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
    const record = this.#encoder.encode(type, data, options, Date.now());
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
    this.#schedule(this.#queue.bytes >= this.#o.batchBytes || this.#queue.length >= this.#o.batchEvents);
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
    return this.#m.snapshot(
      {
        events: this.#queue.length + (this.#inflight?.spoolEnd === null ? this.#inflight.records.length : 0),
        bytes: this.#queue.bytes + this.#inflightBytes,
      },
      this.#spool?.bytes ?? 0,
    );
  }

  /** Arms the sender: now, or after the linger time. */
  #schedule(now: boolean): void {
    if (this.#inflight !== null || this.#aborted) return;
    if (now || this.#closing !== null) {
      if (this.#timer !== null) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      this.#immediate ??= setImmediate(() => {
        this.#immediate = null;
        this.#pump();
      });
    } else if (this.#timer === null && this.#immediate === null) {
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#pump();
      }, this.#o.lingerMs);
    }
  }

  #pump(): void {
    if (this.#inflight !== null || this.#aborted) return;
    if (this.#queue.length > 0) {
      const records = this.#queue.take(this.#o.batchEvents, this.#o.batchBytes);
      let bytes = 0;
      for (const r of records) bytes += r.size;
      this.#inflightBytes = bytes;
      this.#send({ records, spoolEnd: null, startedAt: performance.now() });
      return;
    }
    const spool = this.#spool;
    if (spool !== null && this.#spilling) {
      if (spool.empty) {
        this.#spilling = false;
      } else if (spool.caughtUp) {
        // Appends not yet on disk: read them once written.
        this.#inflight = { records: [], spoolEnd: null, startedAt: performance.now() };
        spool.written().then(() => {
          this.#inflight = null;
          this.#schedule(true);
        });
        return;
      } else {
        this.#inflight = { records: [], spoolEnd: null, startedAt: performance.now() };
        spool.read(this.#o.batchBytes, this.#o.batchEvents).then(
          (read) => {
            this.#inflight = null;
            if (this.#aborted) return;
            if (read.records.length === 0) {
              this.#schedule(true);
              return;
            }
            this.#send({ records: read.records, spoolEnd: read.end, startedAt: performance.now() });
          },
          (err: Error) => {
            this.#inflight = null;
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
    this.#inflight = batch;
    const messages = batch.records.map((r) => ({
      topic: r.topic,
      key: r.key,
      value: r.value as Buffer,
      headers: new Map(r.headers),
      timestamp: BigInt(Math.trunc(r.timestamp)),
    }));
    this.#producer.send({ messages }).then(
      () => this.#settle(batch, null),
      (err: Error) => this.#settle(batch, err),
    );
  }

  #settle(batch: Batch, err: Error | null): void {
    if (this.#aborted) return;
    this.#inflight = null;
    if (batch.spoolEnd === null) this.#inflightBytes = 0;
    const n = batch.records.length;
    if (err === null) {
      this.#m.delivered += n;
      const now = Date.now();
      for (const r of batch.records) this.#m.delivery(now - r.timestamp);
    } else {
      // The client retries retriable errors until close; what reaches us is a refusal for good.
      this.#m.sendErrors++;
      this.#drop('rejected', n);
      this.#log.problem(
        { err: describeError(err), events: n },
        'the broker refused a batch; its events are dropped',
      );
    }
    if (batch.spoolEnd !== null) this.#spool!.commit(batch.spoolEnd);
    const more =
      this.#queue.bytes >= this.#o.batchBytes ||
      this.#queue.length >= this.#o.batchEvents ||
      (this.#spilling && this.#queue.length === 0);
    if (this.#queue.length > 0 || this.#spilling) this.#schedule(more);
    else this.#wakeIdle();
  }

  #isIdle(): boolean {
    return this.#inflight === null && this.#queue.length === 0 && !this.#spilling;
  }

  #wakeIdle(): void {
    if (!this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #checkStuck(): void {
    const b = this.#inflight;
    if (b === null || b.records.length === 0) return;
    const seconds = (performance.now() - b.startedAt) / 1000;
    if (seconds < 5) return;
    this.#log.problem(
      {
        waitingSeconds: Math.round(seconds),
        bufferedEvents: this.#queue.length + b.records.length,
        spoolBytes: this.#spool?.bytes ?? 0,
      },
      'the broker has not acknowledged a batch yet; buffering',
    );
  }

  flush(timeoutMs?: number): Promise<boolean> {
    if (this.#isIdle() || this.#aborted) return Promise.resolve(this.#isIdle());
    this.#schedule(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(done);
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
    // What is left: the batch in flight (unless it came from the spool, which keeps it) and the buffer.
    const left: QueuedRecord[] = [];
    if (this.#inflight !== null && this.#inflight.spoolEnd === null) left.push(...this.#inflight.records);
    while (this.#queue.length > 0) left.push(this.#queue.shift()!);
    this.#inflight = null;
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
    await this.#producer.close(true).catch(() => {});
    const m = this.#m;
    return { delivered: m.delivered, dropped: m.droppedTotal, spoolBytes, clean };
  }
}

function describeError(err: Error): string {
  const nested = (err as Error & { errors?: Error[] }).errors;
  const last = nested?.[nested.length - 1];
  return last ? `${err.message}: ${describeError(last)}` : err.message;
}

/** Creates an emitter; it connects in the background on the first batch. */
export function createEmitter(options: EmitterOptions = {}): Emitter {
  return new EmitterImpl(options);
}
