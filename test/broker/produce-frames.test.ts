/**
 * Large Produce frames that span socket reads are assembled in one broker-wide buffer
 * (src/broker/frame-scratch.ts): requests pipelined on two connections, the first ones held while
 * the ListGroups and Produce handlers load on a fresh broker, then more after it, all land byte for byte (CRC
 * checked on the way back) and in order.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { writeFetchRequest } from '../../src/protocol/generated/messages/fetch-request.ts';
import { readFetchResponse } from '../../src/protocol/generated/messages/fetch-response.ts';
import {
  defaultListGroupsRequest,
  writeListGroupsRequest,
} from '../../src/protocol/generated/messages/list-groups-request.ts';
import { buildRecordBatch, decodeRecordBatch } from '../../src/protocol/records/batch.ts';
import { batchSize } from '../../src/protocol/records/batch-header.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { autoCreateTopic, fetchPartition0, produceBatch, WireClient } from './kafka-wire.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

/** A batch of two 150 KB records filled with `fill`: each request frame spans several reads. */
function bigBatch(fill: number): Buffer {
  return buildRecordBatch({
    records: [
      { key: Buffer.from([fill]), value: Buffer.alloc(150_000, fill) },
      { key: Buffer.from([fill]), value: Buffer.alloc(150_000, fill + 100) },
    ],
  });
}

/** Every record of partition 0 from offset 0: [key byte, value byte, value length]. */
async function readAll(c: WireClient, topic: string): Promise<[number, number, number][]> {
  const out: [number, number, number][] = [];
  let offset = 0n;
  for (;;) {
    const fetch = fetchPartition0(topic, offset, 4 << 20, 0, 0);
    const res = readFetchResponse(await c.request(1, 12, (w) => writeFetchRequest(w, 12, fetch)), 12);
    const records = res.responses[0]!.partitions[0]!.records;
    if (!records || records.length === 0) return out;
    for (let at = 0; at + 61 <= records.length; at += batchSize(records, at)) {
      if (at + batchSize(records, at) > records.length) break;
      const { header, records: decoded } = decodeRecordBatch(records, at); // CRC checked
      for (const r of decoded) {
        const v = r.value!;
        assert.ok(
          v.every((b) => b === v[0]),
          'a value is one byte repeated',
        );
        out.push([r.key![0]!, v[0]!, v.length]);
      }
      offset = BigInt(header.baseOffset) + BigInt(header.lastOffsetDelta) + 1n;
    }
  }
}

it('pipelined large Produce requests on two connections land intact and in order', async () => {
  const a = await WireClient.open(broker.port);
  const b = await WireClient.open(broker.port);
  try {
    await autoCreateTopic(a, 'frames');
    // On a fresh broker the first ListGroups and Produce wait for their handlers to load, and the
    // frames behind them are held with them (they keep their buffers); the second round goes
    // through the scratch buffer only.
    for (const round of [0, 10]) {
      const held =
        round === 0
          ? a.request(16, 4, (w) => writeListGroupsRequest(w, 4, defaultListGroupsRequest()))
          : null;
      const sent = [
        produceBatch(a, 'frames', bigBatch(round + 1)),
        produceBatch(b, 'frames', bigBatch(round + 2)),
        produceBatch(a, 'frames', bigBatch(round + 3)),
        produceBatch(b, 'frames', bigBatch(round + 4)),
        produceBatch(a, 'frames', bigBatch(round + 5)),
      ];
      for (const p of await Promise.all(sent)) assert.equal(p.errorCode, 0);
      await held;
    }
    const got = await readAll(a, 'frames');
    assert.equal(got.length, 20);
    const fills = got.filter((_, i) => i % 2 === 0).map(([key]) => key);
    for (const [key, value, length] of got) {
      assert.ok(value === key || value === key + 100, `record of ${key} holds ${value}`);
      assert.equal(length, 150_000);
    }
    // Each connection's requests in the order sent (connections may interleave).
    const order = (mine: number[]) => fills.filter((f) => mine.includes(f));
    assert.deepEqual(order([1, 3, 5, 11, 13, 15]), [1, 3, 5, 11, 13, 15]);
    assert.deepEqual(order([2, 4, 12, 14]), [2, 4, 12, 14]);
    assert.deepEqual(
      [...fills].sort((x, y) => x - y),
      [1, 2, 3, 4, 5, 11, 12, 13, 14, 15],
    );
  } finally {
    a.close();
    b.close();
  }
});
