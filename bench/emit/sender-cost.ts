/**
 * What the emitter's background sender costs the app's event loop at a steady, app-like rate, by
 * CPU time (steady on a busy machine, unlike latency):
 *
 *   node bench/emit/sender-cost.ts [rate=1000] [seconds=5] [lingerMs,...=5,20,50] [slices]
 *
 * A `samsa start` child process is the broker; this process emits `rate` events/s (every 1 ms, the
 * events due by then: the middleware's `http.request` event shape, 1,000 users) from a timer, for
 * each linger time in a fresh emitter, after a 1 s warm-up. Reported per linger time: the main
 * thread's CPU (process.threadCpuUsage) per event and per batch sent, the part that is emit()
 * itself (timed around the calls), batches per second, Produce requests per second (the library's
 * `plt:kafka:connections:api` channel), the main thread's wake-ups (voluntary context switches in
 * /proc: the loop went to sleep and something woke it; steady on a busy machine), and the event loop delay p99/max
 * (monitorEventLoopDelay, 1 ms resolution) — the sender's share is what remains after emit() and
 * the pacing timer (measured with no emitter: `idle`). With `slices`, also the histogram of how
 * long each run of the emitter's work held the loop (loop-slices.ts): `timer` is the linger timer
 * firing (batch taken from the queue and handed to the producer, synchronously), `immediate` the
 * same when a batch filled up, `kafka` a read on the broker connection (an acknowledgement parsed
 * and settled). The hooks cost CPU themselves: the per-event figures of that run are higher.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { GCProfiler, getHeapStatistics } from 'node:v8';
import { requestChannel } from '../../src/client/kafka-socket.ts';
import { createEmitter, type Emitter } from '../../src/emit/index.ts';
import { createTopicOn } from '../kafka/admin.ts';
import { mainThreadWakeups, threadCpuUs } from '../lib/proc-stats.ts';
import { installCleanupHandlers } from '../lib/procs.ts';
import { startSamsa } from '../samsa/broker-process.ts';
import { BENCH_TIMER_NAME, LoopSlices } from './loop-slices.ts';

const rate = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 5);
const lingers = (process.argv[4] ?? '5,20,50').split(',').map(Number);
const slices = process.argv[5] === 'slices' ? new LoopSlices() : null;
const TOPIC = 'emit-sender-cost';
const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);

interface Phase {
  cpuUs: number;
  /** The user-space part of cpuUs (the rest is the kernel's: syscalls, wake-ups). */
  userUs: number;
  wakeups: number;
  emitCpuUs: number;
  events: number;
  delayP99Ms: number;
  delayMaxMs: number;
  /** JS heap bytes allocated (from the heap's size before and after each garbage collection). */
  heapBytes: number;
}

/** Emits at `rate` for `ms`; emit() time is measured by the clock around the calls. */
async function pace(emitter: Emitter | null, ms: number): Promise<Phase> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const gc = new GCProfiler();
  gc.start();
  const used0 = getHeapStatistics().used_heap_size;
  const cpu0 = threadCpuUs();
  const user0 = process.threadCpuUsage().user;
  const wake0 = mainThreadWakeups();
  const start = performance.now();
  let sent = 0;
  let emitMs = 0;
  while (performance.now() - start < ms) {
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    const t0 = performance.now();
    for (; sent < due; sent++) {
      const user = users[sent % 1000]!;
      emitter?.emit(
        'http.request',
        { method: 'GET', route: '/items/:id', status: 200, durationMs: 0.412, user },
        { key: user },
      );
    }
    emitMs += performance.now() - t0;
    await new Promise<void>((resolve) => {
      // Named, so that loop-slices.ts tells this timer from the emitter's.
      const tick = { [BENCH_TIMER_NAME]: () => resolve() }[BENCH_TIMER_NAME]!;
      setTimeout(tick, 1);
    });
  }
  const cpuUs = threadCpuUs() - cpu0;
  const userUs = process.threadCpuUsage().user - user0;
  const wakeups = mainThreadWakeups() - wake0;
  delay.disable();
  const used1 = getHeapStatistics().used_heap_size;
  let heapBytes = 0;
  let from = used0;
  for (const g of gc.stop()?.statistics ?? []) {
    heapBytes += g.beforeGC.heapStatistics.usedHeapSize - from;
    from = g.afterGC.heapStatistics.usedHeapSize;
  }
  heapBytes += used1 - from;
  return {
    cpuUs,
    userUs,
    wakeups,
    emitCpuUs: emitMs * 1000,
    events: sent,
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
    heapBytes,
  };
}

// Sends, as @platformatic/kafka's producer reports them (0 with another producer: then estimated).
let producerSends = 0;
tracingChannel('plt:kafka:producer:sends').subscribe({
  start: () => {
    producerSends++;
  },
  end: () => {},
  asyncStart: () => {},
  asyncEnd: () => {},
  error: () => {},
});

// Produce requests on the wire (apiKey 0): the producer's lean connections (kafka-socket.ts) and
// the library's connection channel (SASL, or --base checkouts before the lean connections).
let produceRequests = 0;
requestChannel.subscribe((msg) => {
  if ((msg as { apiKey: number }).apiKey === 0) produceRequests++;
});
tracingChannel<unknown, { apiKey?: number }>('plt:kafka:connections:api').subscribe({
  start: (ctx) => {
    if (ctx.apiKey === 0) produceRequests++;
  },
  end: () => {},
  asyncStart: () => {},
  asyncEnd: () => {},
  error: () => {},
});

installCleanupHandlers();
const broker = await startSamsa();
try {
  await createTopicOn(broker.port, TOPIC, 6);
  console.log(`${rate} events/s for ${seconds} s per case; load average ${loadavg()[0]!.toFixed(2)}`);
  const idle = await pace(null, seconds * 1000);
  console.log(
    `idle (no emitter)  ${(idle.cpuUs / idle.events).toFixed(1)} µs CPU/event of pacing (user ${(idle.userUs / idle.events).toFixed(1)}), ${(idle.wakeups / (idle.events / 1000)).toFixed(0)} wake-ups per 1,000 events; ${(idle.heapBytes / idle.events).toFixed(0)} heap bytes/event; loop delay p99 ${idle.delayP99Ms.toFixed(2)} max ${idle.delayMaxMs.toFixed(1)} ms`,
  );
  for (const lingerMs of lingers) {
    const emitter = createEmitter({
      bootstrap: `127.0.0.1:${broker.port}`,
      topic: TOPIC,
      lingerMs,
      logger: { warn: () => {}, error: () => {} },
    });
    await pace(emitter, 1000);
    await emitter.flush(10_000);
    const before = emitter.metrics();
    const sends0 = producerSends;
    const requests0 = produceRequests;
    slices?.reset();
    const p = await pace(emitter, seconds * 1000);
    const sliceReport = slices?.report(p.events / rate);
    await emitter.flush(10_000);
    const after = emitter.metrics();
    const counted = producerSends - sends0;
    const requests = produceRequests - requests0;
    const sends = counted > 0 ? counted : Math.round((p.events / rate) * (1000 / Math.max(lingerMs, 1)));
    const senderUs = p.cpuUs - p.emitCpuUs - (idle.cpuUs / idle.events) * p.events;
    console.log(
      `lingerMs ${String(lingerMs).padStart(3)}  ${(p.cpuUs / p.events).toFixed(1)} µs CPU/event (user ${(p.userUs / p.events).toFixed(1)}; emit() ${(p.emitCpuUs / p.events).toFixed(1)}, sender ~${(senderUs / p.events).toFixed(1)}; ~${(senderUs / sends).toFixed(0)} µs per send at ${counted > 0 ? '' : '~'}${Math.round(sends / seconds)} sends/s); ${Math.round(requests / seconds)} Produce requests/s; ${(p.wakeups / (p.events / 1000)).toFixed(0)} wake-ups per 1,000 events; ${(p.heapBytes / p.events).toFixed(0)} heap bytes/event; loop delay p99 ${p.delayP99Ms.toFixed(2)} max ${p.delayMaxMs.toFixed(1)} ms; delivered ${after.delivered - before.delivered}, load ${loadavg()[0]!.toFixed(2)}`,
    );
    for (const [label, x] of Object.entries(sliceReport ?? {})) {
      if (label === 'bench' || label === 'promise' || label === 'tick' || label === 'other') continue;
      console.log(
        `    ${label.padEnd(9)} ${String(x.runsPerS).padStart(4)} runs/s; CPU per run p50 ${x.cpuP50Us} µs, p99 ${x.cpuP99Us} µs, max ${x.cpuMaxUs} µs (clock: p50 ${x.p50Us}, p99 ${x.p99Us}, max ${x.maxUs} µs)`,
      );
    }
    await emitter.close();
  }
} finally {
  await broker.stop();
}
process.exit(0);
