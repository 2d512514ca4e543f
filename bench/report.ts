/**
 * Prints a `--json` result file as the Markdown table used in docs/benchmarks.md.
 * Usage: node bench/report.ts RESULTS.json
 */
import { readFileSync } from 'node:fs';
import type { BenchResult, Machine } from './lib/result.ts';
import { renderMarkdown } from './lib/table.ts';

const file = process.argv[2];
if (!file) {
  console.error('Usage: node bench/report.ts RESULTS.json');
  process.exit(2);
}
const data = JSON.parse(readFileSync(file, 'utf8')) as { machine: Machine; results: BenchResult[] };
console.log(renderMarkdown(data.results));
console.log(`\nMachine: ${JSON.stringify(data.machine)}`);
