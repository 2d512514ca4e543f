/**
 * What sink connectors get from the runtime (the API the other connectors build on): records with
 * their raw bytes, `additionalTopics`, the SinkTaskContext (offset rewind, pause/resume),
 * `TaskKafka` (ensureTopic/send), the errant record reporter, and `preCommit` deciding which
 * consumer offsets are committed.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createProducer } from '../../src/client/clients.ts';
import type { SinkConnectorPlugin, SinkRecord, SinkTaskContext } from '../../src/connect/api/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import {
  allRunning,
  oneTaskConnector,
  startConnect,
  type TestConnect,
  topicRecords,
} from '../helpers/connect.ts';

let broker: TestBroker;
let connect: TestConnect;
const seen: { topic: string; offset: bigint; value: unknown; raw: string | null; at: number }[] = [];
let resumedAt = Number.POSITIVE_INFINITY;
let rewound = false;

const contextSink: SinkConnectorPlugin = {
  type: 'sink',
  className: 'test.ContextSink',
  version: '1',
  config: [],
  additionalTopics: () => ['ctx-extra'],
  createConnector: oneTaskConnector,
  createTask: () => {
    let context: SinkTaskContext;
    return {
      async start(_config, ctx) {
        context = ctx;
      },
      async open(partitions) {
        if (partitions.some((p) => p.topic === 'ctx-extra')) {
          context.pause({ topic: 'ctx-extra', partition: 0 });
          setTimeout(() => {
            resumedAt = Date.now();
            context.resume({ topic: 'ctx-extra', partition: 0 });
          }, 700);
        }
      },
      async put(records: readonly SinkRecord[]) {
        for (const r of records) {
          seen.push({
            topic: r.topic,
            offset: r.kafkaOffset,
            value: r.value,
            raw: r.raw.value?.toString() ?? null,
            at: Date.now(),
          });
          if (r.value === 'rewind' && !rewound) {
            rewound = true;
            context.offset([{ topic: 'ctx-main', partition: 0, offset: 0n }]);
          }
          if (r.value === 'dlq')
            await context.errantRecordReporter?.report(r, new Error('cannot write this one'));
          if (r.value === 'send') {
            await context.kafka.ensureTopic('ctx-out', { partitions: 1 });
            await context.kafka.send([
              {
                topic: 'ctx-out',
                key: Buffer.from('k'),
                value: r.raw.value,
                headers: [['h', Buffer.from('v')]],
              },
            ]);
          }
        }
      },
      async preCommit(current) {
        const out = new Map(current);
        const main = out.get('ctx-main/0');
        if (main && main.offset > 2n) out.set('ctx-main/0', { ...main, offset: 2n });
        return out;
      },
      async stop() {},
    };
  },
};

before(async () => {
  broker = await startBroker();
  connect = await startConnect({ bootstrap: broker.bootstrap, plugins: [contextSink] });
});

after(async () => {
  await connect?.stop();
  await broker?.stop();
});

test('the sink task context, TaskKafka, the errant record reporter and preCommit', async () => {
  const producer = createProducer({ bootstrapBrokers: [broker.bootstrap] }, { clientId: 'ctx-test' });
  const send = (topic: string, values: string[]) =>
    producer.send({
      messages: values.map((v) => ({ topic, value: Buffer.from(v), partition: 0 })),
      autocreateTopics: true,
    });
  await send('ctx-main', ['first', 'rewind', 'dlq', 'send']);
  await send('ctx-extra', ['extra']);
  await producer.close();

  const r = await connect.call('POST', '/connectors', {
    name: 'ctx',
    config: {
      'connector.class': 'test.ContextSink',
      topics: 'ctx-main',
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'ctx-dlq',
      'errors.deadletterqueue.topic.replication.factor': '1',
    },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  await connect.waitForStatus('ctx', allRunning());
  const deadline = Date.now() + 20_000;
  while (
    Date.now() < deadline &&
    !(seen.some((s) => s.topic === 'ctx-extra') && seen.filter((s) => s.value === 'send').length > 0)
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const main = seen.filter((s) => s.topic === 'ctx-main').map((s) => [Number(s.offset), s.value]);
  // offset() rewound to 0 after "rewind": the first two records came again.
  assert.deepEqual(main.slice(0, 2), [
    [0, 'first'],
    [1, 'rewind'],
  ]);
  assert.ok(main.filter(([, v]) => v === 'first').length >= 2, `rewound: ${JSON.stringify(main)}`);
  assert.ok(main.some(([o, v]) => o === 3 && v === 'send'));
  assert.equal(seen.find((s) => s.value === 'send')?.raw, 'send', 'raw bytes are on the record');
  const extra = seen.filter((s) => s.topic === 'ctx-extra');
  assert.equal(extra[0]?.value, 'extra', 'additionalTopics are consumed');
  assert.ok(extra[0]!.at >= resumedAt, 'nothing from a paused partition before resume()');

  const out = await topicRecords(broker.bootstrap, 'ctx-out');
  assert.deepEqual(out[0], { key: 'k', value: 'send' });
  const dlq = await topicRecords(broker.bootstrap, 'ctx-dlq');
  assert.ok(dlq.some((d) => d.value === 'dlq'));

  // preCommit held ctx-main at offset 2; ctx-extra committed in full.
  const commitDeadline = Date.now() + 10_000;
  let offsets: { partition: { kafka_topic: string }; offset: { kafka_offset: number } }[] = [];
  while (Date.now() < commitDeadline) {
    offsets = (await connect.call<{ offsets: typeof offsets }>('GET', '/connectors/ctx/offsets')).body
      .offsets;
    if (offsets.length === 2) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const byTopic = Object.fromEntries(offsets.map((o) => [o.partition.kafka_topic, o.offset.kafka_offset]));
  assert.deepEqual(byTopic, { 'ctx-main': 2, 'ctx-extra': 1 });
});
