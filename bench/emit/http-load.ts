/**
 * An open-loop HTTP load: `rate` requests per second for `durationMs` (after `warmupMs`), issued on
 * schedule whatever the answers' speed, over an undici pool; latency is from issuing a request to
 * the end of its response body. Requests cycle through `users` (header x-user) and item ids.
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
  const samples = new LatencySamples(rate * Math.ceil(durationMs / 1000) + 1000);
  let errors = 0;
  let issued = 0;
  let measured = 0;
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const measureFrom = start + warmupMs;
  const end = measureFrom + durationMs;
  const one = async (i: number): Promise<void> => {
    const t0 = performance.now();
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
    if (t0 >= measureFrom) {
      samples.add(performance.now() - t0);
      measured++;
    }
  };
  let started = false;
  while (performance.now() < end) {
    if (!started && performance.now() >= measureFrom) {
      started = true;
      onMeasureStart?.();
    }
    const due = Math.floor(((performance.now() - start) / 1000) * rate);
    while (issued < due) {
      const p = one(issued++);
      inflight.add(p);
      p.finally(() => inflight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  await pool.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return {
    requests: measured,
    errors,
    seconds: durationMs / 1000,
    p50Ms: p50 ?? null,
    p99Ms: p99 ?? null,
    p999Ms: p999 ?? null,
  };
}
