/**
 * TxnOffsetCommit: offsets committed inside a transaction are written to __consumer_offsets as a
 * transactional batch of the producer (so they survive a crash) and held as pending per producer id;
 * the transaction's COMMIT marker applies them to the group, ABORT drops them. Until then fetches
 * see the previous commits. Member checks follow OffsetCommit's when a generation is given (v3+).
 */

import { ErrorCode } from '../protocol/errors.ts';
import type { CoordinatorContext } from './context.ts';
import { ClassicGroup } from './group.ts';
import type { OffsetAndMetadata } from './offsets.ts';
import { offsetFromValue, offsetRecord } from './persistence.ts';
import { decodeRecord } from './records/record.ts';
import type { OffsetCommitResult, OffsetCommitTopic, StoredRecord } from './types.ts';

export interface PendingTxnOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: OffsetAndMetadata;
}

/** Pending transactional offsets per producer id. */
export class PendingTxnOffsets {
  private readonly byProducer = new Map<number, PendingTxnOffset[]>();

  add(producerId: number, offsets: PendingTxnOffset[]): void {
    const list = this.byProducer.get(producerId);
    if (list === undefined) this.byProducer.set(producerId, [...offsets]);
    else list.push(...offsets);
  }

  take(producerId: number): PendingTxnOffset[] {
    const list = this.byProducer.get(producerId) ?? [];
    this.byProducer.delete(producerId);
    return list;
  }

  /** True when some producer has a pending offset for this group partition (require_stable). */
  has(groupId: string, topic: string, partition: number): boolean {
    for (const list of this.byProducer.values()) {
      if (list.some((p) => p.groupId === groupId && p.topic === topic && p.partition === partition))
        return true;
    }
    return false;
  }
}

export type TransactionalAppend = (
  records: StoredRecord[],
  producerId: number,
  producerEpoch: number,
) => Promise<void>;

export async function commitTxnOffsets(
  ctx: CoordinatorContext,
  pending: PendingTxnOffsets,
  append: TransactionalAppend,
  req: {
    groupId: string;
    producerId: number;
    producerEpoch: number;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
    topics: OffsetCommitTopic[];
  },
): Promise<OffsetCommitResult> {
  const result = (code: (i: number, j: number) => number): OffsetCommitResult => ({
    topics: req.topics.map((t, i) => ({
      name: t.name,
      partitions: t.partitions.map((p, j) => ({ partitionIndex: p.partitionIndex, errorCode: code(i, j) })),
    })),
  });
  let group = ctx.groups.get(req.groupId);
  if (req.generationId >= 0 || req.memberId !== '') {
    if (group === undefined) return result(() => ErrorCode.ILLEGAL_GENERATION);
    const error = group.validateMember(req.memberId, req.groupInstanceId);
    if (error !== ErrorCode.NONE) return result(() => error);
    if (req.generationId !== group.generationId) return result(() => ErrorCode.ILLEGAL_GENERATION);
  }
  if (group === undefined) {
    group = new ClassicGroup(req.groupId, 'Empty', ctx.clock.now());
    ctx.groups.set(req.groupId, group);
  }
  const now = ctx.clock.now();
  const offsets: PendingTxnOffset[] = [];
  const errors = req.topics.map((t) =>
    t.partitions.map((p) => {
      const metadata = p.committedMetadata ?? '';
      if (metadata.length > ctx.config.offsetMetadataMaxBytes) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      offsets.push({
        groupId: req.groupId,
        topic: t.name,
        partition: p.partitionIndex,
        offset: {
          committedOffset: p.committedOffset,
          leaderEpoch: p.committedLeaderEpoch,
          metadata,
          commitTimestampMs: now,
          expireTimestampMs: null,
        },
      });
      return ErrorCode.NONE;
    }),
  );
  if (offsets.length > 0) {
    try {
      await append(
        offsets.map((o) => offsetRecord(o.groupId, o.topic, o.partition, o.offset)),
        req.producerId,
        req.producerEpoch,
      );
    } catch (err) {
      ctx.reportError(err);
      return result(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    }
    pending.add(req.producerId, offsets);
  }
  return result((i, j) => errors[i]![j]!);
}

/** Applies (commit) or drops (abort) a producer's pending offsets. */
export function completeTxnOffsets(
  ctx: CoordinatorContext,
  pending: PendingTxnOffsets,
  producerId: number,
  commit: boolean,
): void {
  for (const p of pending.take(producerId)) {
    if (!commit) continue;
    if (!ctx.groups.has(p.groupId)) ctx.groups.set(p.groupId, new ClassicGroup(p.groupId, 'Empty', null));
    ctx.offsets.set(p.groupId, p.topic, p.partition, p.offset);
  }
}

/** Pending offsets from a transactional batch found while loading __consumer_offsets. */
export function pendingFromRecords(records: StoredRecord[]): PendingTxnOffset[] {
  const out: PendingTxnOffset[] = [];
  for (const r of records) {
    const d = decodeRecord(r);
    if (d.type !== 'offset' || d.value === null) continue;
    out.push({
      groupId: d.key.group,
      topic: d.key.topic,
      partition: d.key.partition,
      offset: offsetFromValue(d.value),
    });
  }
  return out;
}
