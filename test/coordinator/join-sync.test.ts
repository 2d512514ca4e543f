import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, flush, harness, joinRequest, syncRequest, track } from './helpers.ts';

describe('JoinGroup and SyncGroup', () => {
  test('two members join: one leader, same generation, assignment from the leader via sync', async () => {
    const { coordinator, clock } = harness({ groupInitialRebalanceDelayMs: 100 });
    const a = track(coordinator.joinGroup(joinRequest({ clientId: 'a' })));
    await advance(clock, 50);
    const b = track(coordinator.joinGroup(joinRequest({ clientId: 'b' })));
    await flush();
    assert.equal(a.settled(), false, 'JoinGroup responses wait for the rebalance');
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');

    // b arrived during the initial delay, so the delay is extended once more.
    await advance(clock, 50);
    assert.equal(a.settled(), false);
    await advance(clock, 100);
    const [ja, jb] = await Promise.all([a.promise, b.promise]);

    assert.equal(ja.errorCode, ErrorCode.NONE);
    assert.equal(jb.errorCode, ErrorCode.NONE);
    assert.equal(ja.generationId, 1);
    assert.equal(jb.generationId, 1);
    assert.equal(ja.leader, ja.memberId);
    assert.equal(jb.leader, ja.memberId);
    assert.equal(ja.protocolName, 'range');
    assert.equal(ja.protocolType, 'consumer');
    assert.deepEqual(
      ja.members.map((m) => m.memberId),
      [ja.memberId, jb.memberId],
    );
    assert.deepEqual(jb.members, []);
    assert.match(ja.memberId, /^a-uuid-\d+$/);
    assert.equal(coordinator.describeGroup('g').groupState, 'CompletingRebalance');

    const follower = track(coordinator.syncGroup(syncRequest({ memberId: jb.memberId })));
    await flush();
    assert.equal(follower.settled(), false, 'followers wait for the leader');

    const leader = await coordinator.syncGroup(
      syncRequest({
        memberId: ja.memberId,
        assignments: [
          { memberId: ja.memberId, assignment: Buffer.from('A') },
          { memberId: jb.memberId, assignment: Buffer.from('B') },
        ],
      }),
    );
    const fb = await follower.promise;
    assert.equal(leader.errorCode, ErrorCode.NONE);
    assert.deepEqual(leader.assignment, Buffer.from('A'));
    assert.equal(fb.errorCode, ErrorCode.NONE);
    assert.deepEqual(fb.assignment, Buffer.from('B'));
    assert.equal(fb.protocolName, 'range');
    assert.equal(coordinator.describeGroup('g').groupState, 'Stable');

    // A late SyncGroup in Stable gets the current assignment straight away.
    const again = await coordinator.syncGroup(syncRequest({ memberId: jb.memberId }));
    assert.deepEqual(again.assignment, Buffer.from('B'));
  });

  test('protocol selection: only protocols every member supports, by members votes', async () => {
    const { coordinator, clock } = harness();
    const meta = Buffer.from([0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const a = coordinator.joinGroup(
      joinRequest({
        clientId: 'a',
        protocols: [
          { name: 'roundrobin', metadata: meta },
          { name: 'range', metadata: meta },
          { name: 'sticky', metadata: meta },
        ],
      }),
    );
    const b = coordinator.joinGroup(
      joinRequest({
        clientId: 'b',
        protocols: [
          { name: 'range', metadata: meta },
          { name: 'roundrobin', metadata: meta },
        ],
      }),
    );
    const c = coordinator.joinGroup(
      joinRequest({
        clientId: 'c',
        protocols: [
          { name: 'range', metadata: meta },
          { name: 'cooperative', metadata: meta },
          { name: 'roundrobin', metadata: meta },
        ],
      }),
    );
    await advance(clock, 0);
    const results = await Promise.all([a, b, c]);
    for (const r of results) assert.equal(r.protocolName, 'range');
  });

  test('a member with an unsupported protocol or another protocol type is refused', async () => {
    const { coordinator, clock } = harness();
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a' }));
    await advance(clock, 0);
    await a;
    const other = await coordinator.joinGroup(
      joinRequest({ protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }] }),
    );
    assert.equal(other.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const connect = await coordinator.joinGroup(joinRequest({ protocolType: 'connect' }));
    assert.equal(connect.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const empty = await coordinator.joinGroup(joinRequest({ groupId: 'h', protocols: [] }));
    assert.equal(empty.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  test('KIP-394: v4+ gets MEMBER_ID_REQUIRED with a generated id, then joins with it', async () => {
    const { coordinator, clock } = harness();
    const first = await coordinator.joinGroup(joinRequest({ clientId: 'app', apiVersion: 4 }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.equal(first.memberId, 'app-uuid-1');
    assert.equal(first.generationId, -1);
    assert.equal(coordinator.describeGroup('g').members.length, 0, 'pending members are not members yet');

    const second = coordinator.joinGroup(
      joinRequest({ clientId: 'app', apiVersion: 4, memberId: first.memberId }),
    );
    await advance(clock, 0);
    const joined = await second;
    assert.equal(joined.errorCode, ErrorCode.NONE);
    assert.equal(joined.memberId, 'app-uuid-1');
    assert.equal(joined.leader, 'app-uuid-1');
    assert.equal(joined.generationId, 1);
  });

  test('KIP-394: a pending member id expires after the session timeout', async () => {
    const { coordinator, clock } = harness();
    const first = await coordinator.joinGroup(joinRequest({ apiVersion: 5, sessionTimeoutMs: 10_000 }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    await advance(clock, 10_000);
    const late = await coordinator.joinGroup(joinRequest({ apiVersion: 5, memberId: first.memberId }));
    assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  test('versions before 4 get a member id directly', async () => {
    const { coordinator, clock } = harness();
    const join = coordinator.joinGroup(
      joinRequest({ clientId: 'old', apiVersion: 0, rebalanceTimeoutMs: -1 }),
    );
    await advance(clock, 0);
    const r = await join;
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberId, 'old-uuid-1');
  });

  test('session timeout outside the broker bounds is refused', async () => {
    const { coordinator } = harness();
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ sessionTimeoutMs: 5_999 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ sessionTimeoutMs: 1_800_001 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal(
      (await coordinator.joinGroup(joinRequest({ groupId: '' }))).errorCode,
      ErrorCode.INVALID_GROUP_ID,
    );
  });

  test('a known member that missed its JoinGroup response gets it again while CompletingRebalance', async () => {
    const { coordinator, clock } = harness();
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a' }));
    await advance(clock, 0);
    const first = await a;
    const again = await coordinator.joinGroup(joinRequest({ memberId: first.memberId }));
    assert.equal(again.generationId, first.generationId);
    assert.equal(again.leader, first.memberId);
    assert.equal(again.members.length, 1);
  });

  test('group.max.size refuses members beyond the limit', async () => {
    const { coordinator, clock } = harness({ groupMaxSize: 1 });
    const a = coordinator.joinGroup(joinRequest({ clientId: 'a' }));
    await advance(clock, 0);
    await a;
    const b = await coordinator.joinGroup(joinRequest({ clientId: 'b' }));
    assert.equal(b.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
  });
});
