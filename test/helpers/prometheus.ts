/**
 * Scrapes a `/metrics` endpoint and parses the Prometheus text format with
 * parse-prometheus-text-format (a port of the Prometheus Python client's parser, prom2json's output
 * shape), so tests check what Prometheus itself would read. That parser keeps only one series of a
 * labelled histogram, so each histogram is also given as its `_bucket`, `_sum` and `_count` series
 * (families of those names, parsed as untyped samples).
 */
import { createRequire } from 'node:module';

export interface Sample {
  labels?: Record<string, string>;
  /** Counters and gauges. */
  value?: string;
  /** Histograms: cumulative counts by upper bound, plus count and sum. */
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

const parse = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => Family[];

export async function scrape(url: string): Promise<Map<string, Family>> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${type}`);
  const text = await res.text();
  const families = new Map(parse(text).map((f) => [f.name, f]));
  const series = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  const parts = new Map<string, Family>();
  for (const f of parse(series)) {
    const seen = parts.get(f.name);
    if (seen) seen.metrics.push(...f.metrics);
    else parts.set(f.name, f);
  }
  for (const [name, f] of parts) if (!families.has(name)) families.set(name, f);
  return families;
}

/** The value of the one sample of `name` whose labels include `labels` (undefined if none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const family = families.get(name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (sample === undefined) return undefined;
  return Number(sample.value ?? sample.count);
}
