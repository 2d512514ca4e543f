/**
 * `node bench/streams/failover.ts [--guarantee at_least_once|exactly_once_v2] [--rounds N]`: two
 * streams instances (child processes, session.timeout.ms 6000) count a steady input stream; one is
 * killed with SIGKILL and the time until its tasks process records again on the other instance is
 * measured. The instances report their per-task processed counts every 100 ms; failover ends when
 * every task the killed instance ran shows a higher count on the survivor.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin, Producer } from '@platformatic/kafka';
import { startSamsa } from '../samsa/broker-process.ts';

const { values } = parseArgs({
  options: {
    guarantee: { type: 'string', default: 'at_least_once' },
    rounds: { type: 'string', default: '3' },
    child: { type: 'string' },
  },
});

if (values.child) {
  // child mode: run one instance and print its tasks' processed counts
  const { KafkaStreams, Serdes, StreamsBuilder } = await import('../../src/streams/index.ts');
  const [bootstrap, dir, guarantee] = values.child.split(',') as [string, string, string];
  const b = new StreamsBuilder();
  b.stream<string, string>('failover-in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .groupByKey()
    .count({ name: 'failover-counts' });
  const app = new KafkaStreams(
    b.build(),
    {
      'application.id': 'failover-bench',
      'bootstrap.servers': bootstrap,
      'state.dir': dir,
      'processing.guarantee': guarantee as 'at_least_once',
      'session.timeout.ms': 6_000,
      'heartbeat.interval.ms': 500,
      'commit.interval.ms': 100,
    },
    { handleSignals: true },
  );
  await app.start();
  setInterval(() => {
    const tasks = Object.fromEntries(
      Object.entries(app.metrics().tasks).map(([id, t]) => [id, t.processTotal]),
    );
    process.stdout.write(`${JSON.stringify({ state: app.state(), tasks })}\n`);
  }, 100);
} else {
  const broker = await startSamsa('never');
  const bootstrap = `127.0.0.1:${broker.port}`;
  const admin = new Admin({ clientId: 'failover-admin', bootstrapBrokers: [bootstrap] });
  await admin.createTopics({ topics: ['failover-in'], partitions: 6, replicas: 1 });
  await admin.close();
  const producer = new Producer({ clientId: 'failover-load', bootstrapBrokers: [bootstrap], acks: 1 });
  let producing = true;
  const load = (async () => {
    for (let i = 0; producing; i++) {
      await producer.send({
        messages: Array.from({ length: 60 }, (_, j) => ({
          topic: 'failover-in',
          key: Buffer.from(`k${(i * 60 + j) % 600}`),
          value: Buffer.from('x'),
        })),
      });
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const latest = new Map<ChildProcess, { state: string; tasks: { [id: string]: number } }>();
  const start = () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-failover-'));
    dirs.push(dir);
    const child = spawn(
      process.execPath,
      [import.meta.filename, '--child', `${bootstrap},${dir},${values.guarantee}`],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, SAMSA_STREAMS_LOG_LEVEL: 'warn' },
      },
    );
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) latest.set(child, JSON.parse(l));
    });
    children.push(child);
    return child;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const results: number[] = [];
  try {
    let a = start();
    const b = start();
    for (let round = 0; round < Number(values.rounds); round++) {
      // wait until both run tasks and process
      for (;;) {
        const la = latest.get(a);
        const lb = latest.get(b);
        if (
          la?.state === 'RUNNING' &&
          lb?.state === 'RUNNING' &&
          Object.keys(la.tasks).length > 0 &&
          Object.keys(lb.tasks).length > 0
        )
          break;
        await sleep(100);
      }
      await sleep(2_000);
      const moved = Object.keys(latest.get(a)!.tasks);
      const before = { ...latest.get(b)!.tasks };
      const t0 = performance.now();
      a.kill('SIGKILL');
      for (;;) {
        const now = latest.get(b)!.tasks;
        if (moved.every((t) => (now[t] ?? 0) > (before[t] ?? 0))) break;
        await sleep(20);
      }
      const s = (performance.now() - t0) / 1000;
      results.push(s);
      console.log(
        JSON.stringify({
          figure: `failover after kill -9 (${values.guarantee}, session.timeout.ms 6000)`,
          round,
          seconds: Number(s.toFixed(2)),
          tasksMoved: moved.length,
        }),
      );
      latest.delete(a);
      a = start();
      await sleep(1_000);
    }
  } finally {
    producing = false;
    await load;
    await producer.close();
    for (const c of children) c.kill('SIGKILL');
    await broker.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify({
      figure: 'failover seconds',
      guarantee: values.guarantee,
      min: Math.min(...results),
      max: Math.max(...results),
    }),
  );
}
