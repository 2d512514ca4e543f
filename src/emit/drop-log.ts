/**
 * Logs drops and broker trouble at a bounded rate: the first occurrence at once, then at most one
 * summary line per interval with the counts since the last line, so an outage at 100,000 events/s
 * writes a handful of lines, not a flood.
 */
import type { DropReason } from './metrics.ts';

/** The subset of a pino-style logger the emitter uses. */
export interface EmitLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const consoleLogger: EmitLogger = {
  warn: (obj, msg) => console.warn(`samsa/emit: ${msg}`, obj),
  error: (obj, msg) => console.error(`samsa/emit: ${msg}`, obj),
};

export class DropLog {
  readonly #logger: EmitLogger;
  readonly #intervalMs: number;
  #pending = new Map<DropReason, number>();
  #last = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | null = null;
  #lastProblem = Number.NEGATIVE_INFINITY;

  constructor(logger: EmitLogger, intervalMs: number) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  dropped(reason: DropReason, n = 1): void {
    this.#pending.set(reason, (this.#pending.get(reason) ?? 0) + n);
    const now = performance.now();
    if (now - this.#last >= this.#intervalMs) this.flush();
    else if (this.#timer === null) {
      this.#timer = setTimeout(() => this.flush(), this.#intervalMs - (now - this.#last));
      this.#timer.unref();
    }
  }

  /** A broker or disk problem (not a drop): logged at most once per interval. */
  problem(obj: object, msg: string): void {
    const now = performance.now();
    if (now - this.#lastProblem < this.#intervalMs) return;
    this.#lastProblem = now;
    this.#logger.warn(obj, msg);
  }

  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#pending.size === 0) return;
    const counts = Object.fromEntries(this.#pending);
    const total = [...this.#pending.values()].reduce((a, b) => a + b, 0);
    this.#pending = new Map();
    this.#last = performance.now();
    this.#logger.warn({ dropped: counts }, `dropped ${total} event(s)`);
  }
}
