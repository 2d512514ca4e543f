/**
 * Answers other clients compare with Kafka's (issue 20): nullable strings are null, a handler that
 * throws answers UNKNOWN_SERVER_ERROR in its own response (logged with its stack) and the
 * connection stays open. KafkaJS decodes the answers; one broker, its log captured.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Admin } from '@platformatic/kafka';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { DEFAULT_CONFIG } from '../../src/broker/config.ts';
import type { AnyHandler } from '../../src/broker/handler.ts';
import { loadAllHandlers } from '../../src/broker/handlers/index.ts';
import { Broker } from '../../src/broker/server.ts';
import { API_KEY_BY_ID } from '../../src/protocol/generated/api-keys.ts';
import { writeDescribeGroupsRequest } from '../../src/protocol/generated/messages/describe-groups-request.ts';
import { readDescribeGroupsResponse } from '../../src/protocol/generated/messages/describe-groups-response.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { kafkajsRequest } from '../helpers/kafkajs-wire.ts';
import { run, runPython } from '../helpers/run.ts';
import { SampleGen } from '../protocol/sample-gen.ts';
import { produceBatch, WireClient } from './kafka-wire.ts';

const logLines: Record<string, unknown>[] = [];
let broker: Broker;
let dataDir: string;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'samsa-compat-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line));
      done();
    },
  });
  const logger = pino({ level: 'warn' }, sink);
  broker = await Broker.start(
    { ...DEFAULT_CONFIG, port: 0, dataDir, groupInitialRebalanceDelayMs: 0, logLevel: 'warn' },
    { logger },
  );
});
after(async () => {
  await broker?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function kafka(): Kafka {
  return new Kafka({ clientId: 'compat', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });
}

describe('nullable strings', () => {
  it('CreateTopics v3 answers errorMessage null on success, as Kafka does (KafkaJS decoder)', async () => {
    const res = await kafkajsRequest(broker.port, 'createTopics', 3, {
      topics: [{ topic: 'nullable-ok', numPartitions: 1, replicationFactor: 1 }],
      timeout: 5000,
    });
    assert.deepEqual(res.topicErrors, [{ topic: 'nullable-ok', errorCode: 0, errorMessage: null }]);
  });
});

/** Every errorCode in a decoded response, at any depth. */
function errorCodes(value: unknown, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) errorCodes(v, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if ((k === 'errorCode' || k.endsWith('ErrorCode')) && typeof v === 'number') out.push(v);
      else errorCodes(v, out);
    }
  return out;
}

describe('a handler that throws', () => {
  it('every API has an error response that encodes at every version with UNKNOWN_SERVER_ERROR', async () => {
    const missing: string[] = [];
    for (const h of await loadAllHandlers()) {
      const name = API_KEY_BY_ID.get(h.apiKey)!.name;
      const file = name.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase());
      const samples = await import(`../protocol/samples/messages/${file}-request.ts`);
      const codec = await import(`../../src/protocol/generated/messages/${file}-response.ts`);
      const sample = samples[`sample${name}Request`];
      const read = codec[`read${name}Response`];
      for (let v = h.minVersion; v <= h.maxVersion; v++) {
        let answered = false;
        for (let seed = 1; seed <= 6; seed++) {
          const res = h.errorResponse(sample(new SampleGen(seed * 7919 + v), v), -1, v);
          const w = new Writer(64);
          h.writeResponse(w, v, res);
          const decoded = read(new Reader(w.toBuffer()), v);
          const codes = errorCodes(decoded);
          assert.ok(
            codes.every((c) => c === -1 || c === 0),
            `${name} v${v}: ${codes}`,
          );
          answered ||= codes.includes(-1);
        }
        // Some request of those names a topic, group or resource: its answer carries the error.
        if (!answered) missing.push(`${name} v${v}`);
      }
    }
    assert.deepEqual(missing, [], 'APIs whose error response carries no UNKNOWN_SERVER_ERROR');
  });

  it('answers UNKNOWN_SERVER_ERROR, logs the stack and keeps the connection open', async () => {
    const handler = (await broker.services.handlers.load(15)) as AnyHandler;
    const original = handler.handle;
    handler.handle = () => {
      throw new Error('boom in DescribeGroups');
    };
    const client = await WireClient.open(broker.port);
    const admin = kafka().admin();
    try {
      await admin.connect();
      // KafkaJS's text for UNKNOWN_SERVER_ERROR (-1).
      await assert.rejects(admin.describeGroups(['g1']), /unexpected error when processing the request/);
      const describe = async () =>
        readDescribeGroupsResponse(
          await client.request(15, 5, (w) =>
            writeDescribeGroupsRequest(w, 5, { groups: ['g1'], includeAuthorizedOperations: false }),
          ),
          5,
        ).groups[0]!.errorCode;
      assert.equal(await describe(), -1);
      handler.handle = original;
      assert.equal(await describe(), 0, 'the same connection answers the next request');
      assert.equal(client.closed, false);
      const line = logLines.find((l) => String(l.msg).includes('DescribeGroups handler failed'));
      assert.ok(line, 'the failure is logged');
      assert.match(String((line.err as { stack?: string }).stack), /boom in DescribeGroups\n\s+at /);
    } finally {
      handler.handle = original;
      client.close();
      await admin.disconnect();
    }
  });
});

describe('record batches', () => {
  it('carry the partition leader epoch 0, whatever the producer wrote (kcat, KafkaJS decoder)', async () => {
    // librdkafka (kcat) writes 0; the Java producer writes -1, as this raw batch does. The broker
    // writes its own epoch into every batch, as Kafka does.
    await run('kcat', ['-b', broker.bootstrap, '-P', '-t', 'epoch-topic', '-p', '0'], { input: 'a\n' });
    const client = await WireClient.open(broker.port);
    const batch = buildRecordBatch({
      records: [{ key: null, value: Buffer.from('b') }],
      partitionLeaderEpoch: -1,
    });
    assert.equal((await produceBatch(client, 'epoch-topic', batch)).errorCode, 0);
    client.close();
    const res = await kafkajsRequest(broker.port, 'fetch', 4, {
      maxWaitTime: 100,
      minBytes: 1,
      maxBytes: 1 << 20,
      topics: [{ topic: 'epoch-topic', partitions: [{ partition: 0, fetchOffset: '0', maxBytes: 1 << 20 }] }],
    });
    const messages = res.responses[0].partitions[0].messages as {
      value: Buffer;
      batchContext: { partitionLeaderEpoch: number };
    }[];
    assert.deepEqual(
      messages.map((m) => [m.value.toString(), m.batchContext.partitionLeaderEpoch]),
      [
        ['a', 0],
        ['b', 0],
      ],
    );
  });
});

const COMMIT_SCRIPT = `
import sys
from confluent_kafka import Consumer, TopicPartition
for pair in sys.argv[2:]:
    group, topic = pair.split(':')
    c = Consumer({'bootstrap.servers': sys.argv[1], 'group.id': group, 'enable.auto.commit': False})
    c.commit(offsets=[TopicPartition(topic, 0, 5)], asynchronous=False)
    c.close()
print('ok')
`;

describe('deleting a topic', () => {
  it('removes its committed offsets from every group; a group left empty without offsets goes (KafkaJS admin)', async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'doomed', numPartitions: 2 }, { topic: 'kept' }] });
      // librdkafka commits (simple commits, no membership), as a tool resetting offsets would.
      const commits = await runPython(COMMIT_SCRIPT, [
        broker.bootstrap,
        'both-topics:doomed',
        'both-topics:kept',
        'only-doomed:doomed',
      ]);
      assert.equal(commits.stdout.trim(), 'ok', commits.stderr);
      const groupIds = async () => (await admin.listGroups()).groups.map((g) => g.groupId).sort();
      assert.deepEqual(await groupIds(), ['both-topics', 'only-doomed']);

      await admin.deleteTopics({ topics: ['doomed'] });
      const left = await admin.fetchOffsets({ groupId: 'both-topics' });
      assert.deepEqual(
        left.map((t) => [t.topic, t.partitions.map((p) => [p.partition, p.offset])]),
        [['kept', [[0, '5']]]],
      );
      assert.deepEqual(await groupIds(), ['both-topics'], 'the group with only the deleted topic is gone');
      assert.ok(!(await admin.listTopics()).includes('doomed'), 'describing the group did not re-create it');
    } finally {
      await admin.disconnect();
    }
  });

  it('Metadata v4+ creates a missing topic only when the request allows it (KafkaJS decoder)', async () => {
    const ask = (allowAutoTopicCreation: boolean) =>
      kafkajsRequest(broker.port, 'metadata', 4, { topics: ['maybe-created'], allowAutoTopicCreation });
    const refused = await ask(false);
    assert.equal(refused.topicMetadata[0].topicErrorCode, 3, 'UNKNOWN_TOPIC_OR_PARTITION');
    assert.equal(broker.services.topics.get('maybe-created'), undefined);
    const created = await ask(true);
    assert.equal(created.topicMetadata[0].topicErrorCode, 0);
    assert.ok(broker.services.topics.get('maybe-created'));
  });
});

const DESCRIBE_BROKER_SCRIPT = `
import sys, json
from confluent_kafka.admin import AdminClient, ConfigResource
a = AdminClient({'bootstrap.servers': sys.argv[1]})
res = ConfigResource(ConfigResource.Type.BROKER, sys.argv[2])
out = {}
for r, f in a.describe_configs([res]).items():
    for name, e in f.result(15).items():
        out[name] = {'value': e.value, 'source': e.source, 'default': e.is_default, 'read_only': e.is_read_only,
                     'sensitive': e.is_sensitive,
                     'synonyms': [[s.name, s.value, s.source] for s in e.synonyms.values()]}
print(json.dumps(out))
`;

describe('DescribeConfigs for the broker', () => {
  it("lists the whole configuration with Kafka's names, sources and defaults (librdkafka AdminClient)", async () => {
    const res = await runPython(DESCRIBE_BROKER_SCRIPT, [broker.bootstrap, String(broker.config.nodeId)]);
    const configs = JSON.parse(res.stdout) as Record<
      string,
      {
        value: string;
        source: number;
        default: boolean;
        read_only: boolean;
        sensitive: boolean;
        synonyms: [string, string, number][];
      }
    >;
    // Settings a single node accepts but cannot change, as Kafka lists them.
    assert.deepEqual(
      { ...configs['default.replication.factor'], synonyms: undefined },
      { value: '1', source: 5, default: true, read_only: true, sensitive: false, synonyms: undefined },
    );
    assert.equal(configs['min.insync.replicas']?.value, '1');
    assert.equal(configs['num.network.threads']?.value, '1');
    // Differs from Kafka's default: a static setting.
    assert.deepEqual(
      { ...configs['offsets.topic.replication.factor'], synonyms: undefined },
      { value: '1', source: 4, default: false, read_only: true, sensitive: false, synonyms: undefined },
    );
    assert.equal(configs['group.initial.rebalance.delay.ms']?.value, '0');
    assert.equal(configs['log.retention.ms']?.value, '604800000');
    assert.equal(configs['broker.id']?.value, String(broker.config.nodeId));
    assert.ok(Object.values(configs).every((c) => c.sensitive === false && c.read_only));
    assert.ok(Object.keys(configs).length > 60, `${Object.keys(configs).length} configs`);
  });

  it("lists synonyms in precedence order, the static value then Kafka's default (KafkaJS admin)", async () => {
    const admin = kafka().admin();
    await admin.connect();
    try {
      const { resources } = await admin.describeConfigs({
        resources: [
          {
            type: 4,
            name: String(broker.config.nodeId),
            configNames: [
              'offsets.topic.replication.factor',
              'group.initial.rebalance.delay.ms',
              'default.replication.factor',
            ],
          },
        ],
        includeSynonyms: true,
      });
      const byName = Object.fromEntries(
        resources[0]!.configEntries.map((e) => [
          e.configName,
          e.configSynonyms.map((s) => [s.configValue, s.configSource]),
        ]),
      );
      assert.deepEqual(byName, {
        'offsets.topic.replication.factor': [
          ['1', 4],
          ['3', 5],
        ],
        'group.initial.rebalance.delay.ms': [
          ['0', 4],
          ['3000', 5],
        ],
        'default.replication.factor': [['1', 5]],
      });
    } finally {
      await admin.disconnect();
    }
  });
});

describe('broker loggers (BROKER_LOGGER, type 8)', () => {
  it('lists the loggers and changes a level at runtime (KafkaJS describe, @platformatic/kafka incremental alter)', async () => {
    const node = String(broker.config.nodeId);
    const kafkajs = kafka().admin();
    const platformatic = new Admin({ clientId: 'loggers', bootstrapBrokers: [broker.bootstrap] });
    await kafkajs.connect();
    const levels = async () => {
      const { resources } = await kafkajs.describeConfigs({
        resources: [{ type: 8, name: node }],
        includeSynonyms: false,
      });
      for (const e of resources[0]!.configEntries) {
        assert.equal(e.configSource, 6, 'DYNAMIC_BROKER_LOGGER_CONFIG');
        assert.equal(e.readOnly, false);
      }
      return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    };
    const alter = (configs: { name: string; configOperation: 0 | 1; value?: string }[]) =>
      platformatic.incrementalAlterConfigs({
        resources: [{ resourceType: 8, resourceName: node, configs: configs as never }],
      });
    const created = (topic: string) =>
      logLines.some((l) => l.msg === 'topic created' && l.topic === topic && l.logger === 'samsa.log');
    try {
      assert.deepEqual(await levels(), {
        root: 'WARN',
        'samsa.coordinator.group': 'WARN',
        'samsa.coordinator.transaction': 'WARN',
        'samsa.log': 'WARN',
        'samsa.network': 'WARN',
      });
      await kafkajs.createTopics({ topics: [{ topic: 'quiet-topic' }] });
      assert.equal(created('quiet-topic'), false, 'INFO lines are off at WARN');

      await alter([{ name: 'samsa.log', configOperation: 0, value: 'INFO' }]);
      assert.equal((await levels())['samsa.log'], 'INFO');
      await kafkajs.createTopics({ topics: [{ topic: 'loud-topic' }] });
      assert.equal(created('loud-topic'), true, 'the module logs at its new level');

      // Root reaches the modules not set on their own; DELETE makes a module follow root again.
      await alter([{ name: 'root', configOperation: 0, value: 'ERROR' }]);
      assert.deepEqual([(await levels())['samsa.network'], (await levels())['samsa.log']], ['ERROR', 'INFO']);
      await alter([{ name: 'samsa.log', configOperation: 1 }]);
      assert.equal((await levels())['samsa.log'], 'ERROR');

      // Kafka's validation: unknown logger / level INVALID_CONFIG (40), root cannot be deleted.
      const refused = (configs: Parameters<typeof alter>[0], message: RegExp) =>
        assert.rejects(alter(configs), (err: Error) => message.test(String(err)));
      await refused([{ name: 'kafka.nope', configOperation: 0, value: 'INFO' }], /Configuration is invalid/);
      await refused([{ name: 'root', configOperation: 0, value: 'LOUD' }], /Configuration is invalid/);
      await refused([{ name: 'root', configOperation: 1 }], /request being malformed/); // INVALID_REQUEST
      assert.equal((await levels()).root, 'ERROR', 'refused changes change nothing');
      // Legacy AlterConfigs does not support the resource, as in Kafka.
      await assert.rejects(
        kafkajs.alterConfigs({
          validateOnly: false,
          resources: [{ type: 8, name: node, configEntries: [{ name: 'root', value: 'INFO' }] }],
        }),
        /request being malformed/, // INVALID_REQUEST
      );
    } finally {
      broker.services.loggers.set('root', 'WARN');
      await kafkajs.disconnect();
      await platformatic.close();
    }
  });
});
