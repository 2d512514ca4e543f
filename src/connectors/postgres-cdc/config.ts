/**
 * The CDC source's configuration, with Debezium's PostgreSQL connector property names and defaults,
 * so a Debezium config file works unchanged. `readCdcConfig` turns the validated string map into
 * the typed settings the task uses.
 *
 * Differences from Debezium: `plugin.name` accepts only `pgoutput` (and defaults to it; Debezium's
 * default is `decoderbufs`); `snapshot.mode` supports initial, initial_only, never/no_data,
 * when_needed and always (not configuration_based or custom). Keys Debezium has and this connector
 * does not (message.key.columns, signal tables, incremental snapshots, ...) are ignored.
 */
import {
  type ConfigDef,
  type ConfigValue,
  ConnectorConfig,
  type ConnectorPluginInfo,
} from '../../connect/api/index.ts';
import { type Filters, makeFilters } from './filters.ts';
import { CONNECTOR_VERSION } from './version.ts';

const GROUP_DB = 'Postgres';
const GROUP_CDC = 'Connector';
const GROUP_EVENTS = 'Events';

const nonNegative = (v: ConfigValue): string | null =>
  typeof v === 'number' && v < 0 ? 'Value must be at least 0' : null;
const positive = (v: ConfigValue): string | null =>
  typeof v === 'number' && v < 1 ? 'Value must be at least 1' : null;
const regexList = (v: ConfigValue): string | null => {
  if (!Array.isArray(v)) return null;
  for (const pattern of v) {
    try {
      new RegExp(pattern);
    } catch (err) {
      return `not a valid regular expression: ${pattern} (${(err as Error).message})`;
    }
  }
  return null;
};
const exclusive =
  (other: string) =>
  (_: ConfigValue, all: Readonly<Record<string, string>>): string | null =>
    all[other] !== undefined && all[other] !== '' ? `cannot be set together with "${other}"` : null;
const both = (...checks: ((v: ConfigValue, all: Readonly<Record<string, string>>) => string | null)[]) => {
  return (v: ConfigValue, all: Readonly<Record<string, string>>): string | null => {
    for (const check of checks) {
      const problem = check(v, all);
      if (problem) return problem;
    }
    return null;
  };
};

export const SNAPSHOT_MODES = [
  'initial',
  'initial_only',
  'never',
  'no_data',
  'when_needed',
  'always',
] as const;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];
export const DECIMAL_MODES = ['precise', 'double', 'string'] as const;
export type DecimalMode = (typeof DECIMAL_MODES)[number];
export const TIME_MODES = ['adaptive', 'adaptive_time_microseconds', 'connect'] as const;
export type TimePrecisionMode = (typeof TIME_MODES)[number];
export const BINARY_MODES = ['bytes', 'base64', 'base64-url-safe', 'hex'] as const;
export type BinaryMode = (typeof BINARY_MODES)[number];
export const INTERVAL_MODES = ['numeric', 'string'] as const;
export type IntervalMode = (typeof INTERVAL_MODES)[number];
export const PUBLICATION_MODES = ['all_tables', 'disabled', 'filtered', 'no_tables'] as const;
export type PublicationMode = (typeof PUBLICATION_MODES)[number];
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const CDC_CONFIG: ConfigDef = [
  {
    name: 'database.hostname',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_DB,
    documentation: 'Resolvable hostname or IP address of the PostgreSQL server.',
  },
  {
    name: 'database.port',
    type: 'INT',
    default: 5432,
    importance: 'HIGH',
    group: GROUP_DB,
    documentation: 'Port of the PostgreSQL server.',
    validate: positive,
  },
  {
    name: 'database.user',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_DB,
    documentation: 'Name of the database user (needs REPLICATION and SELECT on the captured tables).',
  },
  {
    name: 'database.password',
    type: 'PASSWORD',
    default: null,
    importance: 'HIGH',
    group: GROUP_DB,
    documentation: 'Password of the database user.',
  },
  {
    name: 'database.dbname',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_DB,
    documentation: 'The name of the database to capture changes from.',
  },
  {
    name: 'database.sslmode',
    type: 'STRING',
    default: 'prefer',
    importance: 'MEDIUM',
    group: GROUP_DB,
    recommendedValues: SSL_MODES,
    strict: true,
    documentation:
      'Whether to use TLS: disable, allow and prefer connect in plain text, require uses TLS without verifying the certificate, verify-ca and verify-full verify it (against database.sslrootcert).',
  },
  {
    name: 'database.sslrootcert',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: GROUP_DB,
    documentation: 'File with the root certificate(s) the server certificate is verified against.',
  },
  {
    name: 'topic.prefix',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_CDC,
    documentation:
      'Logical name of the server: the prefix of every topic (<topic.prefix>.<schema>.<table>) and the source partition of the offsets.',
    validate: (v) =>
      typeof v === 'string' && !/^[A-Za-z0-9._-]+$/.test(v)
        ? 'Topic prefix may contain only ASCII letters, digits, ".", "_" and "-"'
        : null,
  },
  {
    name: 'plugin.name',
    type: 'STRING',
    default: 'pgoutput',
    importance: 'MEDIUM',
    group: GROUP_CDC,
    recommendedValues: ['pgoutput'],
    strict: true,
    documentation: 'The logical decoding plugin; only the built-in pgoutput is supported.',
  },
  {
    name: 'slot.name',
    type: 'STRING',
    default: 'debezium',
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation: 'Name of the logical replication slot the connector streams from (created if missing).',
    validate: (v) =>
      typeof v === 'string' && !/^[a-z0-9_]{1,63}$/.test(v)
        ? 'Slot names may contain only lower case letters, digits and "_" (at most 63)'
        : null,
  },
  {
    name: 'slot.drop.on.stop',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation:
      'Drop the replication slot when the task stops (its position is lost; for tests and demos).',
  },
  {
    name: 'publication.name',
    type: 'STRING',
    default: 'dbz_publication',
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation: 'Name of the publication pgoutput streams.',
  },
  {
    name: 'publication.autocreate.mode',
    type: 'STRING',
    default: 'all_tables',
    importance: 'MEDIUM',
    group: GROUP_CDC,
    recommendedValues: PUBLICATION_MODES,
    strict: true,
    documentation:
      'all_tables: create the publication FOR ALL TABLES if missing; filtered: create it (or set its tables) for the captured tables; no_tables: create it empty; disabled: it must exist.',
  },
  {
    name: 'snapshot.mode',
    type: 'STRING',
    default: 'initial',
    importance: 'MEDIUM',
    group: GROUP_CDC,
    recommendedValues: SNAPSHOT_MODES,
    strict: true,
    documentation:
      'initial: snapshot when there is no offset, then stream; initial_only: snapshot, then stop; never/no_data: only stream; when_needed: also snapshot when the stored position is no longer available; always: snapshot at every start.',
  },
  {
    name: 'snapshot.fetch.size',
    type: 'INT',
    default: 10240,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation:
      "Accepted for Debezium's configurations; not used: the snapshot reads each table with one COPY stream (no round trip per batch of rows).",
    validate: positive,
  },
  {
    name: 'schema.include.list',
    type: 'LIST',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation: 'Regular expressions matching the schema names to capture.',
    validate: both(regexList, exclusive('schema.exclude.list')),
  },
  {
    name: 'schema.exclude.list',
    type: 'LIST',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation: 'Regular expressions matching the schema names not to capture.',
    validate: regexList,
  },
  {
    name: 'table.include.list',
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    group: GROUP_CDC,
    documentation: 'Regular expressions matching <schema>.<table> of the tables to capture (default: all).',
    validate: both(regexList, exclusive('table.exclude.list')),
  },
  {
    name: 'table.exclude.list',
    type: 'LIST',
    default: null,
    importance: 'HIGH',
    group: GROUP_CDC,
    documentation: 'Regular expressions matching <schema>.<table> of the tables not to capture.',
    validate: regexList,
  },
  {
    name: 'column.include.list',
    type: 'LIST',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation: 'Regular expressions matching <schema>.<table>.<column> of the columns to include.',
    validate: both(regexList, exclusive('column.exclude.list')),
  },
  {
    name: 'column.exclude.list',
    type: 'LIST',
    default: null,
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation:
      'Regular expressions matching <schema>.<table>.<column> of the columns to leave out of change events (for example secrets); key columns always stay in the key.',
    validate: regexList,
  },
  {
    name: 'skipped.operations',
    type: 'LIST',
    default: ['t'],
    importance: 'LOW',
    group: GROUP_EVENTS,
    documentation:
      'Operations not to emit: c (inserts), u (updates), d (deletes), t (truncates), or none. Default: t.',
    validate: (v) => {
      if (!Array.isArray(v)) return null;
      const bad = v.filter((op) => !['c', 'u', 'd', 't', 'none'].includes(op));
      return bad.length > 0 ? `unknown operation(s) ${bad.join(', ')}; use c, u, d, t or none` : null;
    },
  },
  {
    name: 'tombstones.on.delete',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    group: GROUP_EVENTS,
    documentation: 'Follow each delete event with a tombstone (same key, null value) for log compaction.',
  },
  {
    name: 'decimal.handling.mode',
    type: 'STRING',
    default: 'precise',
    importance: 'MEDIUM',
    group: GROUP_EVENTS,
    recommendedValues: DECIMAL_MODES,
    strict: true,
    documentation:
      'How numeric/decimal columns are represented: precise (Kafka Decimal, or VariableScaleDecimal without a declared scale), double, or string.',
  },
  {
    name: 'time.precision.mode',
    type: 'STRING',
    default: 'adaptive',
    importance: 'MEDIUM',
    group: GROUP_EVENTS,
    recommendedValues: TIME_MODES,
    strict: true,
    documentation:
      "How temporal columns are represented: adaptive (Debezium's types by column precision), adaptive_time_microseconds (time as MicroTime), or connect (Kafka's Date, Time and Timestamp, millisecond precision).",
  },
  {
    name: 'binary.handling.mode',
    type: 'STRING',
    default: 'bytes',
    importance: 'LOW',
    group: GROUP_EVENTS,
    recommendedValues: BINARY_MODES,
    strict: true,
    documentation: 'How bytea columns are represented: bytes, base64, base64-url-safe or hex strings.',
  },
  {
    name: 'interval.handling.mode',
    type: 'STRING',
    default: 'numeric',
    importance: 'LOW',
    group: GROUP_EVENTS,
    recommendedValues: INTERVAL_MODES,
    strict: true,
    documentation: 'How interval columns are represented: numeric (MicroDuration) or string (ISO 8601).',
  },
  {
    name: 'heartbeat.interval.ms',
    type: 'INT',
    default: 0,
    importance: 'MEDIUM',
    group: GROUP_CDC,
    documentation:
      'Emit a heartbeat record to <heartbeat.topics.prefix>.<topic.prefix> this often (0: never), so the slot position advances while the captured tables are idle.',
    validate: nonNegative,
  },
  {
    name: 'heartbeat.topics.prefix',
    type: 'STRING',
    default: '__debezium-heartbeat',
    importance: 'LOW',
    group: GROUP_CDC,
    documentation: 'Prefix of the heartbeat topic.',
  },
  {
    name: 'heartbeat.action.query',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation: 'A statement run on the source database with every heartbeat.',
  },
  {
    name: 'max.batch.size',
    type: 'INT',
    default: 2048,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation: 'Most records returned by one poll.',
    validate: positive,
  },
  {
    name: 'max.queue.size',
    type: 'INT',
    default: 8192,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation:
      'Most decoded changes held in memory; the replication stream is paused (backpressure) beyond it.',
    validate: positive,
  },
  {
    name: 'status.update.interval.ms',
    type: 'INT',
    default: 10000,
    importance: 'LOW',
    group: GROUP_CDC,
    documentation: 'How often the confirmed position is reported to the server while streaming.',
    validate: positive,
  },
];

export interface CdcConfig {
  readonly hostname: string;
  readonly port: number;
  readonly user: string;
  readonly password: string | null;
  readonly dbname: string;
  readonly sslmode: (typeof SSL_MODES)[number];
  readonly sslrootcert: string | null;
  readonly topicPrefix: string;
  readonly slotName: string;
  readonly slotDropOnStop: boolean;
  readonly publicationName: string;
  readonly publicationMode: PublicationMode;
  readonly snapshotMode: SnapshotMode;
  readonly filters: Filters;
  readonly skipped: ReadonlySet<string>;
  readonly tombstonesOnDelete: boolean;
  readonly decimalMode: DecimalMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly binaryMode: BinaryMode;
  readonly intervalMode: IntervalMode;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTopic: string;
  readonly heartbeatActionQuery: string | null;
  readonly maxBatchSize: number;
  readonly maxQueueSize: number;
  readonly statusIntervalMs: number;
}

/** Parses and validates; throws Kafka Connect's "configuration is invalid" error on any problem. */
export function readCdcConfig(raw: Readonly<Record<string, string>>): CdcConfig {
  const c = new ConnectorConfig(CDC_CONFIG, raw).assertValid();
  const topicPrefix = c.string('topic.prefix');
  return {
    hostname: c.string('database.hostname'),
    port: c.number('database.port'),
    user: c.string('database.user'),
    password: c.optionalString('database.password'),
    dbname: c.string('database.dbname'),
    sslmode: c.string('database.sslmode') as CdcConfig['sslmode'],
    sslrootcert: c.optionalString('database.sslrootcert'),
    topicPrefix,
    slotName: c.string('slot.name'),
    slotDropOnStop: c.boolean('slot.drop.on.stop'),
    publicationName: c.string('publication.name'),
    publicationMode: c.string('publication.autocreate.mode') as PublicationMode,
    snapshotMode: c.string('snapshot.mode') as SnapshotMode,
    filters: makeFilters({
      schemaInclude: c.list('schema.include.list'),
      schemaExclude: c.list('schema.exclude.list'),
      tableInclude: c.list('table.include.list'),
      tableExclude: c.list('table.exclude.list'),
      columnInclude: c.list('column.include.list'),
      columnExclude: c.list('column.exclude.list'),
    }),
    skipped: new Set(c.list('skipped.operations').filter((op) => op !== 'none')),
    tombstonesOnDelete: c.boolean('tombstones.on.delete'),
    decimalMode: c.string('decimal.handling.mode') as DecimalMode,
    timePrecisionMode: c.string('time.precision.mode') as TimePrecisionMode,
    binaryMode: c.string('binary.handling.mode') as BinaryMode,
    intervalMode: c.string('interval.handling.mode') as IntervalMode,
    heartbeatIntervalMs: c.number('heartbeat.interval.ms'),
    heartbeatTopic: `${c.string('heartbeat.topics.prefix')}.${topicPrefix}`,
    heartbeatActionQuery: c.optionalString('heartbeat.action.query'),
    maxBatchSize: c.number('max.batch.size'),
    maxQueueSize: c.number('max.queue.size'),
    statusIntervalMs: c.number('status.update.interval.ms'),
  };
}

/** The plugin's names and keys, listed before its code (and pg) is loaded (src/connectors/index.ts). */
export const POSTGRES_CDC_INFO = {
  type: 'source',
  className: 'samsa.connect.postgres.PostgresCdcSourceConnector',
  aliases: [
    'io.debezium.connector.postgresql.PostgresConnector',
    'PostgresConnector',
    'PostgresCdcSourceConnector',
  ],
  version: CONNECTOR_VERSION,
  config: CDC_CONFIG,
} as const satisfies ConnectorPluginInfo;
