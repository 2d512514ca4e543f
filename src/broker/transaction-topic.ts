/**
 * Wiring of the transaction coordinator into the broker: the `__transaction_state` topic as its
 * durable store (compacted; Kafka's TransactionLogKey/Value records), the producer-id block file
 * (`<dataDir>/producer-id-block`), and the marker writer that appends COMMIT/ABORT control batches
 * to the transaction's partitions — on `__consumer_offsets` it also applies or drops the producer's
 * pending TxnOffsetCommit offsets.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type GroupCoordinator, realClock } from '../coordinator/index.ts';
import {
  type BlockStore,
  type MarkerWriter,
  ProducerIdManager,
  type TopicPartition,
  TransactionCoordinator,
} from '../coordinator/transactions/index.ts';
import type { StoredRecord } from '../coordinator/types.ts';
import { writeFileAtomicSync } from '../log/atomic-file.ts';
import { buildControlBatch } from '../protocol/records/control.ts';
import type { BrokerConfig, FsyncPolicy } from './config.ts';
import { INTERNAL_TOPIC_CONFIGS, InternalTopicStore } from './internal-topic-store.ts';
import { OFFSETS_TOPIC, readStoredRecords, readStoredRecordsWithTransactions } from './offsets-topic.ts';
import type { PartitionLogHandle, TopicService } from './topics.ts';

export const TRANSACTION_TOPIC = '__transaction_state';
export const TRANSACTION_TOPIC_CONFIGS = INTERNAL_TOPIC_CONFIGS;

export function readTransactionRecords(log: PartitionLogHandle): StoredRecord[] {
  return readStoredRecords(log);
}

/** Producer-id blocks reserved in `<dataDir>/producer-id-block` (written atomically, fsynced). */
export class FileBlockStore implements BlockStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, 'producer-id-block');
  }

  load(): number {
    try {
      const n = Number.parseInt(fs.readFileSync(this.file, 'utf8').trim(), 10);
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  save(next: number): void {
    writeFileAtomicSync(this.file, `${next}\n`);
  }
}

/** Appends control batches to each partition of a transaction (the broker is leader of all). */
export class LocalMarkerWriter implements MarkerWriter {
  private readonly topics: TopicService;
  private readonly fsync: FsyncPolicy;
  private groups: GroupCoordinator | null = null;

  constructor(topics: TopicService, fsync: FsyncPolicy) {
    this.topics = topics;
    this.fsync = fsync;
  }

  setGroups(groups: GroupCoordinator): void {
    this.groups = groups;
  }

  async writeMarkers(
    producerId: number,
    producerEpoch: number,
    commit: boolean,
    partitions: TopicPartition[],
  ): Promise<void> {
    const durable: Promise<void>[] = [];
    for (const tp of partitions) {
      const log = this.topics.partition(tp.topic, tp.partition);
      if (!log) continue; // deleted meanwhile
      const marker = buildControlBatch({ type: commit ? 'commit' : 'abort', producerId, producerEpoch });
      const { lastOffset } = log.append(marker);
      if (tp.topic === OFFSETS_TOPIC) this.groups?.completeTransaction(producerId, commit);
      if (this.fsync === 'always') durable.push(log.whenDurable(lastOffset));
    }
    await Promise.all(durable);
  }
}

/**
 * Creates __transaction_state if needed, loads the pending TxnOffsetCommit offsets into the group
 * coordinator, replays the transaction log (finishing transactions caught in Prepare*), and returns
 * the running coordinator.
 */
export async function openTransactions(
  config: BrokerConfig,
  topics: TopicService,
  groups: GroupCoordinator,
  logger: Logger,
): Promise<TransactionCoordinator> {
  if (!topics.get(TRANSACTION_TOPIC)) await topics.create(TRANSACTION_TOPIC, 1, TRANSACTION_TOPIC_CONFIGS);
  const txnLog = topics.partition(TRANSACTION_TOPIC, 0)!;
  const offsetsLog = topics.partition(OFFSETS_TOPIC, 0)!;
  for (const [pid, records] of readStoredRecordsWithTransactions(offsetsLog).pending) {
    groups.loadPendingTransaction(pid, records);
  }
  const markers = new LocalMarkerWriter(topics, config.fsync);
  markers.setGroups(groups);
  const coordinator = new TransactionCoordinator({
    store: new InternalTopicStore(txnLog, config.fsync),
    markers,
    producerIds: new ProducerIdManager(new FileBlockStore(config.dataDir)),
    clock: realClock,
    config: {
      maxTransactionTimeoutMs: config.transactionMaxTimeoutMs,
      abortTimedOutIntervalMs: config.transactionAbortTimedOutIntervalMs,
      transactionalIdExpirationMs: config.transactionalIdExpirationMs,
      removeExpiredIntervalMs: config.transactionRemoveExpiredIntervalMs,
    },
    onError: (err) => logger.error({ err }, 'transaction coordinator error'),
  });
  const records = readTransactionRecords(txnLog);
  await coordinator.load(records);
  logger.info(
    { records: records.length, transactions: coordinator.all().length },
    'transaction coordinator loaded',
  );
  return coordinator;
}
