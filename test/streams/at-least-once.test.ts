/**
 * The failure of test/streams/exactly-once.test.ts under at_least_once: two instances (child
 * processes) run a windowed count, one is killed with SIGKILL while records are flowing and started
 * again; every window is there and none is below the offline count (duplicates only, never loss).
 * A file of its own so that it runs beside the exactly_once_v2 scenario.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { runFailureScenario } from './failure-scenario.ts';

let broker: TestBroker;

before(async () => {
  broker = await startBroker({ transactionAbortTimedOutIntervalMs: 1_000 });
});

after(async () => {
  await broker.stop();
});

test('at_least_once: the same failure shows only duplicates, never loss', async () => {
  const r = await runFailureScenario({
    bootstrap: broker.bootstrap,
    guarantee: 'at_least_once',
    records: 20_000,
    keys: 40,
    name: 'alos',
  });
  assert.ok(r.killedWhileRunning);
  assert.equal(r.missing.length, 0, `windows missing or short: ${r.missing.slice(0, 5).join(', ')}`);
  assert.ok(r.total >= 20_000);
});
