import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, harness, joinRequest, MemoryStore, stableGroup, syncRequest } from './helpers.ts';

const commit = (topic: string, partition: number, offset: bigint, metadata = '', epoch = -1) => ({
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

describe('replay of emitted records (load)', () => {
  test('rebuilds committed offsets and group state', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, leader, members } = await stableGroup(h, [
      { clientId: 'a' },
      { clientId: 's', groupInstanceId: 'inst-s', topics: ['orders', 'audit'] },
    ]);
    await coordinator.commitOffsets('g', generationId, leader, null, [commit('orders', 0, 100n, 'meta', 3)]);
    await coordinator.commitOffsets('g', generationId, leader, null, [
      commit('orders', 0, 120n, 'meta-2', 4),
    ]);
    await coordinator.commitOffsets('g', generationId, leader, null, [commit('audit', 1, 5n)]);
    await coordinator.deleteOffsets('g', [{ name: 'stale', partitions: [{ partitionIndex: 0 }] }]);
    await coordinator.commitOffsets('doomed', -1, '', null, [commit('t', 0, 1n)]);
    await coordinator.deleteGroups(['doomed']);
    await coordinator.commitOffsets('simple', -1, '', null, [commit('t', 0, 9n)]);

    const restarted = harness({}, new MemoryStore());
    restarted.coordinator.load(h.store.records);
    const r = restarted.coordinator;

    const described = r.describeGroup('g');
    const original = coordinator.describeGroup('g');
    assert.deepEqual(described, original);
    assert.equal(described.groupState, 'Stable');
    assert.deepEqual(r.fetchOffsets('g', null), coordinator.fetchOffsets('g', null));
    assert.equal(
      r.fetchOffsets('g', [{ name: 'orders', partitionIndexes: [0] }]).topics[0]!.partitions[0]!.metadata,
      'meta-2',
    );
    assert.equal(r.describeGroup('doomed').groupState, 'Dead');
    assert.deepEqual(
      r.listGroups().groups.map((g) => [g.groupId, g.groupState]),
      [
        ['g', 'Stable'],
        ['simple', 'Empty'],
      ],
    );

    // Members carry on with their generation; the static member keeps its instance id.
    const hb = r.heartbeat({
      groupId: 'g',
      generationId,
      memberId: members[1]!.memberId,
      groupInstanceId: 'inst-s',
    });
    assert.equal(hb.errorCode, ErrorCode.NONE);
    const sync = await r.syncGroup(syncRequest({ generationId, memberId: members[0]!.memberId }));
    assert.deepEqual(sync.assignment, Buffer.from('assign-a'));
    const stale = r.heartbeat({
      groupId: 'g',
      generationId: generationId - 1,
      memberId: leader,
      groupInstanceId: null,
    });
    assert.equal(stale.errorCode, ErrorCode.ILLEGAL_GENERATION);

    // Loaded members get session timers: silence removes them, and the group rebalances then empties.
    await advance(restarted.clock, 10_000);
    assert.equal(r.describeGroup('g').members.length, 0);
    assert.equal(r.describeGroup('g').groupState, 'Empty');
  });

  test('an Empty group with a generation comes back Empty with that generation', async () => {
    const h = harness();
    const { members } = await stableGroup(h, [{ clientId: 'a' }]);
    h.coordinator.leaveGroup('g', [{ memberId: members[0]!.memberId, groupInstanceId: null }]);
    await advance(h.clock, 0);
    const restarted = harness();
    restarted.coordinator.load(h.store.records);
    assert.equal(restarted.coordinator.describeGroup('g').groupState, 'Empty');
    const join = restarted.coordinator.joinGroup(joinRequest({ clientId: 'b' }));
    await advance(restarted.clock, 0);
    assert.equal((await join).generationId, 3, 'generation continues after the Empty generation 2');
  });
});
