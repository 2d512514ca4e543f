/**
 * Draws docs/benchmarks.svg from a `--json` result file: produce and consume throughput (100 B
 * records) and end-to-end latency at 10k records/s, one bar per system, with the machine ceilings
 * for reference. Usage: node bench/chart.ts RESULTS.json OUT.svg
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { BenchResult, Machine } from './lib/result.ts';

interface Bar {
  label: string;
  value: number;
  second?: number;
  color: string;
}

const SAMSA = '#2f6fde';
const PEER = '#8a8f98';
const CEILING = '#c9a227';

function esc(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

function fmt(n: number, unit: string): string {
  if (unit === 'ms') return `${n.toFixed(n < 10 ? 2 : 1)} ms`;
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M/s` : `${Math.round(n / 1e3)} k/s`;
}

/** One horizontal bar panel; returns the SVG fragment and its height. */
function panel(title: string, bars: Bar[], y0: number, unit: string, width: number): [string, number] {
  const left = 380;
  const barH = 18;
  const gap = 8;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.second ?? 0)));
  const scale = (width - left - 210) / max;
  const parts = [`<text x="10" y="${y0 + 16}" font-size="15" font-weight="bold">${esc(title)}</text>`];
  let y = y0 + 30;
  for (const b of bars) {
    parts.push(`<text x="${left - 8}" y="${y + 13}" font-size="12" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y}" width="${Math.max(1, b.value * scale)}" height="${barH}" fill="${b.color}"/>`,
    );
    let end = left + b.value * scale;
    if (b.second !== undefined) {
      // p99 drawn as a thin marker line beyond the p50 bar.
      const x = left + b.second * scale;
      parts.push(
        `<rect x="${left}" y="${y + barH / 2 - 1}" width="${Math.max(1, b.second * scale)}" height="2" fill="#222"/>`,
      );
      parts.push(`<rect x="${x - 1}" y="${y + 2}" width="2" height="${barH - 4}" fill="#222"/>`);
      end = Math.max(end, x);
    }
    const text =
      b.second !== undefined ? `p50 ${fmt(b.value, unit)} · p99 ${fmt(b.second, unit)}` : fmt(b.value, unit);
    parts.push(`<text x="${end + 6}" y="${y + 13}" font-size="12">${esc(text)}</text>`);
    y += barH + gap;
  }
  return [parts.join('\n'), y - y0 + 10];
}

/** "System (variant, real client)": the lean/own clients are the default and not named. */
function label(r: BenchResult): string {
  const extra = [
    r.workload
      .replace(/^(produce|consume) 100 B ?/, '')
      .replace('from start', '')
      .replace('raw TCP ingest to file', 'raw TCP ingest')
      .trim(),
  ];
  if (r.client.includes('platformatic')) extra.push('@platformatic/kafka client');
  if (r.client.includes('confluent-kafka')) extra.push('confluent-kafka client');
  const e = extra.filter(Boolean).join(', ');
  return `${r.system}${e ? ` (${e})` : ''}`.slice(0, 56);
}

function pick(
  rows: BenchResult[],
  workload: (w: string) => boolean,
  value: (r: BenchResult) => number | null,
): Bar[] {
  return rows
    .filter((r) => workload(r.workload) && value(r) !== null)
    .map((r) => ({
      label: label(r),
      value: value(r)!,
      color: r.system === 'Samsa' ? SAMSA : r.system === 'machine ceiling' ? CEILING : PEER,
    }))
    .sort((a, b) => b.value - a.value);
}

export function renderChart(data: { machine: Machine; results: BenchResult[] }): string {
  const rows = data.results.filter((r) => !r.system.startsWith('null sink'));
  const width = 1100;
  const produce = pick(
    rows,
    (w) =>
      w === 'produce 100 B acks=1' ||
      w === 'produce 100 B' ||
      w === 'produce 100 B acks=-1 fsync=always' ||
      w === 'raw TCP ingest to file',
    (r) => r.records_per_s,
  );
  const consume = pick(
    rows,
    (w) => w === 'consume 100 B from start',
    (r) => r.records_per_s,
  );
  const latency = rows
    .filter((r) => r.workload === 'e2e latency 10k rec/s' && r.p50_ms !== null && r.p99_ms !== null)
    .map((r) => ({
      label: `${r.system}`.slice(0, 48),
      value: r.p50_ms!,
      second: r.p99_ms!,
      color: r.system === 'Samsa' ? SAMSA : PEER,
    }))
    .sort((a, b) => a.second - b.second);
  let y = 40;
  const parts: string[] = [];
  for (const [title, bars, unit] of [
    ['Produce, 100 B records (records/s, higher is better)', produce, 'rps'],
    ['Consume from the start, 100 B records (records/s)', consume, 'rps'],
    ['End-to-end latency at 10,000 records/s (p50 bar, p99 marker; lower is better)', latency, 'ms'],
  ] as const) {
    const [svg, h] = panel(title, [...bars], y, unit, width);
    parts.push(svg);
    y += h + 10;
  }
  const m = data.machine;
  const head = `Samsa vs peers on one machine — ${m.cores} cores, ${m.cpu}, Node ${m.node}, ${m.mode} run ${m.date.slice(0, 10)}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" font-family="Helvetica, Arial, sans-serif"><title>Samsa and peers: produce and consume throughput, end-to-end latency</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="16">${esc(head)}</text>
${parts.join('\n')}
</svg>
`;
}

if (import.meta.main) {
  const [input, output] = process.argv.slice(2);
  if (!input || !output) {
    console.error('Usage: node bench/chart.ts RESULTS.json OUT.svg');
    process.exit(2);
  }
  writeFileSync(output, renderChart(JSON.parse(readFileSync(input, 'utf8'))));
}
