/**
 * The KIP-848 consumer group coordinator on its own, driven heartbeat by heartbeat: revoke before
 * assign (a partition reaches its new owner only after the old one reported it gone), epochs and
 * fencing, static members rejoining without a rebalance, regex subscriptions, member-epoch checks
 * for offsets, session expiry, and the uniform and range assignors.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { rangeAssign, uniformAssign } from '../../src/coordinator/consumer-group/assignors.ts';
import {
  ConsumerGroupCoordinator,
  type HeartbeatInput,
  type HeartbeatOutput,
} from '../../src/coordinator/consumer-group/consumer-groups.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';

let now = 0;
// Topic ids as the broker has them: 32 hex digits (UUIDs).
const T1 = '0'.repeat(31) + '1';
const T2 = '0'.repeat(31) + '2';
const T3 = '0'.repeat(31) + '3';
const topics = [
  { name: 'orders-a', topicId: T1, partitionCount: 4, internal: false },
  { name: 'orders-b', topicId: T2, partitionCount: 2, internal: false },
  { name: 'payments', topicId: T3, partitionCount: 3, internal: false },
];
const coordinators: ConsumerGroupCoordinator[] = [];
function coordinator(): ConsumerGroupCoordinator {
  const c = new ConsumerGroupCoordinator(
    { sessionTimeoutMs: 1000, heartbeatIntervalMs: 100, assignors: ['uniform', 'range'] },
    { list: () => topics },
    () => now,
  );
  coordinators.push(c);
  return c;
}
after(() => {
  for (const c of coordinators) c.shutdown();
});

function hb(c: ConsumerGroupCoordinator, over: Partial<HeartbeatInput>): HeartbeatOutput {
  return c.heartbeat({
    groupId: 'g',
    memberId: '',
    memberEpoch: 0,
    instanceId: null,
    rackId: null,
    rebalanceTimeoutMs: 5000,
    subscribedTopicNames: null,
    subscribedTopicRegex: null,
    serverAssignor: null,
    topicPartitions: null,
    clientId: 'test',
    clientHost: '/127.0.0.1',
    ...over,
  });
}
const owned = (out: HeartbeatOutput) => out.assignment?.topicPartitions ?? [];
const count = (tps: { partitions: number[] }[]) => tps.reduce((n, t) => n + t.partitions.length, 0);

describe('consumer group coordinator', () => {
  it('revokes before it assigns: a partition moves only once its owner gave it up', () => {
    const c = coordinator();
    const a = hb(c, { memberId: 'A', subscribedTopicNames: ['orders-a'], topicPartitions: [] });
    assert.equal(a.errorCode, 0);
    assert.equal(a.memberEpoch, 1);
    assert.deepEqual(owned(a), [{ topicId: T1, partitions: [0, 1, 2, 3] }]);
    const b = hb(c, { memberId: 'B', subscribedTopicNames: ['orders-a'], topicPartitions: [] });
    assert.equal(b.memberEpoch, 2, 'B is at the new epoch');
    assert.equal(count(owned(b)), 0, 'but gets nothing A still owns');
    const a2 = hb(c, { memberId: 'A', memberEpoch: 1, topicPartitions: owned(a) });
    assert.equal(a2.memberEpoch, 1, 'A keeps its epoch while revoking');
    assert.equal(count(owned(a2)), 2, 'A is told to keep 2');
    const b2 = hb(c, { memberId: 'B', memberEpoch: 2, topicPartitions: [] });
    assert.equal(count(b2.assignment?.topicPartitions ?? []), 0, 'still nothing for B: A has not revoked');
    const a3 = hb(c, { memberId: 'A', memberEpoch: 1, topicPartitions: owned(a2) });
    assert.equal(a3.memberEpoch, 2, 'A revoked: now at epoch 2');
    const b3 = hb(c, { memberId: 'B', memberEpoch: 2, topicPartitions: [] });
    assert.equal(count(owned(b3)), 2, 'B gets the released partitions');
    const mine = new Set(owned(a2)[0]!.partitions);
    for (const p of owned(b3)[0]!.partitions) assert.ok(!mine.has(p));
    assert.equal(c.describe('g')?.groupState, 'Stable');
  });

  it('fences stale epochs and unknown members, and checks epochs for offsets', () => {
    const c = coordinator();
    const a = hb(c, { memberId: 'A', subscribedTopicNames: ['payments'], topicPartitions: [] });
    assert.equal(
      hb(c, { memberId: 'A', memberEpoch: a.memberEpoch + 5 }).errorCode,
      ErrorCode.FENCED_MEMBER_EPOCH,
    );
    assert.equal(hb(c, { memberId: 'Z', memberEpoch: 3 }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(c.validateOffsetAccess('g', 'A', a.memberEpoch, true), ErrorCode.NONE);
    assert.equal(c.validateOffsetAccess('g', 'A', a.memberEpoch - 1, true), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(c.validateOffsetAccess('g', 'Z', 1, false), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      c.validateOffsetAccess('g', '', -1, true),
      ErrorCode.UNKNOWN_MEMBER_ID,
      'admin commit while active',
    );
    assert.equal(hb(c, { memberId: 'A', memberEpoch: -1 }).memberEpoch, -1, 'left');
    assert.equal(c.validateOffsetAccess('g', '', -1, true), ErrorCode.NONE, 'admin commit to an empty group');
    assert.equal(
      hb(c, { memberId: 'B', subscribedTopicNames: ['payments'], serverAssignor: 'sticky' }).errorCode,
      ErrorCode.UNSUPPORTED_ASSIGNOR,
    );
    assert.equal(
      hb(c, { memberId: 'B' }).errorCode,
      ErrorCode.INVALID_REQUEST,
      'first heartbeat needs a subscription',
    );
  });

  it('lets a static member rejoin under a new member id with its assignment and no rebalance', () => {
    const c = coordinator();
    const a = hb(c, {
      memberId: 'A1',
      instanceId: 'i-1',
      subscribedTopicNames: ['payments'],
      topicPartitions: [],
    });
    const epoch = c.describe('g')!.groupEpoch;
    assert.equal(
      hb(c, { memberId: 'A2', instanceId: 'i-1', subscribedTopicNames: ['payments'] }).errorCode,
      ErrorCode.UNRELEASED_INSTANCE_ID,
    );
    hb(c, { memberId: 'A1', instanceId: 'i-1', memberEpoch: -2 });
    const back = hb(c, {
      memberId: 'A2',
      instanceId: 'i-1',
      subscribedTopicNames: ['payments'],
      topicPartitions: [],
    });
    assert.equal(back.errorCode, 0);
    assert.equal(back.memberEpoch, a.memberEpoch);
    assert.deepEqual(owned(back), owned(a));
    assert.equal(c.describe('g')!.groupEpoch, epoch, 'no new group epoch');
  });

  it('subscribes by regular expression and expires silent members', () => {
    const c = coordinator();
    now = 10_000;
    const a = hb(c, { memberId: 'A', subscribedTopicRegex: 'orders-.*', topicPartitions: [] });
    assert.deepEqual(
      owned(a)
        .map((t) => t.topicId)
        .sort(),
      [T1, T2],
    );
    assert.equal(hb(c, { memberId: 'B', subscribedTopicRegex: '(' }).errorCode, ErrorCode.INVALID_REQUEST);
    now = 12_000;
    c.expireMembers();
    assert.equal(c.describe('g')!.groupState, 'Empty', 'A timed out');
    assert.equal(hb(c, { memberId: 'A', memberEpoch: a.memberEpoch }).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });
});

describe('rebalance timeout', () => {
  it('removes a member that does not give up partitions within its rebalance timeout', () => {
    const c = coordinator();
    now = 50_000;
    const a = hb(c, {
      memberId: 'A',
      subscribedTopicNames: ['orders-a'],
      rebalanceTimeoutMs: 500,
      topicPartitions: [],
    });
    hb(c, { memberId: 'B', subscribedTopicNames: ['orders-a'], topicPartitions: [] });
    const revoking = hb(c, {
      memberId: 'A',
      memberEpoch: a.memberEpoch,
      rebalanceTimeoutMs: 500,
      topicPartitions: owned(a),
    });
    assert.equal(count(owned(revoking)), 2, 'A is asked to give 2 up');
    now = 50_600;
    hb(c, { memberId: 'B', memberEpoch: 2, topicPartitions: [] }); // B keeps its session
    c.expireMembers();
    assert.deepEqual(
      c.describe('g')!.members.map((m) => m.memberId),
      ['B'],
      'A held on to revoked partitions past 500 ms',
    );
    const b = hb(c, {
      memberId: 'B',
      memberEpoch: c.describe('g')!.members[0]!.memberEpoch,
      topicPartitions: [],
    });
    assert.equal(b.errorCode, ErrorCode.NONE);
  });
});

describe('persistence', () => {
  it("writes Kafka's record types and a new coordinator rebuilds the group from them", async () => {
    const log: { key: Buffer; value: Buffer | null }[] = [];
    const store = { append: async (r: typeof log) => void log.push(...r), onError: () => {} };
    const make = () => {
      const c = new ConsumerGroupCoordinator(
        { sessionTimeoutMs: 1000, heartbeatIntervalMs: 100, assignors: ['uniform', 'range'] },
        { list: () => topics },
        () => now,
        store,
      );
      coordinators.push(c);
      return c;
    };
    const c = make();
    const a = hb(c, { memberId: 'A', subscribedTopicNames: ['orders-a'], topicPartitions: [] });
    await c.persist('g');
    const b = hb(c, { memberId: 'B', instanceId: 'i-b', subscribedTopicRegex: 'pay.*', topicPartitions: [] });
    await c.persist('g');
    hb(c, { memberId: 'C', subscribedTopicNames: ['orders-a'], topicPartitions: [] });
    await c.persist('g');
    hb(c, { memberId: 'C', memberEpoch: -1 });
    await c.persist('g');
    const versions = new Set(log.map((r) => r.key.readInt16BE(0)));
    assert.deepEqual([...versions].sort(), [3, 5, 6, 7, 8], 'Kafka key versions 3, 5, 6, 7, 8');
    assert.ok(
      log.some((r) => r.value === null),
      'the member that left was tombstoned',
    );
    const before = c.describe('g')!;
    const again = make();
    again.load(log);
    const after = again.describe('g')!;
    assert.equal(after.groupEpoch, before.groupEpoch);
    assert.equal(after.assignmentEpoch, before.assignmentEpoch);
    assert.deepEqual(
      after.members
        .map((m) => [m.memberId, m.memberEpoch, m.instanceId, m.subscribedTopicRegex, [...m.assignment]])
        .sort(),
      before.members
        .map((m) => [m.memberId, m.memberEpoch, m.instanceId, m.subscribedTopicRegex, [...m.assignment]])
        .sort(),
    );
    // The members carry on with their epochs after the "restart".
    const a2 = hb(again, {
      memberId: 'A',
      memberEpoch: after.members.find((m) => m.memberId === 'A')!.memberEpoch,
      topicPartitions: owned(a),
    });
    assert.equal(a2.errorCode, 0);
    assert.equal(
      hb(again, { memberId: 'B', memberEpoch: b.memberEpoch + 100 }).errorCode,
      ErrorCode.FENCED_MEMBER_EPOCH,
    );
  });
});

describe('assignors', () => {
  const m = (memberId: string, ids: string[], current: [string, number[]][] = []) => ({
    memberId,
    topics: new Set(ids),
    current: new Map(current),
  });
  it('range gives each member a contiguous range of each topic', () => {
    const out = rangeAssign(
      [m('b', ['T1', 'T3']), m('a', ['T1', 'T3'])],
      [
        { topicId: 'T1', partitionCount: 4 },
        { topicId: 'T3', partitionCount: 3 },
      ],
    );
    assert.deepEqual(
      out.get('a'),
      new Map([
        ['T1', [0, 1]],
        ['T3', [0, 1]],
      ]),
    );
    assert.deepEqual(
      out.get('b'),
      new Map([
        ['T1', [2, 3]],
        ['T3', [2]],
      ]),
    );
  });
  it('uniform balances and moves as little as it can', () => {
    const four = uniformAssign(
      ['a', 'b', 'c', 'd'].map((id) => m(id, ['T'])),
      [{ topicId: 'T', partitionCount: 12 }],
    );
    for (const list of four.values()) assert.equal(list.get('T')!.length, 3);
    const five = uniformAssign(
      [...['a', 'b', 'c', 'd'].map((id) => m(id, ['T'], [['T', four.get(id)!.get('T')!]])), m('e', ['T'])],
      [{ topicId: 'T', partitionCount: 12 }],
    );
    const sizes = [...five.values()].map((l) => l.get('T')?.length ?? 0).sort();
    assert.deepEqual(sizes, [2, 2, 2, 3, 3]);
    let moved = 0;
    for (const id of ['a', 'b', 'c', 'd']) {
      const before = new Set(four.get(id)!.get('T'));
      for (const p of five.get(id)!.get('T') ?? []) if (!before.has(p)) moved++;
    }
    assert.equal(moved, 0, 'existing members only give partitions up');
  });
});
