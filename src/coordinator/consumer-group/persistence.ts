/**
 * Consumer-protocol (KIP-848) groups in __consumer_offsets, with Kafka's record types: key
 * versions 3 (ConsumerGroupMetadata: the group epoch), 5 (ConsumerGroupMemberMetadata: a member's
 * subscription and client), 6 (ConsumerGroupTargetAssignmentMetadata: the assignment epoch), 7
 * (ConsumerGroupTargetAssignmentMember: a member's target) and 8
 * (ConsumerGroupCurrentMemberAssignment: a member's epochs, state and partitions). `groupRecords`
 * gives the records for a group's current state (the coordinator writes those that changed, and
 * tombstones for those gone); `loadGroupRecords` replays the log into snapshots. Key version 4
 * (partition metadata, deprecated by Kafka 4.0) is neither written nor needed.
 */
import {
  readConsumerGroupCurrentMemberAssignmentKey,
  writeConsumerGroupCurrentMemberAssignmentKey,
} from '../../protocol/generated/internal/consumer-group-current-member-assignment-key.ts';
import {
  readConsumerGroupCurrentMemberAssignmentValue,
  writeConsumerGroupCurrentMemberAssignmentValue,
} from '../../protocol/generated/internal/consumer-group-current-member-assignment-value.ts';
import {
  readConsumerGroupMemberMetadataKey,
  writeConsumerGroupMemberMetadataKey,
} from '../../protocol/generated/internal/consumer-group-member-metadata-key.ts';
import {
  readConsumerGroupMemberMetadataValue,
  writeConsumerGroupMemberMetadataValue,
} from '../../protocol/generated/internal/consumer-group-member-metadata-value.ts';
import {
  readConsumerGroupMetadataKey,
  writeConsumerGroupMetadataKey,
} from '../../protocol/generated/internal/consumer-group-metadata-key.ts';
import {
  readConsumerGroupMetadataValue,
  writeConsumerGroupMetadataValue,
} from '../../protocol/generated/internal/consumer-group-metadata-value.ts';
import {
  readConsumerGroupTargetAssignmentMemberKey,
  writeConsumerGroupTargetAssignmentMemberKey,
} from '../../protocol/generated/internal/consumer-group-target-assignment-member-key.ts';
import {
  readConsumerGroupTargetAssignmentMemberValue,
  writeConsumerGroupTargetAssignmentMemberValue,
} from '../../protocol/generated/internal/consumer-group-target-assignment-member-value.ts';
import {
  readConsumerGroupTargetAssignmentMetadataKey,
  writeConsumerGroupTargetAssignmentMetadataKey,
} from '../../protocol/generated/internal/consumer-group-target-assignment-metadata-key.ts';
import {
  readConsumerGroupTargetAssignmentMetadataValue,
  writeConsumerGroupTargetAssignmentMetadataValue,
} from '../../protocol/generated/internal/consumer-group-target-assignment-metadata-value.ts';
import { Reader, Writer } from '../../protocol/primitives/index.ts';
import type { StoredRecord } from '../types.ts';

type Partitions = Map<string, number[]>;

export interface MemberSnapshot {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  topicNames: string[];
  topicRegex: string | null;
  serverAssignor: string | null;
  rebalanceTimeoutMs: number;
  memberEpoch: number;
  previousMemberEpoch: number;
  /** Kafka's MemberState: 0 stable, 1 unreleased partitions, 2 unrevoked partitions. */
  state: number;
  assigned: Partitions;
  pendingRevocation: Partitions;
}

export interface GroupSnapshot {
  groupId: string;
  groupEpoch: number;
  targetEpoch: number;
  members: MemberSnapshot[];
  target: Map<string, Partitions>;
}

function key(version: number, body: (w: Writer) => void): Buffer {
  const w = new Writer(64);
  w.writeInt16(version);
  body(w);
  return w.toBuffer();
}

function value(body: (w: Writer) => void): Buffer {
  const w = new Writer(128);
  w.writeInt16(0);
  body(w);
  return w.toBuffer();
}

const list = (p: Partitions) =>
  [...p.entries()].filter(([, l]) => l.length > 0).map(([topicId, partitions]) => ({ topicId, partitions }));
const map = (l: { topicId: string; partitions: number[] }[]): Partitions =>
  new Map(l.map((t) => [t.topicId, [...t.partitions]]));

/** The records that describe a group as it is now (keys as hex for comparison). */
export function groupRecords(g: GroupSnapshot): Map<string, StoredRecord> {
  const out = new Map<string, StoredRecord>();
  const put = (k: Buffer, v: Buffer) => out.set(k.toString('hex'), { key: k, value: v });
  const groupId = g.groupId;
  put(
    key(3, (w) => writeConsumerGroupMetadataKey(w, 3, { groupId })),
    value((w) => writeConsumerGroupMetadataValue(w, 0, { epoch: g.groupEpoch })),
  );
  put(
    key(6, (w) => writeConsumerGroupTargetAssignmentMetadataKey(w, 6, { groupId })),
    value((w) => writeConsumerGroupTargetAssignmentMetadataValue(w, 0, { assignmentEpoch: g.targetEpoch })),
  );
  for (const m of g.members) {
    const memberId = m.memberId;
    put(
      key(5, (w) => writeConsumerGroupMemberMetadataKey(w, 5, { groupId, memberId })),
      value((w) =>
        writeConsumerGroupMemberMetadataValue(w, 0, {
          instanceId: m.instanceId,
          rackId: m.rackId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopicNames: m.topicNames,
          subscribedTopicRegex: m.topicRegex,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          serverAssignor: m.serverAssignor,
          classicMemberMetadata: null,
        }),
      ),
    );
    put(
      key(7, (w) => writeConsumerGroupTargetAssignmentMemberKey(w, 7, { groupId, memberId })),
      value((w) =>
        writeConsumerGroupTargetAssignmentMemberValue(w, 0, {
          topicPartitions: list(g.target.get(memberId) ?? new Map()),
        }),
      ),
    );
    put(
      key(8, (w) => writeConsumerGroupCurrentMemberAssignmentKey(w, 8, { groupId, memberId })),
      value((w) =>
        writeConsumerGroupCurrentMemberAssignmentValue(w, 0, {
          memberEpoch: m.memberEpoch,
          previousMemberEpoch: m.previousMemberEpoch,
          state: m.state,
          assignedPartitions: list(m.assigned),
          partitionsPendingRevocation: list(m.pendingRevocation),
        }),
      ),
    );
  }
  return out;
}

/** Replays __consumer_offsets into the consumer-protocol groups it holds (latest record wins). */
export function loadGroupRecords(records: Iterable<StoredRecord>): GroupSnapshot[] {
  const groups = new Map<string, GroupSnapshot>();
  const members = new Map<string, Map<string, Partial<MemberSnapshot> & { memberId: string }>>();
  const group = (groupId: string): GroupSnapshot => {
    let g = groups.get(groupId);
    if (!g) {
      g = { groupId, groupEpoch: 0, targetEpoch: 0, members: [], target: new Map() };
      groups.set(groupId, g);
      members.set(groupId, new Map());
    }
    return g;
  };
  const member = (groupId: string, memberId: string) => {
    group(groupId);
    const byId = members.get(groupId)!;
    let m = byId.get(memberId);
    if (!m) byId.set(memberId, (m = { memberId }));
    return m;
  };
  for (const record of records) {
    const r = new Reader(record.key);
    const version = r.readInt16();
    if (version < 3 || version > 8 || version === 4) continue;
    const v = record.value === null ? null : new Reader(record.value);
    v?.readInt16();
    if (version === 3) {
      const k = readConsumerGroupMetadataKey(r, 3);
      if (v === null) {
        groups.delete(k.groupId);
        members.delete(k.groupId);
      } else group(k.groupId).groupEpoch = readConsumerGroupMetadataValue(v, 0).epoch;
    } else if (version === 6) {
      const k = readConsumerGroupTargetAssignmentMetadataKey(r, 6);
      if (v !== null)
        group(k.groupId).targetEpoch = readConsumerGroupTargetAssignmentMetadataValue(v, 0).assignmentEpoch;
    } else if (version === 5) {
      const k = readConsumerGroupMemberMetadataKey(r, 5);
      if (v === null) {
        members.get(k.groupId)?.delete(k.memberId);
        continue;
      }
      const x = readConsumerGroupMemberMetadataValue(v, 0);
      Object.assign(member(k.groupId, k.memberId), {
        instanceId: x.instanceId,
        rackId: x.rackId,
        clientId: x.clientId,
        clientHost: x.clientHost,
        topicNames: x.subscribedTopicNames,
        topicRegex: x.subscribedTopicRegex,
        serverAssignor: x.serverAssignor,
        rebalanceTimeoutMs: x.rebalanceTimeoutMs,
      });
    } else if (version === 7) {
      const k = readConsumerGroupTargetAssignmentMemberKey(r, 7);
      if (v === null) groups.get(k.groupId)?.target.delete(k.memberId);
      else
        group(k.groupId).target.set(
          k.memberId,
          map(readConsumerGroupTargetAssignmentMemberValue(v, 0).topicPartitions),
        );
    } else if (version === 8) {
      const k = readConsumerGroupCurrentMemberAssignmentKey(r, 8);
      if (v === null) continue;
      const x = readConsumerGroupCurrentMemberAssignmentValue(v, 0);
      Object.assign(member(k.groupId, k.memberId), {
        memberEpoch: x.memberEpoch,
        previousMemberEpoch: x.previousMemberEpoch,
        state: x.state,
        assigned: map(x.assignedPartitions),
        pendingRevocation: map(x.partitionsPendingRevocation),
      });
    }
  }
  for (const [groupId, g] of groups) {
    for (const m of members.get(groupId)?.values() ?? []) {
      if (m.clientId === undefined) continue; // member metadata removed: the member left
      g.members.push({
        memberEpoch: 0,
        previousMemberEpoch: 0,
        state: 0,
        assigned: new Map(),
        pendingRevocation: new Map(),
        ...m,
      } as MemberSnapshot);
    }
    for (const id of [...g.target.keys()]) if (!g.members.some((m) => m.memberId === id)) g.target.delete(id);
  }
  return [...groups.values()];
}
