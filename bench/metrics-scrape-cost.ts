/**
 * What a Prometheus scrape costs a busy broker, measured inside ONE broker process: alternating
 * windows of the lean produce load (100 B records, acks=1) with and without scrapes of `/metrics`
 * during the window, so that process-to-process spread (where the heap, the JIT and the page cache
 * happen to land) does not enter the comparison the way it does between the separate `samsa start`
 * children of metrics-overhead.ts. The metrics endpoint is scraped once before the first window, so
 * both kinds of window run after the HTTP server has answered (what a scrape changes once, e.g. the
 * shapes Node's stream internals have seen, is in both). Prints the broker's CPU µs per 1,000 records
 * and records/s per window, and the medians per kind.
 *
 * Usage: node bench/metrics-scrape-cost.ts [--pairs N] [--seconds S] [--scrape-ms MS]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { createTopicOn } from './kafka/admin.ts';
import { firstScrape, produceHundredBytes, scrapeMetrics } from './lib/metrics-scrape.ts';
import { freePort, HOST } from './lib/net.ts';
import { cpuSeconds } from './lib/proc-stats.ts';
import { settle } from './lib/settle.ts';
import { startSamsa } from './samsa/broker-process.ts';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '3' },
    'scrape-ms': { type: 'string', default: '1000' },
  },
});
const PAIRS = Number(values.pairs);
const DURATION_MS = Number(values.seconds) * 1000;
const SCRAPE_MS = Number(values['scrape-ms']);
const TOPIC = 'metrics-scrape-cost';

const metricsPort = await freePort();
const broker = await startSamsa('never', { metricsPort });
const url = `http://${HOST}:${metricsPort}/metrics`;
const scrape = (): Promise<number> => scrapeMetrics(url);

interface Window {
  kind: 'scraped' | 'quiet';
  cpuPer1k: number;
  recordsPerSecond: number;
  scrapes: number;
  scrapeMs: number[];
}

async function window(kind: Window['kind']): Promise<Window> {
  const scrapeMs: number[] = [];
  const timer =
    kind === 'scraped'
      ? setInterval(() => {
          scrape().then(
            (ms) => scrapeMs.push(ms),
            () => {},
          );
        }, SCRAPE_MS)
      : undefined;
  const cpu0 = cpuSeconds([broker.pid]);
  try {
    const r = await produceHundredBytes(broker.port, TOPIC, 0, DURATION_MS);
    const cpu = cpuSeconds([broker.pid]) - cpu0;
    return {
      kind,
      cpuPer1k: (cpu * 1e9) / r.records,
      recordsPerSecond: r.records / r.seconds,
      scrapes: scrapeMs.length,
      scrapeMs,
    };
  } finally {
    clearInterval(timer);
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

try {
  await settle();
  await createTopicOn(broker.port, TOPIC, 1);
  console.log(`first scrape: ${(await firstScrape(url)).toFixed(1)} ms`);
  await window('quiet'); // warm-up, not counted
  const results: Window[] = [];
  for (let i = 0; i < PAIRS; i++) {
    for (const kind of i % 2 === 0 ? (['quiet', 'scraped'] as const) : (['scraped', 'quiet'] as const)) {
      const w = await window(kind);
      results.push(w);
      console.log(
        `pair ${i + 1} ${kind.padEnd(7)} ${Math.round(w.recordsPerSecond).toLocaleString('en')} rec/s, ${w.cpuPer1k.toFixed(0)} µs CPU/1k${kind === 'scraped' ? `, ${w.scrapes} scrapes of ${w.scrapeMs.map((ms) => ms.toFixed(0)).join('/')} ms` : ''}, load ${loadavg()[0]!.toFixed(1)}`,
      );
    }
  }
  for (const field of ['recordsPerSecond', 'cpuPer1k'] as const) {
    const quiet = median(results.filter((w) => w.kind === 'quiet').map((w) => w[field]));
    const scraped = median(results.filter((w) => w.kind === 'scraped').map((w) => w[field]));
    console.log(
      `${field}: median quiet ${Math.round(quiet).toLocaleString('en')}, scraped ${Math.round(scraped).toLocaleString('en')} (${scraped >= quiet ? '+' : ''}${(((scraped - quiet) / quiet) * 100).toFixed(1)}%)`,
    );
  }
  // Per pair: did the scraped window cost more CPU per record than its quiet neighbour?
  let worse = 0;
  for (let i = 0; i < results.length; i += 2) {
    const pair = results.slice(i, i + 2);
    const q = pair.find((w) => w.kind === 'quiet')!;
    const s = pair.find((w) => w.kind === 'scraped')!;
    if (s.cpuPer1k > q.cpuPer1k) worse++;
  }
  console.log(`scraped windows costlier in CPU per record in ${worse} of ${PAIRS} pairs`);
} finally {
  await broker.stop();
}
