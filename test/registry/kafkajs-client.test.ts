/**
 * @kafkajs/confluent-schema-registry (a client nobody here wrote) against the registry: for Avro,
 * JSON Schema and Protobuf at every compatibility level it sets the subject's level, registers,
 * evolves with a compatible change and is refused an incompatible one (transitive levels refuse a
 * schema that only the first version conflicts with); it encodes and decodes, and records it
 * encodes travel through the broker (KafkaJS producer and consumer) to be decoded by Samsa's
 * deserializer, and Samsa-encoded records back to it.
 *
 * Note: this client writes Protobuf payloads without Confluent's message indexes, so only the
 * Samsa → KafkaJS direction is checked for Protobuf payloads (its decoder skips leading zero bytes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import { COMPATIBILITY_LEVELS } from '../../src/registry/compatibility.ts';
import { deserializer, serializer } from '../../src/registry/index.ts';
import { type Stack, startStack } from './helpers.ts';

let stack: Stack;
let kjs: SchemaRegistry;

before(async () => {
  stack = await startStack();
  kjs = new SchemaRegistry({ host: stack.url }, { [SchemaType.PROTOBUF]: {} });
});
after(() => stack.stop());

type Direction = 'BACKWARD' | 'FORWARD' | 'FULL';

interface History {
  /** v1, v2 (compatible with v1), v3 (compatible with v2, not with v1 — null when the type has no such case). */
  versions: [string, string, string | null];
  /** Incompatible with v2 and v3 (and not registered before). */
  bad: string;
}

const avro = (...fields: object[]) =>
  JSON.stringify({ type: 'record', name: 'Evolving', namespace: 'test', fields });
const f = (name: string, type: unknown, extra: object = {}) => ({ name, type, ...extra });
const json = (properties: object, extra: object = {}) =>
  JSON.stringify({ type: 'object', properties, ...extra });
const proto = (body: string) => `syntax = "proto3";\npackage test;\nmessage Evolving {\n${body}\n}\n`;

const HISTORIES: Record<
  SchemaType.AVRO | SchemaType.JSON | SchemaType.PROTOBUF,
  Record<Direction, History>
> = {
  [SchemaType.AVRO]: {
    BACKWARD: {
      versions: [avro(f('a', 'string')), avro(), avro(f('a', 'int', { default: 0 }))],
      bad: JSON.stringify({ type: 'record', name: 'Renamed', namespace: 'test', fields: [] }),
    },
    FORWARD: {
      versions: [avro(f('a', 'int')), avro(f('a', 'int', { default: 0 })), avro()],
      bad: JSON.stringify({ type: 'record', name: 'Renamed', namespace: 'test', fields: [] }),
    },
    FULL: {
      versions: [avro(f('a', 'int')), avro(f('a', 'int', { default: 0 })), avro()],
      bad: JSON.stringify({ type: 'record', name: 'Renamed', namespace: 'test', fields: [] }),
    },
  },
  [SchemaType.JSON]: {
    BACKWARD: {
      versions: [
        json({ a: { type: 'string' } }, { additionalProperties: false }),
        json({ a: { type: 'string' }, b: { type: 'string' } }, { additionalProperties: false }),
        null,
      ],
      bad: json({ a: { type: 'string' }, c: { type: 'string' } }, { additionalProperties: false }),
    },
    FORWARD: {
      versions: [
        json({ a: { type: 'string' } }),
        json({ a: { type: 'string' }, b: { type: 'string' } }),
        null,
      ],
      bad: json({ a: { type: 'integer' }, b: { type: 'string' } }),
    },
    FULL: {
      versions: [
        json({ a: { type: 'string' } }, { title: 'one' }),
        json({ a: { type: 'string' } }, { title: 'two' }),
        null,
      ],
      bad: json({ a: { type: 'integer' } }, { title: 'two' }),
    },
  },
  [SchemaType.PROTOBUF]: Object.fromEntries(
    (['BACKWARD', 'FORWARD', 'FULL'] as const).map((d) => [
      d,
      {
        versions: [
          proto('  int32 a = 1;\n  string keep = 2;'),
          proto('  string keep = 2;'),
          proto('  string keep = 2;\n  string a = 1;'),
        ],
        bad: proto('  int64 keep = 2;'),
      },
    ]),
  ) as Record<Direction, History>,
};

describe('register and evolve at every level', () => {
  for (const type of [SchemaType.AVRO, SchemaType.JSON, SchemaType.PROTOBUF] as const) {
    for (const level of COMPATIBILITY_LEVELS) {
      test(`${type} ${level}`, async () => {
        const subject = `evolve-${type}-${level}`.toLowerCase();
        const direction: Direction =
          level === 'NONE' ? 'BACKWARD' : (level.replace('_TRANSITIVE', '') as Direction);
        const { versions, bad } = HISTORIES[type][direction];
        const register = (schema: string) =>
          kjs.register({ type, schema } as never, { subject, compatibility: level as never });
        const first = await register(versions[0]);
        const config = await fetch(`${stack.url}/config/${subject}`).then((r) => r.json());
        assert.deepEqual(config, { compatibilityLevel: level });
        const second = await register(versions[1]);
        assert.notEqual(second.id, first.id);
        assert.deepEqual(await register(versions[1]), second, 'registering again returns the same id');
        if (versions[2] !== null) {
          if (level.endsWith('_TRANSITIVE')) {
            await assert.rejects(register(versions[2]), (err: Error & { status?: number }) => {
              assert.equal(err.status, 409);
              assert.match(err.message, /incompatible with an earlier schema/);
              return true;
            });
          } else assert.ok((await register(versions[2])).id > 0);
        }
        if (level === 'NONE') assert.ok((await register(bad)).id > 0);
        else
          await assert.rejects(register(bad), (err: Error & { status?: number }) => {
            assert.equal(err.status, 409);
            return true;
          });
        // the client finds ids by subject and version
        assert.equal(await kjs.getRegistryId(subject, 1), first.id);
        assert.equal(
          await kjs.getRegistryIdBySchema(subject, { type, schema: versions[0] } as never),
          first.id,
        );
      });
    }
  }
});

describe('encode and decode', () => {
  const user = {
    type: 'record',
    name: 'User',
    namespace: 'com.example',
    fields: [
      { name: 'name', type: 'string' },
      { name: 'age', type: ['null', 'int'], default: null },
      { name: 'tags', type: { type: 'array', items: 'string' } },
    ],
  };

  test('Avro both ways, with the same schema ids', async () => {
    const { id } = await kjs.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(user) },
      { subject: 'users-value' },
    );
    const theirs = await kjs.encode(id, { name: 'ann', age: 31, tags: ['a'] });
    assert.equal(theirs.readInt32BE(1), id);
    const decoded = (await deserializer({ registry: stack.url })('users', theirs)) as Record<string, unknown>;
    assert.deepEqual({ ...decoded }, { name: 'ann', age: 31, tags: ['a'] });
    const ours = await serializer({ registry: stack.url, format: 'avro', schema: user })('users', {
      name: 'bo',
      age: null,
      tags: [],
    });
    assert.equal(ours!.readInt32BE(1), id, 'the same schema registers to the same id');
    assert.deepEqual({ ...(await kjs.decode(ours!)) }, { name: 'bo', age: null, tags: [] });
  });

  test('JSON Schema both ways', async () => {
    const schema = {
      type: 'object',
      properties: { n: { type: 'integer' }, s: { type: 'string' } },
      required: ['n'],
    };
    const { id } = await kjs.register(
      { type: SchemaType.JSON, schema: JSON.stringify(schema) },
      { subject: 'js-value' },
    );
    const theirs = await kjs.encode(id, { n: 1, s: 'x' });
    assert.deepEqual(await deserializer({ registry: stack.url })('js', theirs), { n: 1, s: 'x' });
    const ours = await serializer({ registry: stack.url, format: 'jsonschema', schema })('js', { n: 2 });
    assert.equal(ours!.readInt32BE(1), id);
    assert.deepEqual(await kjs.decode(ours!), { n: 2 });
    await assert.rejects(
      serializer({ registry: stack.url, format: 'jsonschema', schema })('js', { s: 'no n' }),
      /does not match the JSON schema/,
    );
  });

  test('Protobuf: Samsa-encoded messages (with message indexes) decode in KafkaJS', async () => {
    const schema =
      'syntax = "proto3";\npackage shop;\nmessage Head { string x = 1; }\nmessage Line { string sku = 1; int32 qty = 2; }\n';
    const { id } = await kjs.register({ type: SchemaType.PROTOBUF, schema }, { subject: 'lines-value' });
    const ours = await serializer({
      registry: stack.url,
      format: 'protobuf',
      schema,
      messageType: 'shop.Line',
    })('lines', {
      sku: 'p-1',
      qty: 3,
    });
    assert.equal(ours!.readInt32BE(1), id);
    assert.deepEqual([...ours!.subarray(5, 7)], [2, 2], 'message indexes [1]: count 1, index 1 (zigzag)');
    assert.deepEqual(await deserializer({ registry: stack.url })('lines', ours), { sku: 'p-1', qty: 3 });
    const first = await serializer({ registry: stack.url, format: 'protobuf', schema })('lines', { x: 'y' });
    assert.equal(first![5], 0, 'the first message is the single byte 0');
    const theirs = await kjs.decode(first!);
    assert.equal((theirs as unknown as { x: string }).x, 'y');
  });
});

describe('through the broker', () => {
  test('records encoded by KafkaJS and by Samsa are read back by the other side', async () => {
    const kafka = new Kafka({
      brokers: [stack.broker.bootstrap],
      clientId: 'kjs-registry',
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'people', numPartitions: 2 }] });
    await admin.disconnect();
    const schema = {
      type: 'record',
      name: 'Person',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'name', type: 'string' },
      ],
    };
    const { id } = await kjs.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: 'people-value' },
    );
    const serialize = serializer({ registry: stack.url, format: 'avro', schema });
    const producer = kafka.producer();
    await producer.connect();
    const messages = [];
    for (let i = 0; i < 60; i++) {
      const value =
        i % 2 === 0
          ? await kjs.encode(id, { id: i, name: `k${i}` })
          : await serialize('people', { id: i, name: `s${i}` });
      messages.push({ key: String(i), value: value! });
    }
    await producer.send({ topic: 'people', messages });
    await producer.disconnect();

    // A short fetch wait: disconnect() waits for the fetch in flight (KafkaJS's default 5 s long poll).
    const consumer = kafka.consumer({ groupId: 'people-readers', maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'people', fromBeginning: true });
    const deserialize = deserializer({ registry: stack.url, format: 'avro' });
    const seen = new Map<number, string>();
    const viaKafkajs = new Map<number, string>();
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const ours = (await deserialize('people', message.value)) as { id: number; name: string };
            const theirs = (await kjs.decode(message.value!)) as { id: number; name: string };
            seen.set(ours.id, ours.name);
            viaKafkajs.set(theirs.id, theirs.name);
            if (seen.size === 60) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    for (let i = 0; i < 60; i++) {
      const name = `${i % 2 === 0 ? 'k' : 's'}${i}`;
      assert.equal(seen.get(i), name);
      assert.equal(viaKafkajs.get(i), name);
    }
  });
});
