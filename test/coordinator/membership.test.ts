import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, flush, harness, joinRequest, stableGroup, syncRequest, track } from './helpers.ts';

describe('membership: sessions, rebalance timeout, leave', () => {
  test('a member that misses heartbeats is removed after its session timeout and a rebalance follows', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }, { clientId: 'b' }]);
    const [a, b] = members as [(typeof members)[0], (typeof members)[0]];

    for (let i = 0; i < 3; i++) {
      await advance(h.clock, 3_000);
      const hb = coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: a.memberId,
        groupInstanceId: null,
      });
      assert.equal(hb.errorCode, ErrorCode.NONE);
    }
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable');
    await advance(h.clock, 1_000); // b's 10 s session is over

    const group = coordinator.describeGroup('g');
    assert.equal(group.groupState, 'PreparingRebalance');
    assert.deepEqual(
      group.members.map((m) => m.memberId),
      [a.memberId],
    );
    const hb = coordinator.heartbeat({
      groupId: 'g',
      generationId,
      memberId: a.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const gone = coordinator.heartbeat({
      groupId: 'g',
      generationId,
      memberId: b.memberId,
      groupInstanceId: null,
    });
    assert.equal(gone.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

    // Everyone left has rejoined: the join phase completes at once.
    const rejoin = await coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: a.memberId }));
    assert.equal(rejoin.errorCode, ErrorCode.NONE);
    assert.equal(rejoin.generationId, generationId + 1);
    assert.equal(rejoin.members.length, 1);
  });

  test('members that do not rejoin within the rebalance timeout are removed', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, leader, members } = await stableGroup(h, [{ clientId: 'a' }, { clientId: 'b' }]);
    const b = members[1]!;
    // The leader rejoining forces a rebalance.
    const a = track(coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: leader })));
    await flush();
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
    for (let t = 0; t < 25_000; t += 5_000) {
      await advance(h.clock, 5_000);
      const hb = coordinator.heartbeat({
        groupId: 'g',
        generationId,
        memberId: b.memberId,
        groupInstanceId: null,
      });
      assert.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    assert.equal(a.settled(), false);
    await advance(h.clock, 5_000); // 30 s rebalance timeout
    const result = await a.promise;
    assert.equal(result.generationId, generationId + 1);
    assert.deepEqual(
      result.members.map((m) => m.memberId),
      [leader],
    );
    const hb = coordinator.heartbeat({
      groupId: 'g',
      generationId,
      memberId: b.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('LeaveGroup triggers an immediate rebalance', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }, { clientId: 'b' }]);
    const [a, b] = [members[0]!, members[1]!];

    const left = coordinator.leaveGroup('g', [{ memberId: b.memberId, groupInstanceId: null }]);
    assert.deepEqual(left, {
      errorCode: ErrorCode.NONE,
      members: [{ memberId: b.memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }],
    });
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
    const hb = coordinator.heartbeat({
      groupId: 'g',
      generationId,
      memberId: a.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);

    const rejoin = await coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: a.memberId }));
    assert.equal(rejoin.generationId, generationId + 1);
    assert.equal(rejoin.leader, a.memberId);

    // The last member leaving empties the group: a new generation with no members.
    coordinator.leaveGroup('g', [{ memberId: a.memberId, groupInstanceId: null }]);
    const group = coordinator.describeGroup('g');
    assert.equal(group.groupState, 'Empty');
    assert.equal(group.members.length, 0);
  });

  test('LeaveGroup v3 batch: per-member errors, unknown group', () => {
    const h = harness();
    const missing = h.coordinator.leaveGroup('nope', [{ memberId: 'x', groupInstanceId: null }]);
    assert.equal(missing.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('LeaveGroup v3 batch with known and unknown members', async () => {
    const h = harness();
    const { members } = await stableGroup(h, [
      { clientId: 'a' },
      { clientId: 's', groupInstanceId: 'inst-s' },
    ]);
    const result = h.coordinator.leaveGroup('g', [
      { memberId: 'nobody', groupInstanceId: null },
      { memberId: '', groupInstanceId: 'inst-s' },
      { memberId: members[0]!.memberId, groupInstanceId: 'inst-other' },
    ]);
    assert.deepEqual(
      result.members.map((m) => m.errorCode),
      [ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    assert.deepEqual(
      h.coordinator.describeGroup('g').members.map((m) => m.memberId),
      [members[0]!.memberId],
    );
  });

  test('stale generation and unknown members', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }]);
    const a = members[0]!;
    const stale = {
      groupId: 'g',
      generationId: generationId - 1,
      memberId: a.memberId,
      groupInstanceId: null,
    };
    assert.equal(coordinator.heartbeat(stale).errorCode, ErrorCode.ILLEGAL_GENERATION);
    assert.equal((await coordinator.syncGroup(syncRequest(stale))).errorCode, ErrorCode.ILLEGAL_GENERATION);
    const commit = await coordinator.commitOffsets('g', generationId - 1, a.memberId, null, [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' },
        ],
      },
    ]);
    assert.equal(commit.topics[0]!.partitions[0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);

    const unknown = { groupId: 'g', generationId, memberId: 'ghost', groupInstanceId: null };
    assert.equal(coordinator.heartbeat(unknown).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal((await coordinator.syncGroup(syncRequest(unknown))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ memberId: 'ghost' }))).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      coordinator.heartbeat({ ...unknown, groupId: 'no-such-group' }).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ groupId: 'no-such-group', memberId: 'ghost' }))).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    // SyncGroup v5 names the protocol: it must match.
    const wrongProtocol = await coordinator.syncGroup(
      syncRequest({
        generationId,
        memberId: a.memberId,
        protocolType: 'consumer',
        protocolName: 'roundrobin',
      }),
    );
    assert.equal(wrongProtocol.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test('a new member joining a Stable group rebalances it; SyncGroup during the rebalance is refused', async () => {
    const h = harness();
    const { coordinator } = h;
    const { generationId, members } = await stableGroup(h, [{ clientId: 'a' }]);
    const b = track(coordinator.joinGroup(joinRequest({ clientId: 'b' })));
    await flush();
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');
    const sync = await coordinator.syncGroup(syncRequest({ generationId, memberId: members[0]!.memberId }));
    assert.equal(sync.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const a = await coordinator.joinGroup(joinRequest({ clientId: 'a', memberId: members[0]!.memberId }));
    const jb = await b.promise;
    assert.equal(a.generationId, generationId + 1);
    assert.equal(jb.generationId, generationId + 1);
  });

  test('a member that never sends SyncGroup is removed after the rebalance timeout', async () => {
    const h = harness();
    const { coordinator } = h;
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a' }));
    const b = coordinator.joinGroup(joinRequest({ clientId: 'b' }));
    await advance(h.clock, 0);
    const [ja, jb] = await Promise.all([a, b]);
    const leaderSync = coordinator.syncGroup(
      syncRequest({
        memberId: ja.memberId,
        assignments: [{ memberId: ja.memberId, assignment: Buffer.from('x') }],
      }),
    );
    await flush();
    assert.equal((await leaderSync).errorCode, ErrorCode.NONE);
    // Keep a alive; b never syncs.
    for (let t = 0; t < 30_000; t += 5_000) {
      await advance(h.clock, 5_000);
      coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: ja.memberId, groupInstanceId: null });
    }
    const group = coordinator.describeGroup('g');
    assert.deepEqual(
      group.members.map((m) => m.memberId),
      [ja.memberId],
    );
    assert.notEqual(group.members[0]!.memberId, jb.memberId);
  });
});

describe('shutdown', () => {
  test('parked requests are answered NOT_COORDINATOR and new ones refused', async () => {
    const h = harness({ groupInitialRebalanceDelayMs: 1_000 });
    const parked = h.coordinator.joinGroup(joinRequest());
    await flush();
    h.coordinator.shutdown();
    assert.equal((await parked).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal((await h.coordinator.joinGroup(joinRequest())).errorCode, ErrorCode.NOT_COORDINATOR);
    assert.equal(h.coordinator.listGroups().errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    assert.equal(h.clock.pending, 0, 'no timers left');
  });
});
