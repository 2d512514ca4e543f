/**
 * LogManager: the topics of one data directory and their partition logs.
 *
 * Topic metadata lives in `<dataDir>/__meta/topics/<name>.json` (atomic replace); partition logs in
 * `<dataDir>/<topic>-<partition>/`, each with a `partition.metadata` copy of the topic's facts,
 * written once the topic file says the partition exists. Metadata operations are synchronous (a few
 * small fsyncs) so they never interleave; expected failures come back as Kafka error names, not
 * exceptions.
 *
 * On open: a topic whose file is missing or damaged is rebuilt from the `partition.metadata` files
 * in its partition directories, with a warning; a damaged file whose topic has no such file (data
 * directories from before they existed) stops the open with an error naming the file, rather than
 * setting data aside. Partition directories that no topic owns and that carry no
 * `partition.metadata` (a crash between steps of creating a topic or adding partitions) are renamed
 * `*.stray`, with a warning, never deleted or reused. Deleting a topic first renames its partition
 * directories to `<dir>.<topicId>-delete` (as Kafka does), so a deletion interrupted by a crash is
 * finished on the next open instead of the topic being rebuilt.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fsyncDirSync } from './atomic-file.ts';
import { type BackgroundTaskOptions, LogBackgroundTasks, type PartitionRef } from './background.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig, logConfigFor } from './config.ts';
import { DataDirLock } from './dir-lock.ts';
import { partitionDirName } from './file-names.ts';
import { LogThrottle } from './log-throttle.ts';
import { type LogLogger, noopLogger } from './logger.ts';
import { PartitionLog } from './partition-log.ts';
import {
  PARTITION_METADATA_FILE,
  readPartitionMetadata,
  sameTopicMetadata,
  writePartitionMetadata,
} from './partition-metadata.ts';
import { ReadAhead } from './read-ahead.ts';
import { ReadBufferPool } from './read-buffers.ts';
import { validateTopicConfigs } from './topic-config-rules.ts';
import {
  type DamagedTopicFile,
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
/** A partition directory renamed by a topic deletion: `<topic>-<partition>.<topicId>-delete`. */
const DELETED_DIR = /^(.+)-(\d+)\.([0-9a-f]{32})-delete$/;

/** Thrown by open() when a damaged topic file cannot be rebuilt: starting would hide data. */
export class TopicMetadataError extends Error {
  override readonly name = 'TopicMetadataError';
}

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
    const loaded = loadTopicMetadata(this.metaDir);
    const byName = new Map(loaded.topics.map((t) => [t.name, t]));
    this.finishDeletions(byName);
    const dirs = this.partitionDirsByTopic();
    const damaged = new Map(loaded.damaged.map((d) => [d.name, d]));
    for (const [name, parts] of dirs) {
      if (byName.has(name)) continue;
      const rebuilt = this.rebuildTopic(name, parts, damaged.get(name));
      if (rebuilt !== null) byName.set(name, rebuilt);
    }
    for (const d of loaded.damaged) {
      if (!byName.has(d.name)) {
        this.logger.warn(
          { file: d.file, reason: d.reason },
          'damaged topic metadata file skipped: the topic has no partition directories',
        );
      }
    }
    for (const meta of byName.values()) {
      const topic: Topic = { meta, logs: [] };
      this.topics.set(meta.name, topic);
      for (let p = 0; p < meta.partitions; p++) {
        const dir = this.partitionDir(meta.name, p);
        const found = readPartitionMetadata(dir);
        if (found.kind === 'ok' && found.meta.topicId !== meta.topicId) {
          this.setAside(dir, `its ${PARTITION_METADATA_FILE} names topic id ${found.meta.topicId}`);
        }
        topic.logs.push(this.openPartition(meta, p));
        if (found.kind !== 'ok' || !sameTopicMetadata(found.meta, meta)) this.writePartitionFile(meta, p);
      }
    }
    this.setAsideStrayDirs();
  }

  /** `<topic>-<n>` directories by topic name and partition. */
  private partitionDirsByTopic(): Map<string, Map<number, string>> {
    const out = new Map<string, Map<number, string>>();
    for (const entry of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const m = PARTITION_DIR.exec(entry.name);
      if (m === null || validateTopicName(m[1]!) !== null) continue;
      let parts = out.get(m[1]!);
      if (parts === undefined) out.set(m[1]!, (parts = new Map()));
      parts.set(Number(m[2]), path.join(this.dataDir, entry.name));
    }
    return out;
  }

  /**
   * A topic with partition directories but no usable topic file: rebuilds its metadata from the
   * `partition.metadata` files (the highest partition count wins, so no partition's data is hidden)
   * and saves it. Returns null for directories without such files (left by an interrupted create,
   * set aside later); throws TopicMetadataError if a damaged topic file cannot be rebuilt.
   */
  private rebuildTopic(
    name: string,
    parts: Map<number, string>,
    damaged: DamagedTopicFile | undefined,
  ): TopicMetadata | null {
    const found: { partition: number; dir: string; meta: TopicMetadata }[] = [];
    for (const [partition, dir] of parts) {
      const read = readPartitionMetadata(dir);
      if (read.kind === 'ok' && read.meta.name === name) found.push({ partition, dir, meta: read.meta });
    }
    if (found.length === 0) {
      if (damaged === undefined) return null;
      const names = [...parts.values()].map((d) => path.basename(d)).join(', ');
      throw new TopicMetadataError(
        `topic metadata file ${damaged.file} is damaged (${damaged.reason}) and cannot be rebuilt: ` +
          `its partition directories (${names}) hold no ${PARTITION_METADATA_FILE}. Restore the file ` +
          `from a backup, or move those directories out of ${this.dataDir} to drop the topic.`,
      );
    }
    const chosen = found.reduce((a, b) => (b.meta.partitions > a.meta.partitions ? b : a)).meta;
    let partitions = chosen.partitions;
    for (const f of found) {
      if (f.meta.topicId !== chosen.topicId) {
        this.setAside(f.dir, `its ${PARTITION_METADATA_FILE} names topic id ${f.meta.topicId}`);
        parts.delete(f.partition);
      } else {
        partitions = Math.max(partitions, f.partition + 1);
      }
    }
    const meta: TopicMetadata = { ...chosen, partitions };
    saveTopicMetadata(this.metaDir, meta);
    this.logger.warn(
      {
        topic: name,
        file: path.join(this.metaDir, `${name}.json`),
        reason: damaged?.reason ?? 'file missing',
        topicId: meta.topicId,
        partitions,
        configs: meta.configs,
        from: found.map((f) => path.basename(f.dir)),
      },
      `topic metadata ${damaged ? 'damaged' : 'missing'}: rebuilt topic "${name}" from the ${PARTITION_METADATA_FILE} files in its partition directories`,
    );
    return meta;
  }

  /**
   * Finishes topic deletions a crash interrupted: removes `*-delete` directories, and when the
   * topic file still names the deleted topic id, that file and the partitions not yet renamed.
   */
  private finishDeletions(byName: Map<string, TopicMetadata>): void {
    for (const entry of fs.readdirSync(this.dataDir, { withFileTypes: true })) {
      const m = entry.isDirectory() ? DELETED_DIR.exec(entry.name) : null;
      if (m === null) continue;
      const meta = byName.get(m[1]!);
      if (meta !== undefined && meta.topicId === m[3]) {
        for (let p = 0; p < meta.partitions; p++) {
          fs.rmSync(this.partitionDir(meta.name, p), { recursive: true, force: true });
        }
        removeTopicMetadata(this.metaDir, meta.name);
        byName.delete(meta.name);
        this.logger.warn(
          { topic: meta.name, topicId: meta.topicId },
          'finished deleting a topic (interrupted by a crash)',
        );
      }
      fs.rmSync(path.join(this.dataDir, entry.name), { recursive: true, force: true });
    }
  }

  /** Writes a partition's `partition.metadata`; a failure (full disk) is retried on the next start. */
  private writePartitionFile(meta: TopicMetadata, partition: number): void {
    try {
      writePartitionMetadata(this.partitionDir(meta.name, partition), meta);
    } catch (err) {
      this.throttle.warn(
        this.logger,
        'partition-metadata',
        { topic: meta.name, partition, err },
        `could not write ${PARTITION_METADATA_FILE}; it is written again on the next start`,
      );
    }
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
    for (const [name, parts] of this.partitionDirsByTopic()) {
      const topic = this.topics.get(name);
      for (const [partition, dir] of parts) {
        if (topic !== undefined && partition < topic.meta.partitions) continue;
        this.setAside(dir, topic === undefined ? 'no topic owns it' : "beyond the topic's partition count");
      }
    }
  }

  /** Renames a partition directory out of the way (kept for inspection, never reused), loudly. */
  private setAside(dir: string, why: string): void {
    let target = `${dir}.stray`;
    for (let i = 1; fs.existsSync(target); i++) target = `${dir}.stray.${i}`;
    fs.renameSync(dir, target);
    this.logger.warn({ dir, movedTo: target, why }, `partition directory set aside: ${why}`);
  }

  /** Creates partition logs for `from..to-1`, setting aside leftovers of an earlier topic. */
  private createPartitions(meta: TopicMetadata, from: number, to: number): PartitionLog[] {
    const logs: PartitionLog[] = [];
    this.undoOnFailure(logs, () => {
      for (let p = from; p < to; p++) {
        const dir = this.partitionDir(meta.name, p);
        if (fs.existsSync(dir)) this.setAside(dir, 'left over from an earlier topic of that name');
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
    const badConfig = validateTopicConfigs(configs);
    if (badConfig !== null) return { error: 'INVALID_CONFIG', message: badConfig };
    const meta: TopicMetadata = { name, topicId: newTopicId(), partitions, configs: { ...configs } };
    const logs = this.createPartitions(meta, 0, partitions);
    this.undoOnFailure(logs, () => saveTopicMetadata(this.metaDir, meta));
    this.topics.set(name, { meta, logs });
    for (let p = 0; p < partitions; p++) this.writePartitionFile(meta, p);
    this.logger.info({ topic: name, partitions, topicId: meta.topicId }, 'topic created');
    return meta;
  }

  /** Removes the topic and its files; the name can be reused at once. Returns the deleted metadata. */
  deleteTopic(name: string): TopicMetadata | TopicError {
    this.checkOpen();
    const topic = this.topics.get(name);
    if (topic === undefined) return unknownTopic(name);
    // Renamed first, so that after a crash the directories cannot be taken for a damaged topic.
    const renamed: string[] = [];
    for (const [p, log] of topic.logs.entries()) {
      log.abandon();
      const dir = this.partitionDir(name, p);
      const target = `${dir}.${topic.meta.topicId}-delete`;
      try {
        fs.renameSync(dir, target);
        renamed.push(target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    fsyncDirSync(this.dataDir);
    removeTopicMetadata(this.metaDir, name);
    this.topics.delete(name);
    for (const dir of renamed) fs.rmSync(dir, { recursive: true, force: true });
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
    for (let p = 0; p < newTotal; p++) this.writePartitionFile(meta, p);
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
    const bad = validateTopicConfigs(configs);
    if (bad !== null) return { error: 'INVALID_CONFIG', message: bad };
    const meta: TopicMetadata = { ...topic.meta, configs };
    saveTopicMetadata(this.metaDir, meta);
    topic.meta = meta;
    for (let p = 0; p < meta.partitions; p++) this.writePartitionFile(meta, p);
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
