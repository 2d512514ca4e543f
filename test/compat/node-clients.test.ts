/**
 * The two Node clients nobody here wrote: KafkaJS 2.2.4 (old non-flexible encodings: Produce v7,
 * Fetch v11, Metadata v6) and @platformatic/kafka 2.x (flexible versions). Each produces 20,000
 * keyed records with headers (10 sends of 2,000, compression on every other one) and consumes them
 * back through a consumer group with a 64 KB per-partition fetch limit (several fetches per
 * partition); keys, values, headers and per-key order must match. 100,000 records with the default
 * 1 MB limit until December 2026: the same boundaries crossed, 2.5 times the CPU.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  Consumer,
  MessagesStreamModes,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';

const RECORDS = 20_000;
let broker: TestBroker;

before(async () => {
  broker = await startBroker({ numPartitions: 3 });
});
after(async () => {
  await broker?.stop();
});

interface Seen {
  partition: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}

function expected(i: number): { key: string; value: string } {
  return { key: `key-${i % 1000}`, value: `value-${i}-${'y'.repeat(i % 30)}` };
}

function verify(seen: Seen[]): void {
  assert.equal(seen.length, RECORDS);
  const indexes = new Set<number>();
  const last = new Map<string, { i: number; partition: number }>();
  for (const m of seen) {
    const i = Number(m.value.split('-')[1]);
    assert.deepEqual({ key: m.key, value: m.value }, expected(i));
    assert.deepEqual(m.headers, { source: 'node', index: String(i) });
    const prev = last.get(m.key);
    if (prev) {
      assert.equal(m.partition, prev.partition, `${m.key} stays on one partition`);
      assert.ok(i > prev.i, `order kept for ${m.key}`);
    }
    last.set(m.key, { i, partition: m.partition });
    indexes.add(i);
  }
  assert.equal(indexes.size, RECORDS, 'every record exactly once');
}

describe('Node clients', () => {
  it(`KafkaJS 2.2.4 round-trips ${RECORDS} records`, async () => {
    const kafka = new Kafka({
      clientId: 'kafkajs-compat',
      brokers: [broker.bootstrap],
      logLevel: logLevel.ERROR,
    });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    const topic = 'kafkajs-compat';
    for (let start = 0; start < RECORDS; start += 2000) {
      const messages = [];
      for (let i = start; i < start + 2000; i++) {
        const { key, value } = expected(i);
        messages.push({ key, value, headers: { source: 'node', index: String(i) } });
      }
      await producer.send({
        topic,
        messages,
        compression: start % 4000 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
      });
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'kafkajs-compat-group', maxBytesPerPartition: 64 * 1024 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: Seen[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} consumed`)), 120_000);
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const headers: Record<string, string> = {};
              for (const [k, v] of Object.entries(m.headers ?? {})) headers[k] = String(v);
              seen.push({ partition: batch.partition, key: String(m.key), value: String(m.value), headers });
            }
            if (seen.length >= RECORDS) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    verify(seen);
  });

  it(`@platformatic/kafka round-trips ${RECORDS} records`, async () => {
    const topic = 'platformatic-compat';
    const producer = new Producer({
      clientId: 'platformatic-compat',
      bootstrapBrokers: [broker.bootstrap],
      serializers: stringSerializers,
      autocreateTopics: true,
    });
    for (let start = 0; start < RECORDS; start += 2000) {
      const messages = [];
      for (let i = start; i < start + 2000; i++) {
        const { key, value } = expected(i);
        messages.push({ topic, key, value, headers: { source: 'node', index: String(i) } });
      }
      await producer.send({ messages, compression: start % 4000 === 0 ? 'zstd' : 'none' });
    }
    await producer.close();

    const consumer = new Consumer({
      clientId: 'platformatic-compat',
      groupId: 'platformatic-compat-group',
      bootstrapBrokers: [broker.bootstrap],
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.EARLIEST,
      autocommit: true,
      maxBytesPerPartition: 64 * 1024,
    });
    const seen: Seen[] = [];
    for await (const m of stream) {
      const headers: Record<string, string> = {};
      for (const [k, v] of m.headers) headers[String(k)] = String(v);
      seen.push({ partition: m.partition, key: String(m.key), value: String(m.value), headers });
      if (seen.length >= RECORDS) break;
    }
    await stream.close();
    await consumer.close();
    verify(seen);
  });
});
