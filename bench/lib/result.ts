/**
 * The shape of one benchmark figure (one row of the table, one element of `--json`'s `results`),
 * and the description of the machine the figures were taken on.
 */
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface BenchResult {
  system: string;
  client: string;
  workload: string;
  records_per_s: number | null;
  mb_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  /** Server RSS in MiB (peak while the workload ran, or idle for idle rows). */
  rss_mb: number | null;
  /** CPU used by the server while measuring, percent of one core. */
  server_cpu_pct?: number | null;
  /** CPU used by the load generator process while measuring, percent of one core. */
  client_cpu_pct?: number | null;
  /** What limited the figure, why a row is missing, or how it was taken. */
  note?: string;
}

export interface Machine {
  cpu: string;
  cores: number;
  memory_gb: number;
  kernel: string;
  node: string;
  mode: 'quick' | 'full';
  date: string;
  load_avg_at_start: number[];
}

export function describeMachine(mode: 'quick' | 'full'): Machine {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    mode,
    date: new Date().toISOString(),
    load_avg_at_start: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A row for a system or workload that could not be measured. */
export function unavailable(system: string, client: string, workload: string, note: string): BenchResult {
  return {
    system,
    client,
    workload,
    records_per_s: null,
    mb_per_s: null,
    p50_ms: null,
    p99_ms: null,
    p999_ms: null,
    rss_mb: null,
    note,
  };
}

export function round(n: number | null | undefined, digits = 2): number | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
