/**
 * The schema-based formats through a real schema registry (samsa's, started on a free port): v2
 * produce in avro, jsonschema and protobuf with inline schemas (registered under `<topic>-value`)
 * and by id, the records decoded by another library (@kafkajs/confluent-schema-registry), consumer
 * instances of those formats reading them back, Confluent's schema errors (42201, 42202, 42203,
 * 42205), and v3 records with `schema_id`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { type RunningProxy, startProxy } from '../../src/proxy/index.ts';
import { type RegistryServer, startRegistry } from '../../src/registry/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { readAll } from '../emit/helpers.ts';
import { createTopics, http, V2 } from './helpers.ts';

let broker: TestBroker;
let registry: RegistryServer;
let proxy: RunningProxy;
let url: string;

const AVRO = 'application/vnd.kafka.avro.v2+json';
const JSONSCHEMA = 'application/vnd.kafka.jsonschema.v2+json';
const PROTOBUF = 'application/vnd.kafka.protobuf.v2+json';
const USER = JSON.stringify({
  type: 'record',
  name: 'User',
  namespace: 'test',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'age', type: 'int' },
  ],
});

before(async () => {
  broker = await startBroker();
  await createTopics(broker.bootstrap, ['users', 'people', 'orders-pb', 'v3-avro', 'contacts'], 1);
  registry = await startRegistry({ connection: { bootstrapBrokers: [broker.bootstrap] }, port: 0 });
  proxy = await startProxy({
    connection: { bootstrapBrokers: [broker.bootstrap] },
    port: 0,
    registryUrl: registry.url,
  });
  url = proxy.url;
});
after(async () => {
  await proxy?.stop();
  await registry?.stop();
  await broker?.stop();
});

async function readWithConsumerInstance(format: string, topic: string, count: number) {
  const group = `g-${format}-${topic}`;
  await http(url, 'POST', `/consumers/${group}`, {
    type: V2,
    body: { name: 'c', format, 'auto.offset.reset': 'earliest' },
  });
  const base = `/consumers/${group}/instances/c`;
  assert.equal(
    (await http(url, 'POST', `${base}/subscription`, { type: V2, body: { topics: [topic] } })).status,
    204,
  );
  const out: { key: unknown; value: unknown }[] = [];
  for (let i = 0; i < 20 && out.length < count; i++) {
    const res = await http(url, 'GET', `${base}/records?timeout=1000`, {
      accept: `application/vnd.kafka.${format}.v2+json`,
    });
    assert.equal(res.status, 200, res.text);
    out.push(...(res.json as { key: unknown; value: unknown }[]));
  }
  await http(url, 'DELETE', base);
  return out;
}

describe('schema-based embedded formats', () => {
  it('avro: an inline schema is registered, then used by id; another library decodes the records; an avro consumer reads them', async () => {
    const first = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: {
        key_schema: '"string"',
        value_schema: USER,
        records: [{ key: 'u1', value: { name: 'ada', age: 36 } }],
      },
    });
    assert.equal(first.status, 200, first.text);
    const out = first.json as {
      key_schema_id: number;
      value_schema_id: number;
      offsets: { error_code: null }[];
    };
    assert.equal(typeof out.value_schema_id, 'number');
    assert.equal(typeof out.key_schema_id, 'number');
    assert.notEqual(out.key_schema_id, out.value_schema_id);
    const subject = (await http(registry.url, 'GET', '/subjects/users-value/versions/latest')).json as {
      id: number;
    };
    assert.equal(subject.id, out.value_schema_id, 'registered under the topic name strategy subject');

    const byId = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: {
        key_schema_id: out.key_schema_id,
        value_schema_id: out.value_schema_id,
        records: [{ key: 'u2', value: { name: 'bob', age: 7 } }],
      },
    });
    assert.equal(byId.status, 200, byId.text);
    assert.equal((byId.json as { value_schema_id: number }).value_schema_id, out.value_schema_id);

    const records = await readAll(broker.bootstrap, 'users', 1, 2);
    const other = new SchemaRegistry({ host: registry.url });
    const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)); // avsc decodes records as class instances
    const decoded = await Promise.all(
      records.map(async (r) => [plain(await other.decode(r.key!)), plain(await other.decode(r.value!))]),
    );
    assert.deepEqual(decoded, [
      ['u1', { name: 'ada', age: 36 }],
      ['u2', { name: 'bob', age: 7 }],
    ]);

    const read = await readWithConsumerInstance('avro', 'users', 2);
    assert.deepEqual(
      read.map((r) => [r.key, r.value]),
      decoded,
    );
  });

  it("avro values in Avro's JSON encoding, as Confluent's proxy takes and gives them: wrapped unions, bytes as strings", async () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'Contact',
      namespace: 'test',
      fields: [
        { name: 'email', type: ['null', 'string'], default: null },
        { name: 'tag', type: 'bytes', default: '' },
        {
          name: 'home',
          type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] }],
        },
      ],
    });
    const wrapped = {
      email: { string: 'ada@example.com' },
      tag: '\u00ff\u0001',
      home: { 'test.Address': { city: 'Paris' } },
    };
    const res = await http(url, 'POST', '/topics/contacts', {
      type: AVRO,
      body: {
        value_schema: schema,
        records: [
          { value: wrapped },
          { value: { email: null, tag: '', home: null } },
          // avsc's plain form (unwrapped unions) is still taken
          { value: { email: 'bob@example.com', home: { city: 'Rome' } } },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.ok((res.json as { offsets: { error_code: null }[] }).offsets.every((o) => o.error_code === null));
    const bad = await http(url, 'POST', '/topics/contacts', {
      type: AVRO,
      body: { value_schema: schema, records: [{ value: { email: { int: 3 }, tag: '', home: null } }] },
    });
    assert.equal(bad.status, 422, bad.text);
    assert.equal((bad.json as { error_code: number }).error_code, 42203);
    // Another library (avsc through @kafkajs/confluent-schema-registry) reads the binary as written.
    const records = await readAll(broker.bootstrap, 'contacts', 1, 3);
    const other = new SchemaRegistry({ host: registry.url });
    const first = (await other.decode(records[0]!.value!)) as {
      email: string;
      tag: Buffer;
      home: { city: string };
    };
    assert.equal(first.email, 'ada@example.com');
    assert.deepEqual([...first.tag], [0xff, 0x01]);
    assert.equal(first.home.city, 'Paris');
    // An avro consumer instance answers in Avro's JSON encoding.
    const read = await readWithConsumerInstance('avro', 'contacts', 3);
    assert.deepEqual(
      read.map((r) => r.value),
      [
        wrapped,
        { email: null, tag: '', home: null },
        { email: { string: 'bob@example.com' }, tag: '', home: { 'test.Address': { city: 'Rome' } } },
      ],
    );
  });

  it('jsonschema: values are validated against the schema (42203), and read back', async () => {
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'integer' } },
      required: ['name'],
    };
    const ok = await http(url, 'POST', '/topics/people', {
      type: JSONSCHEMA,
      body: { value_schema: JSON.stringify(schema), records: [{ value: { name: 'ada', age: 36 } }] },
    });
    assert.equal(ok.status, 200, ok.text);
    const bad = await http(url, 'POST', '/topics/people', {
      type: JSONSCHEMA,
      body: { value_schema: JSON.stringify(schema), records: [{ value: { age: 'old' } }] },
    });
    assert.equal(bad.status, 422);
    assert.equal((bad.json as { error_code: number }).error_code, 42203);
    assert.match((bad.json as { message: string }).message, /^Conversion of JSON to JSON Schema failed/);
    const read = await readWithConsumerInstance('jsonschema', 'people', 1);
    assert.deepEqual(
      read.map((r) => r.value),
      [{ name: 'ada', age: 36 }],
    );
  });

  it('protobuf: an inline .proto schema, the record read back as an object', async () => {
    const proto =
      'syntax = "proto3";\npackage shop;\nmessage Order {\n  string id = 1;\n  int32 qty = 2;\n}\n';
    const res = await http(url, 'POST', '/topics/orders-pb', {
      type: PROTOBUF,
      body: { value_schema: proto, records: [{ value: { id: 'o-1', qty: 3 } }] },
    });
    assert.equal(res.status, 200, res.text);
    const [record] = await readAll(broker.bootstrap, 'orders-pb', 1, 1);
    assert.equal(record!.value![0], 0, 'magic byte');
    assert.equal(record!.value!.readInt32BE(1), (res.json as { value_schema_id: number }).value_schema_id);
    const read = await readWithConsumerInstance('protobuf', 'orders-pb', 1);
    assert.deepEqual(
      read.map((r) => r.value),
      [{ id: 'o-1', qty: 3 }],
    );
  });

  it("Confluent's schema errors: keys without a key schema 42201, values without a value schema 42202, a bad schema 42205, an unknown id", async () => {
    const noKeySchema = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: { value_schema: USER, records: [{ key: 'k', value: { name: 'a', age: 1 } }] },
    });
    assert.deepEqual(
      [noKeySchema.status, (noKeySchema.json as { error_code: number }).error_code],
      [422, 42201],
    );
    const noValueSchema = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: { records: [{ value: { name: 'a', age: 1 } }] },
    });
    assert.deepEqual(
      [noValueSchema.status, (noValueSchema.json as { error_code: number }).error_code],
      [422, 42202],
    );
    const badSchema = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: { value_schema: '{"type": "nope"}', records: [{ value: 1 }] },
    });
    assert.deepEqual([badSchema.status, (badSchema.json as { error_code: number }).error_code], [422, 42205]);
    const unknownId = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: { value_schema_id: 9999, records: [{ value: 1 }] },
    });
    assert.equal(unknownId.status, 404);
    const mismatch = await http(url, 'POST', '/topics/users', {
      type: AVRO,
      body: { value_schema: USER, records: [{ value: { name: 'a' } }] },
    });
    assert.deepEqual([mismatch.status, (mismatch.json as { error_code: number }).error_code], [422, 42203]);
  });

  it('v3 records with schema_id, an inline AVRO schema, and a subject version (latest, numbered, named)', async () => {
    const cluster = ((await http(url, 'GET', '/v3/clusters')).json as { data: { cluster_id: string }[] })
      .data[0]!.cluster_id;
    const inline = await http(url, 'POST', `/v3/clusters/${cluster}/topics/v3-avro/records`, {
      type: 'application/json',
      body: { value: { type: 'AVRO', schema: USER, data: { name: 'cy', age: 2 } } },
    });
    const first = inline.json as { error_code: number; value: { type: string; schema_id: number } };
    assert.equal(first.error_code, 200, inline.text);
    assert.equal(first.value.type, 'AVRO');
    const byId = await http(url, 'POST', `/v3/clusters/${cluster}/topics/v3-avro/records`, {
      type: 'application/json',
      body: { value: { schema_id: first.value.schema_id, data: { name: 'di', age: 3 } } },
    });
    assert.equal((byId.json as { error_code: number }).error_code, 200, byId.text);
    // A subject's version, as Confluent's v3 takes it: schema_version of <topic>-value, the latest
    // (type only), or a named subject.
    const path = `/v3/clusters/${cluster}/topics/v3-avro/records`;
    for (const value of [
      { schema_version: 1, data: { name: 'ed', age: 4 } },
      { type: 'AVRO', data: { name: 'fi', age: 5 } },
      { subject: 'v3-avro-value', schema_version: 1, data: { name: 'gu', age: 6 } },
      { subject_name_strategy: 'TOPIC_NAME', data: { name: 'ha', age: 7 } },
    ]) {
      const res = await http(url, 'POST', path, { type: 'application/json', body: { value } });
      const out = res.json as { error_code: number; value: { type: string; schema_id: number } };
      assert.equal(out.error_code, 200, res.text);
      assert.deepEqual(out.value.schema_id, first.value.schema_id, JSON.stringify(value));
      assert.equal(out.value.type, 'AVRO');
    }
    const missing = await http(url, 'POST', path, {
      type: 'application/json',
      body: { value: { subject: 'nope-value', data: {} } },
    });
    assert.equal((missing.json as { error_code: number }).error_code, 40401, missing.text);
    const noVersion = await http(url, 'POST', path, {
      type: 'application/json',
      body: { value: { schema_version: 9, data: {} } },
    });
    assert.equal((noVersion.json as { error_code: number }).error_code, 40402, noVersion.text);
    const strategy = await http(url, 'POST', path, {
      type: 'application/json',
      body: { value: { subject_name_strategy: 'RECORD_NAME', data: {} } },
    });
    assert.match(strategy.text, /RECORD_NAME needs the record's schema/);
    const records = await readAll(broker.bootstrap, 'v3-avro', 1, 6);
    const other = new SchemaRegistry({ host: registry.url });
    assert.deepEqual(
      await Promise.all(records.map(async (r) => JSON.parse(JSON.stringify(await other.decode(r.value!))))),
      [
        { name: 'cy', age: 2 },
        { name: 'di', age: 3 },
        { name: 'ed', age: 4 },
        { name: 'fi', age: 5 },
        { name: 'gu', age: 6 },
        { name: 'ha', age: 7 },
      ],
    );
  });
});
