/**
 * The Postgres sink's configuration, with the property names of Confluent's JDBC sink
 * (`connection.url`, `pk.mode`, `pk.fields`, `fields.whitelist`, `auto.create`, `auto.evolve`) and
 * Debezium's JDBC sink (`connection.username`, `primary.key.mode`, `primary.key.fields`,
 * `field.include.list`, `field.exclude.list`, `schema.evolution`, `truncate.enabled`), so either
 * product's config file works. The runtime handles `topics`/`topics.regex`.
 */
import {
  type ConfigDef,
  type ConfigValue,
  ConnectorConfig,
  type ConnectorPluginInfo,
} from '../../connect/api/index.ts';
import { type ConnectionTarget, parseConnectionUrl } from './url.ts';

const GROUP_CONNECTION = 'Connection';
const GROUP_WRITES = 'Writes';
const GROUP_DATA = 'Data Mapping';
const GROUP_DDL = 'DDL Support';

const PK_MODES = ['none', 'kafka', 'record_key', 'record_value'] as const;
export type PkMode = (typeof PK_MODES)[number];
const INSERT_MODES = ['insert', 'upsert', 'update'] as const;
export type InsertMode = (typeof INSERT_MODES)[number];

const positive = (v: ConfigValue): string | null =>
  typeof v === 'number' && v < 1 ? 'Value must be at least 1' : null;

export const SINK_CONFIG: ConfigDef = [
  {
    name: 'connection.url',
    type: 'STRING',
    importance: 'HIGH',
    group: GROUP_CONNECTION,
    documentation:
      'The PostgreSQL to write to: postgres://user:password@host:port/database or jdbc:postgresql://host:port/database?user=...&password=...',
    validate: (v) => {
      if (typeof v !== 'string') return null;
      try {
        parseConnectionUrl(v);
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    },
  },
  {
    name: 'connection.user',
    type: 'STRING',
    default: null,
    importance: 'HIGH',
    group: GROUP_CONNECTION,
    documentation: 'Database user (overrides the URL’s).',
  },
  {
    name: 'connection.username',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: GROUP_CONNECTION,
    documentation: 'Debezium’s name for connection.user.',
  },
  {
    name: 'connection.password',
    type: 'PASSWORD',
    default: null,
    importance: 'HIGH',
    group: GROUP_CONNECTION,
    documentation: 'Database password (overrides the URL’s).',
  },
  {
    name: 'table.name.format',
    type: 'STRING',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka Connect's placeholder syntax
    default: '${topic}',
    importance: 'MEDIUM',
    group: GROUP_DATA,
    documentation:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Kafka Connect's placeholder syntax
      'The destination table for a topic: ${topic} is replaced by the topic name with "." turned into "_" (as Debezium’s JDBC sink does); a "." in the result separates the schema from the table.',
  },
  {
    name: 'insert.mode',
    type: 'STRING',
    default: 'insert',
    importance: 'HIGH',
    group: GROUP_WRITES,
    recommendedValues: INSERT_MODES,
    strict: true,
    documentation:
      'insert: plain INSERTs; upsert: INSERT ... ON CONFLICT (key) DO UPDATE, idempotent; update: UPDATE existing rows only.',
  },
  {
    name: 'pk.mode',
    type: 'STRING',
    default: 'none',
    importance: 'HIGH',
    group: GROUP_DATA,
    recommendedValues: PK_MODES,
    strict: true,
    documentation:
      'Where the primary key comes from: none, kafka (__connect_topic, __connect_partition, __connect_offset), record_key (the key’s fields, or one column named by pk.fields for a primitive key), record_value (pk.fields of the value; all its fields when empty).',
  },
  {
    name: 'primary.key.mode',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: GROUP_DATA,
    documentation: 'Debezium’s name for pk.mode.',
    validate: (v) =>
      typeof v === 'string' && !(PK_MODES as readonly string[]).includes(v)
        ? `String must be one of: ${PK_MODES.join(', ')}`
        : null,
  },
  {
    name: 'pk.fields',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: GROUP_DATA,
    documentation: 'The primary key columns (see pk.mode).',
  },
  {
    name: 'primary.key.fields',
    type: 'LIST',
    default: null,
    importance: 'LOW',
    group: GROUP_DATA,
    documentation: 'Debezium’s name for pk.fields.',
  },
  {
    name: 'fields.whitelist',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: GROUP_DATA,
    documentation: 'Only these value fields are written (empty: all).',
  },
  {
    name: 'field.include.list',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: GROUP_DATA,
    documentation:
      'Debezium’s form: fields to write, as field or topic:field names (empty: all). Key columns are always written.',
  },
  {
    name: 'field.exclude.list',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    group: GROUP_DATA,
    documentation: 'Fields not to write, as field or topic:field names.',
  },
  {
    name: 'delete.enabled',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP_WRITES,
    documentation:
      'Delete the row for a tombstone, a Debezium delete event, or a flattened record with __deleted=true (needs pk.mode=record_key).',
    validate: (v, all) =>
      v === true && (all['pk.mode'] ?? all['primary.key.mode'] ?? 'none') !== 'record_key'
        ? 'Deletes are only supported for pk.mode record_key'
        : null,
  },
  {
    name: 'truncate.enabled',
    type: 'BOOLEAN',
    default: false,
    importance: 'LOW',
    group: GROUP_WRITES,
    documentation: 'Truncate the table for a Debezium truncate event (op "t").',
  },
  {
    name: 'auto.create',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP_DDL,
    documentation: 'Create a missing destination table from the record’s schema (CREATE TABLE).',
  },
  {
    name: 'auto.evolve',
    type: 'BOOLEAN',
    default: false,
    importance: 'MEDIUM',
    group: GROUP_DDL,
    documentation: 'Add columns for fields the table lacks (ALTER TABLE ... ADD COLUMN).',
  },
  {
    name: 'schema.evolution',
    type: 'STRING',
    default: null,
    importance: 'LOW',
    group: GROUP_DDL,
    documentation: 'Debezium’s form: basic = auto.create and auto.evolve; none = neither.',
    validate: (v) =>
      typeof v === 'string' && !['none', 'basic'].includes(v) ? 'String must be one of: none, basic' : null,
  },
  {
    name: 'batch.size',
    type: 'INT',
    default: 3000,
    importance: 'MEDIUM',
    group: GROUP_WRITES,
    documentation: 'Records written per transaction.',
    validate: positive,
  },
];

export interface SinkConfig {
  readonly target: ConnectionTarget;
  readonly tableNameFormat: string;
  readonly insertMode: InsertMode;
  readonly pkMode: PkMode;
  readonly pkFields: readonly string[];
  /** Field filter per topic: true when the field is written. */
  fieldFilter(topic: string, field: string): boolean;
  readonly deleteEnabled: boolean;
  readonly truncateEnabled: boolean;
  readonly autoCreate: boolean;
  readonly autoEvolve: boolean;
  readonly batchSize: number;
}

function listFilter(list: readonly string[]): ((topic: string, field: string) => boolean) | null {
  if (list.length === 0) return null;
  const set = new Set(list);
  return (topic, field) => set.has(field) || set.has(`${topic}:${field}`);
}

export function readSinkConfig(raw: Readonly<Record<string, string>>): SinkConfig {
  const c = new ConnectorConfig(SINK_CONFIG, raw).assertValid();
  const pkMode = (c.optionalString('primary.key.mode') ?? c.string('pk.mode')) as PkMode;
  const pkFields =
    raw['primary.key.fields'] !== undefined ? c.list('primary.key.fields') : c.list('pk.fields');
  const insertMode = c.string('insert.mode') as InsertMode;
  const problems: string[] = [];
  if (insertMode !== 'insert' && pkMode === 'none') {
    problems.push(
      `insert.mode=${insertMode} needs a primary key: set pk.mode to record_key, record_value or kafka`,
    );
  }
  if (c.boolean('delete.enabled') && pkMode !== 'record_key') {
    problems.push('delete.enabled=true needs pk.mode=record_key');
  }
  if (problems.length > 0) {
    throw new Error(
      `Connector configuration is invalid and contains the following ${problems.length} error(s):\n${problems.join('\n')}`,
    );
  }
  const include = listFilter([...c.list('fields.whitelist'), ...c.list('field.include.list')]);
  const exclude = listFilter(c.list('field.exclude.list'));
  const evolution = c.optionalString('schema.evolution');
  const target = parseConnectionUrl(c.string('connection.url'));
  const user = c.optionalString('connection.user') ?? c.optionalString('connection.username');
  const password = c.optionalString('connection.password');
  return {
    target: { ...target, ...(user ? { user } : {}), ...(password ? { password } : {}) },
    tableNameFormat: c.string('table.name.format'),
    insertMode,
    pkMode,
    pkFields,
    fieldFilter: (topic, field) =>
      (include ? include(topic, field) : true) && !(exclude?.(topic, field) ?? false),
    deleteEnabled: c.boolean('delete.enabled'),
    truncateEnabled: c.boolean('truncate.enabled'),
    autoCreate: evolution === 'basic' || c.boolean('auto.create'),
    autoEvolve: evolution === 'basic' || c.boolean('auto.evolve'),
    batchSize: c.number('batch.size'),
  };
}

/** The plugin's names and keys, listed before its code (and pg) is loaded (src/connectors/index.ts). */
export const POSTGRES_SINK_INFO = {
  type: 'sink',
  className: 'samsa.connect.postgres.PostgresSinkConnector',
  aliases: [
    'io.confluent.connect.jdbc.JdbcSinkConnector',
    'io.debezium.connector.jdbc.JdbcSinkConnector',
    'JdbcSinkConnector',
    'PostgresSinkConnector',
  ],
  version: '0.1.0',
  config: SINK_CONFIG,
} as const satisfies ConnectorPluginInfo;
