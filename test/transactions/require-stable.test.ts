/**
 * OffsetFetch with require_stable (KIP-447): while a transaction holds an uncommitted
 * TxnOffsetCommit for a partition, a consumer asking for stable offsets gets UNSTABLE_OFFSET_COMMIT
 * (and retries); without require_stable it gets the last committed offset; once the transaction
 * commits, the transactional offset is returned.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { writeAddOffsetsToTxnRequest } from '../../src/protocol/generated/messages/add-offsets-to-txn-request.ts';
import { readAddOffsetsToTxnResponse } from '../../src/protocol/generated/messages/add-offsets-to-txn-response.ts';
import { writeEndTxnRequest } from '../../src/protocol/generated/messages/end-txn-request.ts';
import { readEndTxnResponse } from '../../src/protocol/generated/messages/end-txn-response.ts';
import { writeInitProducerIdRequest } from '../../src/protocol/generated/messages/init-producer-id-request.ts';
import { readInitProducerIdResponse } from '../../src/protocol/generated/messages/init-producer-id-response.ts';
import {
  defaultMetadataRequest,
  writeMetadataRequest,
} from '../../src/protocol/generated/messages/metadata-request.ts';
import { readMetadataResponse } from '../../src/protocol/generated/messages/metadata-response.ts';
import {
  defaultOffsetFetchRequest,
  writeOffsetFetchRequest,
} from '../../src/protocol/generated/messages/offset-fetch-request.ts';
import { readOffsetFetchResponse } from '../../src/protocol/generated/messages/offset-fetch-response.ts';
import { writeTxnOffsetCommitRequest } from '../../src/protocol/generated/messages/txn-offset-commit-request.ts';
import { readTxnOffsetCommitResponse } from '../../src/protocol/generated/messages/txn-offset-commit-response.ts';
import { startBroker, type TestBroker } from '../../src/testing/index.ts';
import { WireClient } from '../broker/kafka-wire.ts';

let broker: TestBroker;
before(async () => {
  broker = await startBroker();
});
after(async () => {
  await broker?.stop();
});

async function fetchOffset(
  c: WireClient,
  requireStable: boolean,
): Promise<{ errorCode: number; offset: bigint }> {
  const req = defaultOffsetFetchRequest();
  req.groupId = 'stable-group';
  req.topics = [{ name: 'stable-in', partitionIndexes: [0] }];
  req.requireStable = requireStable;
  const res = readOffsetFetchResponse(await c.request(9, 7, (w) => writeOffsetFetchRequest(w, 7, req)), 7);
  const p = res.topics[0]!.partitions[0]!;
  return { errorCode: p.errorCode, offset: p.committedOffset };
}

it('answers UNSTABLE_OFFSET_COMMIT for pending transactional offsets when require_stable is set', async () => {
  const c = await WireClient.open(broker.port);
  const md = defaultMetadataRequest();
  md.topics = [{ topicId: '0'.repeat(32), name: 'stable-in' }];
  md.allowAutoTopicCreation = true;
  readMetadataResponse(await c.request(3, 12, (w) => writeMetadataRequest(w, 12, md)), 12);

  const init = readInitProducerIdResponse(
    await c.request(22, 4, (w) =>
      writeInitProducerIdRequest(w, 4, {
        transactionalId: 'stable-txn',
        transactionTimeoutMs: 60_000,
        producerId: -1n,
        producerEpoch: -1,
      }),
    ),
    4,
  );
  assert.equal(init.errorCode, 0);
  const ids = {
    transactionalId: 'stable-txn',
    producerId: init.producerId,
    producerEpoch: init.producerEpoch,
  };
  const added = readAddOffsetsToTxnResponse(
    await c.request(25, 3, (w) => writeAddOffsetsToTxnRequest(w, 3, { ...ids, groupId: 'stable-group' })),
    3,
  );
  assert.equal(added.errorCode, 0);
  const committed = readTxnOffsetCommitResponse(
    await c.request(28, 3, (w) =>
      writeTxnOffsetCommitRequest(w, 3, {
        ...ids,
        groupId: 'stable-group',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [
          {
            name: 'stable-in',
            partitions: [
              { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: -1, committedMetadata: '' },
            ],
          },
        ],
      }),
    ),
    3,
  );
  assert.equal(committed.topics[0]!.partitions[0]!.errorCode, 0);

  assert.deepEqual(await fetchOffset(c, true), { errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT, offset: -1n });
  assert.deepEqual(await fetchOffset(c, false), { errorCode: 0, offset: -1n }, 'nothing committed yet');

  const ended = readEndTxnResponse(
    await c.request(26, 3, (w) => writeEndTxnRequest(w, 3, { ...ids, committed: true })),
    3,
  );
  assert.equal(ended.errorCode, 0);
  assert.deepEqual(await fetchOffset(c, true), { errorCode: 0, offset: 42n });
  c.close();
});
