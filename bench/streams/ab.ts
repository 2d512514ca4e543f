/**
 * `node bench/streams/ab.ts --roots /work/main,. [--figure stateless] [--records 500000] [--pairs 3]`:
 * A/B pairs of one Samsa Streams figure on one shared broker: the broker is started and the input
 * written once, then the application runs as a child process per checkout root, alternating
 * (A, B, A, B, ...; each run a new application.id reading the input from the start), so both sides
 * of a pair see the same broker, data and, as far as possible, the same host load. Figures:
 * stateless, count-alos, count-eos, restore (as in throughput.ts), and ceiling / ceiling-json
 * (the lean client's consumer side alone: raw fetch and record cursor over the stateless input,
 * with or without the JSON parse/map/stringify). Prints one JSON line per run: wall and
 * per-CPU-second rates, CPU µs per record over the whole span (first record processed → close()
 * done, as throughput.ts) and over processing only (first → last record processed), close()'s
 * CPU, the broker's CPU µs per record and the 1-minute load average before and after.
 * `--node-args "--cpu-prof --cpu-prof-dir=DIR"` passes options to the child Node processes,
 * `--broker-node-args "..."` to the broker's.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { startSamsa } from '../samsa/broker-process.ts';
import { createTopic, fillTopic, statelessValue } from './inputs.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '500000' },
    figure: { type: 'string', default: 'stateless' },
    roots: { type: 'string' },
    pairs: { type: 'string', default: '3' },
    'node-args': { type: 'string', default: '' },
    'broker-node-args': { type: 'string', default: '' },
    entries: { type: 'string', default: '1000000' },
  },
});
if (!values.roots) throw new Error('--roots A,B: the checkouts to compare (their src/ is imported)');
const RECORDS = Number(values.records);
const figure = values.figure!;
const roots = values.roots.split(',').map((r) => fileURLToPath(new URL(r, `file://${process.cwd()}/`)));
const CHILD = fileURLToPath(new URL('./ab-child.ts', import.meta.url));

const brokerNodeArgs = values['broker-node-args'] ? values['broker-node-args'].split(' ') : [];
const broker = await startSamsa('never', { nodeArgs: brokerNodeArgs });
const bootstrap = `127.0.0.1:${broker.port}`;
/** The broker's user + system CPU in µs (/proc, 10 ms ticks). */
const brokerCpu = () => {
  const f = readFileSync(`/proc/${broker.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10_000;
};
const admin = new Admin({ clientId: 'ab-admin', bootstrapBrokers: [bootstrap] });

const topic = (name: string, partitions = 4, configs: { [k: string]: string } = {}) =>
  createTopic(admin, name, partitions, configs);
const fill = (
  name: string,
  n: number,
  make: (i: number) => { key: Buffer; value: Buffer; timestamp?: bigint; partition?: number },
) => fillTopic(bootstrap, name, n, make);

const value = statelessValue;

try {
  if (figure === 'stateless' || figure.startsWith('ceiling')) {
    await topic('stateless-in');
    await topic('stateless-out');
    await fill('stateless-in', RECORDS, (i) => ({ key: Buffer.from(`user-${i % 10_000}`), value: value(i) }));
  } else if (figure === 'count-alos' || figure === 'count-eos') {
    // 2023 timestamps: without retention.ms -1 the broker's time retention deletes the input
    await topic(`${figure}-in`, 4, { 'retention.ms': '-1' });
    await topic(`${figure}-out`);
    await fill(`${figure}-in`, RECORDS, (i) => ({
      key: Buffer.from(`key-${i % 10_000}`),
      value: Buffer.from('x'),
      timestamp: BigInt(1_700_000_000_000 + i),
    }));
  } else if (figure === 'restore') {
    await topic('restore-in', 1);
    await topic('bench-restore-big-changelog', 1, { 'cleanup.policy': 'compact' });
    await fill('bench-restore-big-changelog', Number(values.entries), (i) => {
      const v = Buffer.alloc(16);
      v.writeBigInt64BE(1_700_000_000_000n, 0);
      v.writeBigInt64BE(BigInt(i), 8);
      return { key: Buffer.from(`key-${i}`), value: v };
    });
  } else throw new Error(`unknown figure ${figure}`);
  const nodeArgs = values['node-args'] ? values['node-args'].split(' ') : [];
  let run = 0;
  for (let p = 0; p < Number(values.pairs); p++) {
    for (const root of roots) {
      run++;
      // restore: the same application.id (its changelog is the filled topic), a fresh state dir
      const app = figure === 'restore' ? 'bench-restore' : `ab-${figure}-${run}`;
      const cpu0 = brokerCpu();
      const r = spawnSync(
        process.execPath,
        [...nodeArgs, CHILD, root, figure, bootstrap, app, String(RECORDS)],
        {
          encoding: 'utf8',
          timeout: 300_000,
          env: { ...process.env, SAMSA_STREAMS_LOG_LEVEL: process.env.SAMSA_STREAMS_LOG_LEVEL ?? 'warn' },
        },
      );
      // BENCH_CHILD_STDOUT_DIR: each run's whole stdout (e.g. with --trace-gc in --node-args)
      if (process.env.BENCH_CHILD_STDOUT_DIR)
        writeFileSync(`${process.env.BENCH_CHILD_STDOUT_DIR}/run-${run}.txt`, r.stdout);
      const n = figure === 'restore' ? Number(values.entries) : RECORDS;
      const line = r.stdout.split('\n').findLast((l) => l.startsWith('{"figure"'));
      if (line === undefined)
        console.log(`FAILED ${root}: ${r.stderr.slice(-2000)} ${r.stdout.slice(-2000)}`);
      else
        console.log(
          JSON.stringify({ ...JSON.parse(line), brokerUsPerRecord: +((brokerCpu() - cpu0) / n).toFixed(3) }),
        );
    }
  }
} finally {
  await admin.close();
  await broker.stop();
}
