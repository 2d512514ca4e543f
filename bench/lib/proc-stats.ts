/**
 * Memory and CPU of server processes, read from /proc (Linux). A server may be a process tree
 * (PostgreSQL): memory is then the sum of PSS so shared buffers count once; a single process
 * reports its RSS. CPU is utime+stime of the whole tree.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { childCpuSeconds } from './child-run.ts';

const TICKS_PER_S = 100;

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** The PID and all its descendants (one /proc scan). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = parent.get(ppid) ?? [];
    list.push(pid);
    parent.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    for (const c of parent.get(pid) ?? []) stack.push(c);
  }
  return out;
}

function kbField(text: string | null, field: string): number {
  if (!text) return 0;
  const m = text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** Memory in MiB: RSS for one process, summed PSS for several. */
export function memoryMb(pids: readonly number[]): number {
  if (pids.length === 1) return kbField(read(`/proc/${pids[0]}/status`), 'VmRSS') / 1024;
  let kb = 0;
  for (const pid of pids) kb += kbField(read(`/proc/${pid}/smaps_rollup`), 'Pss');
  return kb / 1024;
}

/** CPU seconds (user + system) used so far by these processes. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / TICKS_PER_S;
}

/**
 * CPU seconds of a process tree so far: every live process's own, plus what the root's reaped
 * children used (PostgreSQL's backends, counted once they exit).
 */
export function treeCpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]);
    if (pid === root) ticks += Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS_PER_S;
}

export interface Usage {
  peakMemoryMb: number;
  serverCpuPct: number;
  clientCpuPct: number;
}

/**
 * Samples the server's memory every 100 ms and measures CPU of server and of this process (plus
 * measurement children that finished meanwhile, child-run.ts) between start and stop. `serverPids` is re-read as a tree each sample when `tree` is set.
 */
export function startUsage(serverPid: number | null, tree = false): { stop(): Usage } {
  const pids = (): number[] => (serverPid === null ? [] : tree ? processTree(serverPid) : [serverPid]);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const children0 = childCpuSeconds();
  const s0 = cpuSeconds(pids());
  let peak = serverPid === null ? 0 : memoryMb(pids());
  const timer = setInterval(() => {
    if (serverPid !== null) peak = Math.max(peak, memoryMb(pids()));
  }, 100);
  return {
    stop(): Usage {
      clearInterval(timer);
      const elapsed = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      const s = serverPid === null ? 0 : cpuSeconds(pids()) - s0;
      if (serverPid !== null) peak = Math.max(peak, memoryMb(pids()));
      return {
        peakMemoryMb: peak,
        serverCpuPct: (s / elapsed) * 100,
        clientCpuPct: (((c.user + c.system) / 1e6 + childCpuSeconds() - children0) / elapsed) * 100,
      };
    },
  };
}

/** The PID of the process listening on a local TCP port, if it can be found (needs /proc/net/tcp). */
export function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = read(file);
    if (!text) continue;
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A') continue;
      const local = f[1] ?? '';
      if (Number.parseInt(local.slice(local.indexOf(':') + 1), 16) === port) inodes.add(f[9] ?? '');
    }
  }
  if (inodes.size === 0) return null;
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = target.match(/^socket:\[(\d+)\]$/);
      if (m && inodes.has(m[1] ?? '')) return pid;
    }
  }
  return null;
}

/** This process's main thread's voluntary context switches: each is its loop going to sleep and being woken. */
export function mainThreadWakeups(): number {
  const status = read(`/proc/self/task/${process.pid}/status`);
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status ?? '')?.[1] ?? Number.NaN);
}

/** The calling thread's user + system CPU in µs. */
export function threadCpuUs(): number {
  const u = process.threadCpuUsage();
  return u.user + u.system;
}
