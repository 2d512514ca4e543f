/**
 * samsa/emit's figures (`npm run bench -- --only emit`), against a `samsa start` child process:
 * sustained events/s from one process (a fresh child, emitter defaults), the latency of each emit()
 * call inside an Express handler at 10,000 events/s (1,000 requests/s x 10 events: the middleware's
 * plus 9 `req.emitEvent`), and an Express app's request latency with and without the middleware at
 * the same request rate (runs interleaved, the app, the load generator and the broker each in a
 * process of its own, an open-loop load; bench/emit/middleware-latency.ts is the longer version).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTopicOn } from '../kafka/admin.ts';
import { runInChild } from '../lib/child-run.ts';
import type { BenchOptions } from '../lib/options.ts';
import { startUsage } from '../lib/proc-stats.ts';
import { stopPid, trackPid, waitForLine } from '../lib/procs.ts';
import { type BenchResult, round, unavailable } from '../lib/result.ts';
import { settle } from '../lib/settle.ts';
import { startSamsa } from '../samsa/broker-process.ts';
import type { HttpLoadResult } from './http-load.ts';
import type { EmitThroughputResult } from './throughput.ts';

type Emit = (r: BenchResult) => void;
const SYSTEM = 'samsa/emit';
const APP = fileURLToPath(new URL('./express-app.ts', import.meta.url));
const REQUEST_RATE = 1000;
const EVENTS_PER_REQUEST = 10;

interface AppRun {
  load: HttpLoadResult;
  app: {
    emitUs: {
      count: number;
      p50: number | null;
      p99: number | null;
      p999: number | null;
      max: number | null;
    };
    flushed: boolean;
    metrics: { delivered: number; dropped: number; emitted: number } | null;
  };
}

async function expressRun(
  o: BenchOptions,
  bootstrap: string,
  mode: 'plain' | 'middleware' | 'handler',
): Promise<AppRun> {
  await settle();
  const child = spawn(process.execPath, [
    APP,
    JSON.stringify({ bootstrap, topic: 'emit-bench-http', mode, eventsPerRequest: EVENTS_PER_REQUEST }),
  ]);
  trackPid('express-app', child.pid!);
  try {
    const [, port] = await waitForLine(child, /listening (\d+)/, 20_000);
    // The load from a fresh process of its own (open loop, latency from each request's due time).
    const load = await runInChild<HttpLoadResult>(new URL('./http-load.ts', import.meta.url), 'httpLoadRun', [
      Number(port),
      REQUEST_RATE,
      o.warmupMs,
      o.durationMs,
    ]);
    const out = waitForLine(child, /^\{.*\}$/m, 30_000);
    child.stdin.write('stop\n');
    const [line] = await out;
    return { load, app: JSON.parse(line) as AppRun['app'] };
  } finally {
    await stopPid(child.pid!);
  }
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function emitSuite(o: BenchOptions, emit: Emit): Promise<void> {
  const broker = await startSamsa();
  const bootstrap = `127.0.0.1:${broker.port}`;
  try {
    await createTopicOn(broker.port, 'emit-bench-http', 6);
    for (const compression of o.quick ? (['lz4'] as const) : (['lz4', 'none'] as const)) {
      const topic = `emit-bench-${compression}`;
      await createTopicOn(broker.port, topic, 6);
      await settle();
      const usage = startUsage(broker.pid);
      const r = await runInChild<EmitThroughputResult>(
        new URL('./throughput.ts', import.meta.url),
        'emitThroughput',
        [bootstrap, topic, o.warmupMs, o.durationMs, compression],
      );
      const u = usage.stop();
      emit({
        ...unavailable(
          SYSTEM,
          `createEmitter (compression ${compression})`,
          'sustained emit, one process',
          '',
        ),
        records_per_s: round(r.delivered / r.seconds, 0),
        mb_per_s: round((r.delivered * r.eventBytes) / r.seconds / 1e6, 1),
        server_cpu_pct: round(u.serverCpuPct, 0),
        client_cpu_pct: round(r.cpuPct, 0),
        note: `events acknowledged by the broker per second (${r.eventBytes} B JSON data, binary mode, 1,000 keys, 6 partitions, idempotent, acks=all); ${r.dropped} dropped`,
      });
    }

    const plain: AppRun[] = [];
    const withMiddleware: AppRun[] = [];
    for (let i = 0; i < (o.quick ? 1 : 5); i++) {
      plain.push(await expressRun(o, bootstrap, 'plain'));
      withMiddleware.push(await expressRun(o, bootstrap, 'middleware'));
    }
    const row = (runs: AppRun[], client: string): BenchResult => {
      const p99s = runs.map((r) => r.load.p99Ms ?? Number.NaN);
      const last = runs[runs.length - 1]!.load;
      return {
        ...unavailable(SYSTEM, client, `Express GET at ${REQUEST_RATE} req/s`, ''),
        records_per_s: round(last.requests / last.seconds, 0),
        p50_ms: round(median(runs.map((r) => r.load.p50Ms ?? Number.NaN)), 3),
        p99_ms: round(median(p99s), 3),
        p999_ms: round(median(runs.map((r) => r.load.p999Ms ?? Number.NaN)), 3),
        note: `median of ${runs.length} interleaved run(s); p99 per run: ${p99s.map((p) => round(p, 3)).join(', ')} ms; errors ${runs.reduce((a, r) => a + r.load.errors, 0)}`,
      };
    };
    const a = row(plain, 'no emitter');
    const b = row(withMiddleware, 'expressMiddleware');
    emit(a);
    b.note = `${b.note}; p99 ${round((b.p99_ms! / a.p99_ms! - 1) * 100, 1)}% vs no emitter`;
    emit(b);

    const h = await expressRun(o, bootstrap, 'handler');
    const us = h.app.emitUs;
    emit({
      ...unavailable(
        SYSTEM,
        'req.emitEvent in the handler',
        `emit() call at ${REQUEST_RATE * EVENTS_PER_REQUEST} events/s`,
        '',
      ),
      records_per_s: round((h.load.requests * EVENTS_PER_REQUEST) / h.load.seconds, 0),
      p50_ms: round((us.p50 ?? Number.NaN) / 1000, 4),
      p99_ms: round((us.p99 ?? Number.NaN) / 1000, 4),
      p999_ms: round((us.p999 ?? Number.NaN) / 1000, 4),
      note: `emit() duration: p50 ${round(us.p50, 1)} us, p99 ${round(us.p99, 1)} us, p99.9 ${round(us.p999, 1)} us, max ${round(us.max, 0)} us over ${us.count} calls after the warm-up; delivered ${h.app.metrics?.delivered}, dropped ${h.app.metrics?.dropped}; request p99 ${round(h.load.p99Ms, 3)} ms`,
    });
  } finally {
    await broker.stop();
  }
}
