/**
 * Debian's python3-confluent-kafka (1.7) against the registry and broker: its SchemaRegistryClient
 * (register, ids, versions, lookup, compatibility, SchemaRegistryError codes, deletes), its JSON
 * Schema serializer, and its Protobuf serializer — which registers base64 FileDescriptorProtos —
 * producing records Samsa's deserializer reads, and its deserializers reading what Samsa's
 * serializers wrote (test/registry/python/registry_client.py).
 *
 * Not covered: its Avro serializer, which needs fastavro; Debian bookworm packages no
 * python3-fastavro (python3-avro exists, but confluent-kafka does not use it). Its Protobuf
 * serializer writes message indexes as unsigned varints (fixed in later releases), which agrees
 * with the wire format only for the first message of a file — the case used here.
 * Needs python3-requests, python3-jsonschema and python3-protobuf (.ci/run installs them).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { deserializer, serializer } from '../../src/registry/index.ts';
import { PYTHON, run } from '../helpers/run.ts';
import { type Stack, startStack } from './helpers.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.stop());

const JSON_SCHEMA = {
  title: 'Reading',
  type: 'object',
  properties: { n: { type: 'integer' }, s: { type: 'string' } },
  required: ['n'],
};
const PROTO = 'syntax = "proto3";\npackage py;\nmessage Event {\n  int64 id = 1;\n  string kind = 2;\n}\n';

async function consume(kafka: Kafka, topic: string, count: number): Promise<Buffer[]> {
  // A short fetch wait: disconnect() waits for the fetch in flight (KafkaJS's default 5 s long poll).
  const consumer = kafka.consumer({ groupId: `node-reader-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value!);
          if (values.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values;
}

test('python3-confluent-kafka: registry client, JSON Schema and Protobuf serdes both ways', async () => {
  const kafka = new Kafka({
    brokers: [stack.broker.bootstrap],
    clientId: 'python-registry',
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: ['node-json', 'node-proto', 'py-json', 'py-proto'].map((topic) => ({ topic })),
  });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const toJson = serializer({ registry: stack.url, format: 'jsonschema', schema: JSON_SCHEMA });
  const toProto = serializer({ registry: stack.url, format: 'protobuf', schema: PROTO });
  await producer.send({
    topic: 'node-json',
    messages: await Promise.all(
      [1, 2, 3].map(async (n) => ({ value: await toJson('node-json', { n, s: 'node' }) })),
    ),
  });
  await producer.send({
    topic: 'node-proto',
    messages: await Promise.all(
      [1, 2, 3].map(async (i) => ({ value: await toProto('node-proto', { id: i, kind: 'node' }) })),
    ),
  });
  await producer.disconnect();

  const result = await run(
    PYTHON,
    [join(import.meta.dirname, 'python/registry_client.py'), stack.url, stack.broker.bootstrap],
    {
      timeoutMs: 90_000,
    },
  );
  assert.equal(result.code, 0, result.stderr);
  const steps = Object.fromEntries(
    result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { step: string } & Record<string, unknown>)
      .map((s) => [s.step, s]),
  ) as Record<string, Record<string, unknown>>;

  const client = steps.client!;
  assert.equal(client.again, client.id1, 'registering the same schema again gives its id');
  assert.notEqual(client.id2, client.id1);
  assert.equal(client.latest_version, 2);
  assert.equal(client.latest_id, client.id2);
  assert.equal(client.lookup_version, 1);
  assert.equal(client.fetched_type, 'AVRO');
  assert.equal(
    client.stored,
    '{"type":"record","name":"Py","fields":[{"name":"a","type":"string"}]}',
    'canonical form',
  );
  assert.deepEqual(client.versions, [1, 2]);
  assert.ok((client.subjects as string[]).includes('py-avro-value'));

  const compatibility = steps.compatibility!;
  assert.equal(compatibility.level, 'FORWARD');
  assert.equal(compatibility.compatible, false);
  const refused = compatibility.refused as { status: number; code: number; message: string };
  assert.equal(refused.status, 409);
  assert.match(refused.message, /incompatible with an earlier schema/);
  assert.deepEqual(compatibility.missing, { status: 404, code: 40402 });
  assert.equal(steps.deletes!.version, 2);
  assert.deepEqual(steps.deletes!.deleted, [1]);
  assert.ok(!(steps.deletes!.left as string[]).includes('py-avro-value'));
  assert.equal(
    (await fetch(`${stack.url}/schemas/ids/${client.id1}`)).status,
    404,
    'gone after the permanent delete',
  );

  // What Python wrote, Samsa reads.
  const fromJson = await consume(kafka, 'py-json', 5);
  const read = deserializer({ registry: stack.url });
  assert.deepEqual(
    await Promise.all(fromJson.map((v) => read('py-json', v))),
    [0, 1, 2, 3, 4].map((n) => ({ n, s: 'py' })),
  );
  const fromProto = await consume(kafka, 'py-proto', 5);
  const events = (await Promise.all(fromProto.map((v) => read('py-proto', v)))) as {
    id: string;
    kind: string;
  }[];
  assert.deepEqual(
    events.map((e) => [e.id, e.kind]),
    [0, 1, 2, 3, 4].map((i) => [String(1000 + i), 'py']),
  );
  const protoId = fromProto[0]!.readInt32BE(1);
  const stored = await fetch(`${stack.url}/schemas/ids/${protoId}/schema`).then((r) => r.text());
  assert.equal(
    stored,
    'syntax = "proto3";\npackage py;\n\nmessage Event {\n  int64 id = 1;\n  string kind = 2;\n}\n',
  );
  assert.equal(
    (await toProto('node-proto', { id: 9, kind: 'x' }))!.readInt32BE(1),
    protoId,
    'the descriptor Python registered and the .proto text Samsa registers are the same schema',
  );

  // What Samsa wrote, Python reads.
  assert.deepEqual(
    (steps.consumed as Record<string, unknown>)['node-json'],
    [1, 2, 3].map((n) => ({ n, s: 'node' })),
  );
  assert.deepEqual(
    (steps.consumed as Record<string, unknown>)['node-proto'],
    [1, 2, 3].map((id) => ({ id, kind: 'node' })),
  );
});
