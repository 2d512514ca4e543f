import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JoinGroupResult } from '../../src/coordinator/types.ts';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, flush, harness, joinRequest, syncRequest, track } from './helpers.ts';

type Op =
  | { kind: 'join'; client: number; version: number; reuse: boolean }
  | { kind: 'sync'; client: number }
  | { kind: 'heartbeat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'commit'; client: number }
  | { kind: 'time'; ms: number };

const client = fc.integer({ min: 0, max: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('join' as const),
    client,
    version: fc.constantFrom(3, 4, 9),
    reuse: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('sync' as const), client }),
  fc.record({ kind: fc.constant('heartbeat' as const), client }),
  fc.record({ kind: fc.constant('leave' as const), client }),
  fc.record({ kind: fc.constant('commit' as const), client }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(0, 1_000, 5_000, 11_000, 31_000) }),
);

test('property: random member behaviour keeps the group consistent and never leaves a request hanging', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 60, size: 'max' }), async (ops) => {
      const h = harness({ groupInitialRebalanceDelayMs: 500 });
      const { coordinator } = h;
      const ids = new Map<number, string>();
      const generations = new Map<number, number>();
      const pending: ReturnType<typeof track>[] = [];
      const joinsByGeneration = new Map<number, JoinGroupResult[]>();
      let lastGeneration = 0;

      const onJoin = (c: number, r: JoinGroupResult) => {
        if (r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.MEMBER_ID_REQUIRED)
          ids.set(c, r.memberId);
        if (r.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) ids.delete(c);
        if (r.errorCode !== ErrorCode.NONE) return;
        generations.set(c, r.generationId);
        const list = joinsByGeneration.get(r.generationId) ?? [];
        list.push(r);
        joinsByGeneration.set(r.generationId, list);
      };

      for (const o of ops) {
        const memberId = o.kind === 'time' ? '' : (ids.get(o.client) ?? '');
        const generationId = o.kind === 'time' ? -1 : (generations.get(o.client) ?? -1);
        switch (o.kind) {
          case 'join': {
            const p = coordinator.joinGroup(
              joinRequest({
                clientId: `c${o.client}`,
                memberId: o.reuse ? memberId : '',
                apiVersion: o.version,
              }),
            );
            pending.push(track(p));
            const c = o.client;
            void p.then((r) => onJoin(c, r));
            break;
          }
          case 'sync': {
            const assignments = [...ids.values()].map((id) => ({
              memberId: id,
              assignment: Buffer.from(id),
            }));
            pending.push(track(coordinator.syncGroup(syncRequest({ memberId, generationId, assignments }))));
            break;
          }
          case 'heartbeat':
            coordinator.heartbeat({ groupId: 'g', generationId, memberId, groupInstanceId: null });
            break;
          case 'leave':
            coordinator.leaveGroup('g', [{ memberId, groupInstanceId: null }]);
            break;
          case 'commit':
            pending.push(
              track(
                coordinator.commitOffsets('g', generationId, memberId, null, [
                  {
                    name: 't',
                    partitions: [
                      {
                        partitionIndex: 0,
                        committedOffset: 1n,
                        committedLeaderEpoch: -1,
                        committedMetadata: '',
                      },
                    ],
                  },
                ]),
              ),
            );
            break;
          case 'time':
            h.clock.advance(o.ms);
            break;
        }
        await flush();

        const group = coordinator.describeGroup('g');
        if (group.groupState === 'Empty')
          assert.equal(group.members.length, 0, 'Empty groups have no members');
        if (group.groupState === 'Stable' || group.groupState === 'CompletingRebalance') {
          assert.ok(group.members.length > 0, `${group.groupState} groups have members`);
        }
        const generation = Math.max(0, ...joinsByGeneration.keys());
        assert.ok(generation >= lastGeneration, 'generations only move forward');
        lastGeneration = generation;
      }

      // Every generation has one leader and one protocol, and the leader is one of its members.
      for (const [generation, results] of joinsByGeneration) {
        assert.equal(new Set(results.map((r) => r.leader)).size, 1, `one leader in generation ${generation}`);
        assert.equal(new Set(results.map((r) => r.protocolName)).size, 1);
        const leaderView = results.find((r) => r.memberId === r.leader && r.members.length > 0);
        if (leaderView)
          for (const r of results) assert.ok(leaderView.members.some((m) => m.memberId === r.memberId));
      }

      // Silence: sessions and rebalance deadlines run out, so every parked request gets its answer.
      for (let i = 0; i < 12; i++) await advance(h.clock, 60_000);
      await flush();
      assert.ok(
        pending.every((p) => p.settled()),
        'no JoinGroup/SyncGroup/commit is left hanging',
      );
      assert.equal(coordinator.describeGroup('g').members.length, 0);
    }),
    { numRuns: 150 },
  );
});
