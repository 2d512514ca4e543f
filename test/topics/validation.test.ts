/**
 * Issue 4, done-when #6: invalid configs and names are refused with precise error codes and
 * Kafka's messages (CreateTopics from confluent-kafka and the wire, AlterConfigs and
 * IncrementalAlterConfigs); config changes take effect on the produce path at once
 * (max.message.bytes, message.timestamp.type, message.timestamp.difference.max.ms).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import { readProduceResponse } from '../../src/protocol/generated/messages/produce-response.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { runPython } from '../helpers/run.ts';
import { alterTopic, createTopics, incrementalAlterConfigs, topicConfigs, WireClient } from './admin-wire.ts';

const CREATE = `
import sys, json
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka import KafkaException
a = AdminClient({'bootstrap.servers': sys.argv[1]})
out = {}
for spec in json.loads(sys.argv[2]):
    t = NewTopic(spec['name'], num_partitions=spec.get('partitions', 1),
                 replication_factor=spec.get('rf', 1), config=spec.get('config', {}))
    try:
        a.create_topics([t], validate_only=True)[spec['name']].result()
        out[spec['name']] = [0, None]
    except KafkaException as e:
        out[spec['name']] = [e.args[0].code(), e.args[0].str()]
print(json.dumps(out))
`;

let broker: TestBroker;
let c: WireClient;
before(async () => {
  broker = await startBroker();
  c = await WireClient.open(broker.port);
  const res = await createTopics(c, 7, {
    topics: [
      { name: 'valid', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
      { name: 'a_b', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] },
    ],
    timeoutMs: 5000,
    validateOnly: false,
  });
  assert.deepEqual(
    res.topics.map((t) => t.errorCode),
    [0, 0],
  );
});
after(async () => {
  c?.close();
  await broker?.stop();
});

test('CreateTopics (confluent-kafka) refuses bad configs, names, partition counts and replication factors', async () => {
  const specs = [
    { name: 'unknown-config', config: { 'retention.msec': '1' } },
    { name: 'bad-long', config: { 'retention.ms': 'soon' } },
    { name: 'below-min', config: { 'retention.ms': '-5' } },
    { name: 'bad-policy', config: { 'cleanup.policy': 'compact,shred' } },
    { name: 'bad-type', config: { 'message.timestamp.type': 'BrokerTime' } },
    { name: 'bad-ratio', config: { 'min.cleanable.dirty.ratio': '1.5' } },
    { name: 'bad-lags', config: { 'min.compaction.lag.ms': '5000', 'max.compaction.lag.ms': '1000' } },
    { name: 'bad name!' },
    { name: 'x'.repeat(250) },
    { name: 'a.b' },
    { name: 'valid' },
    { name: 'too-many', partitions: 10_001 },
    { name: 'replicated', rf: 3 },
    { name: 'fine', partitions: 3, config: { 'cleanup.policy': 'compact,delete', 'retention.ms': '-1' } },
  ];
  const r = await runPython(CREATE, [broker.bootstrap, JSON.stringify(specs)]);
  assert.equal(r.code, 0, r.stderr);
  const got = JSON.parse(r.stdout) as Record<string, [number, string | null]>;
  const expected: Record<string, [number, string | null]> = {
    'unknown-config': [ErrorCode.INVALID_CONFIG, 'Unknown topic config name: retention.msec'],
    'bad-long': [
      ErrorCode.INVALID_CONFIG,
      'Invalid value soon for configuration retention.ms: Not a number of type LONG',
    ],
    'below-min': [
      ErrorCode.INVALID_CONFIG,
      'Invalid value -5 for configuration retention.ms: Value must be at least -1',
    ],
    'bad-policy': [
      ErrorCode.INVALID_CONFIG,
      'Invalid value compact,shred for configuration cleanup.policy: String must be one of: compact, delete',
    ],
    'bad-type': [
      ErrorCode.INVALID_CONFIG,
      'Invalid value BrokerTime for configuration message.timestamp.type: String must be one of: CreateTime, LogAppendTime',
    ],
    'bad-ratio': [
      ErrorCode.INVALID_CONFIG,
      'Invalid value 1.5 for configuration min.cleanable.dirty.ratio: Value must be no more than 1',
    ],
    'bad-lags': [
      ErrorCode.INVALID_CONFIG,
      'conflict topic config setting min.compaction.lag.ms (5000) > max.compaction.lag.ms (1000)',
    ],
    'bad name!': [
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name "bad name!" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
    ],
    ['x'.repeat(250)]: [
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      `Topic name is illegal, it can't be longer than 249 characters, topic name: ${'x'.repeat(250)}`,
    ],
    'a.b': [ErrorCode.INVALID_TOPIC_EXCEPTION, "Topic 'a.b' collides with existing topic: a_b"],
    valid: [ErrorCode.TOPIC_ALREADY_EXISTS, "Topic 'valid' already exists."],
    'too-many': [ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be at most 10000.'],
    replicated: [
      ErrorCode.INVALID_REPLICATION_FACTOR,
      'Unable to replicate the partition 3 time(s): The target replication factor of 3 cannot be reached because only 1 broker(s) are registered.',
    ],
    fine: [0, null],
  };
  assert.deepEqual(got, expected);
  assert.equal(broker.broker.services.topics.get('fine'), undefined, 'validate_only created a topic');
});

test('IncrementalAlterConfigs refuses bad values, list ops on scalars, duplicates, and leaves the topic untouched', async () => {
  assert.deepEqual(await alterTopic(c, 'valid', [['segment.bytes', 0, '10']]), [
    ErrorCode.INVALID_CONFIG,
    'Invalid value 10 for configuration segment.bytes: Value must be at least 14',
  ]);
  assert.deepEqual(await alterTopic(c, 'valid', [['segment.bytes', 0, '4294967296']]), [
    ErrorCode.INVALID_CONFIG,
    'Invalid value 4294967296 for configuration segment.bytes: Not a number of type INT',
  ]);
  assert.deepEqual(await alterTopic(c, 'valid', [['retention.ms', 2, '5']]), [
    ErrorCode.INVALID_CONFIG,
    'Config value append is not allowed for config key: retention.ms',
  ]);
  assert.deepEqual(await alterTopic(c, 'valid', [['cleanup.policy', 3, 'delete']]), [
    ErrorCode.INVALID_CONFIG,
    'Invalid value  for configuration cleanup.policy: Empty list is not allowed: use delete, compact or both',
  ]);
  assert.deepEqual(
    await alterTopic(c, 'valid', [
      ['retention.ms', 0, '5'],
      ['retention.ms', 1, null],
    ]),
    [ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys'],
  );
  assert.deepEqual(await alterTopic(c, 'valid', [['no.such', 0, '1']]), [
    ErrorCode.INVALID_CONFIG,
    'Unknown topic config name: no.such',
  ]);
  assert.deepEqual(await alterTopic(c, 'missing', [['retention.ms', 0, '5']]), [
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    'Topic missing does not exist',
  ]);
  // A valid change in the same request as an invalid one is not applied.
  assert.equal(
    (
      await alterTopic(c, 'valid', [
        ['retention.ms', 0, '5'],
        ['min.insync.replicas', 0, '2'],
      ])
    )[0],
    ErrorCode.INVALID_CONFIG,
  );
  assert.deepEqual((await topicConfigs(c, 'valid')).get('retention.ms'), ['604800000', 5]);
});

test('broker resources are static: changes answer INVALID_REQUEST naming the configs', async () => {
  const res = await incrementalAlterConfigs(c, 1, {
    validateOnly: false,
    resources: [
      {
        resourceType: 4,
        resourceName: '1',
        configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1' }],
      },
      {
        resourceType: 8,
        resourceName: '1',
        configs: [{ name: 'kafka.nope', configOperation: 0, value: 'INFO' }],
      },
      { resourceType: 99, resourceName: '1', configs: [] },
    ],
  });
  assert.equal(res.responses[0]!.errorCode, ErrorCode.INVALID_REQUEST);
  assert.match(
    res.responses[0]!.errorMessage!,
    /^Cannot update these configs dynamically: log.retention.ms \(set\)/,
  );
  // Broker loggers change at runtime (test/broker/kafka-compat.test.ts); unknown ones are refused.
  assert.equal(res.responses[1]!.errorCode, ErrorCode.INVALID_CONFIG);
  assert.equal(res.responses[1]!.errorMessage, 'Logger kafka.nope does not exist!');
  assert.equal(res.responses[2]!.errorCode, ErrorCode.INVALID_REQUEST);
});

async function produce(topic: string, records: { value: Buffer; timestamp?: number }[]) {
  const batch = buildRecordBatch({ records: records.map((r) => ({ key: null, ...r })) });
  const res = readProduceResponse(
    await c.request(0, 9, (w) =>
      writeProduceRequest(w, 9, {
        transactionalId: null,
        acks: 1,
        timeoutMs: 5000,
        topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
      }),
    ),
    9,
  );
  return res.responses[0]!.partitionResponses[0]!;
}

test('altered max.message.bytes, message.timestamp.type and timestamp limits apply to the next produce', async () => {
  const big = Buffer.alloc(4000, 1);
  assert.equal((await produce('valid', [{ value: big }])).errorCode, 0);
  assert.deepEqual(await alterTopic(c, 'valid', [['max.message.bytes', 0, '2000']]), [0, null]);
  assert.equal((await produce('valid', [{ value: big }])).errorCode, ErrorCode.MESSAGE_TOO_LARGE);

  assert.deepEqual(await alterTopic(c, 'valid', [['message.timestamp.type', 0, 'LogAppendTime']]), [0, null]);
  const stamped = await produce('valid', [{ value: Buffer.from('x'), timestamp: 1000 }]);
  assert.equal(stamped.errorCode, 0);
  assert.ok(stamped.logAppendTimeMs > BigInt(Date.now() - 60_000), 'log append time not echoed');
  const log = broker.broker.services.topics.partition('valid', 0)!;
  const read = log.read(Number(stamped.baseOffset), 1 << 20);
  assert.ok('records' in read && read.records);
  assert.equal(decodeRecordBatch(read.records, 0).header.maxTimestamp, Number(stamped.logAppendTimeMs));

  assert.deepEqual(
    await alterTopic(c, 'valid', [
      ['message.timestamp.type', 1, null],
      ['message.timestamp.difference.max.ms', 0, '3600000'],
    ]),
    [0, null],
  );
  const now = Date.now();
  const old = await produce('valid', [
    { value: Buffer.from('ok'), timestamp: now },
    { value: Buffer.from('old'), timestamp: now - 7_200_000 },
  ]);
  assert.equal(old.errorCode, ErrorCode.INVALID_TIMESTAMP);
  assert.match(
    old.errorMessage!,
    /^Timestamp \d+ of message with offset 1 is out of range\. The timestamp should be within \[\d+, \d+\]$/,
  );
  assert.equal(old.recordErrors[0]?.batchIndex, 1);
  assert.equal(
    (await produce('valid', [{ value: Buffer.from('future'), timestamp: now + 7_200_000 }])).errorCode,
    ErrorCode.INVALID_TIMESTAMP,
  );
  assert.equal((await produce('valid', [{ value: Buffer.from('now'), timestamp: now }])).errorCode, 0);
});
