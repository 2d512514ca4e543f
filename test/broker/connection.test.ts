/**
 * Connection-level behaviour over a real socket: ApiVersions (incl. the KIP-511 fallback), unknown
 * API keys and unsupported versions, oversized frames, pipelined requests answered in order, and
 * ListOffsets by timestamp (earliest offset at or after the time).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { readApiVersionsResponse } from '../../src/protocol/generated/messages/api-versions-response.ts';
import {
  defaultFetchRequest,
  writeFetchRequest,
} from '../../src/protocol/generated/messages/fetch-request.ts';
import { writeListOffsetsRequest } from '../../src/protocol/generated/messages/list-offsets-request.ts';
import { readListOffsetsResponse } from '../../src/protocol/generated/messages/list-offsets-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import { readProduceResponse } from '../../src/protocol/generated/messages/produce-response.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from './kafka-wire.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker({ socketRequestMaxBytes: 1024 * 1024 });
});
after(async () => {
  await broker?.stop();
});

describe('connection', () => {
  it('answers ApiVersions at every version with the served ranges', async () => {
    const c = await WireClient.open(broker.port);
    for (let v = 0; v <= 4; v++) {
      const res = readApiVersionsResponse(
        await c.request(18, v, (w) => {
          if (v >= 3) {
            w.writeCompactString('samsa-test');
            w.writeCompactString('1.0');
            w.writeUVarint(0);
          }
        }),
        v,
      );
      assert.equal(res.errorCode, 0);
      const produce = res.apiKeys.find((k) => k.apiKey === 0);
      assert.deepEqual(produce, { apiKey: 0, minVersion: 0, maxVersion: 11 });
      assert.ok(
        res.apiKeys.some((k) => k.apiKey === 11),
        'JoinGroup advertised',
      );
    }
    c.close();
  });

  it('answers an unknown ApiVersions version in v0 with UNSUPPORTED_VERSION (KIP-511)', async () => {
    const c = await WireClient.open(broker.port);
    // A v2 request header + empty body, at a version the broker does not know; the reply is v0.
    const r = await c.request(18, 99, () => {});
    const res = readApiVersionsResponse(r, 0);
    assert.equal(res.errorCode, ErrorCode.UNSUPPORTED_VERSION);
    assert.ok(res.apiKeys.find((k) => k.apiKey === 18 && k.maxVersion === 4));
    c.close();
  });

  it('closes the connection on an unknown API key, an unsupported version and an oversized frame', async () => {
    for (const send of [
      (c: WireClient) => void c.request(9999, 0, () => {}),
      (c: WireClient) => void c.request(3, 99, () => {}),
      (c: WireClient) => {
        const b = Buffer.alloc(4);
        b.writeInt32BE(2 * 1024 * 1024, 0);
        c.sendRaw(b);
      },
    ]) {
      const c = await WireClient.open(broker.port);
      send(c);
      assert.equal(await c.waitClosed(), true);
    }
    // ...and keeps serving others.
    const ok = await WireClient.open(broker.port);
    const res = readApiVersionsResponse(await ok.request(18, 0, () => {}), 0);
    assert.equal(res.errorCode, 0);
    ok.close();
  });

  it('answers pipelined requests in request order even when an early one waits', async () => {
    const c = await WireClient.open(broker.port);
    const md = defaultMetadataRequest();
    md.topics = [{ topicId: '0'.repeat(32), name: 'pipeline' }];
    md.allowAutoTopicCreation = true;
    readMetadataResponse(await c.request(3, 12, (w) => writeMetadataRequest(w, 12, md)), 12);
    const order: string[] = [];
    const fetch = defaultFetchRequest();
    fetch.maxWaitMs = 300;
    fetch.minBytes = 1;
    fetch.maxBytes = 1 << 20;
    fetch.topics = [
      {
        topic: 'pipeline',
        topicId: '0'.repeat(32),
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 0n,
            lastFetchedEpoch: -1,
            logStartOffset: -1n,
            partitionMaxBytes: 1 << 20,
            replicaDirectoryId: '0'.repeat(32),
          },
        ],
      },
    ];
    const slow = c.request(1, 12, (w) => writeFetchRequest(w, 12, fetch)).then(() => order.push('fetch'));
    const fast = c.request(18, 0, () => {}).then(() => order.push('apiversions'));
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['fetch', 'apiversions']);
    c.close();
  });

  it('finds the earliest offset at or after a timestamp (ListOffsets)', async () => {
    const c = await WireClient.open(broker.port);
    const md = defaultMetadataRequest();
    md.topics = [{ topicId: '0'.repeat(32), name: 'by-time' }];
    md.allowAutoTopicCreation = true;
    readMetadataResponse(await c.request(3, 12, (w) => writeMetadataRequest(w, 12, md)), 12);
    const t0 = 1_700_000_000_000;
    // Three batches of 10 records: timestamps t0 + 0..29 seconds.
    for (let b = 0; b < 3; b++) {
      const records = Array.from({ length: 10 }, (_, i) => ({
        key: null,
        value: Buffer.from(`r${b * 10 + i}`),
        timestamp: t0 + (b * 10 + i) * 1000,
      }));
      const res = readProduceResponse(
        await c.request(0, 9, (w) =>
          writeProduceRequest(w, 9, {
            transactionalId: null,
            acks: 1,
            timeoutMs: 1000,
            topicData: [
              { name: 'by-time', partitionData: [{ index: 0, records: buildRecordBatch({ records }) }] },
            ],
          }),
        ),
        9,
      );
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
    }
    const lookup = async (timestamp: bigint, v = 7) => {
      const res = readListOffsetsResponse(
        await c.request(2, v, (w) =>
          writeListOffsetsRequest(w, v, {
            replicaId: -1,
            isolationLevel: 0,
            topics: [
              {
                name: 'by-time',
                partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 }],
              },
            ],
            timeoutMs: 1000,
          }),
        ),
        v,
      );
      return res.topics[0]!.partitions[0]!;
    };
    assert.equal((await lookup(BigInt(t0))).offset, 0n);
    assert.equal((await lookup(BigInt(t0 + 12_500))).offset, 13n, 'first record at or after 12.5 s');
    assert.equal((await lookup(BigInt(t0 + 12_000))).timestamp, BigInt(t0 + 12_000));
    assert.equal((await lookup(BigInt(t0 + 29_000))).offset, 29n);
    assert.equal((await lookup(BigInt(t0 + 30_000))).offset, -1n, 'nothing that new');
    assert.equal((await lookup(-2n)).offset, 0n, 'earliest');
    assert.equal((await lookup(-1n)).offset, 30n, 'latest');
    assert.equal((await lookup(-3n)).offset, 29n, 'max timestamp');
    const v0 = await lookup(-1n, 0);
    assert.deepEqual(v0.oldStyleOffsets, [30n]);
    c.close();
  });
});
