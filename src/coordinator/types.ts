/**
 * Request and result shapes of the GroupCoordinator API. Field names follow Kafka's JSON message
 * specs (camelCased) so the broker's handlers can copy fields across; error codes are numbers
 * from protocol/errors.ts. int64 offsets are bigint, as in the wire Reader/Writer.
 */
import type { GroupState } from './group-state.ts';

export interface JoinGroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  /** '' for a member joining for the first time (or a static member restarting). */
  memberId: string;
  /** group.instance.id (JoinGroup v5+), null for dynamic members. */
  groupInstanceId: string | null;
  /** From the request header. */
  clientId: string;
  /** The client's address as the broker sees it. */
  clientHost: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0) means "same as the session timeout". */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  /** The JoinGroup version: v4+ requires a known member id (KIP-394), v9+ may skip assignment (KIP-814). */
  apiVersion: number;
  reason?: string | null;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's member id; '' when there is none. */
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  /** Filled for the leader only. */
  members: JoinGroupMember[];
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** SyncGroup v5+ (KIP-559); null before. */
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResult {
  errorCode: number;
}

export interface LeavingMember {
  memberId: string;
  groupInstanceId: string | null;
  reason?: string | null;
}

export interface LeaveGroupResult {
  /** Group-level error; per-member errors are in members (LeaveGroup v3+). */
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: bigint;
  /** -1 when unknown (OffsetCommit < v6). */
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface OffsetCommitTopic {
  name: string;
  partitions: OffsetCommitPartition[];
}

export interface OffsetCommitOptions {
  /** The OffsetCommit version (v9+ answers GROUP_ID_NOT_FOUND for an unknown group). */
  apiVersion?: number;
  /** OffsetCommit v2-v4 RetentionTimeMs; -1 for the broker default. */
  retentionTimeMs?: bigint | number;
}

export interface OffsetCommitResult {
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface OffsetFetchTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  /** -1 when nothing is committed. */
  committedOffset: bigint;
  committedLeaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: { name: string; partitions: OffsetFetchPartition[] }[];
}

export interface OffsetDeleteTopic {
  name: string;
  partitions: { partitionIndex: number }[];
}

export interface OffsetDeleteResult {
  errorCode: number;
  topics: { name: string; partitions: { partitionIndex: number; errorCode: number }[] }[];
}

export interface DeleteGroupResult {
  groupId: string;
  errorCode: number;
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: GroupState;
  groupType: 'classic';
}

export interface ListGroupsResult {
  errorCode: number;
  groups: ListedGroup[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  /** Only filled while the group is Stable (as Kafka does). */
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: GroupState;
  protocolType: string;
  /** The selected protocol, only while Stable. */
  protocolData: string;
  members: DescribedGroupMember[];
}

/** One record of __consumer_offsets: key and value bytes in Kafka's format (value null = tombstone). */
export interface StoredRecord {
  key: Buffer;
  value: Buffer | null;
}

/** Durable log the coordinator writes to; append resolves once the records are durable. */
export interface RecordStore {
  append(records: StoredRecord[]): Promise<void>;
  /** TxnOffsetCommit records as a transactional batch of the producer (durable on resolve). */
  appendTransactional?(records: StoredRecord[], producerId: number, producerEpoch: number): Promise<void>;
}
