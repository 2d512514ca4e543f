/**
 * Moves every other process on the machine off a CPU for a measurement, and back afterwards:
 * `isolateCpu(1)` sets each thread of each user-space process, and each unbound kernel thread, to CPU 1 alone,
 * remembering its affinity; `restoreCpus()` gives each thread its affinity back (also run on exit).
 * For latency benches on a small shared machine, where other work on the measured core (other
 * benchmarks, builds) shows up as the measured app's tail. Processes started later inherit their
 * parent's affinity, so they stay off too; calling `isolateCpu` again catches those that set their
 * own. Needs permission to change the other processes' affinity (root, or the same user).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** The CPUs online, in /proc's list form ("0-1"): what an unbound thread may use. */
const ALL_CPUS = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
/** tid → the CPU list it had before (taskset's `-c` form). */
const saved = new Map<number, string>();
let hooked = false;

function threadsOf(pid: string): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function affinityOf(tid: string): string | null {
  try {
    const status = readFileSync(`/proc/${tid}/status`, 'utf8');
    return /^Cpus_allowed_list:\s+(\S+)/m.exec(status)?.[1] ?? null;
  } catch {
    return null;
  }
}

/** Moves all user-space threads but our own process's to `cpu`; returns how many were moved. */
export function isolateCpu(cpu: number): number {
  if (!hooked) {
    hooked = true;
    process.on('exit', restoreCpus);
  }
  let moved = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    // Kernel threads only when unbound (kdamond, unbound kworkers, ...: they took up to 3 ms of
    // the measured core at a time); per-CPU ones cannot move.
    const kernel = cmdline === '';
    for (const tid of threadsOf(pid)) {
      const before = affinityOf(tid);
      if (before === null || before === String(cpu)) continue;
      if (kernel && before !== ALL_CPUS) continue;
      try {
        execFileSync('taskset', ['-pc', String(cpu), tid], { stdio: 'ignore' });
        if (!saved.has(Number(tid))) saved.set(Number(tid), before);
        moved++;
      } catch {
        // Exited meanwhile, or not ours to move.
      }
    }
  }
  return moved;
}

/** Gives every moved thread that still exists its affinity back. */
export function restoreCpus(): void {
  for (const [tid, cpus] of saved) {
    try {
      execFileSync('taskset', ['-pc', cpus, String(tid)], { stdio: 'ignore' });
    } catch {
      // Gone.
    }
  }
  saved.clear();
}
