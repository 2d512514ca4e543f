/**
 * A streams application over TLS and over SASL, against a broker with SSL and SASL_PLAINTEXT
 * listeners: its at_least_once output is produced on the batch producer's own lean connections
 * with the client's TLS settings, and through @platformatic/kafka's connections when it
 * authenticates with SASL (client/batch-producer-on-client.ts); both outputs read back with
 * librdkafka.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KafkaStreams, Serdes, StreamsBuilder, type StreamsConfigInput } from '../../src/streams/index.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { countLeanProduce } from '../helpers/lean-produce.ts';
import { makeCerts } from '../security/certs.ts';
import { createTopics, produce, readWithLibrdkafka, waitFor } from './helpers.ts';

const certs = makeCerts('alice');
let broker: TestBroker;
const dirs: string[] = [];
const leanProduce = countLeanProduce();

before(async () => {
  broker = await startBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
    scramUsers: ['alice:alice-secret'],
  });
  await createTopics(broker.bootstrap, [
    { name: 'sec-in', partitions: 2 },
    { name: 'sec-out-ssl', partitions: 2 },
    { name: 'sec-out-sasl', partitions: 2 },
  ]);
  await produce(
    broker.bootstrap,
    'sec-in',
    Array.from({ length: 300 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}` })),
  );
});

after(async () => {
  leanProduce.stop();
  await broker.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  rmSync(certs.dir, { recursive: true, force: true });
});

function port(protocol: string): number {
  return broker.listeners.find((l) => l.protocol === protocol)!.port;
}

async function upperCase(
  output: string,
  config: Partial<StreamsConfigInput> & { 'application.id': string },
): Promise<string[]> {
  const builder = new StreamsBuilder();
  builder
    .stream('sec-in', { keySerde: Serdes.String(), valueSerde: Serdes.String() })
    .mapValues((v: string) => v.toUpperCase())
    .to(output, { keySerde: Serdes.String(), valueSerde: Serdes.String() });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-streams-sec-'));
  dirs.push(dir);
  const app = new KafkaStreams(
    builder.build(),
    { 'state.dir': dir, 'commit.interval.ms': 100, ...config },
    { handleSignals: false },
  );
  await app.start();
  try {
    const read = await waitFor(`300 records in ${output}`, async () => {
      const r = await readWithLibrdkafka(broker.bootstrap, output, 2, 'read_uncommitted');
      return r.length >= 300 ? r : undefined;
    });
    return read.map((r) => r.v!).sort();
  } finally {
    await app.close();
  }
}

const expected = Array.from({ length: 300 }, (_, i) => `V${i}`).sort();

test('over TLS (kafka+ssl://): output produced on the lean connections, with the CA from KAFKA_TRUSTED_CERT', async () => {
  process.env.KAFKA_TRUSTED_CERT = readFileSync(certs.ca, 'utf8');
  try {
    const before = leanProduce.count;
    const out = await upperCase('sec-out-ssl', {
      'application.id': 'sec-ssl',
      'bootstrap.servers': `kafka+ssl://127.0.0.1:${port('SSL')}`,
    });
    assert.deepEqual(out, expected);
    assert.ok(leanProduce.count > before, 'Produce went on the lean TLS connections');
  } finally {
    delete process.env.KAFKA_TRUSTED_CERT;
  }
});

test('over SASL (SCRAM-SHA-512): output produced through the library connections', async () => {
  const before = leanProduce.count;
  const out = await upperCase('sec-out-sasl', {
    'application.id': 'sec-sasl',
    'bootstrap.servers': `127.0.0.1:${port('SASL_PLAINTEXT')}`,
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.username': 'alice',
    'sasl.password': 'alice-secret',
  });
  assert.deepEqual(out, expected);
  assert.equal(leanProduce.count, before, 'no Produce on lean connections with SASL');
});
