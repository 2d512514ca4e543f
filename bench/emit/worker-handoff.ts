/**
 * What the emitter costs the app's main thread with its sender in a worker thread (`senderThread:
 * true`) and on the main thread (the default), and the emitter of another checkout
 * (`base`, e.g. main) in the same run: the main thread's CPU (process.threadCpuUsage) and wake-ups
 * per event at 1,000 events/s (a 1 ms timer, the middleware's event shape, like sender-cost.ts),
 * and the process's CPU per event (all threads). `idle` is the pacing alone (no emitter). The cases
 * alternate `rounds` times, each in a fresh emitter after a 1 s warm-up.
 *
 *   node bench/emit/worker-handoff.ts [seconds=5] [rounds=3] [base checkout, e.g. /work/main] [cases]
 *
 * `cases` (comma-separated, default all): `idle`, `base`, `inline`, `thread`.
 */
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import type { Emitter, EmitterOptions } from '../../src/emit/index.ts';
import { createEmitter } from '../../src/emit/index.ts';
import { createTopicOn } from '../kafka/admin.ts';
import { mainThreadWakeups, threadCpuUs } from '../lib/proc-stats.ts';
import { installCleanupHandlers } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';

const TOPIC = 'emit-handoff';
const quiet = { warn: () => {}, error: () => {} };
const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const base = process.argv[4] === '' ? undefined : process.argv[4];
const only = process.argv[5]?.split(',');
const baseCreate =
  base === undefined
    ? null
    : ((await import(resolve(base, 'src/emit/index.ts'))) as typeof import('../../src/emit/index.ts'))
        .createEmitter;
const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
const processCpu = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
interface Figures {
  main: number;
  wake: number;
  process: number;
}
const pace = async (emitter: Emitter | null, ms: number): Promise<Figures> => {
  const c0 = threadCpuUs();
  const p0 = processCpu();
  const w0 = mainThreadWakeups();
  const start = performance.now();
  let sent = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(performance.now() - start);
    for (; sent < due; sent++) {
      const user = users[sent % 1000]!;
      emitter?.emit(
        'http.request',
        { method: 'GET', route: '/items/:id', status: 200, durationMs: 0.412, user },
        { key: user },
      );
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  return {
    main: (threadCpuUs() - c0) / sent,
    wake: ((mainThreadWakeups() - w0) / sent) * 1000,
    process: (processCpu() - p0) / sent,
  };
};

installCleanupHandlers();
const broker = await startSamsa();
const results = new Map<string, Figures[]>();
try {
  await createTopicOn(broker.port, TOPIC, 6);
  console.log(
    `1,000 events/s for ${seconds} s per case, ${rounds} rounds; load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const cases: [string, ((o: EmitterOptions) => Emitter) | null, Partial<EmitterOptions>][] = [
    ...(only === undefined || only.includes('idle')
      ? [['idle (no emitter)', null, {}] as [string, null, object]]
      : []),
    ...(baseCreate && (only === undefined || only.includes('base'))
      ? [['base checkout', baseCreate, {}] as [string, typeof createEmitter, object]]
      : []),
    ...(only === undefined || only.includes('inline')
      ? [
          ['sender on main thread', createEmitter, { senderThread: false }] as [
            string,
            typeof createEmitter,
            object,
          ],
        ]
      : []),
    ...(only === undefined || only.includes('thread')
      ? [
          ['sender in worker', createEmitter, { senderThread: true }] as [
            string,
            typeof createEmitter,
            object,
          ],
        ]
      : []),
  ];
  for (let round = 0; round < rounds; round++) {
    for (const [name, create, extra] of cases) {
      const emitter =
        create?.({ bootstrap: `127.0.0.1:${broker.port}`, topic: TOPIC, logger: quiet, ...extra }) ?? null;
      await pace(emitter, 1000);
      const f = await pace(emitter, seconds * 1000);
      await emitter?.close();
      results.set(name, [...(results.get(name) ?? []), f]);
      console.log(
        `${name.padEnd(22)} main thread ${f.main.toFixed(1)} µs CPU/event, ${f.wake.toFixed(0)} wake-ups per 1,000 events; process ${f.process.toFixed(1)} µs CPU/event; load ${loadavg()[0]!.toFixed(2)}`,
      );
    }
  }
  const median = (xs: number[]): number => {
    const s = [...xs].sort((x, y) => x - y);
    const m = Math.floor(s.length / 2);
    return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
  };
  for (const [name, fs] of results) {
    console.log(
      `median ${name.padEnd(22)} main thread ${median(fs.map((f) => f.main)).toFixed(1)} µs CPU/event, ${median(fs.map((f) => f.wake)).toFixed(0)} wake-ups per 1,000; process ${median(fs.map((f) => f.process)).toFixed(1)} µs CPU/event`,
    );
  }
} finally {
  await broker.stop();
}
process.exit(0);
