/**
 * Soak: the streams kill -9 scenario at full size — 1,000,000 records counted per key and 1-second
 * window by two instances (child processes), one killed with SIGKILL a third of the way in and
 * restarted. exactly_once_v2: the read_committed output must equal the offline count exactly;
 * at_least_once: every window at least its offline count. `--records N` changes the size,
 * `--only exactly_once_v2|at_least_once` runs one of the two.
 */
import { parseArgs } from 'node:util';
import { startBroker } from '../../src/testing/index.ts';
import { runFailureScenario } from '../../test/streams/failure-scenario.ts';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '1000000' }, only: { type: 'string' } },
});
const records = Number(values.records);
const broker = await startBroker({ transactionAbortTimedOutIntervalMs: 1_000 });
let ok = true;
try {
  for (const guarantee of ['exactly_once_v2', 'at_least_once'] as const) {
    if (values.only && values.only !== guarantee) continue;
    const r = await runFailureScenario({
      bootstrap: broker.bootstrap,
      guarantee,
      records,
      keys: 100,
      name: `soak-${guarantee === 'exactly_once_v2' ? 'eos' : 'alos'}`,
      log: (line) => console.log(`  ${line}`),
    });
    const exact = r.missing.length === 0 && r.overCounted.length === 0;
    const pass = guarantee === 'exactly_once_v2' ? exact && r.total === records : r.missing.length === 0;
    ok &&= pass && r.killedWhileRunning;
    console.log(
      `${guarantee}: ${records} records, ${r.windows} windows, output total ${r.total}, missing ${r.missing.length}, over-counted ${r.overCounted.length}, killed mid-run ${r.killedWhileRunning}, ${r.seconds.toFixed(1)} s → ${pass ? 'PASS' : 'FAIL'}`,
    );
    for (const m of r.missing.slice(0, 5)) console.log(`  missing ${m}`);
    if (guarantee === 'exactly_once_v2')
      for (const m of r.overCounted.slice(0, 5)) console.log(`  over-counted ${m}`);
  }
} finally {
  await broker.stop();
}
process.exitCode = ok ? 0 : 1;
