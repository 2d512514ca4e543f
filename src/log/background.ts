/**
 * Background log maintenance for a LogManager: a retention pass every
 * `log.retention.check.interval.ms`, a cleaner pass every `log.cleaner.backoff.ms` (after the
 * previous one finished, so passes never overlap) — the first of each `log.initial.task.delay.ms`
 * after start (or sooner when the interval is shorter) — and every
 * `producer.id.expiration.check.interval.ms` the removal of producers idle for
 * `producer.id.expiration.ms`. Each pass reads the partitions' current configs,
 * so AlterConfigs takes effect on the next pass. Errors are logged per partition and never stop the
 * tasks. `stop()` cancels the timers, asks a running cleaner pass to stop at its next slice and
 * waits for it.
 */
import { type CleanResult, cleanLog } from './cleaner.ts';
import type { LogLogger } from './logger.ts';
import type { PartitionLog } from './partition-log.ts';
import { applyRetention, type RetentionResult } from './retention.ts';

export interface BackgroundTaskOptions {
  /** log.retention.check.interval.ms (default 300000). */
  retentionCheckIntervalMs?: number;
  /** log.cleaner.backoff.ms: pause between cleaner passes (default 15000). */
  cleanerIntervalMs?: number;
  /** log.initial.task.delay.ms: when the first retention and cleaner passes run (default 30000). */
  initialTaskDelayMs?: number;
  /** producer.id.expiration.ms: idle time after which a producer's state is dropped (default 1 day). */
  producerIdExpirationMs?: number;
  /** producer.id.expiration.check.interval.ms (default 600000). */
  producerIdExpirationCheckIntervalMs?: number;
}

export interface PartitionRef {
  topic: string;
  partition: number;
  log: PartitionLog;
}

export const DEFAULT_RETENTION_CHECK_INTERVAL_MS = 300_000;
export const DEFAULT_CLEANER_BACKOFF_MS = 15_000;
export const DEFAULT_INITIAL_TASK_DELAY_MS = 30_000;
export const DEFAULT_PRODUCER_ID_EXPIRATION_MS = 86_400_000;
export const DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS = 600_000;

export class LogBackgroundTasks {
  private readonly partitions: () => PartitionRef[];
  private readonly logger: LogLogger;
  private readonly now: () => number;
  private readonly retentionMs: number;
  private readonly cleanerMs: number;
  private readonly initialDelayMs: number;
  private readonly producerExpirationMs: number;
  private readonly producerCheckMs: number;
  private retentionTimer: NodeJS.Timeout | null = null;
  private producerTimer: NodeJS.Timeout | null = null;
  private cleanerTimer: NodeJS.Timeout | null = null;
  private cleaning: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    partitions: () => PartitionRef[],
    opts: BackgroundTaskOptions,
    logger: LogLogger,
    now: () => number,
  ) {
    this.partitions = partitions;
    this.logger = logger;
    this.now = now;
    this.retentionMs = opts.retentionCheckIntervalMs ?? DEFAULT_RETENTION_CHECK_INTERVAL_MS;
    this.cleanerMs = opts.cleanerIntervalMs ?? DEFAULT_CLEANER_BACKOFF_MS;
    this.initialDelayMs = opts.initialTaskDelayMs ?? DEFAULT_INITIAL_TASK_DELAY_MS;
    this.producerExpirationMs = opts.producerIdExpirationMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_MS;
    this.producerCheckMs =
      opts.producerIdExpirationCheckIntervalMs ?? DEFAULT_PRODUCER_ID_EXPIRATION_CHECK_INTERVAL_MS;
  }

  start(): void {
    // First passes shortly after start (log.initial.task.delay.ms), as Kafka does, so segments that
    // expired while the broker was down go within seconds, not one full check interval later.
    this.repeat(
      Math.min(this.initialDelayMs, this.retentionMs),
      this.retentionMs,
      () => this.runRetention(),
      (t) => {
        this.retentionTimer = t;
      },
    );
    this.scheduleCleaner(Math.min(this.initialDelayMs, this.cleanerMs));
    this.repeat(
      this.producerCheckMs,
      this.producerCheckMs,
      () => this.expireProducers(),
      (t) => {
        this.producerTimer = t;
      },
    );
  }

  /** Drops idle producers' state in every partition; returns how many were removed in all. */
  expireProducers(): number {
    let removed = 0;
    const now = this.now();
    for (const { topic, partition, log } of this.partitions()) {
      if (log.isClosed) continue;
      const n = log.producers.removeExpired(now, this.producerExpirationMs);
      if (n > 0) this.logger.info({ topic, partition, producers: n }, 'expired idle producer ids');
      removed += n;
    }
    return removed;
  }

  /**
   * Runs `pass` after `firstMs`, then every `intervalMs` until stopped; `setTimer` keeps the handle
   * for stop().
   */
  private repeat(
    firstMs: number,
    intervalMs: number,
    pass: () => void,
    setTimer: (t: NodeJS.Timeout) => void,
  ): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      pass();
      this.repeat(intervalMs, intervalMs, pass, setTimer);
    }, firstMs);
    timer.unref();
    setTimer(timer);
  }

  private scheduleCleaner(delayMs = this.cleanerMs): void {
    if (this.stopped) return;
    this.cleanerTimer = setTimeout(() => {
      this.cleaning = this.runCleaner().finally(() => {
        this.cleaning = null;
        this.scheduleCleaner();
      });
    }, delayMs);
    this.cleanerTimer.unref();
  }

  /** One retention pass over every partition. */
  runRetention(): Map<PartitionLog, RetentionResult> {
    const out = new Map<PartitionLog, RetentionResult>();
    for (const { topic, partition, log } of this.partitions()) {
      if (log.isClosed) continue;
      try {
        const r = applyRetention(log, this.now());
        out.set(log, r);
        if (r.deletedSegments > 0) {
          this.logger.info(
            {
              topic,
              partition,
              deletedSegments: r.deletedSegments,
              deletedBytes: r.deletedBytes,
              logStartOffset: r.logStartOffset,
            },
            'retention deleted log segments',
          );
        }
      } catch (err) {
        this.logger.warn({ err, topic, partition }, 'retention pass failed');
      }
    }
    return out;
  }

  /** One cleaner pass over every compacted partition, one partition at a time. */
  async runCleaner(): Promise<Map<PartitionLog, CleanResult>> {
    const out = new Map<PartitionLog, CleanResult>();
    for (const { topic, partition, log } of this.partitions()) {
      if (this.stopped) break;
      if (log.isClosed || !log.config.cleanupPolicy.compact) continue;
      try {
        out.set(
          log,
          await cleanLog(log, {
            now: this.now,
            logger: this.logger,
            shouldStop: () => this.stopped || log.isClosed,
          }),
        );
      } catch (err) {
        this.logger.warn({ err, topic, partition }, 'cleaner pass failed');
      }
    }
    return out;
  }

  /** Cancels the timers and waits for a running cleaner pass to wind down. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retentionTimer) clearTimeout(this.retentionTimer);
    if (this.cleanerTimer) clearTimeout(this.cleanerTimer);
    if (this.producerTimer) clearTimeout(this.producerTimer);
    await this.cleaning;
  }
}
