/**
 * Would a worker thread take the sender's cost off the app's event loop (issue 18)? The main
 * thread's CPU and wake-ups per event at 1,000 events/s (a 1 ms timer, the middleware's event shape,
 * like sender-cost.ts) in three cases: no emitter (`idle`: the pacing alone), the emitter on the
 * main thread, and the emitter in a worker thread with the main thread only collecting events and
 * posting them over once per 5 ms window (postMessage; the worker calls emit()). Also the process's
 * CPU per event (both threads). An experiment, not the emitter's design: the worker here has no
 * buffer accounting, drop policy, spool or flush across threads.
 *
 *   node bench/emit/worker-handoff.ts [seconds=5]
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createEmitter } from '../../src/emit/index.ts';
import { createTopicOn } from '../kafka/admin.ts';
import { installCleanupHandlers } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';

type Event = [type: string, data: unknown, key: string];
const TOPIC = 'emit-handoff';
const quiet = { warn: () => {}, error: () => {} };

if (!isMainThread) {
  const emitter = createEmitter({ bootstrap: `127.0.0.1:${workerData.port}`, topic: TOPIC, logger: quiet });
  parentPort!.on('message', (events: Event[]) => {
    for (const [type, data, key] of events) emitter.emit(type, data, { key });
  });
} else {
  const seconds = Number(process.argv[2] ?? 5);
  const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
  const wakeups = (): number =>
    Number(
      /^voluntary_ctxt_switches:\s+(\d+)/m.exec(
        readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8'),
      )?.[1] ?? Number.NaN,
    );
  const threadCpu = (): number => {
    const u = process.threadCpuUsage();
    return u.user + u.system;
  };
  const processCpu = (): number => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const pace = async (sink: ((e: Event) => void) | null, ms: number): Promise<string> => {
    const c0 = threadCpu();
    const p0 = processCpu();
    const w0 = wakeups();
    const start = performance.now();
    let sent = 0;
    while (performance.now() - start < ms) {
      const due = Math.floor(performance.now() - start);
      for (; sent < due; sent++) {
        const user = users[sent % 1000]!;
        sink?.([
          'http.request',
          { method: 'GET', route: '/items/:id', status: 200, durationMs: 0.412, user },
          user,
        ]);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
    return `main thread ${((threadCpu() - c0) / sent).toFixed(1)} µs CPU/event, ${(((wakeups() - w0) / sent) * 1000).toFixed(0)} wake-ups per 1,000 events; process ${((processCpu() - p0) / sent).toFixed(1)} µs CPU/event`;
  };

  installCleanupHandlers();
  const broker = await startSamsa();
  try {
    await createTopicOn(broker.port, TOPIC, 6);
    console.log(`1,000 events/s for ${seconds} s per case; load average ${loadavg()[0]!.toFixed(2)}`);
    console.log(`idle (no emitter)  ${await pace(null, seconds * 1000)}`);

    const emitter = createEmitter({ bootstrap: `127.0.0.1:${broker.port}`, topic: TOPIC, logger: quiet });
    const direct = ([type, data, key]: Event): void => {
      emitter.emit(type, data, { key });
    };
    await pace(direct, 1000);
    console.log(`main thread        ${await pace(direct, seconds * 1000)}`);
    await emitter.close();

    const worker = new Worker(new URL(import.meta.url), { workerData: { port: broker.port } });
    let pending: Event[] = [];
    let since = 0;
    let timer: NodeJS.Timeout | null = null;
    let immediate: NodeJS.Immediate | null = null;
    const post = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      immediate = null;
      worker.postMessage(pending);
      pending = [];
    };
    // The same policy as the emitter's: a 5 ms window, sent early by an emit in its last millisecond.
    const handoff = (e: Event): void => {
      pending.push(e);
      if (pending.length === 1) {
        since = performance.now();
        timer = setTimeout(post, 5);
      } else if (immediate === null && performance.now() - since >= 4) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        immediate = setImmediate(post);
      }
    };
    await pace(handoff, 1000);
    console.log(`worker thread      ${await pace(handoff, seconds * 1000)}`);
    await worker.terminate();
  } finally {
    await broker.stop();
  }
  process.exit(0);
}
