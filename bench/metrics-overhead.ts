/**
 * What Prometheus metrics cost the broker's hot path (issue 17 §1: under 3%). Alternating rounds of
 * the same workloads against a `samsa start` child with metrics off (`--metrics-port 0`) and on
 * (a free port, scraped every second — 15× more often than Prometheus' default): produce 100 B
 * records with acks=1 from the lean generator, then consume them from the start. Prints records/s
 * and the broker's CPU time per 1,000 records per round, and the medians' difference (on a busy
 * machine records/s swings widely; CPU per record is the steadier figure).
 *
 * Usage: node bench/metrics-overhead.ts [--rounds N] [--seconds S] [--scrape-ms MS] [--scrape-before]
 * (`--scrape-before`: one scrape before the workload too, so that with a long --scrape-ms the "on"
 * rounds differ from "off" only in the metrics HTTP server having answered once.)
 */
import { parseArgs } from 'node:util';
import { createTopicOn } from './kafka/admin.ts';
import { consumeLoad } from './kafka/consume-load.ts';
import { highWatermark } from './kafka/probes.ts';
import { firstScrape, produceHundredBytes } from './lib/metrics-scrape.ts';
import { freePort, HOST } from './lib/net.ts';
import { repeatPasses } from './lib/passes.ts';
import { cpuSeconds } from './lib/proc-stats.ts';
import { settle } from './lib/settle.ts';
import { startSamsa } from './samsa/broker-process.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '3' },
    'scrape-ms': { type: 'string', default: '1000' },
    'scrape-before': { type: 'boolean', default: false },
  },
});
const scrapeMs = Number(values['scrape-ms']);
const scrapeBefore = values['scrape-before'];
const rounds = Number(values.rounds);
const durationMs = Number(values.seconds) * 1000;
const TOPIC = 'metrics-overhead';

interface Round {
  mode: 'off' | 'on';
  produce: number;
  consume: number;
  /** Broker CPU µs per 1,000 records (less disturbed by a busy machine than records/s). */
  produceCpu: number;
  consumeCpu: number;
  scrapes: number;
}

async function round(mode: 'off' | 'on'): Promise<Round> {
  const metricsPort = mode === 'on' ? await freePort() : 0;
  const broker = await startSamsa('never', { metricsPort });
  let scrapes = 0;
  const timer =
    mode === 'on'
      ? setInterval(() => {
          fetch(`http://${HOST}:${metricsPort}/metrics`)
            .then((r) => r.text())
            .then(
              () => scrapes++,
              () => {},
            );
        }, scrapeMs)
      : undefined;
  try {
    if (mode === 'on' && scrapeBefore) {
      await firstScrape(`http://${HOST}:${metricsPort}/metrics`);
      scrapes++;
    }
    await settle();
    await createTopicOn(broker.port, TOPIC, 1);
    const cpu0 = cpuSeconds([broker.pid]);
    const p = await produceHundredBytes(broker.port, TOPIC, 500, durationMs);
    const cpu1 = cpuSeconds([broker.pid]);
    const end = await highWatermark(broker.port, TOPIC);
    const cpu2 = cpuSeconds([broker.pid]);
    const c = await repeatPasses(1000, 20, () =>
      consumeLoad({
        port: broker.port,
        topic: TOPIC,
        endOffset: end,
        partitionMaxBytes: 4 << 20,
        durationMs: 10_000,
        recordSize: 100,
      }),
    );
    const cpu3 = cpuSeconds([broker.pid]);
    return {
      mode,
      produce: p.records / p.seconds,
      consume: c.records / c.seconds,
      // Produce CPU spans the warm-up too: its records are counted from the high watermark.
      produceCpu: ((cpu1 - cpu0) * 1e9) / Number(end),
      consumeCpu: ((cpu3 - cpu2) * 1e9) / c.records,
      scrapes,
    };
  } finally {
    clearInterval(timer);
    await broker.stop();
  }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const results: Round[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first so drift (page cache, thermal, neighbours) hits both alike.
  for (const mode of i % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
    const r = await round(mode);
    results.push(r);
    console.log(
      `round ${i + 1} metrics ${mode.padEnd(3)}  produce ${Math.round(r.produce).toLocaleString('en')} rec/s, ${r.produceCpu.toFixed(0)} µs CPU/1k  consume ${Math.round(r.consume).toLocaleString('en')} rec/s, ${r.consumeCpu.toFixed(0)} µs CPU/1k${mode === 'on' ? `  (${r.scrapes} scrapes)` : ''}`,
    );
  }
}
for (const workload of ['produce', 'consume', 'produceCpu', 'consumeCpu'] as const) {
  const off = median(results.filter((r) => r.mode === 'off').map((r) => r[workload]));
  const on = median(results.filter((r) => r.mode === 'on').map((r) => r[workload]));
  const change = ((on - off) / off) * 100;
  console.log(
    `${workload}: median off ${Math.round(off).toLocaleString('en')}, on ${Math.round(on).toLocaleString('en')} ${workload.endsWith('Cpu') ? 'µs CPU per 1,000 records' : 'records/s'} (${change >= 0 ? '+' : ''}${change.toFixed(1)}%)`,
  );
}
