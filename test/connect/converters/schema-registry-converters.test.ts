/**
 * Confluent's schema-registry converters (AvroConverter, JsonSchemaConverter, ProtobufConverter)
 * against a real registry: Connect structs with every type and the logical types round-trip,
 * register under the topic's key/value subject in Confluent's schema shapes, and interoperate with
 * Confluent's own serializers (records they wrote read as Connect data, and the other way round).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AvroDeserializer,
  AvroSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { LOGICAL, type Schema, Schemas } from '../../../src/connect/api/index.ts';
import { bytesOf } from '../../../src/connect/converters/decimal.ts';
import { SCHEMA_REGISTRY_CONVERTERS } from '../../../src/connect/converters/schema-registry-converters.ts';
import { call, type Stack, startStack } from '../../registry/helpers.ts';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(() => stack.stop());

const plugin = (name: string) => SCHEMA_REGISTRY_CONVERTERS.find((p) => p.className === name)!;

const address = Schemas.struct(
  [
    ['city', Schemas.string()],
    ['zip', Schemas.optional(Schemas.string())],
  ],
  { name: 'com.acme.Address' },
);

const order: Schema = Schemas.struct(
  [
    ['id', Schemas.int64()],
    ['qty', Schemas.int32()],
    ['small', Schemas.int16()],
    ['tiny', Schemas.int8()],
    ['price', Schemas.float64()],
    ['ratio', Schemas.float32()],
    ['paid', Schemas.boolean()],
    ['note', Schemas.optional(Schemas.string())],
    ['blob', Schemas.bytes()],
    ['tags', Schemas.array(Schemas.string())],
    ['counts', Schemas.map(Schemas.string(), Schemas.int32())],
    ['address', address],
    ['total', Schemas.decimal(2)],
    ['day', Schemas.int32({ name: LOGICAL.date, version: 1 })],
    ['at', Schemas.int64({ name: LOGICAL.timestamp, version: 1 })],
  ],
  { name: 'com.acme.Order' },
);

const value = {
  id: 9_007_199_254_740_000,
  qty: 3,
  small: -300,
  tiny: 7,
  price: 12.5,
  ratio: 0.25,
  paid: true,
  note: null,
  blob: Buffer.from([0, 1, 255]),
  tags: ['a', 'b'],
  counts: { x: 1, y: 2 },
  address: { city: 'Oslo', zip: '0150' },
  total: bytesOf(-12345n),
  day: 19_700,
  at: 1_700_000_000_123,
};

function normalize(v: unknown): unknown {
  return JSON.parse(
    JSON.stringify(v, (_k, x) =>
      x instanceof Map ? Object.fromEntries(x) : typeof x === 'bigint' ? String(x) : x,
    ),
  );
}

for (const [className, topic, lossy] of [
  ['io.confluent.connect.avro.AvroConverter', 'conv-avro', []],
  ['io.confluent.connect.json.JsonSchemaConverter', 'conv-json', []],
  ['io.confluent.connect.protobuf.ProtobufConverter', 'conv-proto', ['small', 'tiny']],
] as const) {
  describe(className, () => {
    test('round-trips a struct with every type and registers under <topic>-value', async () => {
      const converter = plugin(className).create();
      await converter.configure({ 'schema.registry.url': stack.url }, false);
      const bytes = await converter.fromConnectData(topic, [], order, value);
      assert.ok(bytes && bytes[0] === 0);
      const subjects = (await call(stack.url, 'GET', '/subjects')).body as string[];
      assert.ok(subjects.includes(`${topic}-value`), subjects.join(','));
      const back = await converter.toConnectData(topic, [], bytes);
      assert.equal(back.schema?.type, 'struct');
      assert.deepEqual(
        back.schema!.fields!.map((f) => f.name),
        order.fields!.map((f) => f.name),
      );
      const decimalField = back.schema!.fields!.find((f) => f.name === 'total')!;
      assert.equal(decimalField.schema.name, LOGICAL.decimal);
      assert.equal(back.schema!.fields!.find((f) => f.name === 'at')!.schema.name, LOGICAL.timestamp);
      assert.equal(back.schema!.fields!.find((f) => f.name === 'note')!.schema.optional, true);
      const got = normalize(back.value) as Record<string, unknown>;
      const want = normalize(value) as Record<string, unknown>;
      for (const key of Object.keys(want)) {
        if ((lossy as readonly string[]).includes(key)) continue;
        if (key === 'total' && className.includes('Protobuf')) continue; // scale travels in the message
        assert.deepEqual(got[key], want[key], key);
      }
      // null stays null
      assert.equal(await converter.fromConnectData(topic, [], order, null), null);
      assert.deepEqual(await converter.toConnectData(topic, [], null), { schema: null, value: null });
      await converter.close?.();
    });

    test('keys go to <topic>-key; a missing registry URL is a configuration error', async () => {
      const converter = plugin(className).create();
      await converter.configure({ 'schema.registry.url': stack.url }, true);
      await converter.fromConnectData(topic, [], Schemas.struct([['k', Schemas.string()]], { name: 'Key' }), {
        k: 'x',
      });
      assert.ok(((await call(stack.url, 'GET', '/subjects')).body as string[]).includes(`${topic}-key`));
      await converter.close?.();
      assert.throws(() => plugin(className).create().configure({}, false), /schema.registry.url/);
    });
  });
}

describe('interoperability with Confluent serializers', () => {
  test("AvroConverter writes Confluent's schema shapes and reads what Confluent's serializer wrote", async () => {
    const converter = plugin('io.confluent.connect.avro.AvroConverter').create();
    await converter.configure({ 'schema.registry.url': stack.url }, false);
    const schema = Schemas.struct(
      [
        ['name', Schemas.string()],
        ['age', Schemas.optional(Schemas.int32())],
      ],
      { name: 'shop.Customer' },
    );
    const bytes = (await converter.fromConnectData('customers', [], schema, { name: 'ann', age: null }))!;
    const registered = JSON.parse(
      (await call(stack.url, 'GET', '/subjects/customers-value/versions/latest/schema')).text,
    );
    assert.deepEqual(registered, {
      type: 'record',
      name: 'Customer',
      namespace: 'shop',
      fields: [
        { name: 'name', type: 'string' },
        { name: 'age', type: ['null', 'int'], default: null },
      ],
      'connect.name': 'shop.Customer',
    });
    const client = new SchemaRegistryClient({ baseURLs: [stack.url] });
    const theirs = await new AvroDeserializer(client, SerdeType.VALUE, {}).deserialize('customers', bytes);
    assert.deepEqual({ ...(theirs as object) }, { name: 'ann', age: null });
    const written = await new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true }).serialize(
      'customers',
      { name: 'bo', age: 4 },
    );
    const read = await converter.toConnectData('customers', [], written);
    assert.deepEqual(read.value, { name: 'bo', age: 4 });
    assert.equal(read.schema?.name, 'shop.Customer');
    await converter.close?.();
  });
});
