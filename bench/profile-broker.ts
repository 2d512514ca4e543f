/**
 * Profiles the broker under the lean load: starts `samsa start` with --cpu-prof, produces
 * SIZE-byte records for a few seconds (optionally consumes them back), stops the broker and
 * prints the top self-time functions of its CPU profile.
 * Usage: node bench/profile-broker.ts [SIZE=100] [produce|consume] [--fsync always]
 *        [--partitions N] (N partitions, 16 per request, as the 1,000-partition row) [--seconds S]
 * The broker gets --max-semi-space-size itself so it does not re-execute (the profile would then
 * be split over two processes).
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopic } from './kafka/admin.ts';
import { producePool } from './kafka/batches.ts';
import { KafkaConn } from './kafka/conn.ts';
import { consumeLoad } from './kafka/consume-load.ts';
import { highWatermark } from './kafka/probes.ts';
import { produceLoad } from './kafka/produce-load.ts';
import { sleep } from './lib/net.ts';
import { memoryMb } from './lib/proc-stats.ts';
import { installCleanupHandlers, stopAll, trackDir } from './lib/procs.ts';
import { startSamsa } from './samsa/broker-process.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

function topSelf(file: string, n: number): string[] {
  const p = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
  const hits = new Map<number, number>();
  for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const byName = new Map<string, number>();
  for (const node of p.nodes) {
    const c = hits.get(node.id);
    if (!c) continue;
    const f = node.callFrame;
    const where = f.url.replace(/^.*\/(src|node_modules)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${where}${where ? `:${f.lineNumber + 1}` : ''}`;
    byName.set(key, (byName.get(key) ?? 0) + c);
  }
  return [...byName]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, v]) => `${((100 * v) / p.samples.length).toFixed(1).padStart(5)}%  ${k}`);
}

async function main(): Promise<void> {
  installCleanupHandlers();
  const args = process.argv.slice(2);
  const size = Number(args[0] ?? 100);
  const mode = args[1] ?? 'produce';
  const flag = (name: string, fallback: string): string =>
    args.includes(name) ? (args[args.indexOf(name) + 1] ?? fallback) : fallback;
  const fsync = args.includes('--fsync') ? flag('--fsync', 'always') : 'never';
  const partitions = Number(flag('--partitions', '1'));
  const seconds = Number(flag('--seconds', '3'));
  const profDir = trackDir(mkdtempSync(join(tmpdir(), 'samsa-prof-out-')));
  const broker = await startSamsa(fsync === 'always' ? 'always' : 'never', {
    nodeArgs: ['--max-semi-space-size=8', '--cpu-prof', '--cpu-prof-dir', profDir],
  });
  const port = broker.port;
  await sleep(1000);
  console.log(`idle RSS ${memoryMb([broker.pid]).toFixed(1)} MB`);
  const admin = await KafkaConn.open(port);
  await createTopic(admin, 'profile', partitions);
  admin.close();
  const acks = fsync === 'always' ? -1 : 1;
  const r = await produceLoad({
    port,
    pool: producePool({ topic: 'profile', recordSize: size, acks, partitions, partitionsPerRequest: 16 }),
    connections: 2,
    window: 16,
    warmupMs: 300,
    durationMs: seconds * 1000,
  });
  console.log(
    `produce ${size} B acks=${acks}: ${Math.round(r.records / r.seconds)} records/s, ${r.errors} errors`,
  );
  if (mode === 'consume') {
    const end = await highWatermark(port, 'profile');
    const c = await consumeLoad({
      port,
      topic: 'profile',
      endOffset: end,
      partitionMaxBytes: 4 << 20,
      durationMs: 5000,
      recordSize: size,
    });
    console.log(`consume: ${Math.round(c.records / c.seconds)} records/s`);
  }
  await broker.stop();
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) console.log(topSelf(join(profDir, file), 25).join('\n'));
  await stopAll();
}

await main();
