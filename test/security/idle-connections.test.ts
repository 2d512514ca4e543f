/**
 * 1,000 idle connections stay open and do not stop a concurrent producer; the produce rate with
 * and without them is printed as a figure (not asserted: speed is measured, not tested). Each rate
 * is 2,000 produce requests of 100 records; IDLE_TEST_REQUESTS=10000 gives steadier figures (the
 * test's CPU grows with it: 10,000 made it one of the costliest files of `npm test`).
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, it } from 'node:test';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import { writeProduceRequest } from '../../src/protocol/generated/messages/produce-request.ts';
import { readProduceResponse } from '../../src/protocol/generated/messages/produce-response.ts';
import { buildRecordBatch } from '../../src/protocol/records/batch.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from '../broker/kafka-wire.ts';

const IDLE = 1000;
const REQUESTS = Number(process.env.IDLE_TEST_REQUESTS ?? 2_000);
let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

/** Sends REQUESTS produce requests of 100 records (100 B each), 32 in flight; returns records/s. */
async function produceRate(c: WireClient, topic: string): Promise<number> {
  const value = Buffer.alloc(100, 'x');
  const records = Array.from({ length: 100 }, () => ({ key: null, value }));
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      next++;
      const batch = buildRecordBatch({ records });
      const res = readProduceResponse(
        await c.request(0, 9, (w) =>
          writeProduceRequest(w, 9, {
            transactionalId: null,
            acks: 1,
            timeoutMs: 5000,
            topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
          }),
        ),
        9,
      );
      assert.equal(res.responses[0]!.partitionResponses[0]!.errorCode, 0);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return (REQUESTS * 100) / ((performance.now() - start) / 1000);
}

it(`keeps serving a producer while ${IDLE} idle connections are open`, async () => {
  const c = await WireClient.open(broker.port);
  const md = defaultMetadataRequest();
  md.topics = [{ topicId: '0'.repeat(32), name: 'idle-test' }];
  md.allowAutoTopicCreation = true;
  readMetadataResponse(await c.request(3, 12, (w) => writeMetadataRequest(w, 12, md)), 12);
  await produceRate(c, 'idle-test'); // warm-up
  const baseline = await produceRate(c, 'idle-test');

  const idle: Socket[] = [];
  let closedEarly = 0;
  await Promise.all(
    Array.from(
      { length: IDLE },
      () =>
        new Promise<void>((resolve, reject) => {
          const s = connect(broker.port, '127.0.0.1', () => resolve());
          s.on('error', reject);
          s.on('close', () => closedEarly++);
          idle.push(s);
        }),
    ),
  );
  // A connect completes in the client's kernel before the broker accepts it; past the listen
  // backlog the kernel hands connections over on SYN-ACK retransmits (seconds). Measure once the
  // broker holds them all.
  for (const deadline = Date.now() + 60_000; broker.broker.connectionCount < IDLE + 1; ) {
    if (Date.now() > deadline)
      assert.fail(`the broker accepted ${broker.broker.connectionCount - 1} of ${IDLE} connections in 60 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const withIdle = await produceRate(c, 'idle-test');
  assert.equal(closedEarly, 0, 'idle connections stay open');
  assert.ok(
    broker.broker.connectionCount >= IDLE + 1,
    `broker holds ${broker.broker.connectionCount} connections`,
  );
  console.log(
    `produce 100 B records, 32 requests in flight: ${Math.round(baseline)} records/s alone, ` +
      `${Math.round(withIdle)} records/s with ${IDLE} idle connections (${((withIdle / baseline) * 100).toFixed(0)}%)`,
  );
  for (const s of idle) s.destroy();
  c.close();
});
