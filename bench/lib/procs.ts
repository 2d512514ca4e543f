/**
 * Every process the benchmark starts is registered here and stopped by its PID: SIGTERM, then
 * SIGKILL after a grace period. `stopAll()` runs at the end of a run and on SIGINT/SIGTERM or an
 * uncaught error, so a failed run leaves nothing behind.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

interface Tracked {
  name: string;
  pid: number;
  /** Set when the process is not our direct child (e.g. a daemon's PID read from its pid file). */
  child: ChildProcess | null;
}

const tracked = new Map<number, Tracked>();
const dirs = new Set<string>();

/** A temp directory to remove at the end of the run, also when it ends on an error. */
export function trackDir(path: string): string {
  dirs.add(path);
  return path;
}

export function removeDir(path: string): void {
  rmSync(path, { recursive: true, force: true });
  dirs.delete(path);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  tracked.set(child.pid, { name, pid: child.pid, child });
  child.on('exit', () => {
    if (child.pid !== undefined) tracked.delete(child.pid);
  });
  return child;
}

/** Tracks a process we did not spawn directly (a grandchild whose PID we learned). */
export function trackPid(name: string, pid: number): void {
  tracked.set(pid, { name, pid, child: null });
}

export async function stopPid(pid: number, graceMs = 5000): Promise<void> {
  const t = tracked.get(pid);
  if (!alive(pid)) {
    tracked.delete(pid);
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {}
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (t?.child ? t.child.exitCode !== null || t.child.signalCode !== null : !alive(pid)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  if (alive(pid) && !(t?.child && (t.child.exitCode !== null || t.child.signalCode !== null))) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  tracked.delete(pid);
}

export async function stopAll(): Promise<void> {
  const pids = [...tracked.keys()].reverse();
  for (const pid of pids) await stopPid(pid);
  for (const d of [...dirs]) removeDir(d);
}

/** Synchronous last resort (process 'exit'): SIGKILL whatever is still registered. */
function killAllNow(): void {
  for (const pid of tracked.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  tracked.clear();
  for (const d of [...dirs]) {
    try {
      removeDir(d);
    } catch {}
  }
}

let installed = false;
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      stopAll().finally(() => process.exit(130));
    });
  }
}

/** Resolves with the first stdout/stderr line matching `pattern`, or rejects on exit or timeout. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString();
      if (seen.length > 65536) seen = seen.slice(-32768);
      const m = seen.match(pattern);
      if (m) {
        done();
        resolve(m);
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`process exited (${code}) before printing ${pattern}: ${seen.slice(-2000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}: ${seen.slice(-2000)}`));
    }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** Keeps a child's pipes drained so it never blocks on a full stdout/stderr. */
export function drain(child: ChildProcess): void {
  child.stdout?.resume();
  child.stderr?.resume();
}
