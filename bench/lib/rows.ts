/** Turning measured counts and resource usage into result rows. */
import type { Usage } from './proc-stats.ts';
import { type BenchResult, round } from './result.ts';

export interface Throughput {
  records: number;
  payloadBytes: number;
  seconds: number;
}

export function throughputRow(
  ids: { system: string; client: string; workload: string },
  t: Throughput,
  usage: Usage | null,
  note?: string,
): BenchResult {
  const row: BenchResult = {
    ...ids,
    records_per_s: round(t.records / t.seconds, 0),
    mb_per_s: round(t.payloadBytes / t.seconds / 1e6, 1),
    p50_ms: null,
    p99_ms: null,
    p999_ms: null,
    rss_mb: usage && usage.peakMemoryMb > 0 ? round(usage.peakMemoryMb, 0) : null,
    server_cpu_pct: usage && usage.peakMemoryMb > 0 ? round(usage.serverCpuPct, 0) : null,
    client_cpu_pct: usage ? round(usage.clientCpuPct, 0) : null,
  };
  if (note) row.note = note;
  return row;
}

export function latencyRow(
  ids: { system: string; client: string; workload: string },
  l: { p50: number | null; p99: number | null; p999: number | null; records?: number; seconds?: number },
  usage: Usage | null,
  note?: string,
): BenchResult {
  const row: BenchResult = {
    ...ids,
    records_per_s: l.records !== undefined && l.seconds ? round(l.records / l.seconds, 0) : null,
    mb_per_s: null,
    p50_ms: round(l.p50, 3),
    p99_ms: round(l.p99, 3),
    p999_ms: round(l.p999, 3),
    rss_mb: usage && usage.peakMemoryMb > 0 ? round(usage.peakMemoryMb, 0) : null,
    server_cpu_pct: usage && usage.peakMemoryMb > 0 ? round(usage.serverCpuPct, 0) : null,
    client_cpu_pct: usage ? round(usage.clientCpuPct, 0) : null,
  };
  if (note) row.note = note;
  return row;
}

/** Records per second of a workload name with a size, e.g. "produce 100 B" → 100. */
export function sizeLabel(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024} KiB` : `${bytes} B`;
}
