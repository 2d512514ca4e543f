/**
 * `registrySerde` in a streams application: records written by Confluent's own serializers
 * (@confluentinc/schemaregistry, Avro and Protobuf) through the broker are read by a Samsa Streams
 * topology, which writes its output with the registry serde; Confluent's deserializers read that
 * back. Also the serde on its own: the blocking first use (registering, fetching an unknown id),
 * the synchronous path after it, `prepare`, and its errors.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  AvroDeserializer,
  AvroSerializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { Consumer, Producer, stringDeserializers } from '@platformatic/kafka';
import { registrySerde, SerializationError } from '../../src/registry/index.ts';
import { KafkaStreams, Serdes, StreamsBuilder } from '../../src/streams/index.ts';
import { createTopics } from '../streams/helpers.ts';

const BIN = join(import.meta.dirname, '../../bin/samsa.js');
// The serde blocks its thread while it asks the registry, so the broker and the registry run in
// another process (`samsa start`), as they do for users.
let samsa: ChildProcess;
let bootstrap: string;
let registryUrl: string;
let client: SchemaRegistryClient;
const dirs: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

before(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'samsa-registry-streams-data-'));
  dirs.push(dataDir);
  const [port, registryPort] = [await freePort(), await freePort()];
  samsa = spawn(
    process.execPath,
    [
      BIN,
      'start',
      '--no-proxy',
      '--no-connect',
      '--no-console',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--registry-port',
      String(registryPort),
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`samsa start did not come up: ${out}`)), 60_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (out.includes('Schema registry listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    samsa.stdout!.on('data', onData);
    samsa.stderr!.on('data', onData);
    samsa.once('exit', (code) => reject(new Error(`samsa start exited (${code}): ${out}`)));
  });
  bootstrap = `127.0.0.1:${port}`;
  registryUrl = `http://127.0.0.1:${registryPort}`;
  client = new SchemaRegistryClient({ baseURLs: [registryUrl] });
});
after(async () => {
  if (samsa.exitCode === null) {
    const exited = new Promise((r) => samsa.once('exit', r));
    samsa.kill('SIGTERM');
    await exited;
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const payment = {
  type: 'record',
  name: 'Payment',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};
const charged = {
  type: 'record',
  name: 'Charged',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'cents', type: 'long' },
  ],
};

test('Confluent-serialized records through a streams topology and back to Confluent deserializers', async () => {
  await createTopics(bootstrap, [
    { name: 'payments', partitions: 2 },
    { name: 'charges', partitions: 2 },
  ]);
  await client.register('payments-value', { schemaType: 'AVRO', schema: JSON.stringify(payment) });
  const producer = new Producer({ clientId: 'confluent-side', bootstrapBrokers: [bootstrap], acks: -1 });
  const ser2 = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
  const messages = [];
  for (let i = 0; i < 20; i++)
    messages.push({
      topic: 'payments',
      key: Buffer.from(`p-${i}`),
      value: await ser2.serialize('payments', { id: `p-${i}`, amount: i + 0.25 }),
    });
  await producer.send({ messages });
  await producer.close();

  const builder = new StreamsBuilder();
  builder
    .stream<string, { id: string; amount: number }>('payments', {
      keySerde: Serdes.String(),
      valueSerde: registrySerde({ registry: registryUrl, format: 'avro' }),
    })
    .mapValues((p) => ({ id: p.id, cents: Math.round(p.amount * 100) }))
    .to('charges', {
      keySerde: Serdes.String(),
      valueSerde: registrySerde({ registry: registryUrl, format: 'avro', schema: charged }),
    });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-registry-streams-'));
  dirs.push(dir);
  const app = new KafkaStreams(
    builder.build(),
    {
      'application.id': 'charges-app',
      'bootstrap.servers': bootstrap,
      'state.dir': dir,
      'commit.interval.ms': 100,
      'session.timeout.ms': 6_000,
    },
    { handleSignals: false },
  );
  await app.start();
  try {
    // Read the output with Confluent's deserializer.
    const des = new AvroDeserializer(client, SerdeType.VALUE, {});
    const consumer = new Consumer({
      clientId: 'confluent-reader',
      groupId: 'confluent-reader',
      bootstrapBrokers: [bootstrap],
      deserializers: { key: stringDeserializers.key },
    });
    const stream = await consumer.consume({ topics: ['charges'], mode: 'earliest' });
    const seen = new Map<string, unknown>();
    for await (const m of stream) {
      const v = (await des.deserialize('charges', m.value as Buffer)) as {
        id: string;
        cents: bigint | number;
      };
      seen.set(String(m.key), { id: v.id, cents: Number(v.cents) });
      if (seen.size === 20) break;
    }
    await stream.close();
    await consumer.close();
    assert.deepEqual(seen.get('p-3'), { id: 'p-3', cents: 325 });
    assert.deepEqual(seen.get('p-19'), { id: 'p-19', cents: 1925 });
    // The output schema was registered by the serde under charges-value, with Avro's canonical text.
    const latest = await client.getLatestSchemaMetadata('charges-value');
    assert.equal(JSON.parse(latest.schema).name, 'Charged');
  } finally {
    await app.close();
  }
});

test('the serde blocks once per topic or id, then runs without I/O; prepare and errors', async () => {
  const serde = registrySerde<{ id: string; amount: number }>({
    registry: registryUrl,
    format: 'avro',
    schema: payment,
  });
  const bytes = serde.serializer().serialize('ledger', { id: 'a', amount: 1.5 });
  assert.ok(bytes);
  assert.equal(bytes[0], 0);
  const id = bytes.readInt32BE(1);
  assert.equal((await client.getLatestSchemaMetadata('ledger-value')).id, id);
  // A reader-only serde fetches the id on first sight, synchronously.
  const reader = registrySerde<{ id: string; amount: number }>({ registry: registryUrl, format: 'avro' });
  assert.deepEqual({ ...reader.deserializer().deserialize('ledger', bytes) }, { id: 'a', amount: 1.5 });
  assert.equal(reader.deserializer().deserialize('ledger', null), null);
  assert.throws(() => reader.serializer().serialize('ledger', { id: 'b', amount: 1 }), SerializationError);
  // An unknown id is a clear error, not a hang.
  const unknown = Buffer.from(bytes);
  unknown.writeInt32BE(99_999, 1);
  assert.throws(() => reader.deserializer().deserialize('ledger', unknown), /99999|not found/i);
  // A function subject strategy needs prepare(); after it, serialize is synchronous.
  const custom = registrySerde({
    registry: registryUrl,
    format: 'avro',
    schema: payment,
    subjectNameStrategy: (topic) => `custom.${topic}`,
  });
  assert.throws(() => custom.serializer().serialize('t1', { id: 'c', amount: 2 }), /prepare/);
  await custom.prepare(['t1']);
  const out = custom.serializer().serialize('t1', { id: 'c', amount: 2 });
  assert.equal(out?.readInt32BE(1), (await client.getLatestSchemaMetadata('custom.t1')).id);
  // A value that does not fit the schema.
  assert.throws(() => serde.serializer().serialize('ledger', { id: 1 } as never), SerializationError);
});
