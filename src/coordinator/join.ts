/**
 * JoinGroup: validation, new members (KIP-394 member id round trip for v4+), static members
 * (KIP-345: a restarted instance takes a new member id without a rebalance while the group is
 * Stable and its protocol would not change; KIP-814 lets a returning leader skip the assignment),
 * and rejoins of known members. The answer is a Promise that resolves when the join phase
 * completes (or at once for errors and no-change rejoins).
 */

import { ErrorCode } from '../protocol/errors.ts';
import { appendErrorToResponse } from './append-error.ts';
import type { CoordinatorContext } from './context.ts';
import { ClassicGroup } from './group.ts';
import { ClassicGroupMember } from './member.ts';
import { groupRecord } from './persistence.ts';
import {
  currentJoinResult,
  maybeCompleteJoinPhase,
  maybePrepareRebalanceOrCompleteJoin,
  prepareRebalance,
  removeMemberAndUpdateGroup,
  scheduleHeartbeat,
  schedulePendingMemberExpiry,
} from './rebalance.ts';
import { joinError, syncError } from './results.ts';
import { heartbeatKey } from './timers.ts';
import type { JoinGroupProtocol, JoinGroupRequest, JoinGroupResult } from './types.ts';

type Respond = (result: JoinGroupResult) => void;
type Answer = JoinGroupResult | undefined;

/** JoinGroup v4+ makes a new dynamic member come back with an assigned member id (KIP-394). */
const REQUIRES_KNOWN_MEMBER_ID_VERSION = 4;
/** JoinGroup v9+ can tell a returning static leader to skip the assignment (KIP-814). */
const SKIP_ASSIGNMENT_VERSION = 9;

export function joinGroup(ctx: CoordinatorContext, request: JoinGroupRequest): Promise<JoinGroupResult> {
  return new Promise((resolve) => {
    const immediate = handleJoin(ctx, normalize(request), resolve);
    if (immediate !== undefined) resolve(immediate);
  });
}

/** Defaults the v0 rebalance timeout and keeps the first protocol of each name. */
function normalize(request: JoinGroupRequest): JoinGroupRequest {
  const seen = new Set<string>();
  const protocols: JoinGroupProtocol[] = [];
  for (const p of request.protocols) {
    if (seen.has(p.name)) continue;
    seen.add(p.name);
    protocols.push(p);
  }
  const rebalanceTimeoutMs =
    request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs;
  return { ...request, protocols, rebalanceTimeoutMs };
}

/** Answers at once (a result) or parks the request (undefined; `respond` is called later). */
function handleJoin(ctx: CoordinatorContext, req: JoinGroupRequest, respond: Respond): Answer {
  if (req.groupId === '') return joinError(req.memberId, ErrorCode.INVALID_GROUP_ID);
  const { groupMinSessionTimeoutMs: min, groupMaxSessionTimeoutMs: max } = ctx.config;
  if (req.sessionTimeoutMs < min || req.sessionTimeoutMs > max) {
    return joinError(req.memberId, ErrorCode.INVALID_SESSION_TIMEOUT);
  }
  const isUnknownMember = req.memberId === '';
  let group = ctx.groups.get(req.groupId);
  if (group === undefined) {
    if (!isUnknownMember) return joinError(req.memberId, ErrorCode.UNKNOWN_MEMBER_ID);
    group = new ClassicGroup(req.groupId, 'Empty', ctx.clock.now());
    ctx.groups.set(req.groupId, group);
  }
  if (!acceptJoiningMember(ctx, group, req.memberId)) {
    const existing = group.member(req.memberId);
    if (existing !== undefined) removeMemberAndUpdateGroup(ctx, group, existing);
    return joinError('', ErrorCode.GROUP_MAX_SIZE_REACHED);
  }
  return isUnknownMember
    ? joinNewMember(ctx, group, req, respond)
    : joinExistingMember(ctx, group, req, respond);
}

/** group.max.size: existing members are let back in; new ones only while there is room. */
function acceptJoiningMember(ctx: CoordinatorContext, group: ClassicGroup, memberId: string): boolean {
  const maxSize = ctx.config.groupMaxSize;
  switch (group.state) {
    case 'Empty':
    case 'Dead':
      return true;
    case 'PreparingRebalance':
      return group.member(memberId)?.isAwaitingJoin === true || group.numAwaitingJoin() < maxSize;
    case 'CompletingRebalance':
    case 'Stable':
      return group.hasMember(memberId) || group.size < maxSize;
  }
}

function protocolNames(req: JoinGroupRequest): string[] {
  return req.protocols.map((p) => p.name);
}

function joinNewMember(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  req: JoinGroupRequest,
  respond: Respond,
): Answer {
  if (group.is('Dead')) return joinError('', ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(req.protocolType, protocolNames(req))) {
    return joinError('', ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  const newMemberId = `${req.groupInstanceId ?? req.clientId}-${ctx.newUuid()}`;
  if (req.groupInstanceId !== null) {
    const existingId = group.staticMemberId(req.groupInstanceId);
    if (existingId !== undefined) {
      return replaceStaticMember(ctx, group, req, req.groupInstanceId, existingId, newMemberId, respond);
    }
    return addMemberThenRebalance(ctx, group, req, newMemberId, respond);
  }
  if (req.apiVersion >= REQUIRES_KNOWN_MEMBER_ID_VERSION) {
    group.addPendingMember(newMemberId);
    schedulePendingMemberExpiry(ctx, group, newMemberId, req.sessionTimeoutMs);
    return joinError(newMemberId, ErrorCode.MEMBER_ID_REQUIRED);
  }
  return addMemberThenRebalance(ctx, group, req, newMemberId, respond);
}

function joinExistingMember(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  req: JoinGroupRequest,
  respond: Respond,
): Answer {
  const memberId = req.memberId;
  if (group.is('Dead')) return joinError(memberId, ErrorCode.COORDINATOR_NOT_AVAILABLE);
  if (!group.supportsProtocols(req.protocolType, protocolNames(req))) {
    return joinError(memberId, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  }
  if (group.isPendingMember(memberId) && req.groupInstanceId === null) {
    ctx.timers.cancel(heartbeatKey(group.groupId, memberId));
    return addMemberThenRebalance(ctx, group, req, memberId, respond);
  }
  const error = group.validateMember(memberId, req.groupInstanceId);
  if (error !== ErrorCode.NONE) return joinError(memberId, error);
  const member = group.member(memberId)!;
  switch (group.state) {
    case 'PreparingRebalance':
      return updateMemberThenRebalance(ctx, group, member, req, respond);
    case 'CompletingRebalance':
      // Same metadata: the member probably missed its JoinGroup response; send it again.
      if (member.matches(req.protocols)) return currentJoinResult(group, memberId, group.isLeader(memberId));
      return updateMemberThenRebalance(ctx, group, member, req, respond);
    case 'Stable':
      // A rejoining leader forces a rebalance (it may have seen topic metadata change).
      if (group.isLeader(memberId) || !member.matches(req.protocols)) {
        return updateMemberThenRebalance(ctx, group, member, req, respond);
      }
      return currentJoinResult(group, memberId, false);
    default:
      return joinError(memberId, ErrorCode.UNKNOWN_MEMBER_ID);
  }
}

/** Parks the member's JoinGroup; a superseded one is answered REBALANCE_IN_PROGRESS so it never hangs. */
function awaitJoin(member: ClassicGroupMember, respond: Respond): void {
  member.completeJoin(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
  member.joinResolver = respond;
}

function updateMemberThenRebalance(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  member: ClassicGroupMember,
  req: JoinGroupRequest,
  respond: Respond,
): undefined {
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs);
  awaitJoin(member, respond);
  maybePrepareRebalanceOrCompleteJoin(ctx, group);
  return undefined;
}

function addMemberThenRebalance(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  req: JoinGroupRequest,
  memberId: string,
  respond: Respond,
): undefined {
  const member = new ClassicGroupMember({
    memberId,
    groupInstanceId: req.groupInstanceId,
    clientId: req.clientId,
    clientHost: req.clientHost,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    sessionTimeoutMs: req.sessionTimeoutMs,
    protocolType: req.protocolType,
    protocols: req.protocols,
  });
  member.isNew = true;
  if (group.is('PreparingRebalance') && group.previousState === 'Empty') group.newMemberAdded = true;
  group.add(member);
  member.joinResolver = respond;
  // A new member cannot heartbeat while its JoinGroup is parked: bound the wait instead.
  scheduleHeartbeat(ctx, group, member, ctx.config.newMemberJoinTimeoutMs);
  maybePrepareRebalanceOrCompleteJoin(ctx, group);
  return undefined;
}

/**
 * A static member rejoins with an empty member id: it takes newMemberId, the old id is fenced.
 * In a Stable group whose selected protocol stays the same there is no rebalance: the group is
 * persisted and the member gets the current generation (and its assignment via SyncGroup).
 */
function replaceStaticMember(
  ctx: CoordinatorContext,
  group: ClassicGroup,
  req: JoinGroupRequest,
  instanceId: string,
  oldMemberId: string,
  newMemberId: string,
  respond: Respond,
): undefined {
  const currentLeader = group.leaderId;
  const old = group.member(oldMemberId)!;
  old.completeJoin(joinError(oldMemberId, ErrorCode.FENCED_INSTANCE_ID));
  old.completeSync(syncError(ErrorCode.FENCED_INSTANCE_ID));
  const member = group.replaceStaticMember(instanceId, oldMemberId, newMemberId);
  ctx.timers.cancel(heartbeatKey(group.groupId, oldMemberId));
  scheduleHeartbeat(ctx, group, member);
  const previous = {
    protocols: member.protocols,
    rebalanceTimeoutMs: member.rebalanceTimeoutMs,
    sessionTimeoutMs: member.sessionTimeoutMs,
  };
  group.updateMember(member, req.protocols, req.rebalanceTimeoutMs, req.sessionTimeoutMs);
  member.joinResolver = respond;

  switch (group.state) {
    case 'Stable': {
      if (group.protocolName !== group.selectProtocol()) {
        maybePrepareRebalanceOrCompleteJoin(ctx, group);
        return undefined;
      }
      const generationId = group.generationId;
      void ctx.append([groupRecord(group, group.groupAssignment())]).then((code) => {
        if (code !== ErrorCode.NONE) {
          // Not durable: put the old member id back and report the failure.
          if (group.member(newMemberId) === member) {
            group.updateMember(
              member,
              previous.protocols,
              previous.rebalanceTimeoutMs,
              previous.sessionTimeoutMs,
            );
            const restored = group.replaceStaticMember(instanceId, newMemberId, oldMemberId);
            ctx.timers.cancel(heartbeatKey(group.groupId, newMemberId));
            scheduleHeartbeat(ctx, group, restored);
          }
          member.completeJoin({
            ...currentJoinResult(group, '', false),
            errorCode: appendErrorToResponse(code, false),
            generationId,
            leader: currentLeader ?? '',
          });
          return;
        }
        if (req.apiVersion >= SKIP_ASSIGNMENT_VERSION) {
          const isLeader = group.isLeader(newMemberId);
          member.completeJoin({
            ...currentJoinResult(group, newMemberId, isLeader),
            skipAssignment: isLeader,
          });
        } else {
          // The old leader id keeps a returning leader from running a useless assignment.
          member.completeJoin({
            ...currentJoinResult(group, newMemberId, false),
            leader: currentLeader ?? '',
          });
        }
      });
      return undefined;
    }
    case 'CompletingRebalance':
      // The leader may be assigning to the old id: start over so the new id gets an assignment.
      prepareRebalance(ctx, group);
      return undefined;
    default:
      maybeCompleteJoinPhase(ctx, group);
      return undefined;
  }
}
