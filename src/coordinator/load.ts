/**
 * Rebuilds coordinator state by replaying __consumer_offsets records in log order: offset commits
 * and their tombstones, group metadata (a group with members comes back Stable, else Empty) and
 * group tombstones. Groups that only have offsets come back as Empty groups. Afterwards members'
 * session timers start, as after a coordinator failover.
 */
import type { CoordinatorContext } from './context.ts';
import { ClassicGroup } from './group.ts';
import { ClassicGroupMember } from './member.ts';
import { offsetFromValue } from './persistence.ts';
import { prepareRebalance, scheduleHeartbeat } from './rebalance.ts';
import type { GroupMetadataValue } from './records/group-metadata.ts';
import { decodeRecord } from './records/record.ts';
import type { StoredRecord } from './types.ts';

function groupFromValue(groupId: string, value: GroupMetadataValue): ClassicGroup {
  const timestamp = value.currentStateTimestamp >= 0n ? Number(value.currentStateTimestamp) : null;
  const group = new ClassicGroup(groupId, value.members.length > 0 ? 'Stable' : 'Empty', timestamp);
  group.generationId = value.generation;
  group.protocolType = value.protocolType === '' ? null : value.protocolType;
  for (const m of value.members) {
    group.add(
      new ClassicGroupMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout < 0 ? m.sessionTimeout : m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: value.protocolType,
        protocols: [{ name: value.protocol ?? '', metadata: m.subscription }],
        assignment: m.assignment,
      }),
    );
  }
  group.protocolName = value.protocol;
  group.leaderId = value.leader;
  group.subscribedTopics = group.computeSubscribedTopics();
  return group;
}

export function loadRecords(ctx: CoordinatorContext, records: Iterable<StoredRecord>): void {
  for (const record of records) {
    const decoded = decodeRecord(record);
    if (decoded.type === 'offset') {
      const { group, topic, partition } = decoded.key;
      if (decoded.value === null) ctx.offsets.delete(group, topic, partition);
      else ctx.offsets.set(group, topic, partition, offsetFromValue(decoded.value));
    } else if (decoded.type === 'group') {
      const groupId = decoded.key.group;
      if (decoded.value === null) ctx.groups.delete(groupId);
      else ctx.groups.set(groupId, groupFromValue(groupId, decoded.value));
    }
  }
  for (const groupId of ctx.offsets.groupIds()) {
    if (!ctx.groups.has(groupId)) ctx.groups.set(groupId, new ClassicGroup(groupId, 'Empty', null));
  }
  for (const group of ctx.groups.values()) {
    for (const member of group.members.values()) scheduleHeartbeat(ctx, group, member);
    // Give members of a group over the (possibly lowered) max size a chance to commit, then shrink it.
    if (group.size > ctx.config.groupMaxSize && group.canRebalance()) prepareRebalance(ctx, group);
  }
}
