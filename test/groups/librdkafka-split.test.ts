/**
 * Issue 3, done-when 1: two librdkafka consumers (python3-confluent-kafka, one process each) in
 * one group on a 6-partition topic split the partitions without overlap and together consume
 * 30,000 records exactly once.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { consumerConfig, PyConsumer, produce, waitFor } from './helpers.ts';

const RECORDS = 30_000;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({
    numPartitions: 6,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
});
after(async () => {
  await broker?.stop();
});

it('two librdkafka consumers split 6 partitions and consume 30,000 records exactly once', async () => {
  const topic = 'split-6';
  await produce(broker.bootstrap, topic, 0, 1); // creates the topic with 6 partitions
  const config = consumerConfig(broker.bootstrap, 'split-group');
  const a = new PyConsumer('a', config, { topics: [topic], commit: true });
  const b = new PyConsumer('b', config, { topics: [topic], commit: true });
  try {
    const [pa, pb] = await Promise.all([a.waitAssigned(3, 20_000), b.waitAssigned(3, 20_000)]);
    assert.deepEqual(
      [...pa, ...pb].sort(),
      [0, 1, 2, 3, 4, 5],
      'the two assignments cover the topic, disjoint',
    );
    const rebalancesBefore = a.rebalanceEvents().length + b.rebalanceEvents().length;

    await produce(broker.bootstrap, topic, 1, RECORDS);
    await waitFor(
      () => a.records.length + b.records.length >= RECORDS,
      30_000,
      `${RECORDS} records (a ${a.records.length}, b ${b.records.length})`,
    );
    await Promise.all([a.close(), b.close()]);

    assert.equal(
      a.rebalanceEvents().length + b.rebalanceEvents().length,
      rebalancesBefore + 2,
      'no rebalance while consuming, one revoke each on close',
    );
    for (const [c, mine] of [
      [a, pa],
      [b, pb],
    ] as const) {
      assert.ok(c.records.length > 0, `${c.name} consumed`);
      // v-0 (written to create the topic) may be read by whichever member first held the whole
      // topic alone, before the second member joined; every record produced after the split must
      // come from the reader's own partitions.
      for (const r of c.records) {
        if (r.value === 'v-0') continue;
        assert.ok(mine.includes(r.partition), `${c.name} read partition ${r.partition} it was not assigned`);
      }
      assert.deepEqual(c.errors(), []);
    }
    const all = [...a.records, ...b.records];
    assert.equal(all.length, RECORDS, 'no record twice');
    const values = new Set(all.map((r) => r.value));
    assert.equal(values.size, RECORDS);
    for (let i = 0; i < RECORDS; i++) assert.ok(values.has(`v-${i}`), `v-${i} consumed`);
    const positions = new Set(all.map((r) => `${r.partition}:${r.offset}`));
    assert.equal(positions.size, RECORDS, 'every (partition, offset) once');
  } finally {
    await Promise.allSettled([a.kill(), b.kill()]);
  }
});
