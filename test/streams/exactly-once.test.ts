/**
 * Processing guarantees under failure: two instances (child processes) run a windowed count; one
 * is killed with SIGKILL while records are flowing and started again. Under exactly_once_v2 the
 * output read with read_committed (librdkafka) equals the count computed offline — no window
 * counted twice, none missing. The same failure under at_least_once is
 * test/streams/at-least-once.test.ts (its own file, so the two scenarios run side by side). The
 * million-record version is `npm run soak -- streams-exactly-once`
 * (bench/soak/streams-exactly-once.soak.ts).
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

test('exactly_once_v2: kill -9 of one of two instances mid windowed count; committed output equals the offline count', async () => {
  const r = await runFailureScenario({
    bootstrap: broker.bootstrap,
    guarantee: 'exactly_once_v2',
    records: 20_000,
    keys: 40,
    name: 'eos',
  });
  assert.ok(r.killedWhileRunning, 'the instance was killed while records were being processed');
  assert.equal(r.missing.length, 0, `windows missing or short: ${r.missing.slice(0, 5).join(', ')}`);
  assert.equal(r.overCounted.length, 0, `windows counted twice: ${r.overCounted.slice(0, 5).join(', ')}`);
  assert.equal(r.total, 20_000);
});
