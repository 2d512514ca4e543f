/**
 * A source task's partial Produce requests wait `linger.ms` (the connector's
 * `producer.override.linger.ms`) for what the next polls bring: a trickle of one record every 5 ms
 * goes out in a few requests with a long linger and in one per round trip with linger 0, every
 * record once and in order either way. Requests are counted in the topic: with LogAppendTime the
 * records of one batch share its append time, so the runs of equal timestamps in offset order are
 * at most the batches.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  startConnect,
  type TestConnect,
  textSourceRecord,
  topicSourcePlugin,
} from '../helpers/connect.ts';

const RECORDS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One record per poll, every 5 ms, to the topic named in the config; then nothing. */
const trickleSource = topicSourcePlugin('test.TrickleSource', (topic) => {
  let n = 0;
  return async () => {
    await sleep(n < RECORDS ? 5 : 50);
    if (n >= RECORDS) return null;
    n++;
    return [textSourceRecord(topic, String(n), n)];
  };
});

let broker: TestBroker;
let connect: TestConnect;

before(async () => {
  broker = await startBroker();
  connect = await startConnect({ bootstrap: broker.bootstrap, plugins: [trickleSource] });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

/** The topic's values and the number of runs of equal append times, once it holds every record. */
async function trickle(name: string, lingerMs: number): Promise<{ values: string[]; runs: number }> {
  const topic = `trickle-${name}`;
  const r = await connect.call('POST', '/connectors', {
    name,
    config: {
      'connector.class': 'test.TrickleSource',
      topic,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'topic.creation.default.partitions': '1',
      'topic.creation.default.message.timestamp.type': 'LogAppendTime',
      'producer.override.linger.ms': String(lingerMs),
    },
  });
  assert.equal(r.status, 201);
  await connect.waitForStatus(name, allRunning());
  const { createConsumer } = await import('../../src/client/clients.ts');
  const { readPartitions } = await import('../../src/client/partition-reader.ts');
  const consumer = createConsumer(
    { bootstrapBrokers: [broker.bootstrap] },
    { clientId: 'linger-test', groupId: 'linger-test' },
  );
  const abort = new AbortController();
  const values: string[] = [];
  let runs = 0;
  let last = -1n;
  try {
    for await (const record of readPartitions({
      consumer,
      topic,
      positions: new Map([[0, 0n]]),
      signal: abort.signal,
    })) {
      values.push(record.value?.toString('utf8') ?? '');
      if (record.timestamp !== last) runs++;
      last = record.timestamp;
      if (values.length === RECORDS) break;
    }
  } finally {
    abort.abort();
    await consumer.close(true);
  }
  return { values, runs };
}

test('a trickle lingers: few requests with linger.ms=200, one per round trip with 0; every record once, in order', async () => {
  const expected = Array.from({ length: RECORDS }, (_, i) => String(i + 1));
  const lingering = await trickle('lingering', 200);
  assert.deepEqual(lingering.values, expected);
  // ~0.6 s of records in 200 ms windows (plus the round trip after each): about 3 to 5 requests.
  assert.ok(lingering.runs <= 10, `${lingering.runs} append times for ${RECORDS} records`);
  const eager = await trickle('eager', 0);
  assert.deepEqual(eager.values, expected);
  assert.ok(eager.runs >= 3 * lingering.runs, `${eager.runs} vs ${lingering.runs} append times`);
});
