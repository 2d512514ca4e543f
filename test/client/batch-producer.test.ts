/**
 * BatchProducer against a real broker: what it writes is read back by KafkaJS (a client nobody here
 * wrote); idempotent pipelining keeps order across many batches in flight; partitions of several
 * topics go in one Produce request per round and each still lands in order, once; a broker restart in the
 * middle loses and duplicates nothing; an unreachable broker and refused batches give precise errors.
 */
import assert from 'node:assert/strict';
import { tracingChannel } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { BatchProducer, BatchProducerError } from '../../src/client/batch-producer.ts';
import { requestChannel } from '../../src/client/kafka-socket.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { createTopic } from '../emit/helpers.ts';
import { makeCerts } from '../security/certs.ts';

const { CompressionCodecs, CompressionTypes, Kafka, logLevel } = kafkajs;
// KafkaJS reads lz4 batches with a codec from lz4-napi (not the wasm codec the producer uses).
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer) => decompressFrameSync(buffer),
});

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

interface Read {
  partition: number;
  offset: bigint;
  key: string | null;
  value: string | null;
  timestamp: string;
  headers: Record<string, string>;
}

/** Reads `expected` records of `topic` with a KafkaJS consumer (then 300 ms more, to see duplicates). */
async function readWithKafkaJS(bootstrap: string, topic: string, expected: number): Promise<Read[]> {
  const kafka = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  // A short fetch wait: disconnect() waits for the fetch in flight (KafkaJS's default 5 s long poll).
  const consumer = kafka.consumer({ groupId: `reader-${topic}-${Math.random()}`, maxWaitTimeInMs: 100 });
  const out: Read[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const { promise: enough, resolve } = Promise.withResolvers<void>();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      out.push({
        partition,
        offset: BigInt(message.offset),
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? null,
        timestamp: message.timestamp,
        headers,
      });
      if (out.length >= expected) resolve();
    },
  });
  const timeout = setTimeout(resolve, 30_000);
  await enough;
  clearTimeout(timeout);
  await new Promise((r) => setTimeout(r, 300));
  await consumer.disconnect();
  return out.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset));
}

/** Recent enough not to fall to the broker's retention. */
const T = Math.floor(Date.now() / 1000) * 1000;

const rec = (key: string, value: string, timestamp?: number) => ({
  key: Buffer.from(key),
  value: Buffer.from(value),
  headers: [[Buffer.from('h'), Buffer.from(`${key}:${value}`)]] as [Buffer, Buffer][],
  ...(timestamp === undefined ? {} : { timestamp }),
});

for (const lean of [true, false]) {
  test(`KafkaJS reads back what BatchProducer wrote, uncompressed, lz4 and gzip, at the offsets it reported (${lean ? 'lean' : 'library'} connections)`, async () => {
    const broker = await startBroker();
    try {
      for (const compression of ['none', 'lz4', 'gzip'] as const) {
        const topic = `readback-${compression}`;
        await createTopic(broker.bootstrap, topic, 3);
        const producer = new BatchProducer({
          bootstrapBrokers: [broker.bootstrap],
          compression,
          leanConnections: lean,
        });
        assert.equal(await producer.partitionCount(topic), 3);
        const results = await Promise.all(
          [0, 1, 2].map((p) =>
            producer.send(topic, p, [rec(`k${p}`, 'a', T + p), rec(`k${p}`, 'b', T + 500)]),
          ),
        );
        const second = await producer.send(topic, 1, [rec('k1', 'c', T + 1000)]);
        await producer.close();
        assert.deepEqual(
          results.map((r) => r.baseOffset),
          [0n, 0n, 0n],
        );
        assert.equal(second.baseOffset, 2n);
        const read = await readWithKafkaJS(broker.bootstrap, topic, 7);
        assert.deepEqual(
          read.map((r) => [r.partition, r.offset, r.key, r.value, r.timestamp, r.headers.h]),
          [
            [0, 0n, 'k0', 'a', String(T), 'k0:a'],
            [0, 1n, 'k0', 'b', String(T + 500), 'k0:b'],
            [1, 0n, 'k1', 'a', String(T + 1), 'k1:a'],
            [1, 1n, 'k1', 'b', String(T + 500), 'k1:b'],
            [1, 2n, 'k1', 'c', String(T + 1000), 'k1:c'],
            [2, 0n, 'k2', 'a', String(T + 2), 'k2:a'],
            [2, 1n, 'k2', 'b', String(T + 500), 'k2:b'],
          ],
        );
      }
    } finally {
      await broker.stop();
    }
  });
}

test('idempotent pipelining: 300 batches fired at once on two partitions land in order, once', async () => {
  const broker = await startBroker();
  try {
    await createTopic(broker.bootstrap, 'pipelined', 2);
    const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], compression: 'lz4' });
    const sends: Promise<{ baseOffset: bigint }>[] = [];
    for (let b = 0; b < 300; b++) {
      const records = Array.from({ length: 10 }, (_, i) => rec(`p${b % 2}`, String(b * 10 + i)));
      sends.push(producer.send('pipelined', b % 2, records));
    }
    const offsets = (await Promise.all(sends)).map((r) => r.baseOffset);
    assert.deepEqual(
      offsets,
      Array.from({ length: 300 }, (_, b) => BigInt(Math.floor(b / 2) * 10)),
    );
    assert.notEqual(producer.producerId, null);
    await producer.close();
    const read = await readWithKafkaJS(broker.bootstrap, 'pipelined', 3000);
    assert.equal(read.length, 3000);
    for (const p of [0, 1]) {
      const values = read.filter((r) => r.partition === p).map((r) => Number(r.value));
      const want = Array.from({ length: 150 }, (_, k) => k * 2 + p).flatMap((b) =>
        Array.from({ length: 10 }, (_, i) => b * 10 + i),
      );
      assert.deepEqual(values, want);
    }
  } finally {
    await broker.stop();
  }
});

/** Produce requests the broker has answered so far (its Prometheus counter). */
async function produceRequests(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = /^kafka_network_requestmetrics_requests_total\{request="Produce"\} (\d+)/m.exec(text);
  return m === null ? 0 : Number(m[1]);
}

test('partitions of several topics share one Produce request per round; each lands in order, once', async () => {
  const broker = await startBroker({ metrics: true });
  try {
    const topics = [
      { name: 'shared-a', partitions: 6 },
      { name: 'shared-b', partitions: 3 },
    ];
    for (const t of topics) await createTopic(broker.bootstrap, t.name, t.partitions);
    const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], compression: 'lz4' });
    // Leaders known before the first send, so the first round already groups every partition.
    for (const t of topics) assert.equal(await producer.partitionCount(t.name), t.partitions);
    const before = await produceRequests(broker.metricsUrl!);
    const ROUNDS = 20;
    const sends: {
      topic: string;
      partition: number;
      round: number;
      sent: Promise<{ baseOffset: bigint }>;
    }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const t of topics) {
        for (let partition = 0; partition < t.partitions; partition++) {
          const records = Array.from({ length: 10 }, (_, i) => rec(`k${partition}`, `${round}.${i}`));
          sends.push({ topic: t.name, partition, round, sent: producer.send(t.name, partition, records) });
        }
      }
    }
    for (const s of sends)
      assert.equal((await s.sent).baseOffset, BigInt(s.round * 10), `${s.topic}/${s.partition}`);
    const requests = (await produceRequests(broker.metricsUrl!)) - before;
    // 180 batches on 9 partitions: one request per round (at most 5 rounds in flight), not one per batch.
    assert.ok(requests <= ROUNDS, `${requests} Produce requests for ${sends.length} batches`);
    await producer.close();
    for (const t of topics) {
      const read = await readWithKafkaJS(broker.bootstrap, t.name, t.partitions * ROUNDS * 10);
      assert.equal(read.length, t.partitions * ROUNDS * 10);
      for (let partition = 0; partition < t.partitions; partition++) {
        const values = read.filter((r) => r.partition === partition).map((r) => r.value);
        const want = Array.from({ length: ROUNDS }, (_, round) =>
          Array.from({ length: 10 }, (_, i) => `${round}.${i}`),
        ).flat();
        assert.deepEqual(values, want, `${t.name}/${partition}`);
      }
    }
  } finally {
    await broker.stop();
  }
});

for (const lean of [true, false]) {
  test(`large batches reuse acknowledged batches' memory, and each lands with its own bytes (${lean ? 'lean' : 'library'} connections)`, async () => {
    const broker = await startBroker();
    try {
      await createTopic(broker.bootstrap, 'large', 2);
      const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], leanConnections: lean });
      assert.equal(await producer.partitionCount('large'), 2);
      // ~100 KB batches (pooled), three in flight at a time: each new one is encoded once an earlier
      // one is acknowledged, into its memory while the others are still in flight.
      const batches = 16;
      const value = (b: number, r: number) => String.fromCharCode(0x61 + b).repeat(25_000 + r);
      const send = (b: number) =>
        producer.send(
          'large',
          b % 2,
          [0, 1, 2, 3].map((r) => ({ key: Buffer.from(`${b}.${r}`), value: Buffer.from(value(b, r)) })),
        );
      const inFlight = new Set<Promise<unknown>>();
      for (let b = 0; b < batches; b++) {
        if (inFlight.size >= 3) await Promise.race(inFlight);
        const sent = send(b).finally(() => inFlight.delete(sent));
        inFlight.add(sent);
      }
      await Promise.all(inFlight);
      await producer.close();
      const read = await readWithKafkaJS(broker.bootstrap, 'large', batches * 4);
      assert.equal(read.length, batches * 4);
      for (const r of read) {
        const [b, i] = r.key!.split('.').map(Number) as [number, number];
        assert.equal(r.partition, b % 2);
        assert.ok(r.value === value(b, i), `record ${r.key} has another record's bytes`);
      }
    } finally {
      await broker.stop();
    }
  });
}

test('maxRequestBytes: a batch that would take a request over it goes in the next one', async () => {
  const broker = await startBroker({ metrics: true });
  try {
    await createTopic(broker.bootstrap, 'capped', 4);
    // Each batch is about 400 bytes (value and header): two fit in 1,000 bytes, a third does not.
    const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], maxRequestBytes: 1000 });
    assert.equal(await producer.partitionCount('capped'), 4);
    const before = await produceRequests(broker.metricsUrl!);
    const value = 'x'.repeat(150);
    const sent = [0, 1, 2, 3].map((p) => producer.send('capped', p, [rec(`k${p}`, value)]));
    for (const s of sent) assert.equal((await s).baseOffset, 0n);
    assert.equal((await produceRequests(broker.metricsUrl!)) - before, 2);
    await producer.close();
  } finally {
    await broker.stop();
  }
});

for (const lean of [true, false]) {
  test(`a broker restart with batches in flight: every batch acknowledged once, in order (${lean ? 'lean' : 'library'} connections)`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'batch-producer-'));
    const port = await freePort();
    let broker: TestBroker = await startBroker({ dataDir, port });
    try {
      await createTopic(broker.bootstrap, 'restarted', 1);
      const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], leanConnections: lean });
      const sends: Promise<{ baseOffset: bigint }>[] = [];
      let n = 0;
      const batch = () => Array.from({ length: 20 }, () => rec('k', String(n++)));
      for (let b = 0; b < 20; b++) sends.push(producer.send('restarted', 0, batch()));
      await sends[0];
      await broker.stop();
      for (let b = 0; b < 20; b++) sends.push(producer.send('restarted', 0, batch()));
      await new Promise((r) => setTimeout(r, 500));
      broker = await startBroker({ dataDir, port });
      for (let b = 0; b < 20; b++) sends.push(producer.send('restarted', 0, batch()));
      const offsets = (await Promise.all(sends)).map((r) => r.baseOffset);
      await producer.close();
      // Every batch after the first is at its place (a duplicate would show as -1 or a shifted offset).
      assert.deepEqual(
        offsets.filter((o) => o !== -1n),
        offsets.filter((o) => o !== -1n).map((_, i) => BigInt(i * 20)),
      );
      const read = await readWithKafkaJS(broker.bootstrap, 'restarted', n);
      assert.deepEqual(
        read.map((r) => Number(r.value)),
        Array.from({ length: n }, (_, i) => i),
      );
    } finally {
      await broker.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

test('an unreachable broker: sends fail after deliveryTimeoutMs with a precise error', async () => {
  const port = await freePort();
  const producer = new BatchProducer({ bootstrapBrokers: [`127.0.0.1:${port}`], deliveryTimeoutMs: 600 });
  await assert.rejects(producer.send('nowhere', 0, [rec('k', 'v')]), (err: Error) => {
    assert.ok(err instanceof BatchProducerError);
    assert.match(err.message, /nowhere\/0: not acknowledged within 600 ms/);
    return true;
  });
  await producer.close();
});

for (const lean of [true, false]) {
  test(`refused batches: too large, and a partition the topic lacks; later batches still go through (${lean ? 'lean' : 'library'} connections)`, async () => {
    const broker = await startBroker({ messageMaxBytes: 10_000 });
    try {
      await createTopic(broker.bootstrap, 'refusals', 1);
      const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], leanConnections: lean });
      const before = producer.send('refusals', 0, [rec('k', 'before')]);
      const big = producer.send('refusals', 0, [rec('k', 'x'.repeat(20_000))]);
      const after = producer.send('refusals', 0, [rec('k', 'after')]);
      assert.equal((await before).baseOffset, 0n);
      await assert.rejects(big, (err: Error) => {
        assert.ok(err instanceof BatchProducerError);
        assert.equal(err.errorCode, 10);
        assert.match(err.message, /refusals\/0: .*MESSAGE_TOO_LARGE|refusals\/0: .*too large/i);
        return true;
      });
      assert.equal((await after).baseOffset, 1n);
      await assert.rejects(
        producer.send('refusals', 5, [rec('k', 'v')]),
        /refusals\/5: the topic has 1 partitions/,
      );
      await producer.close();
      const read = await readWithKafkaJS(broker.bootstrap, 'refusals', 2);
      assert.deepEqual(
        read.map((r) => r.value),
        ['before', 'after'],
      );
    } finally {
      await broker.stop();
    }
  });
}

test('Produce goes on the lean connections by default, on the library connections with leanConnections: false', async () => {
  const broker = await startBroker();
  const counts = { lean: 0, library: 0 };
  const onLean = (msg: unknown): void => {
    if ((msg as { apiKey: number }).apiKey === 0) counts.lean++;
  };
  const library = tracingChannel<unknown, { apiKey?: number }>('plt:kafka:connections:api');
  const onLibrary = {
    start: (ctx: { apiKey?: number }) => {
      if (ctx.apiKey === 0) counts.library++;
    },
    end: () => {},
    asyncStart: () => {},
    asyncEnd: () => {},
    error: () => {},
  };
  requestChannel.subscribe(onLean);
  library.subscribe(onLibrary);
  try {
    await createTopic(broker.bootstrap, 'paths', 1);
    for (const lean of [true, false]) {
      const producer = new BatchProducer({ bootstrapBrokers: [broker.bootstrap], leanConnections: lean });
      for (let i = 0; i < 3; i++) await producer.send('paths', 0, [rec('k', `${lean}-${i}`)]);
      await producer.close();
      assert.deepEqual(counts, lean ? { lean: 3, library: 0 } : { lean: 3, library: 3 });
    }
    const read = await readWithKafkaJS(broker.bootstrap, 'paths', 6);
    assert.deepEqual(
      read.map((r) => r.value),
      ['true-0', 'true-1', 'true-2', 'false-0', 'false-1', 'false-2'],
    );
  } finally {
    requestChannel.unsubscribe(onLean);
    library.unsubscribe(onLibrary);
    await broker.stop();
  }
});

test('TLS: the lean connections speak it (SSL listener); with SASL (SASL_SSL) Produce goes through the library', async () => {
  const certs = makeCerts('alice');
  const broker = await startBroker({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
    tlsCert: certs.serverCert,
    tlsKey: certs.serverKey,
    tlsCa: certs.ca,
    scramUsers: ['alice:alice-secret'],
  });
  const addr = (protocol: string): string =>
    `127.0.0.1:${broker.listeners.find((l) => l.protocol === protocol)!.port}`;
  let lean = 0;
  const onLean = (msg: unknown): void => {
    if ((msg as { apiKey: number }).apiKey === 0) lean++;
  };
  requestChannel.subscribe(onLean);
  try {
    await createTopic(broker.bootstrap, 'tls', 1);
    const tls = { ca: readFileSync(certs.ca, 'utf8') };
    const overSsl = new BatchProducer({ bootstrapBrokers: [addr('SSL')], tls });
    assert.equal((await overSsl.send('tls', 0, [rec('k', 'ssl')])).baseOffset, 0n);
    await overSsl.close();
    assert.equal(lean, 1);
    const overSaslSsl = new BatchProducer({
      bootstrapBrokers: [addr('SASL_SSL')],
      tls,
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'alice', password: 'alice-secret' },
    });
    assert.equal((await overSaslSsl.send('tls', 0, [rec('k', 'sasl-ssl')])).baseOffset, 1n);
    await overSaslSsl.close();
    assert.equal(lean, 1);
    assert.throws(
      () =>
        new BatchProducer({
          bootstrapBrokers: ['a:1'],
          sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' },
          leanConnections: true,
        }),
      /leanConnections cannot do SASL/,
    );
    const read = await readWithKafkaJS(broker.bootstrap, 'tls', 2);
    assert.deepEqual(
      read.map((r) => r.value),
      ['ssl', 'sasl-ssl'],
    );
  } finally {
    requestChannel.unsubscribe(onLean);
    await broker.stop();
    rmSync(certs.dir, { recursive: true, force: true });
  }
});

test('options are checked', () => {
  assert.throws(
    () => new BatchProducer({ bootstrapBrokers: ['a:1'], acks: 1 }),
    /idempotent producer needs acks=-1/,
  );
  assert.throws(
    () => new BatchProducer({ bootstrapBrokers: ['a:1'], maxInFlight: 6 }),
    /maxInFlight must be 1..5/,
  );
  assert.throws(
    () => new BatchProducer({ bootstrapBrokers: ['a:1'], maxRequestBytes: 0 }),
    /maxRequestBytes must be a positive integer/,
  );
  assert.throws(
    () => new BatchProducer({ bootstrapBrokers: ['a:1'], transactionalId: 't' }),
    /transactionalId needs the producerId/,
  );
});
