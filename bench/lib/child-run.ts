/**
 * Runs one measurement in a fresh Node process: `runInChild(import.meta.url-relative module, export
 * name, JSON arguments)`. End-to-end latency is measured this way for every system, so its tail is
 * the system's and not the bench process's: by the time the latency rows run, this process has
 * built and thrown away gigabytes of load (produce pools, 4 MiB fetch answers, peer clients) and its
 * own Mark-Compact pauses of 5-14 ms showed up as p99s of 5-12 ms in the same run in which a fresh
 * process measured 0.5 ms. A real producer and consumer are their own applications, too.
 */
import { fileURLToPath } from 'node:url';
import { spawnTracked } from './procs.ts';

const ENTRY = fileURLToPath(new URL('./child-entry.ts', import.meta.url));
let childCpuTotal = 0;

/** CPU seconds used by finished measurement children (counted as client CPU in proc-stats.ts). */
export function childCpuSeconds(): number {
  return childCpuTotal;
}

export async function runInChild<T>(moduleUrl: URL, exportName: string, args: unknown[]): Promise<T> {
  const child = spawnTracked('measurement', process.execPath, [
    ENTRY,
    moduleUrl.href,
    exportName,
    JSON.stringify(args),
  ]);
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code !== 0) throw new Error(`${exportName} in a child process exited with ${code}: ${err.trim()}`);
  const { value, cpuSeconds } = JSON.parse(out) as { value: T; cpuSeconds: number };
  childCpuTotal += cpuSeconds;
  return value;
}
