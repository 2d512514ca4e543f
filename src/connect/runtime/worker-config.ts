/**
 * The worker's settings, with Kafka Connect's worker property names (`bootstrap.servers`,
 * `group.id`, `config.storage.topic`, `offset.flush.interval.ms`, ...) and their defaults, except
 * where a single-node default is friendlier: internal topics use the broker's default replication
 * factor (-1) unless set. Pure: properties in, typed settings out.
 *
 * Not implemented: `connect.protocol` other than eager (`default`), `scheduled.rebalance.max.delay.ms`,
 * `plugin.path` (plugins are compiled in; see src/connectors/index.ts), `config.providers`.
 */
import type { KafkaConnectionOptions } from '../../client/connection-options.ts';
import type { ConnectorPluginEntry } from '../api/index.ts';

export interface WorkerSettings {
  /** The worker's connection to Kafka. */
  connection: KafkaConnectionOptions;
  /** Distributed (group, internal topics) or standalone (one process, offsets in a file). */
  mode: 'distributed' | 'standalone';
  groupId: string;
  configTopic: string;
  offsetTopic: string;
  statusTopic: string;
  configReplicationFactor: number;
  offsetReplicationFactor: number;
  statusReplicationFactor: number;
  offsetPartitions: number;
  statusPartitions: number;
  /** Worker-level converters and their configs (`key.converter.*`). */
  keyConverter: string;
  valueConverter: string;
  headerConverter: string;
  /** Every raw worker property (converter, producer. and consumer. prefixes are read from here). */
  properties: Record<string, string>;
  restHost: string;
  restPort: number;
  /** The URL other workers use to reach this one (`rest.advertised.*`). */
  advertisedUrl?: string;
  offsetFlushIntervalMs: number;
  offsetFlushTimeoutMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  rebalanceTimeoutMs: number;
  taskShutdownTimeoutMs: number;
  /** Standalone only. */
  offsetFile?: string;
  /** Connector plugins besides the built-in ones (for tests and embedding). */
  plugins?: readonly ConnectorPluginEntry[];
}

export const DEFAULTS = {
  groupId: 'connect-cluster',
  configTopic: 'connect-configs',
  offsetTopic: 'connect-offsets',
  statusTopic: 'connect-status',
  offsetPartitions: 25,
  statusPartitions: 5,
  converter: 'org.apache.kafka.connect.json.JsonConverter',
  headerConverter: 'org.apache.kafka.connect.storage.SimpleHeaderConverter',
  restHost: '127.0.0.1',
  restPort: 8083,
  offsetFlushIntervalMs: 60_000,
  offsetFlushTimeoutMs: 5_000,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 3_000,
  rebalanceTimeoutMs: 60_000,
  taskShutdownTimeoutMs: 5_000,
} as const;

export class WorkerConfigError extends Error {
  override readonly name = 'WorkerConfigError';
}

function int(props: Record<string, string>, key: string, fallback: number): number {
  const raw = props[key];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new WorkerConfigError(`Invalid value ${raw} for configuration ${key}: Not a number of type INT`);
  }
  return Number(raw);
}

/** `listeners=http://host:port` (the first HTTP listener) → host and port. */
function listener(value: string | undefined): { host: string; port: number } | undefined {
  if (!value) return undefined;
  const first = value.split(',')[0]!.trim();
  const m = /^https?:\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/i.exec(first);
  if (!m) throw new WorkerConfigError(`Invalid value ${value} for configuration listeners: not a URL`);
  const host = m[1] === '' || m[1] === '0.0.0.0' ? '0.0.0.0' : m[1]!.replace(/^\[|\]$/g, '');
  return { host, port: m[2] === undefined ? 8083 : Number(m[2]) };
}

/**
 * Settings from worker properties. `connection` is built by the caller (CLI flags, KAFKA_URL or
 * `bootstrap.servers`); `overrides` win over properties.
 */
export function workerSettings(
  props: Record<string, string>,
  connection: KafkaConnectionOptions,
  overrides: Partial<WorkerSettings> = {},
): WorkerSettings {
  const rest = listener(props.listeners);
  const advertisedHost = props['rest.advertised.host.name'];
  const advertisedPort = props['rest.advertised.port'];
  const settings: WorkerSettings = {
    connection,
    mode: 'distributed',
    groupId: props['group.id'] ?? DEFAULTS.groupId,
    configTopic: props['config.storage.topic'] ?? DEFAULTS.configTopic,
    offsetTopic: props['offset.storage.topic'] ?? DEFAULTS.offsetTopic,
    statusTopic: props['status.storage.topic'] ?? DEFAULTS.statusTopic,
    configReplicationFactor: int(props, 'config.storage.replication.factor', -1),
    offsetReplicationFactor: int(props, 'offset.storage.replication.factor', -1),
    statusReplicationFactor: int(props, 'status.storage.replication.factor', -1),
    offsetPartitions: int(props, 'offset.storage.partitions', DEFAULTS.offsetPartitions),
    statusPartitions: int(props, 'status.storage.partitions', DEFAULTS.statusPartitions),
    keyConverter: props['key.converter'] ?? DEFAULTS.converter,
    valueConverter: props['value.converter'] ?? DEFAULTS.converter,
    headerConverter: props['header.converter'] ?? DEFAULTS.headerConverter,
    properties: props,
    restHost: rest?.host ?? props['rest.host.name'] ?? DEFAULTS.restHost,
    restPort: rest?.port ?? int(props, 'rest.port', DEFAULTS.restPort),
    offsetFlushIntervalMs: int(props, 'offset.flush.interval.ms', DEFAULTS.offsetFlushIntervalMs),
    offsetFlushTimeoutMs: int(props, 'offset.flush.timeout.ms', DEFAULTS.offsetFlushTimeoutMs),
    sessionTimeoutMs: int(props, 'session.timeout.ms', DEFAULTS.sessionTimeoutMs),
    heartbeatIntervalMs: int(props, 'heartbeat.interval.ms', DEFAULTS.heartbeatIntervalMs),
    rebalanceTimeoutMs: int(props, 'rebalance.timeout.ms', DEFAULTS.rebalanceTimeoutMs),
    taskShutdownTimeoutMs: int(props, 'task.shutdown.graceful.timeout.ms', DEFAULTS.taskShutdownTimeoutMs),
    ...overrides,
  };
  if (props['offset.storage.file.filename'] !== undefined && settings.offsetFile === undefined) {
    settings.offsetFile = props['offset.storage.file.filename'];
  }
  if (settings.advertisedUrl === undefined && (advertisedHost || advertisedPort)) {
    settings.advertisedUrl = `http://${advertisedHost ?? settings.restHost}:${advertisedPort ?? settings.restPort}`;
  }
  if (settings.mode === 'standalone' && !settings.offsetFile) {
    throw new WorkerConfigError(
      'Missing required configuration "offset.storage.file.filename" which has no default value.',
    );
  }
  return settings;
}
