/**
 * Consume throughput of one broker build, for before/after comparisons of the Fetch path: starts
 * `samsa start` from the given bin (default this checkout's), produces 100 B records for 4 s with
 * the lean generator, then consumes them from the start 4 times, printing records/s and the
 * broker's user and system CPU seconds for each pass. Run it interleaved against two checkouts.
 * Usage: node bench/consume-rounds.ts [path/to/bin/samsa.js]
 */
import { readFileSync } from 'node:fs';
import { createTopic } from './kafka/admin.ts';
import { producePool } from './kafka/batches.ts';
import { KafkaConn } from './kafka/conn.ts';
import { consumeLoad } from './kafka/consume-load.ts';
import { highWatermark } from './kafka/probes.ts';
import { produceLoad } from './kafka/produce-load.ts';
import { sleep } from './lib/net.ts';
import { installCleanupHandlers, stopAll } from './lib/procs.ts';
import { startSamsa } from './samsa/broker-process.ts';

/** User and system CPU seconds of a process (Linux /proc, 100 ticks per second). */
function cpuSplit(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

installCleanupHandlers();
const broker = await startSamsa('never', { bin: process.argv[2] });
const port = broker.port;
await sleep(500);
const admin = await KafkaConn.open(port);
await createTopic(admin, 'rounds', 1);
admin.close();
const pool = producePool({ topic: 'rounds', recordSize: 100, acks: 1 });
const p = await produceLoad({ port, pool, connections: 2, window: 16, warmupMs: 300, durationMs: 4000 });
console.log(`produce ${Math.round(p.records / p.seconds)} records/s`);
const end = await highWatermark(port, 'rounds');
for (let i = 0; i < 4; i++) {
  const before = cpuSplit(broker.pid);
  const c = await consumeLoad({
    port,
    topic: 'rounds',
    endOffset: end,
    partitionMaxBytes: 4 << 20,
    durationMs: 8000,
    recordSize: 100,
  });
  const after = cpuSplit(broker.pid);
  console.log(
    `consume ${(c.records / c.seconds / 1e6).toFixed(2)} M records/s (${c.records} in ${c.seconds.toFixed(2)} s), broker user ${(after.user - before.user).toFixed(2)} s, system ${(after.system - before.system).toFixed(2)} s`,
  );
}
await broker.stop();
await stopAll();
