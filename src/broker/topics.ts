/**
 * TopicService: the broker's view of topics over the storage layer. Handlers ask it for topics by
 * name or id, for partition logs, and to create, grow, reconfigure or delete topics; it validates
 * names and configs with Kafka's rules and resolves per-topic settings the produce path needs
 * (max.message.bytes, message.timestamp.*, cleanup.policy) once per change rather than per request.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  isTopicError,
  type LogManager,
  MAX_PARTITIONS,
  type PartitionLog,
  type TopicError,
  validateTopicName,
} from '../log/index.ts';
import { collisionKey } from '../log/topic-name.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { BrokerConfig } from './config.ts';
import {
  effectiveTopicConfig,
  listEntries,
  validateTopicConfig,
  validateTopicConfigs,
} from './topic-config.ts';

export const ZERO_UUID = '0'.repeat(32);

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string;
  readonly partitionCount: number;
  readonly configs: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly maxMessageBytes: number;
  readonly logAppendTime: boolean;
  /** How far (ms) a CreateTime timestamp may lie before / after the broker clock (Infinity: no limit). */
  readonly timestampBeforeMaxMs: number;
  readonly timestampAfterMaxMs: number;
  /** cleanup.policy entries: `delete`, `compact` or both. */
  readonly cleanupPolicy: readonly string[];
}

/** A Kafka error code and message, as admin responses carry them. */
export interface TopicFailure {
  errorCode: number;
  message: string;
}

/** What handlers use of a partition log. */
export interface PartitionLogHandle {
  readonly logStartOffset: number;
  readonly logEndOffset: number;
  /** Total bytes appended since the log was opened (long-poll wake-ups compare it). */
  readonly appendedBytes: number;
  append(
    batches: Buffer,
    opts?: { logAppendTime?: number | undefined },
  ): { baseOffset: number; lastOffset: number };
  whenDurable(offset: number): Promise<void>;
  read(
    fetchOffset: number,
    maxBytes: number,
    opts?: {
      minOneBatch?: boolean;
      maxOffset?: number;
      allocate?: import('../log/read-buffers.ts').ReadAllocator | undefined;
      adopt?: ((memory: ArrayBuffer) => void) | undefined;
      adoptMaxBytes?: number | undefined;
    },
  ):
    | { records: Buffer | null; highWatermark: number; logStartOffset: number }
    | { error: 'OFFSET_OUT_OF_RANGE' | 'CORRUPT_MESSAGE'; highWatermark: number; logStartOffset: number };
  whenReadAheadReady(fetchOffset: number): Promise<void> | undefined;
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null;
  maxTimestampOffset(): { offset: number; timestamp: number } | null;
  onAppend(listener: () => void): () => void;
  /** First offset of the oldest open transaction, else the high watermark. */
  readonly lastStableOffset: number;
  checkProducers(batches: Buffer): import('../log/producer-state.ts').ProducerCheck;
  abortedTransactions(from: number, to: number): import('../log/producer-state.ts').AbortedTxn[];
  readonly producers: import('../log/producer-state.ts').ProducerStateManager;
}

export type CreateResult = TopicInfo | TopicFailure;

function failure(err: TopicError): TopicFailure {
  return { errorCode: ErrorCode[err.error], message: err.message };
}

/** A limit in ms; Long.MAX_VALUE-sized values mean no limit. */
function limitMs(value: string): number {
  const n = Number(value);
  return n >= Number.MAX_SAFE_INTEGER ? Number.POSITIVE_INFINITY : n;
}

export class TopicService {
  private readonly logs: LogManager;
  private readonly config: BrokerConfig;
  private readonly cache = new Map<string, TopicInfo>();
  private readonly byId = new Map<string, TopicInfo>();

  constructor(logs: LogManager, config: BrokerConfig) {
    this.logs = logs;
    this.config = config;
    this.refresh();
  }

  /** Rebuilds the cached topic views from storage (after create/delete/config changes). */
  refresh(): void {
    this.cache.clear();
    this.byId.clear();
    for (const meta of this.logs.listTopics()) {
      const configs = { ...meta.configs };
      const value = (name: string) => effectiveTopicConfig(name, configs, this.config);
      const difference = limitMs(value('message.timestamp.difference.max.ms'));
      const info: TopicInfo = {
        name: meta.name,
        topicId: meta.topicId,
        partitionCount: meta.partitions,
        configs,
        internal: meta.name.startsWith('__'),
        maxMessageBytes: Number(effectiveTopicConfig('max.message.bytes', configs, this.config)),
        logAppendTime:
          effectiveTopicConfig('message.timestamp.type', configs, this.config) === 'LogAppendTime',
        timestampBeforeMaxMs: Math.min(difference, limitMs(value('message.timestamp.before.max.ms'))),
        timestampAfterMaxMs: Math.min(difference, limitMs(value('message.timestamp.after.max.ms'))),
        cleanupPolicy: listEntries(value('cleanup.policy')),
      };
      this.cache.set(info.name, info);
      this.byId.set(info.topicId, info);
    }
  }

  get(name: string): TopicInfo | undefined {
    return this.cache.get(name);
  }

  getById(topicId: string): TopicInfo | undefined {
    return this.byId.get(topicId);
  }

  list(): TopicInfo[] {
    return [...this.cache.values()];
  }

  partition(topic: string, partition: number): PartitionLogHandle | undefined {
    const log: PartitionLog | undefined = this.logs.getPartition(topic, partition);
    return log as PartitionLogHandle | undefined;
  }

  validateName(name: string): string | null {
    return validateTopicName(name);
  }

  validateConfig(name: string, value: string | null): string | null {
    return validateTopicConfig(name, value);
  }

  /** Why a new topic of this name cannot be created (illegal, exists, collides), or null. */
  checkNewName(name: string): TopicFailure | null {
    const problem = validateTopicName(name);
    if (problem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem };
    if (this.cache.has(name))
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
    const key = collisionKey(name);
    for (const other of this.cache.keys())
      if (collisionKey(other) === key)
        return {
          errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
          message: `Topic '${name}' collides with existing topic: ${other}`,
        };
    return null;
  }

  async create(name: string, partitions: number, configs: Record<string, string>): Promise<CreateResult> {
    const problem = this.checkNewName(name);
    if (problem) return problem;
    const created = this.logs.createTopic(name, partitions, configs);
    if (isTopicError(created)) return failure(created);
    this.refresh();
    return this.cache.get(name)!;
  }

  /** Grows a topic to `total` partitions (CreatePartitions), with Kafka's messages for non-increases. */
  addPartitions(name: string, total: number, validateOnly: boolean): TopicFailure | null {
    const topic = this.cache.get(name);
    if (!topic)
      return {
        errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        message: `The topic '${name}' does not exist.`,
      };
    const current = topic.partitionCount;
    if (total < current)
      return {
        errorCode: ErrorCode.INVALID_PARTITIONS,
        message: `Topic currently has ${current} partitions, which is higher than the requested ${total}.`,
      };
    if (total === current)
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `Topic already has ${current} partitions.` };
    if (total > MAX_PARTITIONS)
      return {
        errorCode: ErrorCode.INVALID_PARTITIONS,
        message: `Number of partitions must be at most ${MAX_PARTITIONS}.`,
      };
    if (validateOnly) return null;
    const grown = this.logs.addPartitions(name, total);
    this.refresh();
    return isTopicError(grown) ? failure(grown) : null;
  }

  /**
   * Replaces a topic's config overrides with `configs` (validated as a whole), persists them and
   * applies them to the running partition logs and this service's cached settings.
   */
  replaceConfigs(name: string, configs: Record<string, string>, validateOnly: boolean): TopicFailure | null {
    const topic = this.cache.get(name);
    if (!topic)
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `Topic ${name} does not exist` };
    const problem = validateTopicConfigs(configs);
    if (problem) return { errorCode: ErrorCode.INVALID_CONFIG, message: problem };
    if (validateOnly) return null;
    const changes: Record<string, string | null> = { ...configs };
    for (const key of Object.keys(topic.configs)) if (!(key in configs)) changes[key] = null;
    const updated = this.logs.updateConfigs(name, changes);
    this.refresh();
    return isTopicError(updated) ? failure(updated) : null;
  }

  /** DeleteRecords for one partition: the new log start offset, or a Kafka error code. */
  deleteRecords(
    topic: string,
    partition: number,
    offset: number,
  ): { lowWatermark: number } | { errorCode: number } {
    const info = this.cache.get(topic);
    const log = info ? this.logs.getPartition(topic, partition) : undefined;
    if (!info || !log) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    if (!info.cleanupPolicy.includes('delete')) return { errorCode: ErrorCode.POLICY_VIOLATION };
    const result = log.deleteRecordsBefore(offset === -1 ? log.highWatermark : offset);
    if ('error' in result) return { errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    return { lowWatermark: result.logStartOffset };
  }

  /** Bytes on disk of one partition's segments (DescribeLogDirs). */
  partitionSize(topic: string, partition: number): number {
    const log = this.logs.getPartition(topic, partition);
    return log ? log.segments.reduce((sum, seg) => sum + seg.size, 0) : 0;
  }

  /** The data directory and its file system's size and free space (-1 when unknown). */
  logDir(): { path: string; totalBytes: number; usableBytes: number } {
    const dir = path.resolve(this.logs.dataDir);
    try {
      const s = fs.statfsSync(dir);
      return { path: dir, totalBytes: s.blocks * s.bsize, usableBytes: s.bavail * s.bsize };
    } catch {
      return { path: dir, totalBytes: -1, usableBytes: -1 };
    }
  }

  async delete(name: string): Promise<void> {
    await this.logs.deleteTopic(name);
    this.refresh();
  }
}
