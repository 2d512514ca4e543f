/**
 * A compacted internal topic (`__consumer_offsets`, `__transaction_state`) as a coordinator's
 * durable record store: records are appended as one batch per call, and with --fsync always the
 * append resolves only once the batch is on disk.
 */
import type { RecordStore, StoredRecord } from '../coordinator/index.ts';
import { buildRecordBatch } from '../protocol/records/batch.ts';
import type { FsyncPolicy } from './config.ts';
import type { PartitionLogHandle } from './topics.ts';

/** Settings of the internal coordinator topics. */
export const INTERNAL_TOPIC_CONFIGS = {
  'cleanup.policy': 'compact',
  'segment.bytes': String(100 * 1024 * 1024),
};

export class InternalTopicStore implements RecordStore {
  private readonly log: PartitionLogHandle;
  private readonly fsync: FsyncPolicy;

  constructor(log: PartitionLogHandle, fsync: FsyncPolicy) {
    this.log = log;
    this.fsync = fsync;
  }

  async append(records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    const batch = buildRecordBatch({
      records: records.map((r) => ({ key: r.key, value: r.value, headers: [] })),
    });
    const { lastOffset } = this.log.append(batch);
    if (this.fsync === 'always') await this.log.whenDurable(lastOffset);
  }
}
