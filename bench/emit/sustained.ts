/**
 * Only the sustained-throughput row of the emit suite, with CPU per event: a `samsa start` child,
 * a 6-partition topic per compression, `throughput.ts` in a fresh child process.
 *
 *   node bench/emit/sustained.ts [warmupMs] [durationMs]
 */
import { loadavg } from 'node:os';
import { createTopicOn } from '../kafka/admin.ts';
import { runInChild } from '../lib/child-run.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { installCleanupHandlers, stopAll } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';
import type { EmitThroughputResult } from './throughput.ts';

const warmupMs = Number(process.argv[2] ?? 3000);
const durationMs = Number(process.argv[3] ?? 5000);
installCleanupHandlers();
const broker = await startSamsa();
try {
  for (const compression of ['lz4', 'none'] as const) {
    const topic = `emit-sustained-${compression}`;
    await createTopicOn(broker.port, topic, 6);
    const usage = startUsage(broker.pid);
    const r = await runInChild<EmitThroughputResult>(
      new URL('./throughput.ts', import.meta.url),
      'emitThroughput',
      [`127.0.0.1:${broker.port}`, topic, warmupMs, durationMs, compression],
    );
    const u = usage.stop();
    const perS = r.delivered / r.seconds;
    console.log(
      `${compression}: ${Math.round(perS)} events/s, emitter CPU ${r.cpuPct.toFixed(0)}% = ${(((r.cpuPct / 100) * 1e6) / perS).toFixed(2)} µs/event, broker CPU ${u.serverCpuPct.toFixed(0)}%, ${r.dropped} dropped, load ${loadavg()[0]!.toFixed(2)}`,
    );
  }
} finally {
  await broker.stop();
  await stopAll();
}
