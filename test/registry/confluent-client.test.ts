/**
 * Confluent's own JavaScript client, @confluentinc/schemaregistry (nobody here wrote it), against the
 * registry: its SchemaRegistryClient calls (register, ids, versions, lookup, config, compatibility,
 * deletes, its RestError codes), and its Avro, JSON Schema and Protobuf serializers and deserializers
 * — including Protobuf schemas registered as base64 FileDescriptorProtos and fetched back with
 * `format=serialized` — interoperating with Samsa's serdes in both directions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { create, createFileRegistry, type DescMessage } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';
import {
  AvroDeserializer,
  AvroSerializer,
  JsonDeserializer,
  JsonSerializer,
  ProtobufDeserializer,
  ProtobufSerializer,
  RestError,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { deserializer, serializer } from '../../src/registry/index.ts';
import { type Stack, startStack } from './helpers.ts';

let stack: Stack;
let client: SchemaRegistryClient;

before(async () => {
  stack = await startStack();
  client = new SchemaRegistryClient({ baseURLs: [stack.url] });
});
after(() => stack.stop());

async function restError(promise: Promise<unknown>): Promise<RestError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RestError, String(err));
    return err;
  }
  assert.fail('expected a RestError');
}

describe('SchemaRegistryClient', () => {
  const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] });
  const v2 = JSON.stringify({
    type: 'record',
    name: 'Order',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'total', type: 'double', default: 0 },
    ],
  });

  test('register, look up, versions, latest, by id', async () => {
    const id1 = await client.register('orders-value', { schemaType: 'AVRO', schema: v1 });
    const id2 = await client.register('orders-value', { schemaType: 'AVRO', schema: v2 });
    assert.ok(id2 > id1);
    assert.equal(await client.getId('orders-value', { schemaType: 'AVRO', schema: v1 }), id1);
    assert.deepEqual(await client.getAllVersions('orders-value'), [1, 2]);
    assert.ok((await client.getAllSubjects()).includes('orders-value'));
    const latest = await client.getLatestSchemaMetadata('orders-value');
    assert.equal(latest.id, id2);
    assert.equal(latest.version, 2);
    assert.equal(latest.schema, v2);
    assert.equal(await client.getVersion('orders-value', { schemaType: 'AVRO', schema: v1 }), 1);
    const byId = await client.getBySubjectAndId('orders-value', id1);
    assert.equal(byId.schema, v1);
    const meta = await client.getSchemaMetadata('orders-value', 1);
    assert.equal(meta.id, id1);
  });

  test('compatibility settings and checks', async () => {
    await client.updateCompatibility('orders-value', 'FULL' as never);
    assert.equal(await client.getCompatibility('orders-value'), 'FULL');
    assert.equal(await client.getDefaultCompatibility(), 'BACKWARD');
    const incompatible = JSON.stringify({
      type: 'record',
      name: 'Order',
      fields: [{ name: 'id', type: 'int' }],
    });
    assert.equal(
      await client.testSubjectCompatibility('orders-value', { schemaType: 'AVRO', schema: incompatible }),
      false,
    );
    assert.equal(await client.testCompatibility('orders-value', 1, { schemaType: 'AVRO', schema: v2 }), true);
    const err = await restError(
      client.register('orders-value', { schemaType: 'AVRO', schema: incompatible }),
    );
    assert.equal(err.status, 409);
    assert.equal(err.errorCode, 409);
  });

  test('not-found errors carry Confluent codes', async () => {
    assert.equal((await restError(client.getLatestSchemaMetadata('missing-value'))).errorCode, 40401);
    assert.equal((await restError(client.getSchemaMetadata('orders-value', 42))).errorCode, 40402);
    assert.equal((await restError(client.getBySubjectAndId('orders-value', 987654))).errorCode, 40403);
  });

  test('deletes', async () => {
    await client.register('gone-value', { schemaType: 'AVRO', schema: '"string"' });
    assert.equal(await client.deleteSubjectVersion('gone-value', 1), 1);
    assert.equal(await client.deleteSubjectVersion('gone-value', 1, true), 1);
    await client.register('gone2-value', { schemaType: 'AVRO', schema: '"bytes"' });
    assert.deepEqual(await client.deleteSubject('gone2-value'), [1]);
    assert.deepEqual(await client.deleteSubject('gone2-value', true), [1]);
    assert.equal((await restError(client.getAllVersions('gone2-value'))).errorCode, 40401);
  });
});

describe('serializers and deserializers', () => {
  test('Avro: Confluent-serialized values decode in Samsa and the other way round', async () => {
    const schema = {
      type: 'record',
      name: 'Reading',
      namespace: 'iot',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'value', type: 'double' },
        { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    await serializer({ registry: stack.url, format: 'avro', schema })('readings', {
      sensor: 's0',
      value: 0,
      at: 0,
    });
    const ser = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const bytes = await ser.serialize('readings', { sensor: 's1', value: 21.5, at: 1700000000000 });
    const ours = (await deserializer({ registry: stack.url })('readings', bytes)) as Record<string, unknown>;
    assert.equal(ours.sensor, 's1');
    assert.equal(ours.value, 21.5);
    const des = new AvroDeserializer(client, SerdeType.VALUE, {});
    const back = await serializer({ registry: stack.url, format: 'avro', schema })('readings', {
      sensor: 's2',
      value: -1,
      at: 1700000000001,
    });
    const theirs = (await des.deserialize('readings', back!)) as Record<string, unknown>;
    assert.equal(theirs.sensor, 's2');
    assert.equal(theirs.value, -1);
  });

  test('Avro with auto-registration by the Confluent serializer (schema inferred from the value)', async () => {
    const ser = new AvroSerializer(client, SerdeType.VALUE, { autoRegisterSchemas: true });
    const bytes = await ser.serialize('auto', { n: 7, s: 'x' });
    const id = bytes.readInt32BE(1);
    assert.deepEqual(await client.getAllVersions('auto-value'), [1]);
    assert.equal((await client.getLatestSchemaMetadata('auto-value')).id, id);
    assert.deepEqual(
      { ...((await deserializer({ registry: stack.url })('auto', bytes)) as object) },
      { n: 7, s: 'x' },
    );
  });

  test('JSON Schema both ways', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, temp: { type: 'number' } },
      required: ['city'],
    };
    const ours = await serializer({ registry: stack.url, format: 'jsonschema', schema })('weather', {
      city: 'Oslo',
      temp: -3,
    });
    const des = new JsonDeserializer(client, SerdeType.VALUE, {});
    assert.deepEqual(await des.deserialize('weather', ours!), { city: 'Oslo', temp: -3 });
    const ser = new JsonSerializer(client, SerdeType.VALUE, { useLatestVersion: true, validate: true });
    const theirs = await ser.serialize('weather', { city: 'Rome', temp: 20 });
    assert.deepEqual(await deserializer({ registry: stack.url })('weather', theirs), {
      city: 'Rome',
      temp: 20,
    });
  });

  test('Protobuf: the Confluent serializer registers a FileDescriptorProto; both sides decode each other', async () => {
    const fileProto = create(FileDescriptorProtoSchema, {
      name: 'metrics.proto',
      package: 'metrics',
      syntax: 'proto3',
      messageType: [
        { name: 'Unused', field: [{ name: 'x', number: 1, label: 1, type: 9, jsonName: 'x' }] },
        {
          name: 'Sample',
          field: [
            { name: 'host', number: 1, label: 1, type: 9, jsonName: 'host' },
            { name: 'cpu', number: 2, label: 1, type: 1, jsonName: 'cpu' },
            { name: 'tags', number: 3, label: 3, type: 9, jsonName: 'tags' },
          ],
        },
      ],
    });
    const registry = createFileRegistry(fileProto, () => undefined);
    const desc = registry.getMessage('metrics.Sample') as DescMessage;
    const ser = new ProtobufSerializer(client, SerdeType.VALUE, {
      autoRegisterSchemas: true,
      registry: registry as never,
    });
    const bytes = await ser.serialize(
      'metrics',
      create(desc, { host: 'h1', cpu: 0.5, tags: ['a', 'b'] }) as never,
    );
    const id = bytes.readInt32BE(1);
    assert.deepEqual([...bytes.subarray(5, 7)], [2, 2], 'message indexes [1]');
    const stored = await fetch(`${stack.url}/schemas/ids/${id}/schema`).then((r) => r.text());
    assert.match(
      stored,
      /^syntax = "proto3";\npackage metrics;\n/,
      'the descriptor is stored as .proto text',
    );
    assert.match(
      stored,
      /message Sample \{\n {2}string host = 1;\n {2}double cpu = 2;\n {2}repeated string tags = 3;\n\}/,
    );
    assert.deepEqual(await deserializer({ registry: stack.url })('metrics', bytes), {
      host: 'h1',
      cpu: 0.5,
      tags: ['a', 'b'],
    });
    const ours = await serializer({
      registry: stack.url,
      format: 'protobuf',
      schema: stored,
      messageType: 'metrics.Sample',
    })('metrics', { host: 'h2', cpu: 1.5, tags: [] });
    assert.equal(ours!.readInt32BE(1), id, 'the .proto text registers to the id of the descriptor');
    const des = new ProtobufDeserializer(client, SerdeType.VALUE, {});
    const theirs = (await des.deserialize('metrics', ours!)) as { host: string; cpu: number };
    assert.equal(theirs.host, 'h2');
    assert.equal(theirs.cpu, 1.5);
  });
});
