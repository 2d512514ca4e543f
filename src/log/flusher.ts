/**
 * fsync scheduling for one partition log. 'always' is group commit: an fsync round starts as soon as
 * there is unsynced data and none is running; whatever is appended while it runs is covered by the
 * next single round, so concurrent appends share fsyncs. 'interval' runs a round every `flush.ms`
 * when there is something to sync; 'never' leaves it to the OS (whenDurable resolves at once).
 * A round fdatasyncs the dirty segments and fsyncs queued paths (new directory entries, sealed
 * indexes). An fsync error is sticky: the data's fate is unknown, so every later wait fails too.
 */
import fs from 'node:fs';
import type { FlushPolicy } from './config.ts';
import type { LogLogger } from './logger.ts';
import type { Segment } from './segment.ts';

export interface FlushSource {
  /** Offset after the last appended batch. */
  logEndOffset(): number;
  /** Segments written since the previous call (and forgets them). */
  takeDirtySegments(): Segment[];
}

interface Waiter {
  offset: number;
  /** From flush(): keeps rounds going whatever the policy. */
  forced: boolean;
  /** Resolve only once this many rounds have completed (a flush must see a round start after it). */
  afterRound: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

function fsyncPath(path: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
  fs.open(path, 'r', (openErr, fd) => {
    if (openErr) {
      cb(openErr.code === 'ENOENT' ? null : openErr);
      return;
    }
    fs.fsync(fd, (syncErr) => fs.close(fd, () => cb(syncErr)));
  });
}

export class Flusher {
  private readonly source: FlushSource;
  private readonly logger: LogLogger;
  private policy: FlushPolicy;
  private flushMs: number;
  /** Offsets below this are on stable storage. */
  private durable: number;
  private written: number;
  private running = false;
  private waiters: Waiter[] = [];
  private paths: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private failure: Error | null = null;
  private stopped = false;
  /** fdatasync/fsync calls issued so far. */
  syncCalls = 0;
  /** Completed sync rounds. */
  rounds = 0;

  constructor(source: FlushSource, policy: FlushPolicy, flushMs: number, logger: LogLogger) {
    this.source = source;
    this.logger = logger;
    this.policy = policy;
    this.flushMs = flushMs;
    this.durable = source.logEndOffset();
    this.written = this.durable;
    this.schedule();
  }

  get durableOffset(): number {
    return this.durable;
  }

  setPolicy(policy: FlushPolicy, flushMs: number): void {
    if (policy === this.policy && flushMs === this.flushMs) return;
    this.policy = policy;
    this.flushMs = flushMs;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.policy !== 'interval' || this.stopped) return;
    this.timer = setInterval(
      () => {
        if (this.written > this.durable || this.paths.length > 0) this.run();
      },
      Math.max(1, this.flushMs),
    );
    this.timer.unref();
  }

  /** Called after each append with the new log end offset. */
  appended(logEndOffset: number): void {
    this.written = logEndOffset;
    if (this.policy === 'always') this.run();
  }

  /** Queues files or directories to fsync in the next round; starts one unless the policy is 'never'. */
  syncPaths(...paths: string[]): void {
    this.paths.push(...paths);
    if (this.policy !== 'never') this.run();
  }

  /** The log was cut back to `logEndOffset`: waits for truncated offsets fail. */
  truncated(logEndOffset: number): void {
    this.written = logEndOffset;
    if (this.durable > logEndOffset) this.durable = logEndOffset;
    const gone = this.waiters.filter((w) => w.offset >= logEndOffset);
    this.waiters = this.waiters.filter((w) => w.offset < logEndOffset);
    for (const w of gone) w.reject(new Error(`offset ${w.offset} was truncated before it became durable`));
  }

  /** Resolves once an fsync covering `offset` has completed (at once under 'never'). */
  whenDurable(offset: number): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (offset < this.durable || this.policy === 'never') return Promise.resolve();
    if (this.stopped) return Promise.reject(new Error('log is closed'));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ offset, forced: false, afterRound: 0, resolve, reject });
      if (this.policy === 'always') this.run();
    });
  }

  /** Syncs everything written so far, whatever the policy. */
  flush(): Promise<void> {
    if (this.failure !== null) return Promise.reject(this.failure);
    if (this.written <= this.durable && this.paths.length === 0 && !this.running) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const offset = Math.max(this.written - 1, this.durable - 1);
      const afterRound = this.rounds + (this.running ? 2 : 1);
      this.waiters.push({ offset, forced: true, afterRound, resolve, reject });
      this.run();
    });
  }

  /** Stops the timer; pending waits fail (call flush first for a clean stop). */
  stop(): void {
    this.stopped = true;
    this.schedule();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(new Error('log is closed'));
  }

  private run(): void {
    if (this.running || this.failure !== null) return;
    this.running = true;
    const target = this.written;
    const segments = this.source.takeDirtySegments();
    const paths = this.paths;
    this.paths = [];
    let pending = segments.length + paths.length + 1;
    let error: NodeJS.ErrnoException | null = null;
    const done = (err: NodeJS.ErrnoException | null): void => {
      if (err && !error) error = err;
      if (--pending === 0) this.finish(target, error);
    };
    for (const seg of segments) {
      this.syncCalls++;
      seg.datasync(done);
    }
    for (const p of paths) {
      this.syncCalls++;
      fsyncPath(p, done);
    }
    done(null);
  }

  private finish(target: number, error: NodeJS.ErrnoException | null): void {
    this.running = false;
    this.rounds++;
    if (error !== null) {
      this.failure = error;
      this.logger.warn({ err: error }, 'fsync failed; the log no longer acknowledges durable writes');
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.reject(error);
      return;
    }
    if (target > this.durable) this.durable = target;
    const isReady = (w: Waiter): boolean => w.offset < this.durable && this.rounds >= w.afterRound;
    const ready = this.waiters.filter(isReady);
    if (ready.length > 0) {
      this.waiters = this.waiters.filter((w) => !isReady(w));
      for (const w of ready) w.resolve();
    }
    const always = this.policy === 'always';
    const more = this.written > this.durable || this.paths.length > 0;
    const wanted = this.waiters.some((w) => w.forced || (always && w.offset < this.written));
    if (wanted || (always && more)) this.run();
  }
}
