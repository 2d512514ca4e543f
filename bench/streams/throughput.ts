/**
 * `node bench/streams/throughput.ts [--records N] [--only stateless,count-alos,count-eos,restore]`:
 * Samsa Streams throughput against a Samsa broker in its own process (bench/samsa/broker-process):
 * - stateless: 100-byte JSON values → mapValues → filter → output topic (one instance)
 * - count-alos / count-eos: 1-minute tumbling-window count over 10,000 keys, persistent (lmdb)
 *   store with its changelog, at_least_once / exactly_once_v2
 * - restore: a 1,000,000-entry store rebuilt from its changelog (entries/s)
 * Input is written before the application starts; the figure is records processed per second
 * from the first processed record until close() has committed the last (output and changelog
 * acknowledged), and per second of this process's CPU time (less sensitive to a busy host; the
 * broker runs in its own process). Before each figure the machine's dirty pages are written back
 * (`sync`: the input just written, and the files of an earlier run, are not written back during
 * the measurement). Prints one JSON line per figure with the 1-minute load average.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { KafkaStreams, Serdes, StreamsBuilder, TimeWindows } from '../../src/streams/index.ts';
import { settle } from '../lib/settle.ts';
import { startSamsa } from '../samsa/broker-process.ts';
import { createTopic, fillTopic, statelessValue } from './inputs.ts';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '1000000' },
    only: { type: 'string' },
    partitions: { type: 'string', default: '4' },
  },
});
const RECORDS = Number(values.records);
const PARTITIONS = Number(values.partitions);
const only = new Set((values.only ?? 'stateless,count-alos,count-eos,restore').split(','));
const S = Serdes.String();

const broker = await startSamsa('never');
const bootstrap = `127.0.0.1:${broker.port}`;
const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: [bootstrap] });
const dirs: string[] = [];

const topic = (name: string, partitions = PARTITIONS, configs: { [k: string]: string } = {}) =>
  createTopic(admin, name, partitions, configs);
const fill = (
  name: string,
  n: number,
  make: (i: number) => { key: Buffer; value: Buffer; timestamp?: bigint; partition?: number },
) => fillTopic(bootstrap, name, n, make);

function report(figure: string, value: number, unit: string, extra: object = {}) {
  console.log(
    JSON.stringify({
      figure,
      value: Math.round(value),
      unit,
      records: RECORDS,
      ...extra,
      loadAvg: loadavg()[0]!.toFixed(1),
    }),
  );
}

async function measure(
  name: string,
  builder: StreamsBuilder,
  config: object,
  expected: number,
): Promise<[number, number]> {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-streams-bench-'));
  dirs.push(dir);
  // The input (and an earlier run's files) written back first: not the kernel's work during it.
  await settle(500);
  const app = new KafkaStreams(
    builder.build(),
    {
      'application.id': name,
      'bootstrap.servers': bootstrap,
      'state.dir': dir,
      ...config,
    },
    { handleSignals: false },
  );
  await app.start();
  let first = 0;
  let cpu0 = process.cpuUsage();
  for (;;) {
    const n = app.metrics().processTotal;
    if (n > 0 && first === 0) {
      first = performance.now();
      cpu0 = process.cpuUsage();
    }
    if (n >= expected) break;
    if (app.state() === 'ERROR') throw new Error(`${name} failed`);
    await new Promise((r) => setTimeout(r, 5));
  }
  // close() commits: the output and changelog are acknowledged before the clock stops
  await app.close();
  const seconds = (performance.now() - first) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return [expected / seconds, expected / cpuSeconds];
}

const value = statelessValue;

try {
  if (only.has('stateless')) {
    await topic('stateless-in');
    await topic('stateless-out');
    await fill('stateless-in', RECORDS, (i) => ({ key: Buffer.from(`user-${i % 10_000}`), value: value(i) }));
    const b = new StreamsBuilder();
    b.stream<string, { user: string; page: string; ms: number }>('stateless-in', {
      keySerde: S,
      valueSerde: Serdes.JSON(),
    })
      .mapValues((v) => ({ ...v, page: v.page.toUpperCase() }))
      .filter((_k, v) => v.ms >= 0)
      .to('stateless-out', { keySerde: S, valueSerde: Serdes.JSON() });
    const [rate, perCpu] = await measure(
      'bench-stateless',
      b,
      { 'processing.guarantee': 'at_least_once' },
      RECORDS,
    );
    report('stateless map/filter', rate, 'records/s', { perCpuSecond: Math.round(perCpu) });
  }
  for (const guarantee of ['at_least_once', 'exactly_once_v2'] as const) {
    const id = guarantee === 'at_least_once' ? 'count-alos' : 'count-eos';
    if (!only.has(id)) continue;
    // the input's timestamps are from 2023: without retention.ms -1 the broker's time-based
    // retention may delete it before (or while) it is read (the run then never ends)
    await topic(`${id}-in`, PARTITIONS, { 'retention.ms': '-1' });
    await topic(`${id}-out`);
    await fill(`${id}-in`, RECORDS, (i) => ({
      key: Buffer.from(`key-${i % 10_000}`),
      value: Buffer.from('x'),
      timestamp: BigInt(1_700_000_000_000 + i),
    }));
    const b = new StreamsBuilder();
    b.stream<string, string>(`${id}-in`, { keySerde: S, valueSerde: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
      .count({ name: `${id}-store` })
      .toStream()
      .to(`${id}-out`, { valueSerde: Serdes.Long() });
    const [rate, perCpu] = await measure(`bench-${id}`, b, { 'processing.guarantee': guarantee }, RECORDS);
    report(`tumbling count 10k keys, lmdb + changelog, ${guarantee}`, rate, 'records/s', {
      perCpuSecond: Math.round(perCpu),
    });
  }
  if (only.has('restore')) {
    const entries = Number(process.env.RESTORE_ENTRIES ?? 1_000_000);
    await topic('restore-in', 1);
    await topic('bench-restore-big-changelog', 1, { 'cleanup.policy': 'compact' });
    // the changelog of a timestamped key-value store: key → [8-byte timestamp][8-byte count]
    await fill('bench-restore-big-changelog', entries, (i) => {
      const v = Buffer.alloc(16);
      v.writeBigInt64BE(1_700_000_000_000n, 0);
      v.writeBigInt64BE(BigInt(i), 8);
      return { key: Buffer.from(`key-${i}`), value: v };
    });
    const b = new StreamsBuilder();
    b.stream<string, string>('restore-in', { keySerde: S, valueSerde: S })
      .groupByKey()
      .count({ name: 'big', keySerde: S });
    const dir = mkdtempSync(join(tmpdir(), 'samsa-streams-bench-'));
    dirs.push(dir);
    await settle(500);
    const app = new KafkaStreams(
      b.build(),
      { 'application.id': 'bench-restore', 'bootstrap.servers': bootstrap, 'state.dir': dir },
      { handleSignals: false },
    );
    let t0 = 0;
    let cpu0 = process.cpuUsage();
    let cpuSeconds = 0;
    let total = 0;
    const done = new Promise<number>((resolve) =>
      app.setGlobalStateRestoreListener({
        onRestoreStart: () => {
          t0 = performance.now();
          cpu0 = process.cpuUsage();
        },
        onRestoreEnd: (_tp, _s, n) => {
          total = n;
          const cpu = process.cpuUsage(cpu0);
          cpuSeconds = (cpu.user + cpu.system) / 1e6;
          resolve(performance.now() - t0);
        },
      }),
    );
    await app.start();
    const ms = await done;
    report('restore 1M-entry store from its changelog', (total / ms) * 1000, 'entries/s', {
      entries: total,
      perCpuSecond: Math.round(total / cpuSeconds),
    });
    await app.close();
  }
} finally {
  await admin.close();
  await broker.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
