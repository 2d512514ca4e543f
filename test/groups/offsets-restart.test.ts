/**
 * Issue 3, done-when 3: committed offsets survive a broker restart. A group commits part of a
 * topic, the broker stops and starts again on the same data directory, more records arrive, and a
 * new consumer in the group reads exactly the records after the last commit. Covered twice: after a
 * clean close (group Empty when the broker stops) and after a member was SIGKILLed (the group comes
 * back from `__consumer_offsets` Stable with a dead member, whose session must expire). And members
 * that stay up while the broker restarts on the same port carry on in their generation: no
 * rebalance, every record exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { type StartBrokerOptions, startBroker, type TestBroker } from '../../src/testing/index.ts';
import { consumerConfig, PyConsumer, produce, waitFor } from './helpers.ts';

const dirs: string[] = [];
const brokers: TestBroker[] = [];
after(async () => {
  await Promise.allSettled(brokers.map((b) => b.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string, port = 0): Promise<TestBroker> {
  const options: StartBrokerOptions = {
    port,
    numPartitions: 3,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
    dataDir,
  };
  const b = await startBroker(options);
  brokers.push(b);
  return b;
}

async function committed(bootstrap: string, group: string): Promise<Map<number, bigint>> {
  const admin = new Admin({ clientId: 'restart-admin', bootstrapBrokers: [bootstrap] });
  try {
    const [g] = await admin.listConsumerGroupOffsets({ groups: [group] });
    const out = new Map<number, bigint>();
    for (const t of g?.topics ?? [])
      for (const p of t.partitions) out.set(p.partitionIndex, p.committedOffset);
    return out;
  } finally {
    await admin.close();
  }
}

for (const mode of ['close', 'kill'] as const) {
  it(`committed offsets survive a broker restart (first consumer ${mode === 'close' ? 'closed cleanly' : 'SIGKILLed'})`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'samsa-groups-restart-'));
    dirs.push(dataDir);
    const topic = `restart-${mode}`;
    const group = `restart-group-${mode}`;
    let broker = await start(dataDir);
    await produce(broker.bootstrap, topic, 0, 3000);

    const first = new PyConsumer(
      'first',
      consumerConfig(broker.bootstrap, group, { 'session.timeout.ms': 2000 }),
      {
        topics: [topic],
        commit: true,
      },
    );
    try {
      await waitFor(
        () => first.records.length >= 3000,
        20_000,
        `first consumer to read 3000 (has ${first.records.length})`,
      );
      if (mode === 'close') await first.close();
      else await first.kill();
    } finally {
      await first.kill();
    }
    const before = await committed(broker.bootstrap, group);
    assert.equal(
      [...before.values()].reduce((s, o) => s + o, 0n),
      3000n,
      'commits cover all 3000 records',
    );

    await broker.stop();
    broker = await start(dataDir);
    assert.deepEqual(await committed(broker.bootstrap, group), before, 'OffsetFetch after restart');
    await produce(broker.bootstrap, topic, 3000, 3500);

    const second = new PyConsumer('second', consumerConfig(broker.bootstrap, group), { topics: [topic] });
    try {
      await waitFor(
        () => second.records.length >= 500,
        20_000,
        `second consumer to read 500 (has ${second.records.length})`,
      );
      // Each partition is read in offset order, so a position before the commit would show up first.
      const values = second.records
        .slice(0, 500)
        .map((r) => Number(r.value.slice(2)))
        .sort((x, y) => x - y);
      assert.deepEqual(
        values,
        Array.from({ length: 500 }, (_, i) => 3000 + i),
        'only records after the last commit',
      );
    } finally {
      await second.kill();
    }
  });
}

it('live members ride through a broker restart on the same port without a rebalance', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-groups-restart-'));
  dirs.push(dataDir);
  const topic = 'restart-live';
  let broker = await start(dataDir);
  const port = broker.port;
  await produce(broker.bootstrap, topic, 0, 3000);
  const config = consumerConfig(broker.bootstrap, 'restart-group-live', { 'session.timeout.ms': 6000 });
  const a = new PyConsumer('a', config, { topics: [topic], commit: true });
  const b = new PyConsumer('b', config, { topics: [topic], commit: true });
  try {
    const [pa, pb] = await waitFor(
      () =>
        a.assignment.length + b.assignment.length === 3 && a.assignment.length > 0 && b.assignment.length > 0
          ? [a.assignment, b.assignment]
          : undefined,
      20_000,
      'the three partitions split between a and b',
    );
    await waitFor(() => a.records.length + b.records.length >= 3000, 20_000, 'the first 3000 records');
    const rebalances = a.rebalanceEvents().length + b.rebalanceEvents().length;

    await broker.stop();
    broker = await start(dataDir, port);
    await produce(broker.bootstrap, topic, 3000, 6000);
    await waitFor(() => a.records.length + b.records.length >= 6000, 30_000, 'all 6000 records');

    assert.equal(a.rebalanceEvents().length + b.rebalanceEvents().length, rebalances, 'no rebalance');
    assert.deepEqual([a.assignment, b.assignment], [pa, pb]);
    const all = [...a.records, ...b.records];
    assert.equal(all.length, 6000, 'nothing read twice');
    assert.equal(new Set(all.map((r) => r.value)).size, 6000, 'nothing lost');
  } finally {
    await Promise.allSettled([a.kill(), b.kill()]);
  }
});
