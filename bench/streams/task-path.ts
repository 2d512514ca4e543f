/**
 * `node bench/streams/task-path.ts [--root DIR] [--rounds 100]`: the stateless figure's task path
 * without a broker, for A/B comparisons that the shared host's network and GC noise would drown:
 * RecordBatch bytes of 8,000 records (100-byte JSON values, as throughput.ts) → `StreamTask`
 * (mapValues → filter → sink, deserialized from the fetched bytes) → a collector that writes each
 * output record into one `RecordBatchBuilder` per partition, as the runtime's does. Prints CPU µs
 * per record. `--root` imports another checkout's src/ (e.g. /work/main), so run it alternately
 * for both sides.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { taskPath } from './task-path-setup.ts';

const { values } = parseArgs({
  options: { root: { type: 'string', default: '.' }, rounds: { type: 'string', default: '100' } },
});
const root = resolve(values.root!);
const run = await taskPath(root);
const N = 8_000;
run(20); // warm-up
const rounds = Number(values.rounds);
const c0 = process.cpuUsage();
run(rounds);
const c = process.cpuUsage(c0);
console.log(JSON.stringify({ root, usPerRecord: +((c.user + c.system) / (rounds * N)).toFixed(3) }));
