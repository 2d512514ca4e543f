import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { advance, harness, stableGroup } from './helpers.ts';

const commit = (topic: string, partition: number, offset: bigint) => ({
  name: topic,
  partitions: [
    { partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' },
  ],
});

const RETENTION = 60_000;
const CHECK = 5_000;

describe('offset retention', () => {
  test('offsets of an Empty group expire the retention after it became empty; then the group is removed', async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }]);
    const a = members[0]!;
    await coordinator.commitOffsets('g', generationId, a.memberId, null, [commit('orders', 0, 7n)]);

    // Stable for longer than the retention: subscribed offsets never expire while consumed.
    for (let t = 0; t < 2 * RETENTION; t += 5_000) {
      await advance(h.clock, 5_000);
      coordinator.heartbeat({ groupId: 'g', generationId, memberId: a.memberId, groupInstanceId: null });
    }
    coordinator.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
    assert.equal(coordinator.describeGroup('g').groupState, 'Empty');

    await advance(h.clock, RETENTION - CHECK);
    assert.equal(
      coordinator.fetchOffsets('g', null).topics.length,
      1,
      'kept: empty for less than the retention',
    );
    await advance(h.clock, 2 * CHECK);
    assert.equal(coordinator.fetchOffsets('g', null).topics.length, 0);
    assert.equal(coordinator.describeGroup('g').groupState, 'Dead');
    assert.equal(coordinator.listGroups().groups.length, 0);
  });

  test('simple-commit offsets expire by commit time', async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    await h.coordinator.commitOffsets('s', -1, '', null, [commit('t', 0, 1n)]);
    await advance(h.clock, RETENTION / 2);
    await h.coordinator.commitOffsets('s', -1, '', null, [commit('t', 1, 1n)]);
    await advance(h.clock, RETENTION / 2 + CHECK);
    assert.deepEqual(
      h.coordinator.fetchOffsets('s', null).topics.flatMap((t) => t.partitions.map((p) => p.partitionIndex)),
      [1],
    );
    await advance(h.clock, RETENTION / 2);
    assert.equal(h.coordinator.describeGroup('s').groupState, 'Dead');
  });

  test('a Stable consumer group keeps subscribed offsets but expires the others by commit time', async () => {
    const h = harness({ offsetsRetentionMs: RETENTION, offsetsRetentionCheckIntervalMs: CHECK });
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a', topics: ['orders'] }]);
    const a = members[0]!;
    await coordinator.commitOffsets('g', generationId, a.memberId, null, [
      commit('orders', 0, 1n),
      commit('gone', 0, 1n),
    ]);
    for (let t = 0; t < RETENTION + 2 * CHECK; t += 5_000) {
      await advance(h.clock, 5_000);
      coordinator.heartbeat({ groupId: 'g', generationId, memberId: a.memberId, groupInstanceId: null });
    }
    assert.deepEqual(
      coordinator.fetchOffsets('g', null).topics.map((t) => t.name),
      ['orders'],
    );
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable');
  });
});
