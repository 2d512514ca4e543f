/**
 * Admin views and removal of groups: ListGroups (KIP-518 state filter, case-insensitive; type
 * filter), DescribeGroups (members with metadata and assignment while Stable, as Kafka), and
 * DeleteGroups (only Empty groups: NON_EMPTY_GROUP with members, GROUP_ID_NOT_FOUND when missing),
 * which writes tombstones for the group and all its offsets.
 */

import { ErrorCode } from '../protocol/errors.ts';
import { appendErrorToResponse } from './append-error.ts';
import type { CoordinatorContext } from './context.ts';
import type { ClassicGroup } from './group.ts';
import { inflightPartitions } from './inflight.ts';
import { EMPTY_ASSIGNMENT } from './member.ts';
import { groupTombstone, offsetTombstone } from './persistence.ts';
import { heartbeatKey, joinKey, syncKey } from './timers.ts';
import type { DeleteGroupResult, DescribedGroup, ListGroupsResult, StoredRecord } from './types.ts';

export function listGroups(ctx: CoordinatorContext, statesFilter: string[] = [], typesFilter: string[] = []) {
  const states = new Set(statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(typesFilter.map((t) => t.toLowerCase()));
  const result: ListGroupsResult = { errorCode: ErrorCode.NONE, groups: [] };
  if (types.size > 0 && !types.has('classic')) return result;
  for (const group of ctx.groups.values()) {
    if (group.is('Dead')) continue;
    if (states.size > 0 && !states.has(group.state.toLowerCase())) continue;
    result.groups.push({
      groupId: group.groupId,
      protocolType: group.protocolType ?? '',
      groupState: group.state,
      groupType: 'classic',
    });
  }
  return result;
}

export function describeGroup(ctx: CoordinatorContext, groupId: string): DescribedGroup {
  const group = ctx.groups.get(groupId);
  if (group === undefined || group.is('Dead')) {
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: 'Dead',
      protocolType: '',
      protocolData: '',
      members: [],
    };
  }
  const stable = group.is('Stable');
  return {
    errorCode: ErrorCode.NONE,
    groupId,
    groupState: group.state,
    protocolType: group.protocolType ?? '',
    protocolData: stable ? (group.protocolName ?? '') : '',
    members: [...group.members.values()].map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      memberMetadata: stable ? m.metadata(group.protocolName) : EMPTY_ASSIGNMENT,
      memberAssignment: stable ? m.assignment : EMPTY_ASSIGNMENT,
    })),
  };
}

/** Marks a group Dead and forgets it (its timers too); returns tombstones for it and its offsets. */
export function dropGroup(ctx: CoordinatorContext, group: ClassicGroup): StoredRecord[] {
  group.transitionTo('Dead', ctx.clock.now());
  ctx.groups.delete(group.groupId);
  ctx.timers.cancel(joinKey(group.groupId));
  ctx.timers.cancel(syncKey(group.groupId));
  for (const id of group.members.keys()) ctx.timers.cancel(heartbeatKey(group.groupId, id));
  const records: StoredRecord[] = [];
  const seen = new Set<string>();
  const tombstone = (topic: string, partition: number) => {
    const k = JSON.stringify([topic, partition]);
    if (seen.has(k)) return;
    seen.add(k);
    records.push(offsetTombstone(group.groupId, topic, partition));
  };
  for (const { topic, partition } of ctx.offsets.deleteGroup(group.groupId)) tombstone(topic, partition);
  for (const { topic, partition } of inflightPartitions(ctx, group.groupId)) tombstone(topic, partition);
  records.push(groupTombstone(group.groupId));
  return records;
}

export async function deleteGroups(
  ctx: CoordinatorContext,
  groupIds: string[],
): Promise<DeleteGroupResult[]> {
  const results: DeleteGroupResult[] = [];
  const records: StoredRecord[] = [];
  const deleted: DeleteGroupResult[] = [];
  for (const groupId of groupIds) {
    const group = ctx.groups.get(groupId);
    if (group === undefined || group.is('Dead')) {
      results.push({ groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
    } else if (!group.is('Empty')) {
      results.push({ groupId, errorCode: ErrorCode.NON_EMPTY_GROUP });
    } else {
      records.push(...dropGroup(ctx, group));
      const result = { groupId, errorCode: ErrorCode.NONE };
      deleted.push(result);
      results.push(result);
    }
  }
  if (records.length > 0) {
    const code = await ctx.append(records);
    if (code !== ErrorCode.NONE) for (const r of deleted) r.errorCode = appendErrorToResponse(code, false);
  }
  return results;
}
