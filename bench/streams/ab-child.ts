/**
 * One run of bench/streams/ab.ts: `node ab-child.ts ROOT FIGURE BOOTSTRAP APPLICATION_ID RECORDS`
 * imports ROOT's src/ (so two checkouts can be compared on one broker), runs the figure against the
 * broker at BOOTSTRAP and prints one JSON line.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const [root, figure, bootstrap, appId, recordsArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const RECORDS = Number(recordsArg);
const load0 = loadavg()[0]!;
const cpuUs = () => {
  const c = process.cpuUsage();
  return c.user + c.system;
};
/** CPU ms of this process's threads by name (/proc; main thread, V8 workers, libuv pool, lmdb...). */
const threadCpuMs = (): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      // the thread ended
    }
  }
  return out;
};
const print = (o: object) =>
  console.log(
    JSON.stringify({
      figure,
      root,
      ...o,
      load: `${load0.toFixed(1)}-${loadavg()[0]!.toFixed(1)}`,
      threadCpuMs: process.platform === 'linux' ? threadCpuMs() : undefined,
    }),
  );

if (figure.startsWith('ceiling')) {
  // the lean client's consumer side: raw fetch of the stateless input and a cursor over each
  // record set (key and value decoded as text; ceiling-json also parses, maps and stringifies)
  const { RawFetcher, RecordCursor } = await import(`${root}/src/client/raw-fetch.ts`);
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'ab-ceiling', bootstrapBrokers: [bootstrap] });
  const fetcher = new RawFetcher({ clientId: 'ab-ceiling', connection: {}, metadata: admin });
  const json = figure === 'ceiling-json';
  const request = (positions: number[]) =>
    fetcher.fetch({
      partitions: positions.map((fetchOffset, partition) => ({
        topic: 'stateless-in',
        partition,
        fetchOffset,
        maxBytes: 1 << 20,
      })),
      maxWaitMs: 100,
      maxBytes: 8 << 20,
      isolationLevel: 0,
    });
  let positions = [0, 0, 0, 0];
  let n = 0;
  let sink = 0;
  const c0 = cpuUs();
  const t0 = performance.now();
  let next = request(positions);
  while (n < RECORDS) {
    const fetched = await next;
    const after = [...positions];
    for (const f of fetched) {
      const c = new RecordCursor(f, positions[f.partition]);
      while (c.next()) {}
      after[f.partition] = c.nextFetchOffset;
    }
    next = request(after); // pipelined, as the stream thread does
    for (const f of fetched) {
      const c = new RecordCursor(f, positions[f.partition]);
      while (c.next()) {
        n++;
        const k = c.buffer.utf8Slice(c.keyStart, c.keyStart + c.keyLength);
        const v = c.buffer.utf8Slice(c.valueStart, c.valueStart + c.valueLength);
        if (json) {
          const o = JSON.parse(v);
          sink += JSON.stringify({ ...o, page: o.page.toUpperCase() }).length + k.length;
        } else sink += k.length + v.length;
      }
    }
    // done with these responses: their buffers may hold later ones (checkouts that have release)
    for (const f of fetched) if (f.records !== null) fetcher.release?.(f.records);
    positions = after;
  }
  const cpu = cpuUs() - c0;
  print({
    wall: Math.round(n / ((performance.now() - t0) / 1000)),
    perCpuSecond: Math.round(n / (cpu / 1e6)),
    usPerRecord: +(cpu / n).toFixed(3),
    sink,
  });
  await Promise.allSettled([next]);
  process.exit(0);
}

const { KafkaStreams, Serdes, StreamsBuilder, TimeWindows } = await import(`${root}/src/streams/index.ts`);
const S = Serdes.String();
const dir = mkdtempSync(join(tmpdir(), 'samsa-streams-ab-'));
const b = new StreamsBuilder();
let guarantee = 'at_least_once';
if (figure === 'stateless') {
  b.stream('stateless-in', { keySerde: S, valueSerde: Serdes.JSON() })
    .mapValues((v: { page: string }) => ({ ...v, page: v.page.toUpperCase() }))
    .filter((_k: string, v: { ms: number }) => v.ms >= 0)
    .to('stateless-out', { keySerde: S, valueSerde: Serdes.JSON() });
} else if (figure === 'count-alos' || figure === 'count-eos') {
  if (figure === 'count-eos') guarantee = 'exactly_once_v2';
  b.stream(`${figure}-in`, { keySerde: S, valueSerde: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(60_000))
    .count({ name: `${figure}-store` })
    .toStream()
    .to(`${figure}-out`, { valueSerde: Serdes.Long() });
} else if (figure === 'restore') {
  b.stream('restore-in', { keySerde: S, valueSerde: S }).groupByKey().count({ name: 'big', keySerde: S });
}
const app = new KafkaStreams(
  b.build(),
  {
    'application.id': appId,
    'bootstrap.servers': bootstrap,
    'state.dir': dir,
    'processing.guarantee': guarantee,
  },
  { handleSignals: false },
);
try {
  if (figure === 'restore') {
    let t0 = 0;
    let c0 = 0;
    let cpu = 0;
    let total = 0;
    const done = new Promise<number>((resolve) =>
      app.setGlobalStateRestoreListener({
        onRestoreStart: () => {
          t0 = performance.now();
          c0 = cpuUs();
        },
        onRestoreEnd: (_tp: unknown, _store: string, n: number) => {
          total = n;
          cpu = cpuUs() - c0;
          resolve(performance.now() - t0);
        },
      }),
    );
    await app.start();
    const ms = await done;
    print({
      wall: Math.round((total / ms) * 1000),
      perCpuSecond: Math.round(total / (cpu / 1e6)),
      usPerRecord: +(cpu / total).toFixed(3),
    });
    await app.close();
  } else {
    await app.start();
    let first = 0;
    let c0 = 0;
    let processedAt = 0;
    let processedCpu = 0;
    for (;;) {
      const n = app.metrics().processTotal;
      if (n > 0 && first === 0) {
        first = performance.now();
        c0 = cpuUs();
      }
      if (n >= RECORDS) {
        processedAt = performance.now();
        processedCpu = cpuUs();
        break;
      }
      if (app.state() === 'ERROR') throw new Error(`${figure} failed`);
      await new Promise((r) => setTimeout(r, 2));
    }
    await app.close();
    const cpu = cpuUs() - c0;
    print({
      wall: Math.round(RECORDS / ((performance.now() - first) / 1000)),
      perCpuSecond: Math.round(RECORDS / (cpu / 1e6)),
      usPerRecord: +(cpu / RECORDS).toFixed(3),
      processingWall: Math.round(RECORDS / ((processedAt - first) / 1000)),
      usPerRecordProcessing: +((processedCpu - c0) / RECORDS).toFixed(3),
      closeCpuMs: Math.round((cpuUs() - processedCpu) / 1000),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
