import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord } from '../../src/coordinator/records/record.ts';
import type { OffsetCommitTopic } from '../../src/coordinator/types.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, flush, harness, joinRequest, stableGroup, track } from './helpers.ts';

const commit = (
  topic: string,
  partition: number,
  offset: bigint,
  metadata: string | null = '',
  epoch = -1,
) => ({
  name: topic,
  partitions: [
    {
      partitionIndex: partition,
      committedOffset: offset,
      committedLeaderEpoch: epoch,
      committedMetadata: metadata,
    },
  ],
});

const errorsOf = (r: { topics: { partitions: { errorCode: number }[] }[] }) =>
  r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));

describe('offset commit and fetch', () => {
  test('a member commits with metadata and leader epoch; fetch returns them, -1 for the rest', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }]);
    const a = members[0]!;
    const topics: OffsetCommitTopic[] = [
      {
        name: 'orders',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 42n,
            committedLeaderEpoch: 7,
            committedMetadata: 'checkpoint-1',
          },
          { partitionIndex: 1, committedOffset: 9n, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ];
    const result = await coordinator.commitOffsets('g', generationId, a.memberId, null, topics);
    assert.deepEqual(errorsOf(result), [0, 0]);

    const fetched = coordinator.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [0, 1, 2] }]);
    assert.deepEqual(fetched, {
      errorCode: 0,
      topics: [
        {
          name: 'orders',
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 42n,
              committedLeaderEpoch: 7,
              metadata: 'checkpoint-1',
              errorCode: 0,
            },
            { partitionIndex: 1, committedOffset: 9n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
            { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
          ],
        },
      ],
    });
    const all = coordinator.fetchOffsets('g', null);
    assert.deepEqual(
      all.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionIndex)]),
      [['orders', [0, 1]]],
    );
    const unknownGroup = coordinator.fetchOffsets('nope', [{ name: 'orders', partitionIndexes: [0] }]);
    assert.equal(unknownGroup.errorCode, 0);
    assert.equal(unknownGroup.topics[0]!.partitions[0]!.committedOffset, -1n);
    assert.deepEqual(coordinator.fetchOffsets('nope', null).topics, []);
  });

  test('the commit resolves only after the store append, and is visible only then', async () => {
    const h = harness();
    h.store.hold = true;
    const pending = track(h.coordinator.commitOffsets('simple', -1, '', null, [commit('t', 0, 5n, 'm')]));
    await flush();
    assert.equal(pending.settled(), false);
    assert.equal(
      h.coordinator.fetchOffsets('simple', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!
        .committedOffset,
      -1n,
    );
    h.store.release();
    assert.deepEqual(errorsOf(await pending.promise), [0]);
    assert.equal(
      h.coordinator.fetchOffsets('simple', [{ name: 't', partitionIndexes: [0] }]).topics[0]!.partitions[0]!
        .committedOffset,
      5n,
    );
    const rec = decodeRecord(h.store.records[0]!);
    assert.ok(rec.type === 'offset' && rec.value !== null);
    assert.deepEqual(rec.key, { group: 'simple', topic: 't', partition: 0 });
    assert.equal(rec.value.offset, 5n);
    assert.equal(rec.value.metadata, 'm');
  });

  test('simple commits (generation -1, no member) create an Empty group; member checks otherwise', async () => {
    const h = harness();
    const { coordinator } = h;
    assert.deepEqual(
      errorsOf(await coordinator.commitOffsets('simple', -1, '', null, [commit('t', 0, 1n)])),
      [0],
    );
    const listed = coordinator.listGroups().groups.find((g) => g.groupId === 'simple');
    assert.deepEqual(listed, {
      groupId: 'simple',
      protocolType: '',
      groupState: 'Empty',
      groupType: 'classic',
    });

    // Unknown group with a generation: ILLEGAL_GENERATION before v9, GROUP_ID_NOT_FOUND from v9.
    const old = await coordinator.commitOffsets('missing', 3, 'm', null, [commit('t', 0, 1n)], {
      apiVersion: 8,
    });
    assert.deepEqual(errorsOf(old), [ErrorCode.ILLEGAL_GENERATION]);
    const v9 = await coordinator.commitOffsets('missing', 3, 'm', null, [commit('t', 0, 1n)], {
      apiVersion: 9,
    });
    assert.deepEqual(errorsOf(v9), [ErrorCode.GROUP_ID_NOT_FOUND]);

    const { generationId } = await stableGroup(h, [{ clientId: 'a' }]);
    const anonymous = await coordinator.commitOffsets('g', -1, '', null, [commit('t', 0, 1n)]);
    assert.deepEqual(errorsOf(anonymous), [ErrorCode.UNKNOWN_MEMBER_ID]);
    const ghost = await coordinator.commitOffsets('g', generationId, 'ghost', null, [commit('t', 0, 1n)]);
    assert.deepEqual(errorsOf(ghost), [ErrorCode.UNKNOWN_MEMBER_ID]);
  });

  test('a commit during CompletingRebalance gets REBALANCE_IN_PROGRESS; during PreparingRebalance it is accepted', async () => {
    const h = harness();
    const { coordinator } = h;
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a' }));
    await advance(h.clock, 0);
    const ja = await a;
    const during = await coordinator.commitOffsets('g', ja.generationId, ja.memberId, null, [
      commit('t', 0, 1n),
    ]);
    assert.deepEqual(errorsOf(during), [ErrorCode.REBALANCE_IN_PROGRESS]);

    const { generationId, members } = await stableGroup(h, [{ clientId: 'x' }], 'g2');
    const newcomer = track(coordinator.joinGroup(joinRequest({ groupId: 'g2', clientId: 'y' })));
    await flush();
    assert.equal(coordinator.describeGroup('g2').groupState, 'PreparingRebalance');
    const preparing = await coordinator.commitOffsets('g2', generationId, members[0]!.memberId, null, [
      commit('t', 0, 1n),
    ]);
    assert.deepEqual(errorsOf(preparing), [0]);
    assert.equal(newcomer.settled(), false);
  });

  test('metadata over offset.metadata.max.bytes is refused for that partition only', async () => {
    const h = harness({ offsetMetadataMaxBytes: 10 });
    const result = await h.coordinator.commitOffsets('s', -1, '', null, [
      {
        name: 't',
        partitions: [
          {
            partitionIndex: 0,
            committedOffset: 1n,
            committedLeaderEpoch: -1,
            committedMetadata: 'x'.repeat(11),
          },
          {
            partitionIndex: 1,
            committedOffset: 2n,
            committedLeaderEpoch: -1,
            committedMetadata: 'x'.repeat(10),
          },
        ],
      },
    ]);
    assert.deepEqual(errorsOf(result), [ErrorCode.OFFSET_METADATA_TOO_LARGE, 0]);
    const fetched = h.coordinator.fetchOffsets('s', [{ name: 't', partitionIndexes: [0, 1] }]);
    assert.deepEqual(
      fetched.topics[0]!.partitions.map((p) => p.committedOffset),
      [-1n, 2n],
    );
  });

  test('store failures map to Kafka errors and the offsets stay uncommitted', async () => {
    const h = harness();
    h.store.failWith = new Error('disk on fire');
    const failed = await h.coordinator.commitOffsets('s', -1, '', null, [commit('t', 0, 1n)]);
    assert.deepEqual(errorsOf(failed), [ErrorCode.NOT_COORDINATOR]);
    h.store.failWith = Object.assign(new Error('too big'), { errorCode: ErrorCode.RECORD_LIST_TOO_LARGE });
    const tooBig = await h.coordinator.commitOffsets('s', -1, '', null, [commit('t', 0, 1n)]);
    assert.deepEqual(errorsOf(tooBig), [ErrorCode.INVALID_COMMIT_OFFSET_SIZE]);
    assert.equal(h.coordinator.fetchOffsets('s', null).topics.length, 0);
  });

  test('OffsetCommit v2-v4 retention time sets an explicit expire timestamp (value version 1)', async () => {
    const h = harness();
    await h.coordinator.commitOffsets('s', -1, '', null, [commit('t', 0, 1n)], { retentionTimeMs: 5_000n });
    const rec = decodeRecord(h.store.records[0]!);
    assert.ok(rec.type === 'offset' && rec.value !== null);
    assert.equal(rec.value.expireTimestamp, BigInt(h.clock.now() + 5_000));
    assert.equal(h.store.records[0]!.value!.readInt16BE(0), 1);
  });
});
