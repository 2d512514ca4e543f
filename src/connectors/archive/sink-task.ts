/**
 * The archive sink task: the raw bytes of each record (key, value, headers, timestamp, offset) are
 * gathered per partition into one open file at a time; the file is written (temporary name, fsync,
 * rename) when it holds `flush.size` records, when a record falls in another `path.format`
 * directory, when record time passes `rotate.interval.ms`, or on `rotate.schedule.interval.ms`.
 * `preCommit` releases a partition's offsets only up to the first record of its open file, so a
 * crash loses nothing and the re-read records produce a file of the same name that replaces any
 * earlier copy: exactly once per file. When a partition is (re)opened, files at or after the
 * offset it resumes from are removed first, so wall-clock rotation cannot leave overlapping files.
 *
 * Transforms do not change what is archived (it is the consumed bytes, from `SinkRecord.raw`).
 */
import { constants } from 'node:fs';
import { access, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ConnectConfig,
  ConnectError,
  type SinkOffsets,
  type SinkRecord,
  type SinkTask,
  type SinkTaskContext,
  type TopicPartition,
  topicPartitionKey,
} from '../../connect/api/index.ts';
import { type ArchiveSinkSettings, archiveSinkSettings } from './config.ts';
import { writeFileAtomic } from './file-writer.ts';
import { type ArchiveFormat, FORMATS } from './formats.ts';
import { fileName, listFiles, partitionDir } from './layout.ts';
import type { ArchivedRecord } from './record.ts';

interface OpenFile {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: bigint;
  readonly firstTimestamp: number;
  readonly openedAt: number;
  readonly dir: string;
  readonly records: ArchivedRecord[];
}

export class ArchiveSinkTask implements SinkTask {
  #settings!: ArchiveSinkSettings;
  #format!: ArchiveFormat;
  #context!: SinkTaskContext;
  readonly #open = new Map<string, OpenFile>();
  /** Partitions opened whose stale files (past the resume offset) are not removed yet. */
  readonly #fresh = new Set<string>();
  /** Files and records written, for tests and benchmarks. */
  readonly stats = { files: 0, records: 0, bytes: 0 };

  async start(config: ConnectConfig, context: SinkTaskContext): Promise<void> {
    try {
      this.#settings = archiveSinkSettings(config);
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    this.#format = FORMATS[this.#settings.format];
    this.#context = context;
    const root = this.#settings.path;
    try {
      await mkdir(root, { recursive: true });
      await access(root, constants.W_OK);
    } catch (err) {
      throw new ConnectError(`archive.path ${root} is not a writable directory: ${(err as Error).message}`);
    }
  }

  async open(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) {
      const key = topicPartitionKey(tp.topic, tp.partition);
      this.#open.delete(key);
      this.#fresh.add(key);
    }
  }

  async put(records: readonly SinkRecord[]): Promise<void> {
    const s = this.#settings;
    for (const r of records) {
      const topic = r.originalTopic;
      const partition = r.originalKafkaPartition;
      const key = topicPartitionKey(topic, partition);
      if (this.#fresh.delete(key)) await this.#removeFrom(topic, partition, r.originalKafkaOffset);
      const timestamp = r.raw.timestamp;
      const dir = s.pathFormat(timestamp);
      let file = this.#open.get(key);
      if (
        file &&
        (file.dir !== dir ||
          (s.rotateIntervalMs > 0 && timestamp - file.firstTimestamp >= s.rotateIntervalMs))
      ) {
        await this.#write(key, file);
        file = undefined;
      }
      if (!file) {
        file = {
          topic,
          partition,
          firstOffset: r.originalKafkaOffset,
          firstTimestamp: timestamp,
          openedAt: Date.now(),
          dir,
          records: [],
        };
        this.#open.set(key, file);
      }
      file.records.push({
        topic,
        partition,
        offset: r.originalKafkaOffset,
        timestamp,
        key: r.raw.key,
        value: r.raw.value,
        headers: r.raw.headers,
      });
      if (file.records.length >= s.flushSize) await this.#write(key, file);
    }
    if (s.rotateScheduleMs > 0) {
      const now = Date.now();
      for (const [key, file] of [...this.#open])
        if (now - file.openedAt >= s.rotateScheduleMs) await this.#write(key, file);
      let next = Number.POSITIVE_INFINITY;
      for (const file of this.#open.values()) next = Math.min(next, file.openedAt + s.rotateScheduleMs - now);
      if (Number.isFinite(next)) this.#context.timeout(Math.max(1, next));
    }
  }

  async preCommit(current: SinkOffsets): Promise<SinkOffsets> {
    const safe: SinkOffsets = new Map();
    for (const [key, position] of current) {
      const file = this.#open.get(key);
      safe.set(key, file ? { ...position, offset: file.firstOffset } : position);
    }
    return safe;
  }

  async close(partitions: readonly TopicPartition[]): Promise<void> {
    for (const tp of partitions) this.#open.delete(topicPartitionKey(tp.topic, tp.partition));
  }

  async stop(): Promise<void> {
    this.#open.clear();
  }

  #path(file: OpenFile): string {
    return join(
      partitionDir(this.#settings.path, file.topic, file.partition),
      file.dir,
      fileName(file.topic, file.partition, file.firstOffset, this.#format.name),
    );
  }

  async #write(key: string, file: OpenFile): Promise<void> {
    const path = this.#path(file);
    try {
      const data = await this.#format.encode(file.records, { parquetCodec: this.#settings.parquetCodec });
      await writeFileAtomic(path, data);
      this.stats.bytes += data.byteLength;
    } catch (err) {
      throw new ConnectError(`could not write archive file ${path}: ${(err as Error).message}`);
    }
    this.stats.files++;
    this.stats.records += file.records.length;
    if (this.#open.get(key) === file) this.#open.delete(key);
  }

  /** Removes files of a partition that start at or after `offset` (left by an earlier owner). */
  async #removeFrom(topic: string, partition: number, offset: bigint): Promise<void> {
    for (const file of await listFiles(this.#settings.path, topic, partition)) {
      if (file.firstOffset < offset) continue;
      this.#context.logger.info({ file: file.path }, 'removing an archive file past the committed offset');
      await rm(file.path, { force: true });
    }
  }
}
