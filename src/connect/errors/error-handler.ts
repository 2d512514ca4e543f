/**
 * Kafka Connect's error handling (`RetryWithToleranceOperator`): every stage of a record's trip
 * (converters, transforms, the task's put/poll, produce) runs through `execute`. Retriable errors
 * are retried with exponential backoff (300 ms doubling, capped by `errors.retry.delay.max.ms`)
 * for up to `errors.retry.timeout` (-1: forever); then, or for any other error,
 * `errors.tolerance=none` fails the task ("Tolerance exceeded in error handler") while `all` logs
 * it (`errors.log.enable`, `errors.log.include.messages`), reports it to the dead-letter queue (sink
 * connectors) and skips the record.
 */
import type { Logger } from 'pino';
import { ConnectError, RetriableError } from '../api/index.ts';

export type Stage =
  | 'KEY_CONVERTER'
  | 'VALUE_CONVERTER'
  | 'HEADER_CONVERTER'
  | 'TRANSFORMATION'
  | 'TASK_PUT'
  | 'TASK_POLL'
  | 'KAFKA_PRODUCE'
  | 'KAFKA_CONSUME';

export interface ErrorHandlingConfig {
  tolerance: 'none' | 'all';
  retryTimeoutMs: number;
  retryDelayMaxMs: number;
  logEnable: boolean;
  logIncludeMessages: boolean;
  dlqTopic: string;
  dlqReplicationFactor: number;
  dlqContextHeaders: boolean;
}

export function errorHandlingConfig(config: Readonly<Record<string, string>>): ErrorHandlingConfig {
  const num = (key: string, fallback: number): number => {
    const v = config[key];
    return v === undefined || v.trim() === '' ? fallback : Number(v);
  };
  const bool = (key: string): boolean => (config[key] ?? '').trim().toLowerCase() === 'true';
  return {
    tolerance: (config['errors.tolerance'] ?? 'none').trim().toLowerCase() === 'all' ? 'all' : 'none',
    retryTimeoutMs: num('errors.retry.timeout', 0),
    retryDelayMaxMs: num('errors.retry.delay.max.ms', 60_000),
    logEnable: bool('errors.log.enable'),
    logIncludeMessages: bool('errors.log.include.messages'),
    dlqTopic: (config['errors.deadletterqueue.topic.name'] ?? '').trim(),
    dlqReplicationFactor: num('errors.deadletterqueue.topic.replication.factor', 3),
    dlqContextHeaders: bool('errors.deadletterqueue.context.headers.enable'),
  };
}

/** Where a failure happened, for logs and the dead-letter headers. */
export interface FailureContext {
  stage: Stage;
  /** The class that failed (the converter's or transform's class name, or the task's). */
  executingClass: string;
  /** A description of the record for logs (only with errors.log.include.messages). */
  describeRecord?: () => string;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false };

export interface ErrorReporter {
  report(context: FailureContext, error: Error): Promise<void>;
}

/** The failure that stops a task under errors.tolerance=none. */
export class ToleranceExceededError extends ConnectError {
  override readonly name = 'ConnectException';
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export function isRetriable(err: unknown): boolean {
  if (err instanceof RetriableError) return true;
  const e = err as { canRetry?: boolean; code?: string };
  return e?.canRetry === true || e?.code === 'PLT_KFK_NETWORK' || e?.code === 'PLT_KFK_TIMEOUT';
}

export class ErrorHandler {
  readonly config: ErrorHandlingConfig;
  readonly #logger: Logger;
  readonly #reporters: ErrorReporter[];
  readonly #signal: AbortSignal | undefined;
  /** Records skipped under tolerance=all (for metrics and tests). */
  skipped = 0;
  /** The last error that made a record be skipped (the dead-letter headers describe it). */
  lastError: Error | null = null;

  constructor(
    config: ErrorHandlingConfig,
    logger: Logger,
    reporters: ErrorReporter[] = [],
    signal?: AbortSignal,
  ) {
    this.config = config;
    this.#logger = logger;
    this.#reporters = reporters;
    this.#signal = signal;
  }

  /**
   * Runs `fn`, retrying retriable failures. Gives `{ ok: true, value }`, or `{ ok: false }` when
   * the record is to be skipped (tolerance=all); throws under tolerance=none. Synchronous when `fn`
   * is and succeeds (the per-record hot path); a promise otherwise.
   */
  execute<T>(context: FailureContext, fn: () => T | Promise<T>): Outcome<T> | Promise<Outcome<T>> {
    try {
      const value = fn();
      if (value instanceof Promise) {
        return value.then(
          (v) => ({ ok: true, value: v }) as const,
          (err) => this.#retry(context, fn, err),
        );
      }
      return { ok: true, value };
    } catch (err) {
      return this.#retry(context, fn, err);
    }
  }

  /**
   * What `execute(context, fn)` gives once its first call of `fn` has thrown `first` (or given a
   * promise, `outcome` of it): for callers that make that first call themselves, so the per-record
   * hot path allocates no context, closure or outcome when nothing fails.
   */
  recover<T>(context: FailureContext, fn: () => T | Promise<T>, first: unknown): Promise<Outcome<T>> {
    return this.#retry(context, fn, first);
  }

  /** `execute`'s answer for a first call of `fn` that gave the promise `value`. */
  settle<T>(context: FailureContext, fn: () => T | Promise<T>, value: Promise<T>): Promise<Outcome<T>> {
    return value.then(
      (v) => ({ ok: true, value: v }) as const,
      (err) => this.#retry(context, fn, err),
    );
  }

  async #retry<T>(context: FailureContext, fn: () => T | Promise<T>, first: unknown): Promise<Outcome<T>> {
    const started = Date.now();
    let delay = 300;
    let err: unknown = first;
    for (;;) {
      const error = err instanceof Error ? err : new Error(String(err));
      const budget = this.config.retryTimeoutMs;
      const elapsed = Date.now() - started;
      if (!(isRetriable(error) && (budget < 0 || elapsed + delay <= budget) && !this.#signal?.aborted)) {
        await this.#fail(context, error);
        return { ok: false };
      }
      await sleep(delay, this.#signal);
      delay = Math.min(delay * 2, this.config.retryDelayMaxMs);
      try {
        return { ok: true, value: await fn() };
      } catch (next) {
        err = next;
      }
    }
  }

  async #fail(context: FailureContext, error: Error): Promise<void> {
    this.lastError = error;
    if (this.config.logEnable || this.config.tolerance === 'none') {
      const details: Record<string, unknown> = {
        stage: context.stage,
        class: context.executingClass,
        err: error,
      };
      if (this.config.logIncludeMessages && context.describeRecord) details.record = context.describeRecord();
      this.#logger.error(
        details,
        `Error encountered in task. Executing stage '${context.stage}' with class '${context.executingClass}'`,
      );
    }
    if (this.config.tolerance === 'none') {
      throw new ToleranceExceededError('Tolerance exceeded in error handler', { cause: error });
    }
    this.skipped++;
    for (const r of this.#reporters) await r.report(context, error);
  }
}

/** The stack of an error and its causes, Java-style, for the status API's `trace`. */
export function traceOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const e = current as Error;
    const stack = e.stack ?? `${e.name ?? 'Error'}: ${e.message ?? String(e)}`;
    parts.push(depth === 0 ? stack : `Caused by: ${stack}`);
    current = e.cause;
  }
  return parts.join('\n');
}

/** Kafka's exception class name for an error (the dead-letter and status headers show it). */
export function exceptionClassName(err: Error): string {
  switch (err.name) {
    case 'DataException':
      return 'org.apache.kafka.connect.errors.DataException';
    case 'ConnectException':
    case 'ConnectError':
      return 'org.apache.kafka.connect.errors.ConnectException';
    case 'RetriableError':
      return 'org.apache.kafka.connect.errors.RetriableException';
    default:
      return err.name || 'Error';
  }
}

export { sleep };
