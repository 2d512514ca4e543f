/**
 * Turns coordinator state into __consumer_offsets records (and back): a group's metadata record
 * with its members and assignment, offset commits, and tombstones.
 */
import type { ClassicGroup } from './group.ts';
import { EMPTY_ASSIGNMENT } from './member.ts';
import type { OffsetAndMetadata } from './offsets.ts';
import type { OffsetCommitValue } from './records/offset-commit.ts';
import { groupMetadataRecord, offsetCommitRecord } from './records/record.ts';
import type { StoredRecord } from './types.ts';

export function groupRecord(group: ClassicGroup, assignment: ReadonlyMap<string, Buffer>): StoredRecord {
  return groupMetadataRecord(
    { group: group.groupId },
    {
      protocolType: group.protocolType ?? '',
      generation: group.generationId,
      protocol: group.protocolName,
      leader: group.leaderId,
      currentStateTimestamp: BigInt(group.currentStateTimestamp ?? -1),
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: m.metadata(group.protocolName),
        assignment: assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT,
      })),
    },
  );
}

export function groupTombstone(groupId: string): StoredRecord {
  return groupMetadataRecord({ group: groupId }, null);
}

export function offsetRecord(
  groupId: string,
  topic: string,
  partition: number,
  om: OffsetAndMetadata,
): StoredRecord {
  return offsetCommitRecord(
    { group: groupId, topic, partition },
    {
      offset: om.committedOffset,
      leaderEpoch: om.leaderEpoch,
      metadata: om.metadata,
      commitTimestamp: BigInt(om.commitTimestampMs),
      expireTimestamp: om.expireTimestampMs === null ? -1n : BigInt(om.expireTimestampMs),
    },
  );
}

export function offsetTombstone(groupId: string, topic: string, partition: number): StoredRecord {
  return offsetCommitRecord({ group: groupId, topic, partition }, null);
}

export function offsetFromValue(value: OffsetCommitValue): OffsetAndMetadata {
  return {
    committedOffset: value.offset,
    leaderEpoch: value.leaderEpoch,
    metadata: value.metadata,
    commitTimestampMs: Number(value.commitTimestamp),
    expireTimestampMs: value.expireTimestamp >= 0n ? Number(value.expireTimestamp) : null,
  };
}
