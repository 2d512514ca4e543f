/**
 * Fetch answers are read into pooled buffers that go back to the pool only once the response is
 * written to the socket. A client that reads nothing while two waves of six 1 MiB fetches are
 * pipelined leaves the first wave's answers queued in the broker's socket buffers while the second
 * wave reads into the pool; every answer must still carry the right batches (CRC-checked, record
 * by record), and the pool must hold the memory again afterwards. Releasing a lease as soon as the
 * response is built (instead of once written) fails this test with a CRC mismatch. A consumer
 * reading the topic from the start is served from read-ahead (read-ahead.ts), every record intact.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { fetchFrame as rawFetchFrame } from '../../bench/kafka/frames.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { autoCreateTopic, produceBatch, WireClient } from './kafka-wire.ts';

const TOPIC = 'pooled-fetch';
const BATCHES = 200;
const PER_BATCH = 500;
const expectedValue = (offset: number): Buffer =>
  Buffer.from(`record-${offset}-`.padEnd(120, String(offset % 10)));

let broker: TestBroker;
before(async () => {
  broker = await startBroker({ numPartitions: 1 });
  const c = await WireClient.open(broker.port);
  await autoCreateTopic(c, TOPIC);
  for (let b = 0; b < BATCHES; b++) {
    const records = Array.from({ length: PER_BATCH }, (_, i) => ({
      key: null,
      value: expectedValue(b * PER_BATCH + i),
    }));
    const p = await produceBatch(c, TOPIC, buildRecordBatch({ records }), 1);
    assert.equal(p.errorCode, 0);
  }
  c.close();
});
after(async () => {
  await broker?.stop();
});

function fetchFrame(correlationId: number, offset: number, maxBytes: number): Buffer {
  return rawFetchFrame(
    [{ topic: TOPIC, partition: 0, offset: BigInt(offset), partitionMaxBytes: maxBytes }],
    { maxWaitMs: 0, minBytes: 0, maxBytes },
    correlationId,
  );
}

/** Decodes one Fetch answer, checks every batch's CRC and record values; returns the next offset. */
function checkAnswer(frame: Buffer, correlationId: number): number {
  const r = new Reader(frame);
  assert.equal(r.readInt32(), correlationId, 'answers in request order');
  r.readUVarint();
  const res = readFetchResponse(r, 12);
  const p = res.responses[0]!.partitions[0]!;
  assert.equal(p.errorCode, 0);
  const records = p.records!;
  let at = 0;
  let expected = -1;
  while (at + 61 <= records.length) {
    const size = 12 + records.readInt32BE(at + 8);
    if (at + size > records.length) break;
    const batch = decodeRecordBatch(records, at, { verifyCrc: true });
    for (const [j, rec] of batch.records.entries()) {
      const offset = batch.header.baseOffset + j;
      if (expected >= 0) assert.equal(offset, expected);
      expected = offset + 1;
      assert.deepEqual(rec.value, expectedValue(offset), `offset ${offset} in answer ${correlationId}`);
    }
    at += size;
  }
  return expected;
}

/** Reads `count` length-prefixed frames from the socket. */
function readFrames(socket: Socket, count: number): Promise<Buffer[]> {
  const frames: Buffer[] = [];
  let pending: Buffer = Buffer.alloc(0);
  return new Promise((resolve, reject) => {
    const onData = (c: Buffer): void => {
      pending = pending.length === 0 ? c : Buffer.concat([pending, c]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        frames.push(pending.subarray(4, 4 + pending.readInt32BE(0)));
        pending = pending.subarray(4 + pending.readInt32BE(0));
      }
      if (frames.length >= count) {
        socket.off('data', onData);
        resolve(frames);
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.resume();
  });
}

describe('pooled Fetch read buffers', () => {
  it('keep every pipelined answer intact while the client is not reading', async () => {
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const requests = 12;
    const maxBytes = 1024 * 1024;
    const offsets = Array.from({ length: requests }, (_, i) => (i * 1237) % (BATCHES * PER_BATCH));
    // Two waves: the first wave's answers wait in the broker's socket buffers (the client reads
    // nothing) while the second wave reads into the pool; a buffer recycled before its answer was
    // written would show up as corrupt batches in the first wave.
    for (const [i, offset] of offsets.entries()) {
      socket.write(fetchFrame(i, offset, maxBytes));
      if (i === requests / 2 - 1) await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 200));
    const frames = await readFrames(socket, requests);
    const received = frames.reduce((n, f) => n + f.length, 0);
    socket.destroy();
    assert.ok(received > requests * 100_000, `large answers (${received} bytes)`);
    for (const [i, frame] of frames.entries()) {
      const expected = checkAnswer(frame, i);
      assert.ok(expected > offsets[i]!, `answer ${i} reaches past its fetch offset`);
    }
    const pool = broker.broker.services.logs.readBuffers;
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(pool.pooledBytes > 0, 'written answers returned their buffers to the pool');
  });

  it('serve a consumer catching up from read-ahead, every record intact and in order', async () => {
    const readAhead = broker.broker.services.logs.readAhead;
    const hitsBefore = readAhead.stats.hits;
    const socket = connect(broker.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    let offset = 0;
    let fetches = 0;
    while (offset < BATCHES * PER_BATCH) {
      socket.write(fetchFrame(fetches, offset, 1024 * 1024));
      const [frame] = await readFrames(socket, 1);
      offset = checkAnswer(frame!, fetches);
      fetches++;
    }
    socket.destroy();
    assert.equal(offset, BATCHES * PER_BATCH, 'every record once, in order');
    const hits = readAhead.stats.hits - hitsBefore;
    // All but the first answer and the last (less than a full read left after it) come from read-ahead.
    assert.ok(fetches >= 10 && hits >= fetches - 3, `${hits} of ${fetches} fetches from read-ahead`);
  });
});
