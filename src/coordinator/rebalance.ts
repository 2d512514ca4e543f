/**
 * The rebalance engine shared by JoinGroup, SyncGroup, LeaveGroup and the timers: session
 * (heartbeat) expiry, member removal, preparing a rebalance (with the initial delay when the group
 * was Empty), completing the join phase into the next generation, the pending-sync deadline, and
 * handing assignments (or errors) to members waiting in SyncGroup. Mirrors Kafka's
 * GroupMetadataManager for classic groups.
 */

import { ErrorCode } from '../protocol/errors.ts';
import { appendErrorToResponse } from './append-error.ts';
import type { CoordinatorContext } from './context.ts';
import type { ClassicGroup } from './group.ts';
import { type ClassicGroupMember, EMPTY_ASSIGNMENT } from './member.ts';
import { groupRecord } from './persistence.ts';
import { joinError, syncError } from './results.ts';
import { heartbeatKey, joinKey, syncKey } from './timers.ts';
import type { JoinGroupResult } from './types.ts';

/** (Re)arms a member's session deadline. */
export function scheduleHeartbeat(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  member: ClassicGroupMember,
  timeoutMs: number = member.sessionTimeoutMs,
): void {
  const memberId = member.memberId;
  ctx.timers.schedule(heartbeatKey(group.groupId, memberId), timeoutMs, () =>
    onHeartbeatExpired(ctx, group, memberId),
  );
}

/** A KIP-394 pending member that does not come back within its session timeout is forgotten. */
export function schedulePendingMemberExpiry(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  memberId: string,
  timeoutMs: number,
): void {
  ctx.timers.schedule(heartbeatKey(group.groupId, memberId), timeoutMs, () =>
    onHeartbeatExpired(ctx, group, memberId),
  );
}

function onHeartbeatExpired(ctx: CoordinatorContext, group: ClassicGroup, memberId: string): void {
  if (group.is('Dead')) return;
  if (group.isPendingMember(memberId)) {
    removePendingMember(ctx, group, memberId);
    return;
  }
  const member = group.member(memberId);
  if (member === undefined) return;
  // Members waiting in a rebalance are covered by it, unless their own (new member) join timed out.
  if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) return;
  removeMemberAndUpdateGroup(ctx, group, member);
}

/** A KIP-394 pending member leaves (session expiry or LeaveGroup). */
export function removePendingMember(ctx: CoordinatorContext, group: ClassicGroup, memberId: string): void {
  group.removePendingMember(memberId);
  ctx.timers.cancel(heartbeatKey(group.groupId, memberId));
  if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) completeJoin(ctx, group);
}

/** Detaches a member: answers its waiting requests with UNKNOWN_MEMBER_ID and stops its timer. */
export function removeMember(ctx: CoordinatorContext, group: ClassicGroup, member: ClassicGroupMember): void {
  member.completeJoin(joinError('', ErrorCode.UNKNOWN_MEMBER_ID));
  member.completeSync(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
  group.remove(member.memberId);
  ctx.timers.cancel(heartbeatKey(group.groupId, member.memberId));
}

/** Removes a member and moves the group on: a rebalance, or finishing the one under way. */
export function removeMemberAndUpdateGroup(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  member: ClassicGroupMember,
): void {
  removeMember(ctx, group, member);
  if (group.is('Stable') || group.is('CompletingRebalance')) {
    maybePrepareRebalanceOrCompleteJoin(ctx, group);
  } else if (group.is('PreparingRebalance') && group.hasAllMembersJoined()) {
    completeJoin(ctx, group);
  }
}

export function maybePrepareRebalanceOrCompleteJoin(ctx: CoordinatorContext, group: ClassicGroup): void {
  if (group.canRebalance()) prepareRebalance(ctx, group);
  else maybeCompleteJoinPhase(ctx, group);
}

/** Completes the join phase once everyone joined, except during the initial (from Empty) delay. */
export function maybeCompleteJoinPhase(ctx: CoordinatorContext, group: ClassicGroup): void {
  if (group.is('PreparingRebalance') && group.hasAllMembersJoined() && group.previousState !== 'Empty') {
    completeJoin(ctx, group);
  }
}

export function prepareRebalance(ctx: CoordinatorContext, group: ClassicGroup): void {
  if (group.is('CompletingRebalance')) {
    resetAndPropagateAssignmentError(ctx, group, ErrorCode.REBALANCE_IN_PROGRESS);
  }
  group.clearPendingSyncMembers();
  ctx.timers.cancel(syncKey(group.groupId));

  const initial = group.is('Empty');
  group.transitionTo('PreparingRebalance', ctx.clock.now());
  if (initial) {
    group.newMemberAdded = false;
    const delay = ctx.config.groupInitialRebalanceDelayMs;
    scheduleInitialJoin(ctx, group, delay, Math.max(group.rebalanceTimeoutMs() - delay, 0));
  } else if (group.hasAllMembersJoined()) {
    completeJoin(ctx, group);
  } else {
    ctx.timers.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => completeJoin(ctx, group));
  }
}

/** group.initial.rebalance.delay.ms: wait, and wait again while new members keep arriving. */
function scheduleInitialJoin(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  delayMs: number,
  remainingMs: number,
) {
  ctx.timers.schedule(joinKey(group.groupId), delayMs, () => {
    if (group.newMemberAdded && remainingMs !== 0) {
      group.newMemberAdded = false;
      const nextDelay = Math.min(ctx.config.groupInitialRebalanceDelayMs, remainingMs);
      scheduleInitialJoin(ctx, group, nextDelay, Math.max(remainingMs - delayMs, 0));
    } else {
      completeJoin(ctx, group);
    }
  });
}

/**
 * Ends the join phase: drops dynamic members that did not rejoin, then starts the next generation.
 * An empty group becomes Empty (and is persisted); otherwise every joined member gets its
 * JoinGroup response (the leader with the member list) and the group awaits SyncGroup.
 */
export function completeJoin(ctx: CoordinatorContext, group: ClassicGroup): void {
  ctx.timers.cancel(joinKey(group.groupId));
  for (const m of group.notYetRejoinedMembers()) {
    if (!m.isStatic) removeMember(ctx, group, m);
  }
  if (group.is('Dead')) return;
  if (!group.maybeElectNewJoinedLeader() && group.size > 0) {
    // Only static members that did not rejoin are left: wait for them (or their session expiry).
    ctx.timers.schedule(joinKey(group.groupId), group.rebalanceTimeoutMs(), () => completeJoin(ctx, group));
    return;
  }
  group.initNextGeneration(ctx.clock.now());
  if (group.is('Empty')) {
    void ctx.append([groupRecord(group, new Map())]);
    return;
  }
  for (const m of group.members.values()) {
    m.completeJoin(currentJoinResult(group, m.memberId, group.isLeader(m.memberId)));
    scheduleHeartbeat(ctx, group, m);
    m.isNew = false;
    group.addPendingSyncMember(m.memberId);
  }
  const generationId = group.generationId;
  ctx.timers.schedule(syncKey(group.groupId), group.rebalanceTimeoutMs(), () =>
    expirePendingSync(ctx, group, generationId),
  );
}

/** The JoinGroup answer describing the current generation. */
export function currentJoinResult(
  group: ClassicGroup,
  memberId: string,
  withMembers: boolean,
): JoinGroupResult {
  return {
    errorCode: ErrorCode.NONE,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? '',
    skipAssignment: false,
    memberId,
    members: withMembers ? group.joinMembers() : [],
  };
}

/** Members that never sent SyncGroup within the rebalance timeout are removed, and the group rebalances. */
function expirePendingSync(ctx: CoordinatorContext, group: ClassicGroup, generationId: number): void {
  if (generationId !== group.generationId) return;
  if (!group.is('CompletingRebalance') && !group.is('Stable')) return;
  if (group.hasReceivedSyncFromAllMembers()) return;
  for (const id of group.pendingSyncMemberIds()) {
    const m = group.member(id);
    if (m !== undefined) removeMember(ctx, group, m);
  }
  prepareRebalance(ctx, group);
}

export function resetAndPropagateAssignmentError(ctx: CoordinatorContext, group: ClassicGroup, code: number) {
  for (const m of group.members.values()) m.assignment = EMPTY_ASSIGNMENT;
  propagateAssignment(ctx, group, code);
}

export function setAndPropagateAssignment(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  assignment: ReadonlyMap<string, Buffer>,
): void {
  for (const m of group.members.values()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
  propagateAssignment(ctx, group, ErrorCode.NONE);
}

function propagateAssignment(ctx: CoordinatorContext, group: ClassicGroup, code: number): void {
  const ok = code === ErrorCode.NONE;
  for (const m of group.members.values()) {
    const answered = m.completeSync({
      errorCode: code,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: m.assignment,
    });
    // Restart the session clock: it may have run out while the member waited.
    if (answered) scheduleHeartbeat(ctx, group, m);
  }
}

/** The leader's assignment was written (or not): finish the rebalance or start over. */
export function onAssignmentStored(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  generationId: number,
  assignment: ReadonlyMap<string, Buffer>,
  code: number,
): void {
  if (!group.is('CompletingRebalance') || group.generationId !== generationId) return;
  if (code !== ErrorCode.NONE) {
    resetAndPropagateAssignmentError(ctx, group, appendErrorToResponse(code, false));
    maybePrepareRebalanceOrCompleteJoin(ctx, group);
  } else {
    setAndPropagateAssignment(ctx, group, assignment);
    group.transitionTo('Stable', ctx.clock.now());
  }
}
