/**
 * Fetch answers are read into pooled buffers that go back to the pool only once the response is
 * written to the socket. A client that reads nothing while two waves of six 1 MiB fetches are
 * pipelined leaves the first wave's answers queued in the broker's socket buffers while the second
 * wave reads into the pool; every answer must still carry the right batches (CRC-checked, record
 * by record), and the pool must hold the memory again afterwards. Releasing a lease as soon as the
 * response is built (instead of once written) fails this test with a CRC mismatch.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { requestHeaderVersion } from '../../src/protocol/generated/api-keys.ts';
import {
  defaultFetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import { writeRequestHeader } from '../../src/protocol/generated/messages/request-header.ts';
import { Reader } from '../../src/protocol/primitives/reader.ts';
import { Writer } from '../../src/protocol/primitives/writer.ts';
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
  const w = new Writer(256);
  w.writeInt32(0);
  writeRequestHeader(w, requestHeaderVersion(1, 12), {
    requestApiKey: 1,
    requestApiVersion: 12,
    correlationId,
    clientId: 'pool-test',
  });
  const req = defaultFetchRequest();
  req.maxWaitMs = 0;
  req.minBytes = 0;
  req.maxBytes = maxBytes;
  req.topics = [
    {
      topic: TOPIC,
      topicId: '0'.repeat(32),
      partitions: [
        {
          partition: 0,
          currentLeaderEpoch: -1,
          fetchOffset: BigInt(offset),
          lastFetchedEpoch: -1,
          logStartOffset: -1n,
          partitionMaxBytes: maxBytes,
          replicaDirectoryId: '0'.repeat(32),
        },
      ],
    },
  ];
  writeFetchRequest(w, 12, req);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
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
    const chunks: Buffer[] = [];
    let received = 0;
    const frames: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('data', (c: Buffer) => {
        chunks.push(c);
        received += c.length;
        let all = Buffer.concat(chunks);
        while (all.length >= 4 && all.length >= 4 + all.readInt32BE(0)) {
          frames.push(all.subarray(4, 4 + all.readInt32BE(0)));
          all = all.subarray(4 + all.readInt32BE(0));
        }
        chunks.length = 0;
        if (all.length > 0) chunks.push(all);
        if (frames.length === requests) resolve();
      });
      socket.once('error', reject);
      socket.resume();
    });
    socket.destroy();
    assert.ok(received > requests * 100_000, `large answers (${received} bytes)`);
    for (const [i, frame] of frames.entries()) {
      const r = new Reader(frame);
      assert.equal(r.readInt32(), i, 'answers in request order');
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
          assert.deepEqual(rec.value, expectedValue(offset), `offset ${offset} in answer ${i}`);
        }
        at += size;
      }
      assert.ok(expected > offsets[i]!, `answer ${i} reaches past its fetch offset`);
    }
    const pool = broker.broker.services.logs.readBuffers;
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(pool.pooledBytes > 0, 'written answers returned their buffers to the pool');
  });
});
