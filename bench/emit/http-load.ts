/**
 * An open-loop HTTP load: `rate` requests per second for `durationMs` (after `warmupMs`), issued on
 * a fixed schedule whatever the answers' speed, over an undici pool. Each request's latency runs
 * from the time it was *due* (start + i / rate), not from when the loop got round to sending it, so
 * a stall of the load generator or of the server shows in the tail instead of being hidden
 * (coordinated omission); `lateMs` says how far behind schedule the generator itself fell.
 * Requests cycle through `users` (header x-user) and item ids. When the warm-up ends it sends
 * `GET /items/__reset` (the app then forgets its own counters) and calls `onMeasureStart`.
 *
 * `httpLoadRun` is the same for a fresh child process (bench/lib/child-run.ts), so the load's
 * garbage and timers share neither a process nor an event loop with the caller.
 */
import { Pool } from 'undici';
import { LatencySamples } from '../lib/percentiles.ts';

export interface HttpLoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50Ms: number | null;
  p99Ms: number | null;
  p999Ms: number | null;
  maxMs: number | null;
  /** How late the generator issued requests (p99 and max, ms): its own share of the latency. */
  lateP99Ms: number | null;
  lateMaxMs: number | null;
  /** Every measured latency in µs, sorted (the C generator only): pooled over a bench's runs. */
  latUs?: number[];
}

export async function httpLoad(
  port: number,
  rate: number,
  warmupMs: number,
  durationMs: number,
  users = 1000,
  onMeasureStart?: () => void,
): Promise<HttpLoadResult> {
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 64, pipelining: 1 });
  const capacity = rate * Math.ceil(durationMs / 1000) + 1000;
  const samples = new LatencySamples(capacity);
  const late = new LatencySamples(capacity);
  let errors = 0;
  let issued = 0;
  let measured = 0;
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const one = async (i: number, due: number): Promise<void> => {
    try {
      const res = await pool.request({
        path: `/items/${i % 5000}`,
        method: 'GET',
        headers: { 'x-user': `user-${i % users}` },
      });
      await res.body.dump();
      if (res.statusCode !== 200) errors++;
    } catch {
      errors++;
    }
    if (due >= measureFrom && due < end) {
      samples.add(performance.now() - due);
      measured++;
    }
  };
  let started = false;
  for (;;) {
    const now = performance.now();
    if (now >= end) break;
    if (!started && now >= measureFrom) {
      started = true;
      // Not awaited: the requests due meanwhile must leave on time.
      pool.request({ path: '/items/__reset', method: 'GET', headers: { 'x-user': 'user-0' } }).then(
        (res) => res.body.dump(),
        () => {},
      );
      onMeasureStart?.();
    }
    const dueCount = Math.floor(((performance.now() - start) / 1000) * rate);
    while (issued < dueCount) {
      const due = start + (issued * 1000) / rate;
      if (due >= measureFrom) late.add(performance.now() - due);
      const p = one(issued++, due);
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  const [p50, p99, p999, max] = samples.percentiles([50, 99, 99.9, 100]);
  const [lateP99, lateMax] = late.percentiles([99, 100]);
  return {
    requests: measured,
    errors,
    seconds: durationMs / 1000,
    p50Ms: p50 ?? null,
    p99Ms: p99 ?? null,
    p999Ms: p999 ?? null,
    maxMs: max ?? null,
    lateP99Ms: lateP99 ?? null,
    lateMaxMs: lateMax ?? null,
  };
}

/** `httpLoad` for bench/lib/child-run.ts (JSON arguments, no callback). */
export function httpLoadRun(
  port: number,
  rate: number,
  warmupMs: number,
  durationMs: number,
): Promise<HttpLoadResult> {
  return httpLoad(port, rate, warmupMs, durationMs);
}
