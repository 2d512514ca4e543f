/**
 * The archive sink's configuration, with the Confluent S3/HDFS sinks' names where they apply:
 * `archive.path` (a local or mounted directory), `format.class` (`parquet` or `jsonl.gz`; Confluent's
 * ParquetFormat and JsonFormat class names are accepted), `flush.size`, `rotate.interval.ms` (by
 * record time: deterministic, so exactly-once per file), `rotate.schedule.interval.ms` (by wall
 * clock: files close on time even when a partition goes quiet, at the price of file boundaries that
 * may differ after a crash) and `path.format`.
 */
import {
  type ConfigDef,
  type ConnectConfig,
  ConnectorConfig,
  type ConnectorPluginInfo,
} from '../../connect/api/index.ts';
import type { ArchiveFormatName } from './layout.ts';
import { compilePathFormat, DEFAULT_PATH_FORMAT } from './path-format.ts';
import { parseTimePoint } from './time-point.ts';

const FORMAT_ALIASES: Record<string, ArchiveFormatName> = {
  parquet: 'parquet',
  'jsonl.gz': 'jsonl.gz',
  jsonl: 'jsonl.gz',
  'io.confluent.connect.s3.format.parquet.ParquetFormat': 'parquet',
  'io.confluent.connect.hdfs.parquet.ParquetFormat': 'parquet',
  'io.confluent.connect.s3.format.json.JsonFormat': 'jsonl.gz',
};

export function formatOf(value: string): ArchiveFormatName | undefined {
  return FORMAT_ALIASES[value.trim()] ?? FORMAT_ALIASES[value.trim().toLowerCase()];
}

const GROUP = 'Archive';

export const ARCHIVE_SINK_CONFIG: ConfigDef = [
  {
    name: 'archive.path',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP,
    documentation: 'Directory the archive is written under (created if missing).',
  },
  {
    name: 'format.class',
    type: 'STRING',
    default: 'parquet',
    importance: 'HIGH',
    group: GROUP,
    documentation: 'parquet or jsonl.gz (Confluent’s ParquetFormat / JsonFormat class names are accepted).',
    validate: (v) => (v === null || formatOf(String(v)) ? null : 'Use parquet or jsonl.gz'),
  },
  {
    name: 'flush.size',
    type: 'INT',
    default: 10_000,
    importance: 'HIGH',
    group: GROUP,
    documentation: 'Records per file: a file is written once it holds this many.',
    validate: (v) => (v === null || (v as number) >= 1 ? null : 'Value must be at least 1'),
  },
  {
    name: 'rotate.interval.ms',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    group: GROUP,
    documentation:
      'Close a file when a record’s timestamp is this far past the file’s first record (record time, so a replay makes the same files). -1: off.',
  },
  {
    name: 'rotate.schedule.interval.ms',
    type: 'LONG',
    default: -1,
    importance: 'MEDIUM',
    group: GROUP,
    documentation:
      'Close a file this long (wall clock) after it was opened, even if no more records come. -1: off. After a crash, files may then be cut elsewhere; the sink removes files of its partitions past the committed offset before writing again, so no record is kept twice.',
  },
  {
    name: 'path.format',
    type: 'STRING',
    default: DEFAULT_PATH_FORMAT,
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Directories under <topic>/partition=<p>/ from the record timestamp (UTC), Joda-style.',
    validate: (v) => {
      if (v === null) return null;
      try {
        compilePathFormat(String(v));
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  {
    name: 'parquet.codec',
    type: 'STRING',
    default: 'snappy',
    importance: 'LOW',
    group: GROUP,
    documentation: 'Compression of Parquet files: snappy or none.',
    recommendedValues: ['snappy', 'none'],
    strict: true,
  },
  {
    name: 'timezone',
    type: 'STRING',
    default: 'UTC',
    importance: 'LOW',
    group: GROUP,
    documentation: 'Time zone of path.format. Only UTC is implemented.',
    validate: (v) => (v === null || String(v).toUpperCase() === 'UTC' ? null : 'Only UTC is supported'),
  },
];

export interface ArchiveSinkSettings {
  readonly path: string;
  readonly format: ArchiveFormatName;
  readonly flushSize: number;
  readonly rotateIntervalMs: number;
  readonly rotateScheduleMs: number;
  readonly pathFormat: (timestamp: number) => string;
  readonly parquetCodec: 'SNAPPY' | 'UNCOMPRESSED';
}

export function archiveSinkSettings(raw: ConnectConfig): ArchiveSinkSettings {
  const config = new ConnectorConfig(ARCHIVE_SINK_CONFIG, raw).assertValid();
  return {
    path: config.string('archive.path'),
    format: formatOf(config.string('format.class'))!,
    flushSize: config.number('flush.size'),
    rotateIntervalMs: config.number('rotate.interval.ms'),
    rotateScheduleMs: config.number('rotate.schedule.interval.ms'),
    pathFormat: compilePathFormat(config.string('path.format')),
    parquetCodec: config.string('parquet.codec') === 'none' ? 'UNCOMPRESSED' : 'SNAPPY',
  };
}

/** The archive source's keys (source.ts). */
const timeCheck = (v: unknown): string | null => {
  if (v === null || v === '') return null;
  try {
    parseTimePoint(String(v));
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};
export const ARCHIVE_SOURCE_CONFIG: ConfigDef = [
  {
    name: 'archive.path',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP,
    documentation: 'Directory the archive sink wrote.',
  },
  {
    name: 'archive.topic',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP,
    documentation: 'The archived topic to replay.',
  },
  {
    name: 'topic',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP,
    documentation: 'Topic to write the records to (it needs at least as many partitions as the archive).',
  },
  {
    name: 'archive.partitions',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Only these archived partitions (default: all).',
  },
  {
    name: 'archive.from',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Only records at or after this time (ISO date or epoch ms).',
    validate: timeCheck,
  },
  {
    name: 'archive.until',
    type: 'STRING',
    default: '',
    importance: 'MEDIUM',
    group: GROUP,
    documentation: 'Only records before this time (ISO date or epoch ms).',
    validate: timeCheck,
  },
  {
    name: 'batch.size',
    type: 'INT',
    default: 5_000,
    importance: 'LOW',
    group: GROUP,
    documentation: 'Records returned by one poll.',
    validate: (v) => (v === null || (v as number) >= 1 ? null : 'Value must be at least 1'),
  },
];

/** The plugins' names and keys, listed before their code (and hyparquet) is loaded (src/connectors/index.ts). */
export const ARCHIVE_SINK_INFO = {
  type: 'sink',
  className: 'samsa.connect.archive.ArchiveSinkConnector',
  version: '0.1.0',
  config: ARCHIVE_SINK_CONFIG,
} as const satisfies ConnectorPluginInfo;

export const ARCHIVE_SOURCE_INFO = {
  type: 'source',
  className: 'samsa.connect.archive.ArchiveSourceConnector',
  version: '0.1.0',
  config: ARCHIVE_SOURCE_CONFIG,
} as const satisfies ConnectorPluginInfo;
