/**
 * The machine's physical ceilings: disk sequential write (with and without fdatasync) and raw Node
 * TCP ingest to a file. Records/s are 100 B-record equivalents (bytes / 100) for comparison.
 */
import type { BenchOptions } from '../lib/options.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { type BenchResult, round } from '../lib/result.ts';
import { throughputRow } from '../lib/rows.ts';
import { diskWrite } from './disk.ts';
import { startIngestServer, stopPid, tcpIngest } from './tcp-ingest.ts';

const SYSTEM = 'machine ceiling';

export async function ceilingsSuite(o: BenchOptions, emit: (r: BenchResult) => void): Promise<void> {
  const cases: [string, number, boolean][] = [
    ['disk seq write 1 MiB, no fsync', 1 << 20, false],
    ['disk seq write 1 MiB + fdatasync each', 1 << 20, true],
    ['disk seq write 64 KiB + fdatasync each', 64 << 10, true],
  ];
  for (const [label, chunk, sync] of cases) {
    const d = diskWrite(chunk, sync, o.durationMs, (o.quick ? 1 : 4) * 2 ** 30);
    emit({
      ...throughputRow(
        { system: SYSTEM, client: 'fs.writeSync', workload: label },
        { records: d.bytes / 100, payloadBytes: d.bytes, seconds: d.seconds },
        null,
        sync
          ? 'p50/p99 = write+fdatasync latency; records = bytes/100'
          : 'records = bytes/100; one fdatasync at the end',
      ),
      p50_ms: sync ? round(d.p50, 3) : null,
      p99_ms: sync ? round(d.p99, 3) : null,
      p999_ms: sync ? round(d.p999, 3) : null,
      client_cpu_pct: null,
    });
  }
  const srv = await startIngestServer();
  try {
    const usage = startUsage(srv.pid);
    const t = await tcpIngest(srv.port, o.warmupMs, o.durationMs);
    emit(
      throughputRow(
        { system: SYSTEM, client: 'net.Socket.write', workload: 'raw TCP ingest to file' },
        { records: t.bytes / 100, payloadBytes: t.bytes, seconds: t.seconds },
        usage.stop(),
        'socket.pipe(file) in a Node process; 2 connections of 64 KiB writes; records = bytes/100',
      ),
    );
  } finally {
    await stopPid(srv.pid);
  }
}
