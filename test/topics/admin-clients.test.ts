/**
 * Issue 4, done-when #1: admin clients (confluent-kafka and kafka-python) create topics with
 * configs, describe and alter them (legacy AlterConfigs from both, IncrementalAlterConfigs over the
 * wire since neither Debian client version exposes it), and the values survive a broker restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';
import { alterTopic, topicConfigs, WireClient } from './admin-wire.ts';

const CONFLUENT = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic, ConfigResource
from confluent_kafka import KafkaException
a = AdminClient({'bootstrap.servers': sys.argv[1]})
def describe(name):
    out = {}
    for f in a.describe_configs([ConfigResource('topic', name)]).values():
        for k, e in f.result().items():
            out[k] = [e.value, int(e.source), [[s.name, s.value, int(s.source)] for s in e.synonyms.values()]]
    return out
if sys.argv[2] == 'create':
    for f in a.create_topics([NewTopic('ck-orders', num_partitions=3, replication_factor=1,
            config={'retention.ms': '3600000', 'cleanup.policy': 'compact,delete', 'max.message.bytes': '500000'})]).values():
        f.result()
    created = describe('ck-orders')
    for f in a.alter_configs([ConfigResource('topic', 'ck-orders',
            set_config={'retention.ms': '7200000', 'cleanup.policy': 'compact'})]).values():
        f.result()
    print(json.dumps({'created': created, 'altered': describe('ck-orders')}))
else:
    md = a.list_topics(timeout=10)
    print(json.dumps({'configs': describe('ck-orders'), 'partitions': len(md.topics['ck-orders'].partitions)}))
`;

const KAFKA_PYTHON = `
import sys, json
from kafka.admin import KafkaAdminClient, NewTopic, ConfigResource, ConfigResourceType
a = KafkaAdminClient(bootstrap_servers=sys.argv[1])
def describe(name):
    res = a.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])[0].resources[0]
    assert res[0] == 0, res
    return {e[0]: [e[1], e[3]] for e in res[4]}
if sys.argv[2] == 'create':
    r = a.create_topics([NewTopic('kp-events', 2, 1,
            topic_configs={'segment.bytes': '1048576', 'message.timestamp.type': 'LogAppendTime'})])
    assert r.topic_errors[0][1] == 0, r
    created = describe('kp-events')
    r = a.alter_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-events',
            configs={'retention.ms': '60000', 'message.timestamp.type': 'LogAppendTime'})])
    assert r.resources[0][0] == 0, r
    print(json.dumps({'created': created, 'altered': describe('kp-events')}))
else:
    print(json.dumps({'configs': describe('kp-events')}))
`;

type Described = Record<string, [string, number, [string, string, number][]?]>;
const TOPIC = 1;
const DEFAULT = 5;

let dataDir: string;
let broker: TestBroker | undefined;
before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-admin-'));
  broker = await startBroker({ dataDir });
});
after(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function python<T>(script: string, ...args: string[]): Promise<T> {
  const r = await runPython(script, [broker!.bootstrap, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as T;
}

test('confluent-kafka creates a topic with configs, describes sources and synonyms, alters (legacy)', async () => {
  const { created, altered } = await python<{ created: Described; altered: Described }>(CONFLUENT, 'create');
  assert.deepEqual(created['retention.ms']!.slice(0, 2), ['3600000', TOPIC]);
  assert.deepEqual(created['cleanup.policy']!.slice(0, 2), ['compact,delete', TOPIC]);
  assert.deepEqual(created['max.message.bytes']!.slice(0, 2), ['500000', TOPIC]);
  assert.deepEqual(created['segment.ms']!.slice(0, 2), ['604800000', DEFAULT]);
  // Synonyms: the override first, then the broker-level default it shadows.
  assert.deepEqual(created['retention.ms']![2], [
    ['retention.ms', '3600000', TOPIC],
    ['log.retention.ms', '604800000', DEFAULT],
  ]);
  // Legacy AlterConfigs replaces the whole set: max.message.bytes returns to the broker default.
  assert.deepEqual(altered['retention.ms']!.slice(0, 2), ['7200000', TOPIC]);
  assert.deepEqual(altered['cleanup.policy']!.slice(0, 2), ['compact', TOPIC]);
  assert.deepEqual(altered['max.message.bytes']!.slice(0, 2), [String(1024 * 1024 + 12), DEFAULT]);
});

test('kafka-python creates a topic with configs, describes and alters it (legacy)', async () => {
  const { created, altered } = await python<{ created: Described; altered: Described }>(
    KAFKA_PYTHON,
    'create',
  );
  assert.deepEqual(created['segment.bytes'], ['1048576', TOPIC]);
  assert.deepEqual(created['message.timestamp.type'], ['LogAppendTime', TOPIC]);
  assert.deepEqual(created['retention.ms'], ['604800000', DEFAULT]);
  assert.deepEqual(altered['retention.ms'], ['60000', TOPIC]);
  assert.deepEqual(altered['segment.bytes'], ['1073741824', DEFAULT]);
});

test('IncrementalAlterConfigs sets, deletes, appends and subtracts; validateOnly changes nothing', async () => {
  const c = await WireClient.open(broker!.port);
  try {
    assert.deepEqual(await alterTopic(c, 'ck-orders', [['delete.retention.ms', 0, '1000']], true), [0, null]);
    assert.equal((await topicConfigs(c, 'ck-orders')).get('delete.retention.ms')![1], DEFAULT);
    assert.deepEqual(
      await alterTopic(c, 'ck-orders', [
        ['delete.retention.ms', 0, '1000'],
        ['retention.ms', 1, null],
        ['cleanup.policy', 2, 'delete'],
      ]),
      [0, null],
    );
    let configs = await topicConfigs(c, 'ck-orders');
    assert.deepEqual(configs.get('delete.retention.ms'), ['1000', TOPIC]);
    assert.deepEqual(configs.get('retention.ms'), ['604800000', DEFAULT]);
    assert.deepEqual(configs.get('cleanup.policy'), ['compact,delete', TOPIC]);
    // Subtract from kp-events' default (delete) and append: delete -> delete,compact -> compact.
    assert.deepEqual(await alterTopic(c, 'kp-events', [['cleanup.policy', 2, 'compact']]), [0, null]);
    assert.deepEqual(await alterTopic(c, 'kp-events', [['cleanup.policy', 3, 'delete']]), [0, null]);
    configs = await topicConfigs(c, 'kp-events');
    assert.deepEqual(configs.get('cleanup.policy'), ['compact', TOPIC]);
    assert.deepEqual(configs.get('retention.ms'), ['60000', TOPIC]);
  } finally {
    c.close();
  }
});

test('created and altered configs persist across a broker restart', async () => {
  await broker!.stop();
  broker = await startBroker({ dataDir });
  const ck = await python<{ configs: Described; partitions: number }>(CONFLUENT, 'describe');
  assert.equal(ck.partitions, 3);
  assert.deepEqual(ck.configs['cleanup.policy']!.slice(0, 2), ['compact,delete', TOPIC]);
  assert.deepEqual(ck.configs['delete.retention.ms']!.slice(0, 2), ['1000', TOPIC]);
  assert.deepEqual(ck.configs['retention.ms']!.slice(0, 2), ['604800000', DEFAULT]);
  const kp = await python<{ configs: Described }>(KAFKA_PYTHON, 'describe');
  assert.deepEqual(kp.configs['retention.ms'], ['60000', TOPIC]);
  assert.deepEqual(kp.configs['message.timestamp.type'], ['LogAppendTime', TOPIC]);
  assert.deepEqual(kp.configs['cleanup.policy'], ['compact', TOPIC]);
});
