/**
 * samsa/registry's serdes: the wire format (message indexes round-trip for any index list), subject
 * name strategies, auto-register / lookup-only / latest-version modes, Avro reader schemas, clear
 * errors for bytes that are not in the wire format or name an unknown schema — and `samsa
 * topics:tail --format` decoding records that Confluent's serializers wrote through the broker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AvroSerializer,
  ProtobufSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import fc from 'fast-check';
import { Kafka, logLevel } from 'kafkajs';
import {
  decodeMessageIndexes,
  decodeWire,
  deserializer,
  encodeMessageIndexes,
  encodeWire,
  RegistryClient,
  SchemaDeserializer,
  SchemaSerializer,
  SerializationError,
  serializer,
  WireFormatError,
} from '../../src/registry/index.ts';
import { samsaInProcess } from '../cli/run-cli.ts';
import { call, type Stack, startStack } from './helpers.ts';

describe('wire format', () => {
  test('magic byte and big-endian id', () => {
    const bytes = encodeWire(258, Buffer.from('abc'));
    assert.deepEqual([...bytes], [0, 0, 0, 1, 2, 97, 98, 99]);
    assert.deepEqual(decodeWire(bytes), { id: 258, payload: Buffer.from('abc') });
    assert.throws(() => decodeWire(Buffer.from([1, 0, 0, 0, 1])), WireFormatError);
    assert.throws(() => decodeWire(Buffer.from([0, 0, 1])), /too short/);
  });

  test('message indexes: [0] is one zero byte, others zigzag varints, round-trip for any list', () => {
    assert.deepEqual([...encodeMessageIndexes([0])], [0]);
    assert.deepEqual([...encodeMessageIndexes([1])], [2, 2]);
    assert.deepEqual([...encodeMessageIndexes([0, 2])], [4, 0, 4]);
    assert.deepEqual([...encodeMessageIndexes([200])], [2, 0x90, 0x03]);
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 8 }),
        fc.uint8Array(),
        (indexes, body) => {
          const prefix = encodeMessageIndexes(indexes);
          const { indexes: back, message } = decodeMessageIndexes(Buffer.concat([prefix, body]));
          assert.deepEqual(back, indexes.length === 1 && indexes[0] === 0 ? [0] : indexes);
          assert.deepEqual([...message], [...body]);
        },
      ),
    );
    assert.throws(() => decodeMessageIndexes(Buffer.from([0x80])), /Truncated/);
    assert.throws(() => decodeMessageIndexes(Buffer.from([1])), /Invalid Protobuf message index count -1/);
  });
});

describe('serializers and deserializers against the registry', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.stop());

  const event = { type: 'record', name: 'Event', namespace: 'app', fields: [{ name: 'n', type: 'int' }] };

  test('subject name strategies', async () => {
    const client = new RegistryClient({ url: stack.url });
    await new SchemaSerializer({ registry: client, format: 'avro', schema: event }).serialize('topic-a', {
      n: 1,
    });
    await new SchemaSerializer({ registry: client, format: 'avro', schema: event, isKey: true }).serialize(
      'topic-a',
      { n: 1 },
    );
    await new SchemaSerializer({
      registry: client,
      format: 'avro',
      schema: event,
      subjectNameStrategy: 'RecordNameStrategy',
    }).serialize('topic-b', { n: 1 });
    await new SchemaSerializer({
      registry: client,
      format: 'avro',
      schema: event,
      subjectNameStrategy: 'TopicRecordNameStrategy',
    }).serialize('topic-c', {
      n: 1,
    });
    await new SchemaSerializer({
      registry: client,
      format: 'protobuf',
      schema:
        'syntax = "proto3";\npackage pkg;\nmessage First { int32 a = 1; }\nmessage Second { int32 b = 1; }',
      messageType: 'pkg.Second',
      subjectNameStrategy: 'RecordNameStrategy',
    }).serialize('topic-d', { b: 1 });
    await new SchemaSerializer({
      registry: client,
      format: 'jsonschema',
      schema: { title: 'Titled', type: 'object' },
      subjectNameStrategy: (topic, isKey) => `custom.${topic}.${isKey}`,
    }).serialize('topic-e', {});
    const subjects = (await call(stack.url, 'GET', '/subjects')).body as string[];
    for (const s of [
      'topic-a-value',
      'topic-a-key',
      'app.Event',
      'topic-c-app.Event',
      'pkg.Second',
      'custom.topic-e.false',
    ])
      assert.ok(subjects.includes(s), `${s} in ${subjects.join(', ')}`);
    await client.close();
  });

  test('lookup-only mode finds a registered schema and refuses an unregistered one', async () => {
    await serializer({ registry: stack.url, format: 'avro', schema: event })('lookups', { n: 1 });
    const lookupOnly = serializer({
      registry: stack.url,
      format: 'avro',
      schema: event,
      autoRegister: false,
    });
    assert.ok(await lookupOnly('lookups', { n: 2 }));
    const other = serializer({
      registry: stack.url,
      format: 'avro',
      schema: { ...event, name: 'Other' },
      autoRegister: false,
    });
    await assert.rejects(other('lookups', { n: 3 }), /Schema not found/);
  });

  test('latest-version mode writes with the subject latest schema', async () => {
    await call(stack.url, 'POST', '/subjects/latest-value/versions', { schema: JSON.stringify(event) });
    const evolved = { ...event, fields: [...event.fields, { name: 'm', type: 'string', default: '' }] };
    const { id } = (
      await call(stack.url, 'POST', '/subjects/latest-value/versions', { schema: JSON.stringify(evolved) })
    ).body as {
      id: number;
    };
    const bytes = await serializer({
      registry: stack.url,
      format: 'avro',
      schema: '"null"',
      useLatestVersion: true,
    })('latest', {
      n: 1,
      m: 'x',
    });
    assert.equal(bytes!.readInt32BE(1), id);
  });

  test('schemaId mode writes with a given registered schema', async () => {
    const { id } = (
      await call(stack.url, 'POST', '/subjects/by-id-value/versions', { schema: JSON.stringify(event) })
    ).body as {
      id: number;
    };
    const bytes = await serializer({ registry: stack.url, format: 'avro', schemaId: id })('whatever-topic', {
      n: 5,
    });
    assert.equal(bytes!.readInt32BE(1), id);
    assert.deepEqual({ ...((await deserializer({ registry: stack.url })('x', bytes)) as object) }, { n: 5 });
    await assert.rejects(
      serializer({ registry: stack.url, format: 'protobuf', schemaId: id })('t', { n: 1 }),
      /is AVRO, not PROTOBUF/,
    );
    assert.throws(
      () => serializer({ registry: stack.url, format: 'avro' }),
      /needs a schema, a schemaId or useLatestVersion/,
    );
  });

  test('an Avro reader schema resolves records written with older and newer schemas', async () => {
    const v1 = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'int' }] };
    const v2 = {
      type: 'record',
      name: 'R',
      fields: [
        { name: 'a', type: 'int' },
        { name: 'b', type: 'string', default: 'dflt' },
      ],
    };
    const old = await serializer({ registry: stack.url, format: 'avro', schema: v1 })('readers', { a: 1 });
    const reader = new SchemaDeserializer({ registry: stack.url, readerSchema: v2 });
    assert.deepEqual({ ...((await reader.deserialize('readers', old)) as object) }, { a: 1, b: 'dflt' });
    const incompatibleReader = new SchemaDeserializer({
      registry: stack.url,
      readerSchema: { type: 'record', name: 'R', fields: [{ name: 'c', type: 'int' }] },
    });
    await assert.rejects(incompatibleReader.deserialize('readers', old), SerializationError);
  });

  test('clear errors: bad values, foreign bytes, unknown ids, the wrong format', async () => {
    await assert.rejects(
      serializer({ registry: stack.url, format: 'avro', schema: event })('errs', { n: 'x' }),
      /does not match the Avro schema/,
    );
    await assert.rejects(
      serializer({
        registry: stack.url,
        format: 'protobuf',
        schema: 'syntax = "proto3";\nmessage P { int32 a = 1; }',
      })('errs-proto', { a: 'x' }),
      /a: integer expected/,
    );
    const read = deserializer({ registry: stack.url });
    await assert.rejects(read('errs', Buffer.from('{"plain":"json"}')), /Unknown magic byte 123/);
    await assert.rejects(read('errs', encodeWire(424242, Buffer.from([1]))), /Schema 424242 not found/);
    const avroBytes = await serializer({ registry: stack.url, format: 'avro', schema: event })('errs', {
      n: 1,
    });
    await assert.rejects(
      deserializer({ registry: stack.url, format: 'protobuf' })('errs', avroBytes),
      /is AVRO, not PROTOBUF/,
    );
    assert.equal(await read('errs', null), null);
    assert.equal(
      await serializer({ registry: stack.url, format: 'avro', schema: event })('errs', null),
      null,
    );
  });

  test('the synchronous paths once the schema is known', async () => {
    const s = new SchemaSerializer({ registry: stack.url, format: 'avro', schema: event });
    assert.equal(s.serializeSync('sync', { n: 1 }), undefined, 'not before the first serialize');
    const first = await s.serialize('sync', { n: 1 });
    assert.deepEqual(s.serializeSync('sync', { n: 1 }), first);
    const d = new SchemaDeserializer({ registry: stack.url });
    assert.equal(d.deserializeSync(first!), undefined);
    await d.deserialize('sync', first);
    assert.deepEqual({ ...(d.deserializeSync(first!) as object) }, { n: 1 });
  });

  test('topics:tail --format decodes what Confluent serializers wrote through the broker', async () => {
    const kafka = new Kafka({
      brokers: [stack.broker.bootstrap],
      clientId: 'tail-formats',
      logLevel: logLevel.NOTHING,
    });
    const client = new SchemaRegistryClient({ baseURLs: [stack.url] });
    const avroSchema = {
      type: 'record',
      name: 'Trade',
      fields: [
        { name: 'sym', type: 'string' },
        { name: 'px', type: 'double' },
        { name: 'raw', type: 'bytes' },
      ],
    };
    await client.register('trades-value', { schemaType: 'AVRO', schema: JSON.stringify(avroSchema) });
    const avro = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    await client.register('ticks-value', {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3";\npackage m;\nmessage Tick { string sym = 1; int64 seq = 2; }\n',
    });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: 'trades',
      messages: [
        {
          key: 'k1',
          value: await avro.serialize('trades', { sym: 'ACME', px: 10.5, raw: Buffer.from([1, 2]) }),
        },
        { key: 'k2', value: 'not wire format' },
      ],
    });
    const tick = await serializer({
      registry: stack.url,
      format: 'protobuf',
      schema: 'syntax = "proto3";\npackage m;\nmessage Tick { string sym = 1; int64 seq = 2; }\n',
    })('ticks', { sym: 'X', seq: '9007199254740993' });
    await producer.send({ topic: 'ticks', messages: [{ value: tick }] });
    await producer.disconnect();
    assert.ok(ProtobufSerializer, 'Confluent Protobuf serializer importable');

    const env = { KAFKA_URL: stack.broker.bootstrap };
    const json = await samsaInProcess(
      [
        'topics:tail',
        'trades',
        '--from-beginning',
        '-n',
        '2',
        '--format',
        'avro',
        '--registry-url',
        stack.url,
        '--json',
      ],
      { env },
    );
    assert.equal(json.code, 0, json.stderr);
    const [first, second] = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(first!.value, { sym: 'ACME', px: 10.5, raw: 'AQI=' });
    assert.equal(typeof first!.valueSchemaId, 'number');
    assert.equal(second!.value, 'not wire format');
    assert.match(String(second!.valueError), /Unknown magic byte/);

    const text = await samsaInProcess(
      ['topics:tail', 'ticks', '--from-beginning', '-n', '1', '--format', 'protobuf'],
      {
        env: { ...env, SCHEMA_REGISTRY_URL: stack.url },
      },
    );
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /"sym": "X",\n {2}"seq": "9007199254740993"/);

    const wrong = await samsaInProcess(['topics:tail', 'ticks', '--format', 'thrift'], { env });
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /--format must be one of avro, jsonschema, protobuf, got "thrift"/);
  });
});
