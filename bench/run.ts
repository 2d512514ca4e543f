/**
 * `npm run bench`: Samsa, its clients' own ceilings, the peers a user would pick instead and the
 * machine's physical ceilings, measured in one run on loopback. Prints a table, or with `--json`
 * one object `{ machine, results }`. Everything started is stopped by PID at the end, also on error.
 */
import { writeFileSync } from 'node:fs';
import { ceilingsSuite } from './ceilings/suite.ts';
import { postgresConnectorsSuite } from './connect/postgres-suite.ts';
import { connectorsSuite } from './connectors/suite.ts';
import { emitSuite } from './emit/suite.ts';
import { clientCeilingsSuite } from './kafka/ceilings-suite.ts';
import { parseOptions } from './lib/options.ts';
import { installCleanupHandlers, stopAll } from './lib/procs.ts';
import { type BenchResult, describeMachine, unavailable } from './lib/result.ts';
import { settle } from './lib/settle.ts';
import { renderTable } from './lib/table.ts';
import { peersSuite } from './peers/suite.ts';
import { proxySuite } from './proxy/suite.ts';
import { registrySuite } from './registry/suite.ts';
import { samsaSuite } from './samsa/suite.ts';

async function main(): Promise<number> {
  const o = parseOptions(process.argv.slice(2));
  installCleanupHandlers();
  const machine = describeMachine(o.quick ? 'quick' : 'full');
  const results: BenchResult[] = [];
  const started = performance.now();
  const emit = (r: BenchResult): void => {
    results.push(r);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(
      `[${secs}s] ${r.system} | ${r.client} | ${r.workload}: ${r.records_per_s ?? '-'} rec/s, p99 ${r.p99_ms ?? '-'} ms${r.rss_mb != null ? `, RSS ${r.rss_mb} MB` : ''}${r.note ? ` (${r.note})` : ''}\n`,
    );
  };
  const suites: [string, () => Promise<void>][] = [
    ['ceilings', () => ceilingsSuite(o, emit)],
    ['clients', () => clientCeilingsSuite(o, emit)],
    ['samsa', () => samsaSuite(o, emit)],
    ['peers', () => peersSuite(o, emit)],
    ['registry', () => registrySuite(o, emit)],
    ['emit', () => emitSuite(o, emit)],
    ['proxy', () => proxySuite(o, emit)],
    ['postgres', () => postgresConnectorsSuite(o, emit)],
    ['connectors', () => connectorsSuite(o, emit)],
  ];
  try {
    for (const [name, run] of suites) {
      if (!o.groups.has(name as never)) continue;
      await settle();
      try {
        await run();
      } catch (err) {
        emit(unavailable(name, '-', 'suite failed', (err as Error).stack ?? String(err)));
      }
      await stopAll();
    }
  } finally {
    await stopAll();
  }
  const out = { machine, results };
  if (o.out) writeFileSync(o.out, `${JSON.stringify(out, null, 2)}\n`);
  if (o.json) console.log(JSON.stringify(out, null, 2));
  else console.log(`\n${renderTable(results)}\n\nmachine: ${JSON.stringify(machine)}`);
  process.stderr.write(`bench finished in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

process.exitCode = await main();
