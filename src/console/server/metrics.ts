/**
 * Throughput for the console's charts, from the broker's Prometheus endpoint when there is one
 * (`samsa start` serves it on 127.0.0.1:9644/metrics; `samsa console --metrics-url URL` for any
 * other): the counters `kafka_server_brokertopicmetrics_{messagesin,bytesin,bytesout}_total` summed
 * over the cluster and per topic, with the time they were read. The browser polls and turns
 * successive readings into rates. Without an endpoint, or when it does not answer, the answer says
 * so and the UI shows no charts.
 */
import type { FastifyInstance } from 'fastify';
import type { UrlSource } from './rest-forward.ts';

export interface Counters {
  messagesIn: number;
  bytesIn: number;
  bytesOut: number;
}

export interface MetricsReading {
  available: boolean;
  error?: string;
  time?: number;
  totals?: Counters;
  topics?: Record<string, Counters>;
}

const FIELDS: Record<string, keyof Counters> = {
  messagesin: 'messagesIn',
  bytesin: 'bytesIn',
  bytesout: 'bytesOut',
};
const LINE = /^kafka_server_brokertopicmetrics_(messagesin|bytesin|bytesout)_total\{([^}]*)\}\s+(\S+)/;

/** Sums the three counters from Prometheus text format, per topic and in total. */
export function parseThroughput(text: string): { totals: Counters; topics: Record<string, Counters> } {
  const totals: Counters = { messagesIn: 0, bytesIn: 0, bytesOut: 0 };
  const topics: Record<string, Counters> = {};
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const field = FIELDS[m[1]!]!;
    const topic = /(?:^|,)topic="((?:[^"\\]|\\.)*)"/.exec(m[2]!)?.[1];
    totals[field] += value;
    if (topic !== undefined) {
      const t = (topics[topic] ??= { messagesIn: 0, bytesIn: 0, bytesOut: 0 });
      t[field] += value;
    }
  }
  return { totals, topics };
}

export function registerMetrics(app: FastifyInstance, source: UrlSource): void {
  app.get('/api/metrics', async (): Promise<MetricsReading> => {
    const url = typeof source === 'function' ? await source() : source;
    if (url === undefined) return { available: false };
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      if (!res.ok) return { available: false, error: `${url} answered ${res.status}` };
      return { available: true, time: Date.now(), ...parseThroughput(await res.text()) };
    } catch (err) {
      return { available: false, error: `${url}: ${(err as Error).message}` };
    }
  });
}
