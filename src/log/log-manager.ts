/**
 * LogManager: the topics of one data directory and their partition logs.
 *
 * Topic metadata lives in `<dataDir>/__meta/topics/<name>.json` (atomic replace); partition logs in
 * `<dataDir>/<topic>-<partition>/`. Metadata operations are synchronous (a few small fsyncs) so they
 * never interleave; expected failures come back as Kafka error names, not exceptions. Partition
 * directories that no topic owns (a crash between steps of create/delete) are renamed `*.stray` on
 * open rather than deleted, and never reused by a new topic of the same name.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirSync } from './atomic-file.ts';
import { type BackgroundTaskOptions, LogBackgroundTasks, type PartitionRef } from './background.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig, logConfigFor, validateLogConfigs } from './config.ts';
import { DataDirLock } from './dir-lock.ts';
import { partitionDirName } from './file-names.ts';
import { LogThrottle } from './log-throttle.ts';
import { type LogLogger, noopLogger } from './logger.ts';
import { PartitionLog } from './partition-log.ts';
import { ReadAhead } from './read-ahead.ts';
import { ReadBufferPool } from './read-buffers.ts';
import {
  loadTopicMetadata,
  newTopicId,
  removeTopicMetadata,
  saveTopicMetadata,
  type TopicMetadata,
  topicMetaDir,
} from './topic-metadata.ts';
import { collisionKey, validateTopicName } from './topic-name.ts';

/** Upper bound on partitions per topic (a sanity limit; each partition holds open files). */
export const MAX_PARTITIONS = 10_000;

export interface LogManagerOptions {
  /** Broker-wide log defaults; topic configs override the Kafka-named keys. */
  defaults?: Partial<LogConfig>;
  logger?: LogLogger;
  now?: () => number;
  /** Rate limit for repeated warnings (the broker shares its own); default a new one. */
  throttle?: LogThrottle;
}

export interface TopicError {
  error:
    | 'TOPIC_ALREADY_EXISTS'
    | 'UNKNOWN_TOPIC_OR_PARTITION'
    | 'INVALID_TOPIC_EXCEPTION'
    | 'INVALID_PARTITIONS'
    | 'INVALID_CONFIG';
  message: string;
}

interface Topic {
  meta: TopicMetadata;
  logs: PartitionLog[];
}

const PARTITION_DIR = /^(.+)-(\d+)$/;

export function isTopicError(v: unknown): v is TopicError {
  return typeof v === 'object' && v !== null && 'error' in v;
}

export class LogManager {
  readonly dataDir: string;
  private readonly metaDir: string;
  private readonly defaults: LogConfig;
  private readonly logger: LogLogger;
  private readonly now: () => number;
  readonly throttle: LogThrottle;
  private readonly topics = new Map<string, Topic>();
  private background: LogBackgroundTasks | null = null;
  private closed = false;
  private lock: DataDirLock | null = null;
  /** Recycled memory for large reads (Fetch); see read-buffers.ts. */
  readonly readBuffers = new ReadBufferPool();
  /** Reads ahead for consumers catching up (read-ahead.ts), into readBuffers' memory. */
  readonly readAhead = new ReadAhead(this.readBuffers);

  private constructor(dataDir: string, opts: LogManagerOptions) {
    this.dataDir = dataDir;
    this.metaDir = topicMetaDir(dataDir);
    this.defaults = { ...DEFAULT_LOG_CONFIG, ...opts.defaults };
    this.logger = opts.logger ?? noopLogger;
    this.now = opts.now ?? Date.now;
    this.throttle = opts.throttle ?? new LogThrottle();
  }

  /**
   * Locks the data directory (creating it; DataDirLockedError if another broker has it), then loads
   * and recovers every topic's partitions.
   */
  static async open(dataDir: string, opts: LogManagerOptions = {}): Promise<LogManager> {
    const mgr = new LogManager(dataDir, opts);
    mgr.lock = DataDirLock.acquire(dataDir, mgr.logger);
    try {
      mgr.load();
    } catch (err) {
      await Promise.allSettled(mgr.partitions().map((p) => p.log.close()));
      mgr.lock.release();
      throw err;
    }
    mgr.logger.info({ dataDir, topics: mgr.topics.size }, 'log manager opened');
    return mgr;
  }

  private load(): void {
    fs.mkdirSync(this.metaDir, { recursive: true });
    for (const meta of loadTopicMetadata(this.metaDir, this.logger)) {
      const logs: PartitionLog[] = [];
      for (let p = 0; p < meta.partitions; p++) logs.push(this.openPartition(meta, p));
      this.topics.set(meta.name, { meta, logs });
    }
    this.setAsideStrayDirs();
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.dataDir, partitionDirName(topic, partition));
  }

  private openPartition(meta: TopicMetadata, partition: number): PartitionLog {
    return PartitionLog.open(this.partitionDir(meta.name, partition), {
      config: logConfigFor(meta.configs, this.defaults),
      logger: this.logger,
      now: this.now,
      readAhead: this.readAhead,
      throttle: this.throttle,
    });
  }

  private setAsideStrayDirs(): void {
    for (const entry of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const m = PARTITION_DIR.exec(entry.name);
      if (m === null || validateTopicName(m[1]!) !== null) continue;
      const topic = this.topics.get(m[1]!);
      if (topic !== undefined && Number(m[2]) < topic.meta.partitions) continue;
      this.setAside(path.join(this.dataDir, entry.name));
    }
  }

  /** Renames a partition directory no topic owns out of the way (kept for inspection). */
  private setAside(dir: string): void {
    let target = `${dir}.stray`;
    for (let i = 1; fs.existsSync(target); i++) target = `${dir}.stray.${i}`;
    fs.renameSync(dir, target);
    this.logger.warn({ dir, movedTo: target }, 'partition directory without a topic set aside');
  }

  /** Creates partition logs for `from..to-1`, setting aside leftovers of an earlier topic. */
  private createPartitions(meta: TopicMetadata, from: number, to: number): PartitionLog[] {
    const logs: PartitionLog[] = [];
    this.undoOnFailure(logs, () => {
      for (let p = from; p < to; p++) {
        const dir = this.partitionDir(meta.name, p);
        if (fs.existsSync(dir)) this.setAside(dir);
        logs.push(this.openPartition(meta, p));
      }
      fsyncDirSync(this.dataDir);
    });
    return logs;
  }

  /** Runs `step`; if it throws (a full disk), removes the new, still empty partitions and rethrows. */
  private undoOnFailure(logs: readonly PartitionLog[], step: () => void): void {
    try {
      step();
    } catch (err) {
      for (const log of logs) log.delete();
      throw err;
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('log manager is closed');
  }

  createTopic(
    name: string,
    partitions: number,
    configs: Readonly<Record<string, string>> = {},
  ): TopicMetadata | TopicError {
    this.checkOpen();
    const bad = validateTopicName(name);
    if (bad !== null) return { error: 'INVALID_TOPIC_EXCEPTION', message: bad };
    if (this.topics.has(name))
      return { error: 'TOPIC_ALREADY_EXISTS', message: `Topic '${name}' already exists.` };
    const key = collisionKey(name);
    for (const other of this.topics.keys()) {
      if (collisionKey(other) === key) {
        return {
          error: 'INVALID_TOPIC_EXCEPTION',
          message: `Topic '${name}' collides with existing topic: ${other}`,
        };
      }
    }
    if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      return {
        error: 'INVALID_PARTITIONS',
        message: `Number of partitions must be in [1, ${MAX_PARTITIONS}].`,
      };
    }
    const badConfig = validateLogConfigs(configs);
    if (badConfig !== null) return { error: 'INVALID_CONFIG', message: badConfig };
    const meta: TopicMetadata = { name, topicId: newTopicId(), partitions, configs: { ...configs } };
    const logs = this.createPartitions(meta, 0, partitions);
    this.undoOnFailure(logs, () => saveTopicMetadata(this.metaDir, meta));
    this.topics.set(name, { meta, logs });
    this.logger.info({ topic: name, partitions, topicId: meta.topicId }, 'topic created');
    return meta;
  }

  /** Removes the topic and its files; the name can be reused at once. Returns the deleted metadata. */
  deleteTopic(name: string): TopicMetadata | TopicError {
    this.checkOpen();
    const topic = this.topics.get(name);
    if (topic === undefined) return unknownTopic(name);
    removeTopicMetadata(this.metaDir, name);
    this.topics.delete(name);
    for (const log of topic.logs) log.delete();
    this.logger.info({ topic: name, topicId: topic.meta.topicId }, 'topic deleted');
    return topic.meta;
  }

  addPartitions(name: string, newTotal: number): TopicMetadata | TopicError {
    this.checkOpen();
    const topic = this.topics.get(name);
    if (topic === undefined) return unknownTopic(name);
    const current = topic.meta.partitions;
    if (!Number.isSafeInteger(newTotal) || newTotal <= current || newTotal > MAX_PARTITIONS) {
      return {
        error: 'INVALID_PARTITIONS',
        message: `Topic currently has ${current} partitions, ${newTotal} would not be an increase.`,
      };
    }
    const meta: TopicMetadata = { ...topic.meta, partitions: newTotal };
    const logs = this.createPartitions(meta, current, newTotal);
    this.undoOnFailure(logs, () => saveTopicMetadata(this.metaDir, meta));
    topic.meta = meta;
    topic.logs.push(...logs);
    return meta;
  }

  /** Sets (string) or removes (null) topic config overrides and applies them to the open logs. */
  updateConfigs(name: string, changes: Readonly<Record<string, string | null>>): TopicMetadata | TopicError {
    this.checkOpen();
    const topic = this.topics.get(name);
    if (topic === undefined) return unknownTopic(name);
    const configs: Record<string, string> = { ...topic.meta.configs };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete configs[key];
      else configs[key] = value;
    }
    const bad = validateLogConfigs(configs);
    if (bad !== null) return { error: 'INVALID_CONFIG', message: bad };
    const meta: TopicMetadata = { ...topic.meta, configs };
    saveTopicMetadata(this.metaDir, meta);
    topic.meta = meta;
    const config = logConfigFor(configs, this.defaults);
    for (const log of topic.logs) log.setConfig(config);
    return meta;
  }

  getPartition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.logs[partition];
  }

  getTopic(name: string): TopicMetadata | undefined {
    return this.topics.get(name)?.meta;
  }

  getTopicById(topicId: string): TopicMetadata | undefined {
    for (const t of this.topics.values()) if (t.meta.topicId === topicId) return t.meta;
    return undefined;
  }

  listTopics(): TopicMetadata[] {
    return [...this.topics.values()].map((t) => t.meta);
  }

  /** Every open partition log (for background tasks and tools). */
  partitions(): PartitionRef[] {
    const out: PartitionRef[] = [];
    for (const t of this.topics.values()) {
      for (let p = 0; p < t.logs.length; p++) out.push({ topic: t.meta.name, partition: p, log: t.logs[p]! });
    }
    return out;
  }

  /**
   * Starts retention and the log cleaner in the background (see background.ts); they read each
   * partition's current config on every pass and stop with close(). Returns the task handle.
   */
  startBackgroundTasks(opts: BackgroundTaskOptions = {}): LogBackgroundTasks {
    this.checkOpen();
    if (this.background === null) {
      this.background = new LogBackgroundTasks(() => this.partitions(), opts, this.logger, this.now);
      this.background.start();
    }
    return this.background;
  }

  /** Stops background tasks, then flushes and closes every partition log. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.background?.stop();
    this.throttle.flush();
    this.readAhead.close();
    this.readBuffers.close();
    const logs = [...this.topics.values()].flatMap((t) => t.logs);
    const results = await Promise.allSettled(logs.map((log) => log.close()));
    this.lock?.release();
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length > 0) {
      throw new AggregateError(
        failed.map((r) => (r as PromiseRejectedResult).reason),
        `${failed.length} partition logs failed to close cleanly`,
      );
    }
  }
}

function unknownTopic(name: string): TopicError {
  return { error: 'UNKNOWN_TOPIC_OR_PARTITION', message: `Topic '${name}' does not exist.` };
}
