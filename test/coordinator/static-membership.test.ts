import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeRecord } from '../../src/coordinator/records/record.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import {
  advance,
  flush,
  harness,
  joinRequest,
  stableGroup,
  subscription,
  syncRequest,
  track,
} from './helpers.ts';

const staticJoin = (instance: string, overrides = {}) =>
  joinRequest({ clientId: instance, groupInstanceId: instance, apiVersion: 5, ...overrides });

describe('static membership (KIP-345)', () => {
  test('a known instance rejoining with an empty member id replaces its id without a rebalance', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, leader, members } = await stableGroup(h, [
      { clientId: 'a' },
      { clientId: 's', groupInstanceId: 'inst-s' },
    ]);
    const oldId = members[1]!.memberId;
    assert.match(oldId, /^inst-s-uuid-\d+$/);
    const recordsBefore = h.store.records.length;

    const rejoin = await coordinator.joinGroup(staticJoin('inst-s', { clientId: 's' }));
    assert.equal(rejoin.errorCode, ErrorCode.NONE);
    assert.notEqual(rejoin.memberId, oldId);
    assert.match(rejoin.memberId, /^inst-s-uuid-\d+$/);
    assert.equal(rejoin.generationId, generationId, 'no new generation');
    assert.equal(rejoin.leader, leader);
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable');
    // The replacement was persisted before the answer.
    const written = h.store.records.slice(recordsBefore).map(decodeRecord);
    assert.equal(written.length, 1);
    const rec = written[0]!;
    assert.ok(rec.type === 'group' && rec.value !== null);
    assert.ok(
      rec.value.members.some((m) => m.memberId === rejoin.memberId && m.groupInstanceId === 'inst-s'),
    );

    // It receives the current assignment via SyncGroup.
    const sync = await coordinator.syncGroup(
      syncRequest({ generationId, memberId: rejoin.memberId, groupInstanceId: 'inst-s' }),
    );
    assert.equal(sync.errorCode, ErrorCode.NONE);
    assert.deepEqual(sync.assignment, Buffer.from('assign-s'));

    // The other member sees no rebalance.
    const hb = coordinator.heartbeat({ groupId: 'g', generationId, memberId: leader, groupInstanceId: null });
    assert.equal(hb.errorCode, ErrorCode.NONE);

    // The old member id of the instance is fenced.
    const fenced = coordinator.heartbeat({
      groupId: 'g',
      generationId,
      memberId: oldId,
      groupInstanceId: 'inst-s',
    });
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const fencedSync = await coordinator.syncGroup(
      syncRequest({ generationId, memberId: oldId, groupInstanceId: 'inst-s' }),
    );
    assert.equal(fencedSync.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const fencedCommit = await coordinator.commitOffsets('g', generationId, oldId, 'inst-s', [
      {
        name: 'orders',
        partitions: [
          { partitionIndex: 0, committedOffset: 5n, committedLeaderEpoch: -1, committedMetadata: null },
        ],
      },
    ]);
    assert.equal(fencedCommit.topics[0]!.partitions[0]!.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const fencedJoin = await coordinator.joinGroup(staticJoin('inst-s', { memberId: oldId }));
    assert.equal(fencedJoin.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  test('KIP-814: a static leader rejoining at v9 gets the members and skipAssignment', async () => {
    const h = harness();
    const { generationId, leader } = await stableGroup(h, [
      { clientId: 'l', groupInstanceId: 'inst-l' },
      { clientId: 'b' },
    ]);
    const rejoin = await h.coordinator.joinGroup(staticJoin('inst-l', { clientId: 'l', apiVersion: 9 }));
    assert.equal(rejoin.errorCode, ErrorCode.NONE);
    assert.equal(rejoin.generationId, generationId);
    assert.equal(rejoin.leader, rejoin.memberId);
    assert.equal(rejoin.skipAssignment, true);
    assert.equal(rejoin.members.length, 2);
    assert.notEqual(rejoin.memberId, leader);
  });

  test('before v9 a rejoining static leader is told the old leader id, so it does not assign', async () => {
    const h = harness();
    const { leader } = await stableGroup(h, [
      { clientId: 'l', groupInstanceId: 'inst-l' },
      { clientId: 'b' },
    ]);
    const rejoin = await h.coordinator.joinGroup(staticJoin('inst-l', { clientId: 'l', apiVersion: 7 }));
    assert.equal(rejoin.leader, leader);
    assert.notEqual(rejoin.memberId, leader);
    assert.deepEqual(rejoin.members, []);
  });

  test('a static rejoin with protocols that change the selected protocol rebalances', async () => {
    const h = harness();
    const { generationId } = await stableGroup(h, [{ clientId: 's', groupInstanceId: 'inst-s' }]);
    const rejoin = await h.coordinator.joinGroup(
      staticJoin('inst-s', {
        protocols: [
          { name: 'roundrobin', metadata: subscription('orders') },
          { name: 'range', metadata: subscription('orders') },
        ],
      }),
    );
    assert.equal(rejoin.generationId, generationId + 1);
    assert.equal(rejoin.protocolName, 'roundrobin');
  });

  test('a duplicate instance id fences the old member id while its JoinGroup is parked', async () => {
    const h = harness();
    const { coordinator } = h;
    const { members } = await stableGroup(h, [
      { clientId: 'a' },
      { clientId: 's', groupInstanceId: 'inst-s' },
    ]);
    const oldId = members[1]!.memberId;
    // The old instance rejoins with new metadata: a rebalance starts and its JoinGroup waits for a.
    const parked = track(
      coordinator.joinGroup(
        staticJoin('inst-s', {
          memberId: oldId,
          protocols: [{ name: 'range', metadata: subscription('x') }],
        }),
      ),
    );
    await flush();
    assert.equal(parked.settled(), false);
    // A second process with the same instance id shows up.
    const dup = track(coordinator.joinGroup(staticJoin('inst-s')));
    const fenced = await parked.promise;
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    assert.equal(fenced.memberId, oldId);
    // a rejoins, the rebalance completes with the new id.
    const a = await coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: members[0]!.memberId }));
    const fresh = await dup.promise;
    assert.equal(fresh.errorCode, ErrorCode.NONE);
    assert.equal(a.members.length, 2);
    assert.ok(a.members.some((m) => m.memberId === fresh.memberId && m.groupInstanceId === 'inst-s'));
  });

  test('static members are removed on session timeout, and LeaveGroup by instance id removes them', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [
      { clientId: 'a' },
      { clientId: 's', groupInstanceId: 'inst-s' },
      { clientId: 't', groupInstanceId: 'inst-t' },
    ]);
    const left = coordinator.leaveGroup('g', [{ memberId: '', groupInstanceId: 'inst-t' }]);
    assert.equal(left.members[0]!.errorCode, ErrorCode.NONE);
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: members[0]!.memberId }));
    const s = coordinator.joinGroup(staticJoin('inst-s', { memberId: members[1]!.memberId }));
    const [ja] = await Promise.all([a, s]);
    assert.equal(ja.generationId, generationId + 1);
    assert.equal(ja.members.length, 2);

    // Now only a heartbeats: the static member's session expires.
    for (let t = 0; t < 12_000; t += 3_000) {
      await advance(h.clock, 3_000);
      coordinator.heartbeat({
        groupId: 'g',
        generationId: ja.generationId,
        memberId: ja.memberId,
        groupInstanceId: null,
      });
    }
    assert.deepEqual(
      coordinator.describeGroup('g').members.map((m) => m.groupInstanceId),
      [null],
    );
  });
});
