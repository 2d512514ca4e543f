/**
 * What `expressMiddleware` costs an Express app's requests (issue 18), on its own:
 *
 *   node bench/emit/middleware-latency.ts [--pairs 5] [--seconds 5] [--warmup 2] [--rate 1000]
 *     [--pin] [--nice N] [--broker-nice N] [--sender-cpu C] [--background-cpu C] [--slices] [--linger MS] [--prof DIR] [--out FILE]
 *     [--modes plain,middleware] [--base CHECKOUT] [--events N] [--generator c|node] [--isolate] [--fifo]
 *     [--app-flags=NODE_FLAGS] [--app-log DIR] [--fixed-order]
 *
 * Three kinds of process: the broker (`samsa start`), the app (express-app.ts, a fresh process per
 * run) and the load generator, a fresh one per run: open loop, fixed arrival rate, latency from each
 * request's due time. `--generator c` (the default where a C compiler is found) is loadgen.c: it
 * sends within tens of microseconds of each due time and costs ~10 µs per request. `node` is
 * http-load.ts, whose own lateness (a 1 ms timer tick, its garbage collections: p99 2.5-4.7 ms late)
 * was most of the request p99 it reported: the middleware's effect disappeared under it.
 * `--isolate` (with `--pin` and the C generator) moves every other process on the machine to CPU 1
 * for the run (bench/lib/isolate-cpu.ts; their affinity is restored afterwards) and runs the
 * generator on CPU 0 beside the app at nice -10, so that the app's core has nothing else on it.
 * `--fifo` (with `--pin` and the C generator) runs the app's main thread (once it listens) and the
 * generator on CPU 0 under real-time FIFO scheduling (`chrt -f`, the generator's priority above the
 * app's), so that nothing else on the machine takes that core while they want it, without moving
 * other processes (the kernel still keeps 5% of each second for others). The app's other threads
 * keep the normal policy (all of a process's threads under FIFO on one core can livelock). `--app-flags=...` passes Node flags to the app (e.g. `--app-flags=--perf-basic-prof`); `--app-log DIR` writes each app's stdout and stderr to DIR/MODE-PID.log (e.g. with `--app-flags=--trace-gc`). Runs alternate without / with the middleware, `--pairs` rounds of every mode, each round starting with the next mode in turn (`--fixed-order`: always in the order given, as before; the first app of a round measured lower than those after it),
 * times; each run warms up, then measures. Per run it prints the 1-minute load average at its start,
 * the request p50/p99/p99.9/max, how late the generator was, and the app's CPU µs per request, the
 * main thread's wake-ups per request (voluntary context switches), event
 * loop utilisation and event loop delay (p99, max); at the end the median of each over the pairs,
 * and (C generator) each mode's requests pooled over its rounds: p50/p99/p99.9, and the pooled p99
 * against the plain app's with a 90% interval from resampling whole rounds.
 * `--pin` puts the app alone on CPU 0 and the broker, the load generator and this process on CPU 1
 * (other processes on the machine are not moved); `--nice=-10` runs the app at a higher priority
 * (root only), so that other work on a shared machine takes less of its CPU. `--broker-nice N`
 * runs the broker at nice N (e.g. 19): with `--pin` it shares CPU 1 with the load generator, and
 * its work on the emitted events should not delay the instrument (in production the broker runs on
 * other machines). `--sender-cpu C` moves the emitter's sender thread (thread modes) to CPU C
 * once the app listens: with `--pin --sender-cpu 1` the app's loop has CPU 0 to itself and the
 * sender uses the other core, as on a machine with a core to spare. `--background-cpu C` moves
 * every thread of the app but the main one (V8's workers, libuv's pool, the sender thread) to CPU C
 * once it listens, in every mode, the plain app's too: the layout of an app with more than one core,
 * where the kernel runs V8's garbage-collection and compiler threads beside the main thread rather
 * than instead of it; issue 18's request p99 is measured so (`--pin --isolate --broker-nice 19
 * --background-cpu 1`, docs/emit.md), and without it (the whole app on one core) as well. `--slices` adds the app's loop-slice histogram
 * (loop-slices.ts; it slows the app, so its latencies are not comparable with a run without it).
 * `--prof DIR` writes a CPU profile of each app process there (node --cpu-prof).
 * `--modes` says which apps alternate within each pair (each may end in `@MS`, that mode's lingerMs:
 * `--modes plain,middleware,middleware@20`): `plain` (no emitter), `control` (the same plain app again, as a mode of its own: `control vs plain` is an A/A comparison, the spread the instrument gives two identical apps), `middleware` (this
 * checkout's emitter, its defaults: the sender on the app's thread), `thread` (the same with
 * `senderThread: true`), `inline` (`senderThread: false` said explicitly), `nice0` (the sender
 * thread at the app's priority: `senderThread: true, senderNice: 0`), `base` (the emitter of the checkout at `--base`, e.g. main, in the same harness), so A/B
 * runs of main and a branch go back-to-back: `--modes plain,base,middleware --base /work/main`.
 * App CPU is printed for the whole process (all threads) and for its main thread. `--events N`
 * (N > 1): the handler also calls `req.emitEvent` N - 1 times per request, each call timed
 * (express-app.ts `handler` mode): `--events 10` is issue 18's emit() latency at 10,000 events/s.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, setPriority } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createTopicOn } from '../kafka/admin.ts';
import { runInChild } from '../lib/child-run.ts';
import { isolateCpu, restoreCpus } from '../lib/isolate-cpu.ts';
import { nearestRank } from '../lib/percentiles.ts';
import { installCleanupHandlers, stopPid, trackPid, waitForLine } from '../lib/procs.ts';
import { settle } from '../lib/settle.ts';
import { startSamsa } from '../samsa/broker-process.ts';
import type { HttpLoadResult } from './http-load.ts';
import { cHttpLoad, cLoadAvailable } from './loadgen.ts';
import type { SliceStats } from './loop-slices.ts';

const { values: a } = parseArgs({
  options: {
    pairs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string', default: '1000' },
    linger: { type: 'string' },
    pin: { type: 'boolean', default: false },
    nice: { type: 'string' },
    'broker-nice': { type: 'string' },
    'sender-cpu': { type: 'string' },
    'background-cpu': { type: 'string' },
    slices: { type: 'boolean', default: false },
    out: { type: 'string' },
    prof: { type: 'string' },
    modes: { type: 'string', default: 'plain,middleware' },
    base: { type: 'string' },
    events: { type: 'string', default: '1' },
    generator: { type: 'string' },
    isolate: { type: 'boolean', default: false },
    fifo: { type: 'boolean', default: false },
    'app-flags': { type: 'string' },
    'app-log': { type: 'string' },
    'fixed-order': { type: 'boolean', default: false },
  },
});
const PAIRS = Number(a.pairs);
const DURATION_MS = Number(a.seconds) * 1000;
const WARMUP_MS = Number(a.warmup) * 1000;
const RATE = Number(a.rate);
const APP = fileURLToPath(new URL('./express-app.ts', import.meta.url));
const TOPIC = 'emit-bench-middleware';
type Kind = 'plain' | 'control' | 'middleware' | 'thread' | 'inline' | 'nice0' | 'base';
/** A mode as given: its kind, optionally `@MS` for that mode's lingerMs (`middleware@20`). */
type Mode = string;
const MODES: Mode[] = a.modes.split(',');
const kindOf = (m: Mode): Kind => m.split('@')[0] as Kind;
const lingerOf = (m: Mode): number | undefined => {
  const at = m.split('@')[1];
  if (at !== undefined) return Number(at);
  return a.linger === undefined ? undefined : Number(a.linger);
};
for (const m of MODES) {
  if (!['plain', 'control', 'middleware', 'thread', 'inline', 'nice0', 'base'].includes(kindOf(m)))
    throw new Error(`unknown mode ${m}`);
  const l = lingerOf(m);
  if (l !== undefined && !(l >= 0)) throw new Error(`bad lingerMs in mode ${m}`);
}
const GENERATOR = a.generator ?? (cLoadAvailable() ? 'c' : 'node');
if (GENERATOR !== 'c' && GENERATOR !== 'node') throw new Error('--generator: c or node');
if (GENERATOR === 'c' && !cLoadAvailable()) throw new Error('--generator c: no C compiler here (cc)');
if (a.isolate && (!a.pin || GENERATOR !== 'c')) throw new Error('--isolate needs --pin and the C generator');
if (a.fifo && (!a.pin || GENERATOR !== 'c')) throw new Error('--fifo needs --pin and the C generator');
/** With --isolate the generator shares CPU 0 with the app, above it (it costs ~10 µs a request). */
const GENERATOR_ON_APP_CPU = ['taskset', '-c', '0', 'nice', '-n', '-10'];
/** With --fifo: real-time FIFO priorities, the generator's above the app's. */
const GENERATOR_FIFO = ['taskset', '-c', '0', 'chrt', '-f', '60'];
const APP_FIFO_PRIORITY = '50';
if (MODES.some((m) => kindOf(m) === 'base') && a.base === undefined)
  throw new Error('--modes base needs --base CHECKOUT');

interface AppReport {
  emitUs: { count: number; p50: number | null; p99: number | null; p999: number | null; max: number | null };
  metrics: { delivered: number; dropped: number; emitted: number } | null;
  flushed: boolean;
  process: {
    requests: number;
    cpuUsPerRequest: number | null;
    mainCpuUsPerRequest?: number | null;
    mainUserUsPerRequest?: number | null;
    mainFaultsPerRequest?: number | null;
    wakeupsPerRequest: number | null;
    cpuPct: number;
    elu: number;
    loopDelayMs: { p50: number; p99: number; p999: number; max: number };
    slices: Record<string, SliceStats> | null;
    gcPer1000Requests?: { minor: number; minorMs: number; major: number; majorMs: number } | null;
  };
}

interface Run {
  mode: Mode;
  load1: number;
  load: HttpLoadResult;
  app: AppReport;
}

async function run(mode: Run['mode'], bootstrap: string): Promise<Run> {
  await settle();
  if (a.isolate) isolateCpu(1);
  const kind = kindOf(mode);
  const linger = lingerOf(mode);
  const load1 = loadavg()[0]!;
  const config = JSON.stringify({
    bootstrap,
    topic: TOPIC,
    mode: kind === 'plain' || kind === 'control' ? 'plain' : Number(a.events) > 1 ? 'handler' : 'middleware',
    ...(kind === 'base' ? { emitModule: resolve(a.base!, 'src/emit/index.ts') } : {}),
    ...(kind === 'inline' ? { senderThread: false } : {}),
    ...(kind === 'thread' ? { senderThread: true } : {}),
    ...(kind === 'nice0' ? { senderThread: true, senderNice: 0 } : {}),
    eventsPerRequest: Number(a.events),
    slices: a.slices,
    ...(linger === undefined ? {} : { lingerMs: linger }),
  });
  const node = [
    ...(a['app-flags'] ? a['app-flags'].split(' ').filter(Boolean) : []),
    ...(a.prof
      ? ['--cpu-prof', '--cpu-prof-dir', a.prof, '--cpu-prof-name', `${mode}-${Date.now()}.cpuprofile`]
      : []),
    APP,
    config,
  ];
  const command = [...(a.nice ? ['nice', '-n', a.nice] : []), ...(a.pin ? ['taskset', '-c', '0'] : [])];
  const child =
    command.length > 0
      ? spawn(command[0]!, [...command.slice(1), process.execPath, ...node])
      : spawn(process.execPath, node);
  trackPid('express-app', child.pid!);
  if (a['app-log']) {
    const log = createWriteStream(resolve(a['app-log'], `${mode}-${child.pid}.log`));
    child.stdout.pipe(log);
    child.stderr.pipe(log);
  }
  try {
    const [, port] = await waitForLine(child, /listening (\d+)/, 20_000);
    if (a['sender-cpu'] !== undefined && (kind === 'thread' || kind === 'nice0'))
      moveSenderThread(child.pid!, a['sender-cpu']);
    if (a['background-cpu'] !== undefined) moveBackgroundThreads(child.pid!, a['background-cpu']);
    // The main thread only: threads of a process all under FIFO on one core can livelock (V8's
    // workers waiting for each other), and the app's helpers are not what is measured.
    if (a.fifo) execFileSync('chrt', ['-f', '-p', APP_FIFO_PRIORITY, String(child.pid)], { stdio: 'ignore' });
    const load =
      GENERATOR === 'c'
        ? await cHttpLoad(
            Number(port),
            RATE,
            WARMUP_MS,
            DURATION_MS,
            a.fifo ? GENERATOR_FIFO : a.isolate ? GENERATOR_ON_APP_CPU : [],
          )
        : await runInChild<HttpLoadResult>(new URL('./http-load.ts', import.meta.url), 'httpLoadRun', [
            Number(port),
            RATE,
            WARMUP_MS,
            DURATION_MS,
          ]);
    const out = waitForLine(child, /^\{.*\}$/m, 30_000);
    child.stdin.write('stop\n');
    const [line] = await out;
    // Let it exit on its own (a CPU profile is written at exit).
    await new Promise((done) => {
      if (child.exitCode !== null) done(null);
      child.once('exit', done);
      setTimeout(done, 10_000).unref();
    });
    return { mode, load1, load, app: JSON.parse(line) as AppReport };
  } finally {
    await stopPid(child.pid!);
  }
}

/** The emitter's sender thread (named samsa-emit-sender, cut to 15 characters by the OS) to `cpus`. */
function moveSenderThread(pid: number, cpus: string): void {
  for (let tries = 0; tries < 200; tries++) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      if (comm.startsWith('samsa-emit-send')) {
        execFileSync('taskset', ['-cp', cpus, tid], { stdio: 'ignore' });
        return;
      }
    }
    execFileSync('sleep', ['0.01']);
  }
  throw new Error('--sender-cpu: the app has no sender thread (use a thread mode)');
}

/**
 * Every thread of the app but its main thread (V8's workers, libuv's pool, the emitter's sender
 * thread when there is one) to `cpus`, in every mode alike: the app's event loop keeps its core and
 * its helpers use another, as on a machine with a core to spare. The sender thread starts with the
 * emitter, before the app listens, so it is there to move.
 */
function moveBackgroundThreads(pid: number, cpus: string): void {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (Number(tid) === pid) continue;
    try {
      execFileSync('taskset', ['-cp', cpus, tid], { stdio: 'ignore' });
    } catch {
      // A thread that ended meanwhile.
    }
  }
}

const r = (x: number | null | undefined, d = 2): string => (x == null ? '-' : x.toFixed(d));
const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function line(x: Run): string {
  const p = x.app.process;
  return [
    x.mode.padEnd(13),
    `load1 ${r(x.load1)}`,
    `p50 ${r(x.load.p50Ms)}`,
    `p99 ${r(x.load.p99Ms)}`,
    `p99.9 ${r(x.load.p999Ms)}`,
    `max ${r(x.load.maxMs, 1)} ms`,
    `late p99 ${r(x.load.lateP99Ms)}`,
    `| app ${r(p.cpuUsPerRequest, 0)} µs CPU/req (main thread ${r(p.mainCpuUsPerRequest, 0)}, user ${r(p.mainUserUsPerRequest, 0)}, ${r(p.mainFaultsPerRequest)} page faults/req), ${r(p.wakeupsPerRequest)} wake-ups/req, ELU ${r(p.elu, 3)}, loop delay p99 ${r(p.loopDelayMs.p99)} max ${r(p.loopDelayMs.max, 1)} ms`,
    p.gcPer1000Requests
      ? `| GC per 1,000 req: ${p.gcPer1000Requests.minor} minor (${p.gcPer1000Requests.minorMs} ms), ${p.gcPer1000Requests.major} major (${p.gcPer1000Requests.majorMs} ms)`
      : '',
    x.app.emitUs.count > 0
      ? `| emit() p50 ${r(x.app.emitUs.p50, 1)} p99 ${r(x.app.emitUs.p99, 1)} p99.9 ${r(x.app.emitUs.p999, 1)} max ${r(x.app.emitUs.max, 0)} µs`
      : '',
    x.app.metrics ? `| delivered ${x.app.metrics.delivered} dropped ${x.app.metrics.dropped}` : '',
    x.load.errors ? `errors ${x.load.errors}` : '',
  ].join('  ');
}

installCleanupHandlers();
if (a.pin) execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
const broker = await startSamsa();
const bootstrap = `127.0.0.1:${broker.port}`;
if (a['broker-nice'] !== undefined) {
  // Every thread of the broker (on Linux a nice value is per thread).
  for (const tid of readdirSync(`/proc/${broker.pid}/task`))
    setPriority(Number(tid), Number(a['broker-nice']));
}
const runs: Run[] = [];
try {
  await createTopicOn(broker.port, TOPIC, 6);
  console.log(
    `${GENERATOR === 'c' ? 'C' : 'Node'} load generator, rate ${RATE}/s, warm-up ${WARMUP_MS} ms, ${DURATION_MS} ms measured, ${PAIRS} pairs${a.pin ? ', app pinned to CPU 0, the rest to CPU 1' : ''}${a.nice ? `, app at nice ${a.nice}` : ''}${a['broker-nice'] ? `, broker at nice ${a['broker-nice']}` : ''}${a['sender-cpu'] ? `, sender thread on CPU ${a['sender-cpu']}` : ''}${a['background-cpu'] ? `, the app's threads but its main thread on CPU ${a['background-cpu']}` : ''}${a.slices ? ', loop slices on' : ''}${a.linger ? `, lingerMs ${a.linger}` : ''}`,
  );
  for (let i = 0; i < PAIRS; i++) {
    // Each round starts with another mode (plain first, then the second mode first, ...): the
    // first app of a round measured lower than the ones after it whatever it was (an A/A run with
    // `control` showed +107% for the same app in second place), so a fixed order favours one mode.
    const order = a['fixed-order'] ? MODES : MODES.map((_, j) => MODES[(i + j) % MODES.length]!);
    for (const mode of order) {
      const x = await run(mode, bootstrap);
      runs.push(x);
      console.log(line(x));
      if (x.app.process.slices) {
        for (const [label, s] of Object.entries(x.app.process.slices)) {
          console.log(
            `    ${label.padEnd(9)} ${String(s.runsPerS).padStart(6)} runs/s ${r(s.msPerS).padStart(7)} ms/s  p50 ${s.p50Us} µs  p99 ${s.p99Us} µs  max ${s.maxUs} µs | CPU p50 ${s.cpuP50Us} p99 ${s.cpuP99Us} max ${s.cpuMaxUs} µs`,
          );
        }
      }
    }
  }
} finally {
  await broker.stop();
  restoreCpus();
}
const summary: Record<string, Record<string, number>> = {};
for (const mode of MODES) {
  const xs = runs.filter((x) => x.mode === mode);
  summary[mode] = {
    p50Ms: median(xs.map((x) => x.load.p50Ms ?? Number.NaN)),
    p99Ms: median(xs.map((x) => x.load.p99Ms ?? Number.NaN)),
    p999Ms: median(xs.map((x) => x.load.p999Ms ?? Number.NaN)),
    cpuUsPerRequest: median(xs.map((x) => x.app.process.cpuUsPerRequest ?? Number.NaN)),
    mainCpuUsPerRequest: median(xs.map((x) => x.app.process.mainCpuUsPerRequest ?? Number.NaN)),
    wakeupsPerRequest: median(xs.map((x) => x.app.process.wakeupsPerRequest ?? Number.NaN)),
    elu: median(xs.map((x) => x.app.process.elu)),
    loopDelayP99Ms: median(xs.map((x) => x.app.process.loopDelayMs.p99)),
    load1: median(xs.map((x) => x.load1)),
    emitP99Us: median(xs.map((x) => x.app.emitUs.p99 ?? Number.NaN)),
    emitP999Us: median(xs.map((x) => x.app.emitUs.p999 ?? Number.NaN)),
  };
  const s = summary[mode]!;
  console.log(
    `median ${mode.padEnd(13)} p50 ${r(s.p50Ms)}  p99 ${r(s.p99Ms)}  p99.9 ${r(s.p999Ms)} ms | ${r(s.cpuUsPerRequest, 0)} µs CPU/req (main thread ${r(s.mainCpuUsPerRequest, 0)}), ${r(s.wakeupsPerRequest)} wake-ups/req, ELU ${r(s.elu, 3)}, loop delay p99 ${r(s.loopDelayP99Ms)} ms | load1 ${r(s.load1)}${Number(a.events) > 1 && kindOf(mode) !== 'plain' && kindOf(mode) !== 'control' ? ` | emit() p99 ${r(s.emitP99Us, 1)} p99.9 ${r(s.emitP999Us, 1)} µs` : ''}`,
  );
}
const pp = summary.plain;
for (const mode of MODES) {
  const pm = summary[mode]!;
  if (kindOf(mode) === 'plain' || pp === undefined) continue;
  console.log(
    `${mode} vs plain: p99 ${r((pm.p99Ms! / pp.p99Ms! - 1) * 100, 1)}%, p50 ${r((pm.p50Ms! / pp.p50Ms! - 1) * 100, 1)}%, CPU +${r(pm.cpuUsPerRequest! - pp.cpuUsPerRequest!, 0)} µs/request (main thread +${r(pm.mainCpuUsPerRequest! - pp.mainCpuUsPerRequest!, 0)})`,
  );
}
// Pooled over the rounds (the C generator reports every latency): each mode's requests as one
// distribution, whose p99 rests on ~1% of 6,000 requests per round instead of one round's ~60; and
// a 90% interval of the pooled p99's ratio to plain's, resampling whole rounds of both modes.
const pooled = (xs: readonly Run[]): Float64Array | null => {
  if (xs.some((x) => x.load.latUs === undefined)) return null;
  const all = new Float64Array(xs.reduce((n, x) => n + x.load.latUs!.length, 0));
  let at = 0;
  for (const x of xs) {
    all.set(x.load.latUs!, at);
    at += x.load.latUs!.length;
  }
  return all.sort();
};
const pct = (sorted: Float64Array, p: number): number => nearestRank(sorted, p) / 1000;
const plainRuns = runs.filter((x) => kindOf(x.mode) === 'plain');
const plainPooled = pooled(plainRuns);
for (const mode of MODES) {
  const xs = runs.filter((x) => x.mode === mode);
  const all = pooled(xs);
  if (all === null || all.length === 0) continue;
  let vs = '';
  if (kindOf(mode) !== 'plain' && plainPooled !== null && plainPooled.length > 0) {
    const ratios: number[] = [];
    const pick = (from: readonly Run[]): Run[] =>
      from.map(() => from[Math.floor(Math.random() * from.length)]!);
    for (let i = 0; i < 400; i++) ratios.push(pct(pooled(pick(xs))!, 99) / pct(pooled(pick(plainRuns))!, 99));
    ratios.sort((x, y) => x - y);
    const d = (q: number): string => r((q - 1) * 100, 1);
    vs = ` | p99 vs plain ${d(pct(all, 99) / pct(plainPooled, 99))}% (90% of resamples ${d(ratios[20]!)}% to ${d(ratios[379]!)}%)`;
  }
  console.log(
    `pooled ${mode.padEnd(13)} ${all.length} requests  p50 ${r(pct(all, 50))}  p99 ${r(pct(all, 99), 3)}  p99.9 ${r(pct(all, 99.9))} ms${vs}`,
  );
}
for (const x of runs) delete x.load.latUs;
if (a.out) writeFileSync(a.out, `${JSON.stringify({ args: a, runs, summary }, null, 2)}\n`);
process.exit(0);
