/** The human-readable results table (fixed-width columns, one row per figure). */
import type { BenchResult } from './result.ts';

function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

const COLUMNS: [string, (r: BenchResult) => string][] = [
  ['system', (r) => r.system],
  ['client', (r) => r.client],
  ['workload', (r) => r.workload],
  ['records/s', (r) => fmt(r.records_per_s)],
  ['MB/s', (r) => fmt(r.mb_per_s, 1)],
  ['p50 ms', (r) => fmt(r.p50_ms, 2)],
  ['p99 ms', (r) => fmt(r.p99_ms, 2)],
  ['p99.9 ms', (r) => fmt(r.p999_ms, 2)],
  ['RSS MB', (r) => fmt(r.rss_mb)],
  ['srv CPU%', (r) => fmt(r.server_cpu_pct)],
  ['cli CPU%', (r) => fmt(r.client_cpu_pct)],
  ['note', (r) => r.note ?? ''],
];

const NUMERIC = new Set([3, 4, 5, 6, 7, 8, 9, 10]);

export function renderTable(rows: readonly BenchResult[]): string {
  const cells = rows.map((r) => COLUMNS.map(([, get]) => get(r)));
  const widths = COLUMNS.map(([h], i) =>
    i === COLUMNS.length - 1 ? 0 : Math.max(h.length, ...cells.map((c) => c[i]!.length)),
  );
  const line = (c: string[]): string =>
    c
      .map((v, i) =>
        i === c.length - 1 ? v : NUMERIC.has(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return [line(COLUMNS.map(([h]) => h)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join(
    '\n',
  );
}

/** The same rows as a Markdown table (for docs/benchmarks.md). */
export function renderMarkdown(rows: readonly BenchResult[]): string {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const sep = `|${COLUMNS.map((_, i) => (NUMERIC.has(i) ? ' ---: ' : ' --- ')).join('|')}|`;
  const body = rows.map((r) => `| ${COLUMNS.map(([, get]) => get(r).replaceAll('|', '\\|')).join(' | ')} |`);
  return [head, sep, ...body].join('\n');
}
