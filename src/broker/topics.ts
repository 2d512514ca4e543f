/**
 * TopicService: the broker's view of topics over the storage layer. Handlers ask it for topics by
 * name or id, for partition logs, and to create or delete topics; it validates names and configs
 * with Kafka's rules and resolves per-topic settings the produce path needs (max.message.bytes,
 * message.timestamp.type) once per topic rather than per request.
 */

import { isTopicError, type LogManager, type PartitionLog } from '../log/index.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { BrokerConfig } from './config.ts';
import { effectiveTopicConfig, validateTopicConfig, validateTopicName } from './topic-config.ts';

export const ZERO_UUID = '0'.repeat(32);

export interface TopicInfo {
  readonly name: string;
  readonly topicId: string;
  readonly partitionCount: number;
  readonly configs: Readonly<Record<string, string>>;
  readonly internal: boolean;
  readonly maxMessageBytes: number;
  readonly logAppendTime: boolean;
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
    opts?: { minOneBatch?: boolean },
  ):
    | { records: Buffer | null; highWatermark: number; logStartOffset: number }
    | { error: 'OFFSET_OUT_OF_RANGE'; highWatermark: number; logStartOffset: number };
  offsetForTimestamp(ts: number): { offset: number; timestamp: number } | null;
  maxTimestampOffset(): { offset: number; timestamp: number } | null;
  onAppend(listener: () => void): () => void;
}

export type CreateResult = TopicInfo | { errorCode: number; message: string };

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
      const info: TopicInfo = {
        name: meta.name,
        topicId: meta.topicId,
        partitionCount: meta.partitions,
        configs,
        internal: meta.name.startsWith('__'),
        maxMessageBytes: Number(effectiveTopicConfig('max.message.bytes', configs, this.config)),
        logAppendTime:
          effectiveTopicConfig('message.timestamp.type', configs, this.config) === 'LogAppendTime',
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

  async create(name: string, partitions: number, configs: Record<string, string>): Promise<CreateResult> {
    const problem = validateTopicName(name);
    if (problem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem };
    if (this.cache.has(name))
      return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `Topic '${name}' already exists.` };
    await this.logs.createTopic(name, partitions, configs);
    this.refresh();
    return this.cache.get(name)!;
  }

  async delete(name: string): Promise<void> {
    await this.logs.deleteTopic(name);
    this.refresh();
  }
}
