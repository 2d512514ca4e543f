/**
 * OffsetStore: committed offsets in memory, per group → topic → partition, in the shape Kafka
 * keeps them (offset, leader epoch, metadata, commit and optional expire timestamps).
 */
export interface OffsetAndMetadata {
  committedOffset: bigint;
  /** -1 when unknown. */
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number;
  /** Set only by OffsetCommit v2-v4 with an explicit retention time. */
  expireTimestampMs: number | null;
}

export interface CommittedPartition {
  topic: string;
  partition: number;
  offset: OffsetAndMetadata;
}

export class OffsetStore {
  private readonly byGroup = new Map<string, Map<string, Map<number, OffsetAndMetadata>>>();

  get(groupId: string, topic: string, partition: number): OffsetAndMetadata | undefined {
    return this.byGroup.get(groupId)?.get(topic)?.get(partition);
  }

  set(groupId: string, topic: string, partition: number, offset: OffsetAndMetadata): void {
    let topics = this.byGroup.get(groupId);
    if (topics === undefined) this.byGroup.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (partitions === undefined) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, offset);
  }

  delete(groupId: string, topic: string, partition: number): boolean {
    const topics = this.byGroup.get(groupId);
    const partitions = topics?.get(topic);
    if (topics === undefined || partitions === undefined || !partitions.delete(partition)) return false;
    if (partitions.size === 0) topics.delete(topic);
    if (topics.size === 0) this.byGroup.delete(groupId);
    return true;
  }

  hasOffsets(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }

  groupIds(): string[] {
    return [...this.byGroup.keys()];
  }

  /** Every committed partition of a group, topics and partitions in insertion order. */
  list(groupId: string): CommittedPartition[] {
    const out: CommittedPartition[] = [];
    for (const [topic, partitions] of this.byGroup.get(groupId) ?? []) {
      for (const [partition, offset] of partitions) out.push({ topic, partition, offset });
    }
    return out;
  }

  /** Removes all offsets of a group and returns what was removed. */
  deleteGroup(groupId: string): CommittedPartition[] {
    const removed = this.list(groupId);
    this.byGroup.delete(groupId);
    return removed;
  }
}
