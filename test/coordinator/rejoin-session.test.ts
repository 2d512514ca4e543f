/**
 * The session timeout a member sent in its LAST JoinGroup is the one its expiry uses (Kafka's
 * updateMember). The case behind the Connect HTTP sink's 60 s stall: a task consumer set to 10 s
 * rejoined with the client library's 60 s default, was killed with that JoinGroup parked, and so
 * was carried into the next generation (a member awaiting join is not expired, as in Kafka) and
 * then kept for 60 s while a new worker's consumer waited in PreparingRebalance.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode } from '../../src/protocol/errors.ts';
import { advance, harness, joinRequest, stableGroup, track } from './helpers.ts';

/** Connect's sink consumers: max.poll.interval.ms (5 min) is the rebalance timeout. */
const slow = { rebalanceTimeoutMs: 300_000 };

for (const rejoinSessionMs of [10_000, 60_000]) {
  test(`a member killed with a parked rejoin (session ${rejoinSessionMs} ms) is removed one session after the join completes`, async () => {
    const h = harness();
    const { coordinator } = h;
    const { leader } = await stableGroup(h, [{ clientId: 'a' }, { clientId: 'b' }]);
    // a (the leader) rejoins — a rebalance — and both a and b die: a with its JoinGroup parked.
    const parked = track(
      coordinator.joinGroup(
        joinRequest({ ...slow, clientId: 'a', memberId: leader, sessionTimeoutMs: rejoinSessionMs }),
      ),
    );
    await advance(h.clock, 0);
    assert.equal(coordinator.describeGroup('g').groupState, 'PreparingRebalance');

    // b's 10 s session runs out; a is exempt (it has joined): the join phase completes with a alone.
    await advance(h.clock, 10_000);
    assert.equal(parked.settled(), true);
    assert.equal((await parked.promise).members.length, 1);
    assert.equal(coordinator.describeGroup('g').groupState, 'CompletingRebalance');

    // A new worker's consumer joins; the dead a never answers.
    const c = track(coordinator.joinGroup(joinRequest({ ...slow, clientId: 'c' })));
    await advance(h.clock, rejoinSessionMs - 1);
    assert.equal(c.settled(), false, 'a is still inside the session it last asked for');
    assert.equal(coordinator.describeGroup('g').members.length, 2);
    await advance(h.clock, 1);
    assert.equal(c.settled(), true, 'a expired: the join phase completes with c alone');
    const joined = await c.promise;
    assert.equal(joined.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      coordinator.describeGroup('g').members.map((m) => m.memberId),
      [joined.memberId],
    );
  });
}
