import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord } from '../../src/coordinator/records/record.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { flush, harness, joinRequest, stableGroup, subscription, track } from './helpers.ts';

const commit = (topic: string, partition: number, offset: bigint) => ({
  name: topic,
  partitions: [
    { partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' },
  ],
});

describe('group administration', () => {
  test('DeleteGroups: NON_EMPTY_GROUP while members, GROUP_ID_NOT_FOUND when missing, ok once Empty', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }]);
    const a = members[0]!;
    await coordinator.commitOffsets('g', generationId, a.memberId, null, [
      commit('orders', 0, 10n),
      commit('orders', 1, 11n),
    ]);

    assert.deepEqual(await coordinator.deleteGroups(['g', 'missing']), [
      { groupId: 'g', errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: 'missing', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);

    coordinator.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
    assert.equal(coordinator.describeGroup('g').groupState, 'Empty');
    const before = h.store.records.length;
    assert.deepEqual(await coordinator.deleteGroups(['g']), [{ groupId: 'g', errorCode: ErrorCode.NONE }]);

    assert.equal(coordinator.describeGroup('g').groupState, 'Dead');
    assert.equal(coordinator.listGroups().groups.length, 0);
    assert.deepEqual(coordinator.fetchOffsets('g', null).topics, []);
    const tombstones = h.store.records.slice(before).map(decodeRecord);
    assert.deepEqual(
      tombstones.map((r) => [r.type, r.type === 'other' ? null : r.value]),
      [
        ['offset', null],
        ['offset', null],
        ['group', null],
      ],
    );
    assert.deepEqual(await coordinator.deleteGroups(['g']), [
      { groupId: 'g', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
  });

  test('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC for a topic a member subscribes to, deletes others', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [
      { clientId: 'a', topics: ['orders', 'payments'] },
    ]);
    const a = members[0]!;
    await coordinator.commitOffsets('g', generationId, a.memberId, null, [
      commit('orders', 0, 1n),
      commit('old-topic', 0, 2n),
    ]);

    const result = await coordinator.deleteOffsets('g', [
      { name: 'orders', partitions: [{ partitionIndex: 0 }] },
      { name: 'old-topic', partitions: [{ partitionIndex: 0 }] },
    ]);
    assert.deepEqual(result, {
      errorCode: 0,
      topics: [
        {
          name: 'orders',
          partitions: [{ partitionIndex: 0, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC }],
        },
        { name: 'old-topic', partitions: [{ partitionIndex: 0, errorCode: 0 }] },
      ],
    });
    assert.deepEqual(
      coordinator.fetchOffsets('g', null).topics.map((t) => t.name),
      ['orders'],
    );
    const missing = await coordinator.deleteOffsets('missing', [
      { name: 'orders', partitions: [{ partitionIndex: 0 }] },
    ]);
    assert.equal(missing.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  test('OffsetDelete on a non-consumer group with members is NON_EMPTY_GROUP', async () => {
    const h = harness();
    const join = track(
      h.coordinator.joinGroup(
        joinRequest({ protocolType: 'connect', protocols: [{ name: 'v1', metadata: Buffer.from('x') }] }),
      ),
    );
    await flush();
    h.clock.advance(0);
    await join.promise;
    const result = await h.coordinator.deleteOffsets('g', [
      { name: 't', partitions: [{ partitionIndex: 0 }] },
    ]);
    assert.equal(result.errorCode, ErrorCode.NON_EMPTY_GROUP);
  });

  test('ListGroups filters by state (case-insensitive) and type; DescribeGroups shows members', async () => {
    const h = harness();
    const { coordinator } = h;
    await stableGroup(h, [{ clientId: 'a' }, { clientId: 's', groupInstanceId: 'inst-s', topics: ['x'] }]);
    await coordinator.commitOffsets('simple', -1, '', null, [commit('t', 0, 1n)]);

    assert.deepEqual(
      coordinator.listGroups().groups.map((g) => [g.groupId, g.groupState, g.protocolType]),
      [
        ['g', 'Stable', 'consumer'],
        ['simple', 'Empty', ''],
      ],
    );
    assert.deepEqual(
      coordinator.listGroups(['stable']).groups.map((g) => g.groupId),
      ['g'],
    );
    assert.deepEqual(
      coordinator.listGroups(['Empty', 'Dead']).groups.map((g) => g.groupId),
      ['simple'],
    );
    assert.equal(coordinator.listGroups([], ['consumer']).groups.length, 0);
    assert.equal(coordinator.listGroups([], ['Classic']).groups.length, 2);

    const described = coordinator.describeGroup('g');
    assert.equal(described.groupState, 'Stable');
    assert.equal(described.protocolType, 'consumer');
    assert.equal(described.protocolData, 'range');
    assert.deepEqual(
      described.members.map((m) => [
        m.clientId,
        m.groupInstanceId,
        m.clientHost,
        m.memberAssignment.toString(),
      ]),
      [
        ['a', null, '/127.0.0.1', 'assign-a'],
        ['s', 'inst-s', '/127.0.0.1', 'assign-s'],
      ],
    );
    assert.deepEqual(described.members[1]!.memberMetadata, subscription('x'));
    assert.deepEqual(coordinator.describeGroups(['nope']), [
      { errorCode: 0, groupId: 'nope', groupState: 'Dead', protocolType: '', protocolData: '', members: [] },
    ]);
  });
});
