/**
 * Issue 3: consumer lag is derivable from committed offsets and log end offsets. A librdkafka
 * group reads and commits a whole topic (lag 0 everywhere), then more records arrive: `samsa
 * consumer-groups:info --json` reports per partition committed + lag = log end, and a total lag
 * equal to the records produced since the last commit.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { json, samsaInProcess } from '../cli/run-cli.ts';
import { consumerConfig, PyConsumer, produce, waitFor } from './helpers.ts';

const TOPIC = 'lag-topic';
const GROUP = 'lag-group';
let broker: TestBroker;

before(async () => {
  broker = await startBroker({
    numPartitions: 3,
    groupInitialRebalanceDelayMs: 0,
    groupMinSessionTimeoutMs: 1000,
  });
});
after(async () => {
  await broker?.stop();
});

interface Info {
  state: string;
  partitions: {
    topic: string;
    partition: number;
    committedOffset: number | null;
    logEndOffset: number | null;
    lag: number | null;
  }[];
  totalLag: number;
}

async function info(): Promise<Info> {
  const r = await samsaInProcess(['consumer-groups:info', GROUP, '--json', '-b', broker.bootstrap]);
  assert.equal(r.code, 0, r.stderr);
  const raw = json<Info>(r);
  // bigints may be written as strings; compare numbers.
  const n = (v: unknown) => (v === null ? null : Number(v));
  return {
    state: raw.state,
    totalLag: Number(raw.totalLag),
    partitions: raw.partitions.map((p) => ({
      ...p,
      committedOffset: n(p.committedOffset),
      logEndOffset: n(p.logEndOffset),
      lag: n(p.lag),
    })),
  };
}

it('lag after commits: zero once the group caught up, then the records produced since', async () => {
  await produce(broker.bootstrap, TOPIC, 0, 300);
  const c = new PyConsumer('lag', consumerConfig(broker.bootstrap, GROUP), { topics: [TOPIC], commit: true });
  try {
    await waitFor(() => c.records.length >= 300, 20_000, 'the group to read 300 records');
  } finally {
    await c.close();
  }

  const caughtUp = await info();
  assert.equal(caughtUp.state, 'Empty');
  assert.deepEqual(
    caughtUp.partitions.map((p) => p.partition),
    [0, 1, 2],
  );
  for (const p of caughtUp.partitions) {
    assert.equal(p.lag, 0, `partition ${p.partition} caught up`);
    assert.equal(p.committedOffset, p.logEndOffset);
  }
  assert.equal(
    caughtUp.partitions.reduce((s, p) => s + (p.committedOffset ?? 0), 0),
    300,
  );
  assert.equal(caughtUp.totalLag, 0);

  await produce(broker.bootstrap, TOPIC, 300, 350);
  const behind = await info();
  for (const [i, p] of behind.partitions.entries()) {
    assert.equal(p.committedOffset, caughtUp.partitions[i]!.committedOffset, 'commits unchanged');
    assert.equal(
      p.lag,
      (p.logEndOffset ?? 0) - (p.committedOffset ?? 0),
      `partition ${p.partition}: lag = log end - committed`,
    );
  }
  assert.equal(behind.totalLag, 50);
});
