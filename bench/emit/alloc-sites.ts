/**
 * Where the emitter's heap allocations come from at an app's rate (issue 18: garbage per event sets
 * how often the app's young generation is collected, and those pauses are its request p99):
 *
 *   node bench/emit/alloc-sites.ts [rate=1000] [seconds=5] [lingerMs=5] [top=30]
 *
 * A `samsa start` child is the broker; this process emits the middleware's event shape at `rate`
 * for `seconds` after a 1 s warm-up, under V8's sampling heap profiler (every ~128 bytes, objects
 * collected by minor and major GCs included), and prints the bytes per event allocated by each
 * function (self), largest first, with its caller.
 */
import { Session } from 'node:inspector/promises';
import { createEmitter } from '../../src/emit/index.ts';
import { createTopicOn } from '../kafka/admin.ts';
import { installCleanupHandlers } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 5);
const linger = Number(process.argv[4] ?? 5);
const top = Number(process.argv[5] ?? 30);
const TOPIC = 'emit-alloc-sites';
const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

installCleanupHandlers();
const broker = await startSamsa();
try {
  await createTopicOn(broker.port, TOPIC, 6);
  const emitter = createEmitter({
    bootstrap: `127.0.0.1:${broker.port}`,
    topic: TOPIC,
    source: '/bench',
    lingerMs: linger,
  });
  const session = new Session();
  session.connect();
  let sent = 0;
  const run = async (ms: number): Promise<number> => {
    const start = performance.now();
    const first = sent;
    while (performance.now() - start < ms) {
      const due = first + Math.floor(((performance.now() - start) / 1000) * rate);
      for (; sent < due; sent++) {
        const user = users[sent % 1000]!;
        emitter.emit(
          'http.request',
          { method: 'GET', route: '/items/:id', status: 200, durationMs: 0.412, user },
          { key: user },
        );
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
    }
    return sent - first;
  };
  await run(1000);
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 128,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  const events = await run(seconds * 1000);
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
    profile: { head: ProfileNode };
  };
  await emitter.close();
  const self = new Map<string, number>();
  let total = 0;
  const name = (n: ProfileNode): string =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  const walk = (n: ProfileNode, parent: string): void => {
    if (n.selfSize > 0) {
      const k = `${name(n)}  <-  ${parent}`;
      self.set(k, (self.get(k) ?? 0) + n.selfSize);
      total += n.selfSize;
    }
    for (const c of n.children) walk(c, name(n));
  };
  walk(profile.head, '');
  console.log(
    `${events} events at ${rate}/s, lingerMs ${linger}: ${(total / events).toFixed(0)} sampled heap bytes/event`,
  );
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(v / events).toFixed(0).padStart(6)} B/event  ${k}`);
  }
} finally {
  await broker.stop();
}
