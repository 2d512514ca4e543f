/**
 * Load for the schema registry's hottest read, `GET /schemas/ids/{id}` (what every deserializer
 * without a warm cache asks): `connections` keep-alive HTTP connections (undici), each with one
 * request in flight, cycling over the given ids for a warm-up and then `durationMs`. Counts answers
 * (any non-200 is an error) and samples each request's latency.
 */
import { Pool } from 'undici';
import { LatencySamples } from '../lib/percentiles.ts';

export interface IdLookupOptions {
  url: string;
  ids: number[];
  connections: number;
  warmupMs: number;
  durationMs: number;
}

export interface IdLookupResult {
  records: number;
  payloadBytes: number;
  seconds: number;
  errors: number;
  p50: number | null;
  p99: number | null;
  p999: number | null;
}

export async function idLookupLoad(o: IdLookupOptions): Promise<IdLookupResult> {
  const pool = new Pool(o.url, { connections: o.connections, pipelining: 1 });
  const samples = new LatencySamples(2_000_000);
  let measuring = false;
  let stop = false;
  let records = 0;
  let bytes = 0;
  let errors = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const id = o.ids[next++ % o.ids.length]!;
      const t0 = performance.now();
      const res = await pool.request({ method: 'GET', path: `/schemas/ids/${id}` });
      const body = await res.body.arrayBuffer();
      if (!measuring) continue;
      if (res.statusCode !== 200) errors++;
      else {
        records++;
        bytes += body.byteLength;
        samples.add(performance.now() - t0);
      }
    }
  };
  const workers = Array.from({ length: o.connections }, () => worker());
  await new Promise((r) => setTimeout(r, o.warmupMs));
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  measuring = false;
  const seconds = (performance.now() - t0) / 1000;
  stop = true;
  await Promise.all(workers);
  await pool.close();
  const [p50, p99, p999] = samples.percentiles([50, 99, 99.9]);
  return {
    records,
    payloadBytes: bytes,
    seconds,
    errors,
    p50: p50 ?? null,
    p99: p99 ?? null,
    p999: p999 ?? null,
  };
}
