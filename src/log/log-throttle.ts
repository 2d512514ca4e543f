/**
 * Rate limiting for log lines that can repeat without bound (a malformed frame per connection, a
 * failed append per request while the disk is full). The first line of a kind is logged as is; the
 * same kind within the next `windowMs` (10 s) is counted, not logged, and the count is reported once
 * the window ends: "<message> (1234 similar suppressed in the last 10 s)", carrying the last
 * suppressed line's fields. `flush()` reports pending counts at once (on shutdown).
 *
 * A kind is a key the caller chooses (`frame:malformed`, `append:ENOSPC`); keys should come from a
 * small set. Used by the storage layer and the broker, so it lives here (log may not import broker).
 */

export type LogFn = (obj: object, msg: string) => void;

/** Anything with pino-style level methods (pino loggers, child loggers, the storage LogLogger). */
export interface LevelLogger {
  warn: LogFn;
  error?: LogFn;
}

export type ThrottledLevel = 'warn' | 'error';

interface Kind {
  windowStart: number;
  suppressed: number;
  logger: LevelLogger;
  level: ThrottledLevel;
  obj: object;
  msg: string;
  timer: NodeJS.Timeout | null;
}

export const DEFAULT_THROTTLE_WINDOW_MS = 10_000;
/** Kinds kept before idle ones are forgotten (keys should be few; this bounds a mistake). */
const MAX_KINDS = 1000;

export interface LogThrottleOptions {
  windowMs?: number;
  now?: () => number;
}

export class LogThrottle {
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly kinds = new Map<string, Kind>();

  constructor(opts: LogThrottleOptions = {}) {
    this.windowMs = opts.windowMs ?? DEFAULT_THROTTLE_WINDOW_MS;
    this.now = opts.now ?? Date.now;
  }

  warn(logger: LevelLogger, key: string, obj: object, msg: string): void {
    this.log(logger, 'warn', key, obj, msg);
  }

  error(logger: LevelLogger, key: string, obj: object, msg: string): void {
    this.log(logger, 'error', key, obj, msg);
  }

  /** Logs the line unless its kind already logged within the window; then it is counted. */
  log(logger: LevelLogger, level: ThrottledLevel, key: string, obj: object, msg: string): void {
    const now = this.now();
    const kind = this.kinds.get(key);
    if (kind !== undefined && now - kind.windowStart < this.windowMs) {
      kind.suppressed++;
      kind.logger = logger;
      kind.level = level;
      kind.obj = obj;
      kind.msg = msg;
      if (kind.timer === null) {
        kind.timer = setTimeout(() => this.report(kind), kind.windowStart + this.windowMs - now);
        kind.timer.unref();
      }
      return;
    }
    if (kind !== undefined) {
      this.report(kind);
      this.kinds.delete(key);
    }
    if (this.kinds.size >= MAX_KINDS) this.forgetIdle(now);
    emit(logger, level, obj, msg);
    this.kinds.set(key, { windowStart: now, suppressed: 0, logger, level, obj, msg, timer: null });
  }

  /** Reports every pending count now (call before shutting down). */
  flush(): void {
    for (const kind of this.kinds.values()) this.report(kind);
  }

  /** The summary line for what was suppressed since the window began; the next window starts now. */
  private report(kind: Kind): void {
    if (kind.timer !== null) clearTimeout(kind.timer);
    kind.timer = null;
    const now = this.now();
    if (kind.suppressed > 0) {
      const seconds = Math.max(1, Math.round((now - kind.windowStart) / 1000));
      const msg = `${kind.msg} (${kind.suppressed} similar suppressed in the last ${seconds} s)`;
      emit(kind.logger, kind.level, { ...kind.obj, suppressed: kind.suppressed }, msg);
      kind.suppressed = 0;
      kind.windowStart = now;
    }
  }

  private forgetIdle(now: number): void {
    for (const [key, kind] of this.kinds) {
      if (kind.suppressed === 0 && now - kind.windowStart >= this.windowMs) this.kinds.delete(key);
    }
  }
}

function emit(logger: LevelLogger, level: ThrottledLevel, obj: object, msg: string): void {
  if (level === 'error' && logger.error) logger.error(obj, msg);
  else logger.warn(obj, msg);
}
