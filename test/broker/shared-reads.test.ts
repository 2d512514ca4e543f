/**
 * Plain TCP connections read into one buffer shared by every socket (src/broker/shared-read-buffer.ts):
 * the adopted socket keeps the server's connection count, addresses, pause/resume, end and close;
 * Produce requests of 3 KB to 4.6 MB, pipelined with other requests on several connections at once
 * and written in pieces of random sizes (frames split anywhere, down to their size's bytes), are
 * stored byte for byte and read back by KafkaJS, as are frames held while a handler loads;
 * connections closed mid-frame do not disturb the broker.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { adoptAccepted, readShared } from '../../src/broker/shared-read-buffer.ts';
import {
  defaultListGroupsRequest,
  writeListGroupsRequest,
} from '../../src/protocol/generated/messages/list-groups-request.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import { readProduceResponse } from '../../src/protocol/generated/messages/produce-response.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import type { Writer } from '../../src/protocol/primitives/writer.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { requestFrame, roundTrip } from './kafka-wire.ts';

/** A small seeded PRNG (mulberry32): the same pieces and bytes on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(n: number, next: () => number): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil(n / 4) * 4);
  for (let i = 0; i < out.length; i += 4) out.writeUInt32LE(Math.floor(next() * 4294967296), i);
  return out.subarray(0, n);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function frame(apiKey: number, version: number, correlationId: number, body: (w: Writer) => void): Buffer {
  return requestFrame(apiKey, version, correlationId, 'shared-reads', body);
}

describe('shared read buffer (adopted sockets)', () => {
  it('keeps the connection count, addresses, pause/resume, end and close', async () => {
    const server = createServer({ pauseOnConnect: true });
    const accepted: Socket[] = [];
    const got: Buffer[] = [];
    server.on('connection', (s) => {
      const socket = adoptAccepted(s, server);
      accepted.push(socket);
      assert.ok(
        readShared(socket, (n, buf) => got.push(Buffer.from(buf.subarray(0, n)))),
        'the socket was adopted',
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const client = connect(port, '127.0.0.1');
    await once(client, 'connect');
    while (accepted.length === 0) await sleep(5);
    const socket = accepted[0]!;
    assert.equal(socket.remoteAddress, '127.0.0.1');
    assert.equal(socket.remotePort, client.localPort);
    assert.equal(socket.localPort, port);
    const count = () => new Promise<number>((r) => server.getConnections((_, n) => r(n)));
    assert.equal(await count(), 1);

    client.write('hello');
    while (Buffer.concat(got).toString() !== 'hello') await sleep(5);
    socket.pause();
    client.write(' world');
    await sleep(100);
    assert.equal(Buffer.concat(got).toString(), 'hello', 'nothing is read while paused');
    socket.resume();
    while (Buffer.concat(got).toString() !== 'hello world') await sleep(5);

    socket.write('back');
    const [echo] = (await once(client, 'data')) as [Buffer];
    assert.equal(echo.toString(), 'back');

    // server.close() waits for the adopted connection; the client's end ends and closes it.
    let serverClosed = false;
    server.close(() => {
      serverClosed = true;
    });
    await sleep(50);
    assert.equal(serverClosed, false, 'the server waits for its connection');
    const ended = once(socket, 'end');
    const closed = once(socket, 'close');
    client.end();
    await ended;
    await closed;
    while (!serverClosed) await sleep(5);
    assert.equal(await count(), 0);
  });
});

describe('broker reads into the shared buffer', () => {
  let broker: TestBroker;
  const topic = 'split-reads';
  before(async () => {
    broker = await startBroker();
    const kafka = new Kafka({
      clientId: 'shared-reads',
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic, configEntries: [{ name: 'max.message.bytes', value: String(16 << 20) }] }],
    });
    await admin.disconnect();
  });
  after(async () => {
    await broker?.stop();
  });

  it('keeps frames held while a handler loads in memory of their own', async () => {
    // ListGroups' handler loads slowly here: the frames behind it on its connection are held
    // (a Produce request among them), while another connection's reads land in the shared buffer.
    const handlers = broker.broker.services.handlers;
    const load = handlers.load.bind(handlers);
    handlers.load = (apiKey) => (apiKey === 16 ? sleep(300).then(() => load(apiKey)!) : load(apiKey));
    try {
      const next = prng(42);
      const [a, b] = await Promise.all(
        [0, 1].map(async () => {
          const s = connect(broker.port, '127.0.0.1');
          await once(s, 'connect');
          return s;
        }),
      );
      const expected = new Map<string, string>();
      const produce = (name: string, id: number) => {
        const records = [0, 1].map((i) => ({
          key: Buffer.from(`${name}-${i}`),
          value: randomBytes(1_500, next),
        }));
        for (const r of records) expected.set(r.key.toString(), sha(r.value));
        return produceFrame(id, topic, records);
      };
      const listGroups = frame(16, 4, 1, (w) => writeListGroupsRequest(w, 4, defaultListGroupsRequest()));
      const held = answers(a!, [2, 3], 3);
      a!.write(Buffer.concat([listGroups, produce('held-a', 2), produce('held-b', 3)]));
      await sleep(50);
      const other = answers(b!, [1], 1);
      b!.write(Buffer.concat([produce('other', 1)]));
      assert.deepEqual(await other, [0]);
      assert.deepEqual(await held, [0, 0]);
      a!.destroy();
      b!.destroy();
      const got = await consumeAll(broker, topic, expected, 'held');
      for (const [key, digest] of expected) assert.equal(got.get(key), digest, `record ${key}`);
    } finally {
      handlers.load = load;
    }
  });

  it('stores pipelined Produce requests split across many reads byte for byte', async () => {
    const CONNECTIONS = 5;
    const SIZES = [3_000, 90_000, 600_000, 1_500_000, 4_600_000];
    const expected = new Map<string, string>();
    const sends = [];
    for (let c = 0; c < CONNECTIONS; c++) {
      const next = prng(1000 + c);
      const frames: Buffer[] = [];
      const produceIds: number[] = [];
      let id = 1;
      // A Metadata request between Produce requests: frames that are copied out of the read buffer.
      const md = defaultMetadataRequest();
      md.topics = [{ topicId: '0'.repeat(32), name: topic }];
      for (const [r, size] of SIZES.entries()) {
        if (r % 2 === 0) frames.push(frame(3, 12, id++, (w) => writeMetadataRequest(w, 12, md)));
        const records = [];
        for (let at = 0, i = 0; at < size; i++) {
          const n = Math.min(size - at, 20_000 + Math.floor(next() * 180_000));
          const key = `${c}-${r}-${i}`;
          const value = randomBytes(n, next);
          expected.set(key, sha(value));
          records.push({ key: Buffer.from(key), value });
          at += n;
        }
        produceIds.push(id);
        frames.push(produceFrame(id++, topic, records, r === 1 ? 1 : -1));
      }
      sends.push(sendInPieces(broker.port, Buffer.concat(frames), frames, produceIds, next));
    }
    const results = await Promise.all(sends);
    for (const codes of results) assert.deepEqual(codes, [0, 0, 0, 0, 0]);

    const got = await consumeAll(broker, topic, expected, 'split');
    for (const [key, digest] of expected) assert.equal(got.get(key), digest, `record ${key}`);
  });

  it('survives connections closed mid-frame, then stores large frames as before', async () => {
    // The first test's consumer connections are closing.
    for (let i = 0; i < 100 && broker.broker.connectionCount > 0; i++) await sleep(20);
    const before = broker.broker.connectionCount;
    const big = produceFrame(1, topic, [{ key: null, value: Buffer.alloc(1_000_000, 7) }]);
    // Cut inside the size, inside the API key, inside a pooled frame, inside a frame not yet
    // assembled (less than 1/16 arrived); destroyed, or half-closed by the client.
    for (const cut of [2, 5, 300_000, 20_000, 999_000]) {
      for (const halfClose of [false, true]) {
        const s = connect(broker.port, '127.0.0.1');
        s.on('error', () => {});
        await once(s, 'connect');
        s.write(big.subarray(0, cut));
        await sleep(20);
        if (halfClose) s.end();
        else s.destroy();
        await once(s, 'close');
      }
    }
    for (let i = 0; i < 100 && broker.broker.connectionCount > before; i++) await sleep(20);
    assert.equal(broker.broker.connectionCount, before);
    assert.equal(await roundTrip(broker.port, 'after-cuts', 'still here'), 'still here');

    // A whole frame after them, in two pieces: the pooled buffers are intact.
    const value = randomBytes(900_000, prng(7));
    const codes = await sendInPieces(
      broker.port,
      produceFrame(1, topic, [{ key: Buffer.from('k'), value }]),
      [],
      [1],
      prng(8),
    );
    assert.deepEqual(codes, [0]);
  });
});

/**
 * Writes `bytes` in pieces of random sizes (some of 1-7 bytes, so frame headers are split too), and
 * resolves with the error codes of the responses to `produceIds` once every request is answered.
 */
async function sendInPieces(
  port: number,
  bytes: Buffer,
  frames: Buffer[],
  produceIds: number[],
  next: () => number,
): Promise<number[]> {
  const s = connect(port, '127.0.0.1');
  await once(s, 'connect');
  const done = answers(s, produceIds, Math.max(frames.length, produceIds.length));
  for (let at = 0; at < bytes.length; ) {
    const n = next() < 0.2 ? 1 + Math.floor(next() * 7) : 1 + Math.floor(next() * 300_000);
    const piece = bytes.subarray(at, Math.min(bytes.length, at + n));
    at += piece.length;
    if (!s.write(piece)) await once(s, 'drain');
    if (next() < 0.3) await sleep(1);
  }
  const codes = await done;
  s.destroy();
  return codes;
}

/** Resolves, once `count` responses came, with the error codes of the responses to `produceIds`. */
function answers(s: Socket, produceIds: number[], count: number): Promise<number[]> {
  const codes = new Map<number, number>();
  let buffered = Buffer.alloc(0);
  let answered = 0;
  return new Promise<number[]>((resolve, reject) => {
    s.on('error', reject);
    s.on('close', () => reject(new Error(`closed after ${answered} responses`)));
    s.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const r = new Reader(buffered.subarray(4, 4 + buffered.readInt32BE(0)));
        buffered = buffered.subarray(4 + buffered.readInt32BE(0));
        const correlationId = r.readInt32();
        r.readUVarint(); // response header v1: tagged fields
        if (produceIds.includes(correlationId)) {
          const res = readProduceResponse(r, 9);
          codes.set(correlationId, res.responses[0]!.partitionResponses[0]!.errorCode);
        }
        if (++answered === count) resolve(produceIds.map((id) => codes.get(id) ?? -999));
      }
    });
  });
}

/** A Produce v9 request frame of one batch to partition 0 of `topic`. */
function produceFrame(
  correlationId: number,
  topic: string,
  records: { key: Buffer | null; value: Buffer }[],
  acks = -1,
): Buffer {
  const batch = buildRecordBatch({ records });
  return frame(0, 9, correlationId, (w) =>
    writeProduceRequest(w, 9, {
      transactionalId: null,
      acks,
      timeoutMs: 5000,
      topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
    }),
  );
}

/** The records of `topic` through a KafkaJS consumer (until every expected key came): key → sha256 of the value. */
async function consumeAll(
  broker: TestBroker,
  topic: string,
  expected: Map<string, string>,
  groupId: string,
): Promise<Map<string, string>> {
  const kafka = new Kafka({
    clientId: 'shared-reads',
    brokers: [broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId,
    maxBytes: 8 << 20,
    maxBytesPerPartition: 8 << 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    let missing = expected.size;
    const timer = setTimeout(() => reject(new Error(`${missing} of ${expected.size} not consumed`)), 60_000);
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const key = String(m.key);
            if (expected.has(key) && !got.has(key)) missing--;
            got.set(key, sha(m.value!));
          }
          if (missing === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return got;
}
