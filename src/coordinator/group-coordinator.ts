/**
 * GroupCoordinator: the classic-protocol consumer group coordinator as one object over an injected
 * clock and record store. The broker's handlers translate decoded requests into these calls and the
 * results (Kafka error codes as numbers) into responses. JoinGroup and SyncGroup answers are
 * Promises that resolve when the rebalance gets there; writes resolve once durable.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/errors.ts';
import { type Clock, realClock } from './clock.ts';
import { type GroupCoordinatorConfig, resolveConfig } from './config.ts';
import { type CoordinatorContext, createContext } from './context.ts';
import { cleanupExpiredOffsets } from './expiration.ts';
import { deleteGroups, describeGroup, listGroups } from './group-admin.ts';
import { heartbeat } from './heartbeat.ts';
import { joinGroup } from './join.ts';
import { leaveGroup } from './leave.ts';
import { loadRecords } from './load.ts';
import { commitOffsets } from './offset-commit.ts';
import { deleteOffsets } from './offset-delete.ts';
import { fetchOffsets } from './offset-fetch.ts';
import { joinError, syncError } from './results.ts';
import { syncGroup } from './sync.ts';
import { removeDeletedTopics } from './topic-deleted.ts';
import {
  commitTxnOffsets,
  completeTxnOffsets,
  PendingTxnOffsets,
  pendingFromRecords,
  type TransactionalAppend,
} from './txn-offset-commit.ts';
import type {
  DeleteGroupResult,
  DescribedGroup,
  HeartbeatRequest,
  HeartbeatResult,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupResult,
  LeavingMember,
  ListGroupsResult,
  OffsetCommitOptions,
  OffsetCommitResult,
  OffsetCommitTopic,
  OffsetDeleteResult,
  OffsetDeleteTopic,
  OffsetFetchResult,
  OffsetFetchTopic,
  RecordStore,
  StoredRecord,
  SyncGroupRequest,
  SyncGroupResult,
} from './types.ts';

const RETENTION_TIMER = 'offsets-retention';

export interface GroupCoordinatorOptions {
  /** Where __consumer_offsets records go; append must resolve only once they are durable. */
  store: RecordStore;
  clock?: Clock;
  config?: Partial<GroupCoordinatorConfig>;
  /** Member id suffixes (Kafka: a random UUID). */
  newUuid?: () => string;
  /** Failed appends and other non-fatal problems. */
  onError?: (error: unknown) => void;
  /** Writes TxnOffsetCommit records as a transactional batch of the producer (durable on resolve). */
  appendTransactional?: TransactionalAppend;
}

export class GroupCoordinator {
  private readonly ctx: CoordinatorContext;
  private active = true;
  private readonly pendingTxn = new PendingTxnOffsets();
  private readonly appendTransactional: TransactionalAppend;

  constructor(options: GroupCoordinatorOptions) {
    this.ctx = createContext({
      config: resolveConfig(options.config),
      clock: options.clock ?? realClock,
      store: options.store,
      newUuid: options.newUuid ?? randomUUID,
      onError: options.onError ?? (() => {}),
    });
    const store = options.store;
    this.appendTransactional =
      options.appendTransactional ??
      (store.appendTransactional
        ? (records, pid, epoch) => store.appendTransactional!(records, pid, epoch)
        : (records) => store.append(records));
    this.scheduleRetentionCheck();
  }

  get config(): Readonly<GroupCoordinatorConfig> {
    return this.ctx.config;
  }

  /** Replays __consumer_offsets records (in log order) before serving requests. */
  load(records: Iterable<StoredRecord>): void {
    loadRecords(this.ctx, records);
  }

  joinGroup(request: JoinGroupRequest): Promise<JoinGroupResult> {
    if (!this.active) return Promise.resolve(joinError(request.memberId, ErrorCode.NOT_COORDINATOR));
    return joinGroup(this.ctx, request);
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResult> {
    if (!this.active) return Promise.resolve(syncError(ErrorCode.NOT_COORDINATOR));
    return syncGroup(this.ctx, request);
  }

  heartbeat(request: HeartbeatRequest): HeartbeatResult {
    if (!this.active) return { errorCode: ErrorCode.NOT_COORDINATOR };
    return heartbeat(this.ctx, request);
  }

  leaveGroup(groupId: string, members: LeavingMember[]): LeaveGroupResult {
    if (!this.active) return { errorCode: ErrorCode.NOT_COORDINATOR, members: [] };
    return leaveGroup(this.ctx, groupId, members);
  }

  commitOffsets(
    groupId: string,
    generationId: number,
    memberId: string,
    groupInstanceId: string | null,
    topics: OffsetCommitTopic[],
    options?: OffsetCommitOptions,
  ): Promise<OffsetCommitResult> {
    if (!this.active) {
      const failed = topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NOT_COORDINATOR,
        })),
      }));
      return Promise.resolve({ topics: failed });
    }
    return commitOffsets(this.ctx, groupId, generationId, memberId, groupInstanceId, topics, options);
  }

  /** TxnOffsetCommit: offsets held pending until the producer's transaction commits or aborts. */
  commitTxnOffsets(req: {
    groupId: string;
    producerId: number;
    producerEpoch: number;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    topics: OffsetCommitTopic[];
  }): Promise<OffsetCommitResult> {
    return commitTxnOffsets(this.ctx, this.pendingTxn, this.appendTransactional, req);
  }

  /** A COMMIT (apply) or ABORT (drop) marker for the producer's pending transactional offsets. */
  completeTransaction(producerId: number, commit: boolean): void {
    completeTxnOffsets(this.ctx, this.pendingTxn, producerId, commit);
  }

  /** Loading: transactional offset records of a producer whose transaction had not ended. */
  loadPendingTransaction(producerId: number, records: StoredRecord[]): void {
    this.pendingTxn.add(producerId, pendingFromRecords(records));
  }

  /** Whether an open transaction holds an offset for this partition (OffsetFetch require_stable). */
  hasPendingTransactionalOffset(groupId: string, topic: string, partition: number): boolean {
    return this.pendingTxn.has(groupId, topic, partition);
  }

  /** topics null = every committed partition of the group (OffsetFetch v2+). */
  fetchOffsets(groupId: string, topics: OffsetFetchTopic[] | null): OffsetFetchResult {
    if (!this.active) return { errorCode: ErrorCode.NOT_COORDINATOR, topics: [] };
    return fetchOffsets(this.ctx, groupId, topics);
  }

  deleteOffsets(groupId: string, topics: OffsetDeleteTopic[]): Promise<OffsetDeleteResult> {
    if (!this.active) return Promise.resolve({ errorCode: ErrorCode.NOT_COORDINATOR, topics: [] });
    return deleteOffsets(this.ctx, groupId, topics);
  }

  /** After DeleteTopics: the topics' offsets leave every group; empty groups left bare go. */
  onTopicsDeleted(topics: readonly string[]): Promise<number> {
    if (!this.active) return Promise.resolve(ErrorCode.NONE);
    return removeDeletedTopics(this.ctx, topics);
  }

  deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    if (!this.active) {
      return Promise.resolve(groupIds.map((groupId) => ({ groupId, errorCode: ErrorCode.NOT_COORDINATOR })));
    }
    return deleteGroups(this.ctx, groupIds);
  }

  listGroups(statesFilter: string[] = [], typesFilter: string[] = []): ListGroupsResult {
    if (!this.active) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
    return listGroups(this.ctx, statesFilter, typesFilter);
  }

  describeGroup(groupId: string): DescribedGroup {
    if (!this.active) {
      const errorCode = ErrorCode.NOT_COORDINATOR;
      return { errorCode, groupId, groupState: 'Dead', protocolType: '', protocolData: '', members: [] };
    }
    return describeGroup(this.ctx, groupId);
  }

  describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((id) => this.describeGroup(id));
  }

  /** One offsets-retention pass now (it also runs every offsets.retention.check.interval.ms). */
  cleanupExpiredOffsets(): StoredRecord[] {
    return cleanupExpiredOffsets(this.ctx);
  }

  /** Stops timers and answers every parked JoinGroup/SyncGroup with NOT_COORDINATOR. */
  shutdown(): void {
    this.active = false;
    this.ctx.timers.cancelAll();
    for (const group of this.ctx.groups.values()) {
      for (const m of group.members.values()) {
        m.completeJoin(joinError(m.memberId, ErrorCode.NOT_COORDINATOR));
        m.completeSync(syncError(ErrorCode.NOT_COORDINATOR));
      }
    }
  }

  private scheduleRetentionCheck(): void {
    this.ctx.timers.schedule(RETENTION_TIMER, this.ctx.config.offsetsRetentionCheckIntervalMs, () => {
      cleanupExpiredOffsets(this.ctx);
      this.scheduleRetentionCheck();
    });
  }
}
