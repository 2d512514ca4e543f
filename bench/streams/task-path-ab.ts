/**
 * `node bench/streams/task-path-ab.ts ROOT_A ROOT_B [slices]`: the stateless task path of
 * task-path.ts for two checkouts in one process, interleaved (5 rounds of 8,000 records of A, then
 * of B, order alternating per slice, 40 slices by default), so both see the same host load. Prints
 * the CPU µs per record of each (overall and median of the slices) and in how many slices B was
 * the cheaper. Run it both ways (A,B and B,A) and an A/A pair as the noise control.
 */
import { resolve } from 'node:path';
import pino from 'pino';

const roots = process.argv.slice(2, 4).map((r) => resolve(r));
const slices = Number(process.argv[4] ?? 40);
type Page = { user: string; page: string; ms: number };
async function setup(root: string) {
  const { RecordBatchBuilder } = await import(`${root}/src/client/record-batch-builder.ts`);
  const { StreamsBuilder, Serdes } = await import(`${root}/src/streams/index.ts`);
  const { parseStreamsConfig } = await import(`${root}/src/streams/config.ts`);
  const { StreamsMetrics } = await import(`${root}/src/streams/runtime/metrics.ts`);
  const { StreamTask } = await import(`${root}/src/streams/runtime/stream-task.ts`);
  const S = Serdes.String();
  const b = new StreamsBuilder();
  b.stream('in', { keySerde: S, valueSerde: Serdes.JSON() })
    .mapValues((v: Page) => ({ ...v, page: v.page.toUpperCase() }))
    .filter((_k: string, v: Page) => v.ms >= 0)
    .to('out', { keySerde: S, valueSerde: Serdes.JSON() });
  const logger = pino({ level: 'silent' });
  const config = parseStreamsConfig({ 'application.id': 'task-path' }, { requireBootstrap: false });
  const builders = [0, 1, 2, 3].map(() => new RecordBatchBuilder());
  const add = (key: unknown, value: unknown, timestamp: number, partition: number | undefined) => {
    const builder = builders[partition ?? 0]!;
    builder.append(key, value, timestamp);
    if (builder.bytes >= 256 * 1024) builder.recycle(builder.finish());
  };
  const env = {
    applicationId: 'task-path',
    defaultKeySerde: S,
    defaultValueSerde: S,
    internalKeySerde: S,
    internalValueSerde: S,
    deserializationHandler: config.deserializationHandler(logger),
    cacheMaxBytes: 0,
    resolveTopic: (t: string) => t,
    collector: {
      send: (_t: string, k: unknown, v: unknown, ts: number, _h: unknown, p: number | undefined) =>
        add(k, v, ts, p),
      sendText: (_t: string, k: unknown, v: unknown, ts: number, _h: unknown, p: number | undefined) =>
        add(k, v, ts, p),
      partitionsFor: () => 4,
    },
    stateDir: null,
    changelogTopic: () => null,
    globalStore: () => undefined,
    systemTime: () => 0,
    metrics: new StreamsMetrics(),
    logger,
  };
  const task = new StreamTask(b.build(), 0, 0, env);
  task.initStores();
  task.initProcessors();
  const N = 8_000;
  const value = (i: number) =>
    JSON.stringify({ user: `user-${i % 10_000}`, page: `/p/${i % 97}`, ms: i, pad: 'x'.repeat(32) }).padEnd(
      100,
      ' ',
    );
  const parts: Buffer[] = [];
  for (let i = 0; i < N; i += 500) {
    const builder = new RecordBatchBuilder();
    for (let j = i; j < i + 500; j++)
      builder.append(Buffer.from(`user-${j % 10_000}`), Buffer.from(value(j)), 1_700_000_000_000 + j);
    const batch = Buffer.from(builder.finish());
    batch.writeUInt32BE(i, 4);
    parts.push(batch);
  }
  const fetched = {
    topic: 'in',
    partition: 0,
    errorCode: 0,
    highWatermark: N,
    lastStableOffset: N,
    logStartOffset: 0,
    aborted: null,
    records: Buffer.concat(parts),
  };
  return (rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      task.addFetched('in', 0, fetched, 0);
      while (task.process(10_000) > 0) {}
    }
    return rounds * N;
  };
}
const runs = [await setup(roots[0]!), await setup(roots[1]!)];
for (const r of runs) r(20);
const cpu = [0, 0];
const recs = [0, 0];
const per: number[][] = [[], []];
for (let s = 0; s < slices; s++) {
  for (const i of s % 2 === 0 ? [0, 1] : [1, 0]) {
    const c0 = process.cpuUsage();
    const n = runs[i]!(5);
    const c = process.cpuUsage(c0);
    cpu[i]! += c.user + c.system;
    recs[i]! += n;
    per[i]!.push((c.user + c.system) / n);
  }
}
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
let wins = 0;
for (let s = 0; s < slices; s++) if (per[1]![s]! < per[0]![s]!) wins++;
console.log(
  JSON.stringify({
    A: roots[0],
    B: roots[1],
    usA: +(cpu[0]! / recs[0]!).toFixed(3),
    usB: +(cpu[1]! / recs[1]!).toFixed(3),
    medA: +med(per[0]!).toFixed(3),
    medB: +med(per[1]!).toFixed(3),
    BfasterSlices: `${wins}/${slices}`,
  }),
);
