/**
 * The Express app of the emit benchmarks, run as its own process: `GET /items/:id` answers a small
 * JSON body. argv[2] is JSON { bootstrap, topic, mode, eventsPerRequest, lingerMs?, slices? }: mode
 * `plain` (no emitter), `middleware` (expressMiddleware only: one event per request) or `handler`
 * (the middleware plus eventsPerRequest - 1 `req.emitEvent` calls in the handler, each timed with
 * performance.now()). `emitModule` (an absolute path) loads the emitter from another checkout, for
 * A/B runs in one bench; `senderThread` is passed to createEmitter. `BENCH_EMIT_OPTIONS` (JSON in
 * the environment, inherited from the bench) is spread last into createEmitter's options, for
 * experiments: e.g. `{"lingerMs":600000,"batchEvents":1000000,"batchBytes":67108864}` sends nothing
 * during a run, so that the middleware's and emit()'s own cost shows without the sender's.
 *
 * Prints `listening <port>`. `GET /items/__reset` (sent by the load generator when its warm-up
 * ends, shaped like every other request) or a `reset` line on stdin forgets everything measured so far (and prints `measuring`). On a
 * `stop` line on stdin it prints `stopping` (so that what V8 traced between the two lines is the
 * measured part), then one JSON line, and exits: emit() percentiles in microseconds, the emitter's metrics, and
 * what the process spent on the measured requests — CPU µs per request (process.cpuUsage: all
 * threads, the emitter's sender thread included; and the main thread's alone, threadCpuUsage), the
 * main thread's wake-ups per request (voluntary context switches in /proc), event
 * loop utilisation, the event loop delay (monitorEventLoopDelay, 1 ms resolution: how late a timer
 * ran, i.e. how long something held the loop) and, with `slices: true`, a histogram of the loop's
 * synchronous slices by kind (loop-slices.ts; costs some CPU itself, so off for the latency rows).
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import express from 'express';
import type { Emitter } from '../../src/emit/index.ts';
import { LatencySamples } from '../lib/percentiles.ts';
import { LoopSlices } from './loop-slices.ts';

interface AppConfig {
  bootstrap: string;
  topic: string;
  mode: 'plain' | 'middleware' | 'handler';
  eventsPerRequest: number;
  lingerMs?: number;
  slices?: boolean;
  /** The emitter module to use (default this checkout's src/emit/index.ts): A/B against another checkout. */
  emitModule?: string;
  /** `senderThread` and `senderNice` for createEmitter (default: the emitter's defaults). */
  senderThread?: boolean;
  senderNice?: number;
}

const config = JSON.parse(process.argv[2]!) as AppConfig;
const { createEmitter, expressMiddleware } = (await import(
  config.emitModule ?? '../../src/emit/index.ts'
)) as typeof import('../../src/emit/index.ts');
const samples = new LatencySamples(2_000_000);
const slices = config.slices ? new LoopSlices() : null;
let emitter: Emitter | null = null;
const app = express();
let requests = 0;
/** The main thread's voluntary context switches: each is the loop going to sleep and being woken. */
const wakeups = (): number => {
  const status = readFileSync(`/proc/self/task/${process.pid}/status`, 'utf8');
  return Number(/^voluntary_ctxt_switches:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
};
/** Minor page faults of the main thread (field 10 of /proc/<pid>/task/<tid>/stat). */
const faults = (): number => {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
};
let faults0 = faults();
let cpu0 = process.cpuUsage();
let mainCpu0 = process.threadCpuUsage();
let wake0 = wakeups();
let elu0 = performance.eventLoopUtilization();
let t0 = performance.now();
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
/** Garbage collections during the measurement: count and milliseconds, minor (scavenges) and major. */
const gc = { minor: 0, minorMs: 0, major: 0, majorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === perfConstants.NODE_PERFORMANCE_GC_MINOR) {
      gc.minor++;
      gc.minorMs += e.duration;
    } else {
      gc.major++;
      gc.majorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });
const reset = (): void => {
  samples.count = 0;
  requests = 0;
  cpu0 = process.cpuUsage();
  faults0 = faults();
  mainCpu0 = process.threadCpuUsage();
  wake0 = wakeups();
  elu0 = performance.eventLoopUtilization();
  t0 = performance.now();
  delay.reset();
  slices?.reset();
  gc.minor = gc.minorMs = gc.major = gc.majorMs = 0;
  // A marker in the app's output (middleware-latency --app-log): what V8 traces after it happened
  // while the requests were measured.
  console.log('measuring');
};
if (config.mode !== 'plain') {
  emitter = createEmitter({
    bootstrap: config.bootstrap,
    topic: config.topic,
    ...(config.lingerMs === undefined ? {} : { lingerMs: config.lingerMs }),
    ...(config.senderThread === undefined ? {} : { senderThread: config.senderThread }),
    ...(config.senderNice === undefined ? {} : { senderNice: config.senderNice }),
    logger: { warn: () => {}, error: () => {} },
    ...(process.env.BENCH_EMIT_OPTIONS ? JSON.parse(process.env.BENCH_EMIT_OPTIONS) : {}),
  });
  app.use(expressMiddleware(emitter, { user: (req) => req.headers['x-user'] as string | undefined }));
}
const handlerEmits = config.mode === 'handler' ? config.eventsPerRequest - 1 : 0;
app.get('/items/:id', (req, res) => {
  // The load generator's reset (its warm-up is over) comes as an item request like the others: a
  // request of another shape (another route, another response) deoptimized code on every
  // request's path right at the start of the measurement.
  if (req.params.id === '__reset') reset();
  requests++;
  const user = req.headers['x-user'] as string;
  for (let i = 0; i < handlerEmits; i++) {
    const t = performance.now();
    req.emitEvent('item.viewed', { item: req.params.id, user, position: i }, { key: user });
    samples.add((performance.now() - t) * 1000);
  }
  res.json({ id: req.params.id, ok: true });
});
const server = app.listen(0, '127.0.0.1', () => {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (line: string) => {
  if (line.includes('reset')) reset();
  if (!line.includes('stop')) return;
  // The end of what was measured, in the app's output (what V8 traces after it is the shutdown).
  console.log('stopping');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mainCpu = process.threadCpuUsage(mainCpu0);
  const woken = wakeups() - wake0;
  const faulted = faults() - faults0;
  const elu = performance.eventLoopUtilization(elu0);
  delay.disable();
  const sliceReport = slices?.report(seconds) ?? null;
  const [p50, p99, p999, max] = samples.percentiles([50, 99, 99.9, 100]);
  const flushed = emitter ? await emitter.flush(10_000) : true;
  const metrics = emitter?.metrics() ?? null;
  await emitter?.close();
  server.close();
  const ms = (ns: number): number => Math.round(ns / 1e3) / 1e3;
  process.stdout.write(
    `${JSON.stringify({
      emitUs: { count: samples.count, p50, p99, p999, max },
      flushed,
      metrics,
      process: {
        requests,
        seconds,
        cpuUsPerRequest: requests === 0 ? null : (cpu.user + cpu.system) / requests,
        mainCpuUsPerRequest: requests === 0 ? null : (mainCpu.user + mainCpu.system) / requests,
        wakeupsPerRequest: requests === 0 ? null : woken / requests,
        mainUserUsPerRequest: requests === 0 ? null : mainCpu.user / requests,
        mainFaultsPerRequest: requests === 0 ? null : faulted / requests,
        cpuPct: ((cpu.user + cpu.system) / 1e4 / seconds) | 0,
        elu: Math.round(elu.utilization * 1000) / 1000,
        loopDelayMs: {
          p50: ms(delay.percentile(50)),
          p99: ms(delay.percentile(99)),
          p999: ms(delay.percentile(99.9)),
          max: ms(delay.max),
        },
        slices: sliceReport,
        gcPer1000Requests:
          requests === 0
            ? null
            : {
                minor: Math.round((gc.minor / requests) * 1e4) / 10,
                minorMs: Math.round((gc.minorMs / requests) * 1e4) / 10,
                major: Math.round((gc.major / requests) * 1e4) / 10,
                majorMs: Math.round((gc.majorMs / requests) * 1e4) / 10,
              },
      },
    })}\n`,
  );
  process.exit(0);
});
