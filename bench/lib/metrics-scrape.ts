/**
 * Scraping a Samsa `/metrics` endpoint from a bench, and the lean produce load the metrics benches
 * run against it (100 B records, acks=1, one partition, 2 connections with 16 requests in flight).
 */
import { producePool } from '../kafka/batches.ts';
import { type LoadResult, produceLoad } from '../kafka/produce-load.ts';

/** One scrape; resolves with its wall time in ms. */
export async function scrapeMetrics(url: string): Promise<number> {
  const t0 = performance.now();
  await (await fetch(url)).text();
  return performance.now() - t0;
}

/** The first scrape after a start: the endpoint may open a moment after the broker. */
export async function firstScrape(url: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await scrapeMetrics(url);
    } catch (err) {
      if (attempt >= 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The lean produce load on one partition of `topic`; throws on any partition error. */
export async function produceHundredBytes(
  port: number,
  topic: string,
  warmupMs: number,
  durationMs: number,
): Promise<LoadResult> {
  const pool = producePool({ topic, recordSize: 100, acks: 1, partitions: 1, partitionsPerRequest: 16 });
  const r = await produceLoad({ port, pool, connections: 2, window: 16, warmupMs, durationMs });
  if (r.errors > 0) throw new Error(`produce errors: ${r.firstError}`);
  return r;
}
