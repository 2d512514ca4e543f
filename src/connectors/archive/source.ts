/**
 * The archive source connector: re-publishes an archived topic into a topic, each record to its
 * original partition number, in its original order, with its key, value, headers and timestamp as
 * archived (use ByteArrayConverter for key and value so the bytes pass unchanged). Archived
 * partitions are spread over the tasks; each task remembers, per partition, the last offset it
 * re-published (Connect's source offsets), so a restarted task continues after it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ConnectConfig,
  ConnectError,
  type Connector,
  ConnectorConfig,
  Schemas,
  type SourceConnectorPlugin,
  type SourceRecord,
  type SourceTask,
  type SourceTaskContext,
} from '../../connect/api/index.ts';
import { ARCHIVE_SOURCE_CONFIG, ARCHIVE_SOURCE_INFO } from './config.ts';
import { type ArchiveFile, listFiles } from './layout.ts';
import { readPartition } from './reader.ts';
import type { ArchivedRecord } from './record.ts';
import { parseTimePoint } from './time-point.ts';

const TASK_PARTITIONS = 'archive.task.partitions';

async function archivedPartitions(root: string, topic: string): Promise<number[]> {
  try {
    return (await readdir(join(root, topic), { withFileTypes: true }))
      .filter((e) => e.isDirectory() && /^partition=\d+$/.test(e.name))
      .map((e) => Number(e.name.slice('partition='.length)))
      .sort((a, b) => a - b);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

class ArchiveSourceConnector implements Connector {
  #config: ConnectConfig = {};
  #partitions: number[] = [];

  async start(config: ConnectConfig): Promise<void> {
    const c = new ConnectorConfig(ARCHIVE_SOURCE_CONFIG, config);
    try {
      c.assertValid();
    } catch (err) {
      throw new ConnectError((err as Error).message);
    }
    const root = c.string('archive.path');
    const topic = c.string('archive.topic');
    const all = await archivedPartitions(root, topic);
    const only = c.list('archive.partitions').map(Number);
    this.#partitions = only.length > 0 ? all.filter((p) => only.includes(p)) : all;
    if (this.#partitions.length === 0)
      throw new ConnectError(
        `no archive of topic ${topic} under ${root}${only.length > 0 ? ` for partitions ${only.join(',')}` : ''}`,
      );
    this.#config = config;
  }

  taskConfigs(maxTasks: number): ConnectConfig[] {
    const n = Math.min(maxTasks, this.#partitions.length);
    return Array.from({ length: n }, (_, i) => ({
      ...this.#config,
      [TASK_PARTITIONS]: this.#partitions.filter((_, j) => j % n === i).join(','),
    }));
  }

  stop(): void {}
}

interface PartitionCursor {
  readonly partition: number;
  readonly files: AsyncGenerator<{ file: ArchiveFile; records: ArchivedRecord[] }>;
  readonly after: bigint;
  buffer: ArchivedRecord[];
  done: boolean;
}

const BYTES = Schemas.bytes({ optional: true });

class ArchiveSourceTask implements SourceTask {
  #cursors: PartitionCursor[] = [];
  #root = '';
  #archiveTopic = '';
  #topic = '';
  #batchSize = 5_000;
  #signal!: AbortSignal;
  #next = 0;

  async start(config: ConnectConfig, context: SourceTaskContext): Promise<void> {
    const c = new ConnectorConfig(ARCHIVE_SOURCE_CONFIG, config).assertValid();
    this.#root = c.string('archive.path');
    this.#archiveTopic = c.string('archive.topic');
    this.#topic = c.string('topic');
    this.#batchSize = c.number('batch.size');
    this.#signal = context.signal;
    const from = c.string('archive.from');
    const until = c.string('archive.until');
    const range = {
      ...(from !== '' ? { from: parseTimePoint(from) } : {}),
      ...(until !== '' ? { until: parseTimePoint(until) } : {}),
    };
    const partitions = (config[TASK_PARTITIONS] ?? '')
      .split(',')
      .filter((p) => p !== '')
      .map(Number);
    for (const partition of partitions) {
      const stored = await context.offsetStorageReader.offset(this.#sourcePartition(partition));
      const after =
        stored && stored.offset !== null && stored.offset !== undefined
          ? BigInt(stored.offset as number)
          : -1n;
      const files = await listFiles(this.#root, this.#archiveTopic, partition);
      this.#cursors.push({ partition, files: readPartition(files, range), after, buffer: [], done: false });
    }
  }

  #sourcePartition(partition: number) {
    return { archive: this.#root, topic: this.#archiveTopic, partition };
  }

  async poll(): Promise<SourceRecord[] | null> {
    const out: SourceRecord[] = [];
    const live = this.#cursors.filter((c) => !c.done || c.buffer.length > 0);
    if (live.length === 0) {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, 1_000);
        this.#signal.addEventListener(
          'abort',
          () => {
            clearTimeout(t);
            resolve(null);
          },
          { once: true },
        );
      });
      return null;
    }
    // Round robin over partitions, a slice of each, keeping each partition's order.
    const share = Math.max(1, Math.ceil(this.#batchSize / live.length));
    for (let i = 0; i < live.length && out.length < this.#batchSize; i++) {
      const cursor = live[(this.#next + i) % live.length]!;
      while (cursor.buffer.length === 0 && !cursor.done) {
        const next = await cursor.files.next();
        if (next.done) cursor.done = true;
        else cursor.buffer = next.value.records.filter((r) => r.offset > cursor.after);
      }
      for (const r of cursor.buffer.splice(0, share)) out.push(this.#toSourceRecord(r));
    }
    this.#next++;
    return out;
  }

  #toSourceRecord(r: ArchivedRecord): SourceRecord {
    return {
      topic: this.#topic,
      kafkaPartition: r.partition,
      keySchema: BYTES,
      key: r.key,
      valueSchema: BYTES,
      value: r.value,
      timestamp: r.timestamp,
      headers: r.headers.map(([key, value]) => ({ key, value, schema: BYTES })),
      sourcePartition: this.#sourcePartition(r.partition),
      sourceOffset: { offset: Number(r.offset) },
    };
  }

  async stop(): Promise<void> {
    for (const c of this.#cursors) await c.files.return(undefined);
    this.#cursors = [];
  }
}

export const archiveSourcePlugin: SourceConnectorPlugin = {
  ...ARCHIVE_SOURCE_INFO,
  createConnector: () => new ArchiveSourceConnector(),
  createTask: () => new ArchiveSourceTask(),
};
