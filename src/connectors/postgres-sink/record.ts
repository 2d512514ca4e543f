/**
 * What one sink record asks of the database: write a row, delete one, truncate a table, or nothing.
 * Reads Debezium change envelopes directly (`after` for c/r/u, a delete for d, a truncate for t),
 * records flattened by ExtractNewRecordState (`__deleted: "true"` is a delete), plain structs and
 * schemaless JSON objects; tombstones delete by key. The key columns come from `pk.mode`; the other
 * columns from the value's fields (after the field filters). A field holding Debezium's
 * `__debezium_unavailable_value` placeholder (an unchanged TOASTed value) is left out, so the row
 * keeps its stored value. The usual records (struct values with schemas: envelopes' creates, reads
 * and updates, flat rows) take a path compiled once per topic and schemas, which builds each row's
 * column texts without intermediate objects; the rest take the generic path.
 */
import type { Schema, SinkRecord } from '../../connect/api/index.ts';
import type { SinkConfig } from './config.ts';
import { textFormatter, valueText } from './sql-types.ts';

export interface Column {
  readonly name: string;
  readonly schema: Schema | null;
  /** PostgreSQL input text; null for SQL NULL. */
  readonly text: string | null;
  /** The original value (schemaless auto.create picks a type from it). */
  readonly value: unknown;
}

/** A column's name and schema (null: schemaless, typed from its value). */
export interface ColumnSpec {
  readonly name: string;
  readonly schema: Schema | null;
}

/** The key and value columns of a row write; rows of the same record schema share one. */
export interface RowShape {
  readonly key: readonly ColumnSpec[];
  readonly columns: readonly ColumnSpec[];
  /** The key and column names as one string: writes with equal signatures share a COPY. */
  readonly signature: string;
}

/**
 * A row to write: its PostgreSQL input texts in the shape's order (key columns, then the others),
 * and the original values when a column has no schema (auto.create types it from the value).
 */
export interface WriteOp {
  readonly kind: 'write';
  readonly table: TableName;
  readonly shape: RowShape;
  readonly texts: readonly (string | null)[];
  readonly values: readonly unknown[] | null;
}

export type RowOp =
  | WriteOp
  | { readonly kind: 'delete'; readonly table: TableName; readonly key: Column[] }
  | { readonly kind: 'truncate'; readonly table: TableName };

/** The write's columns as `Column`s (for the DDL of auto.create and auto.evolve). */
export function writeColumns(op: WriteOp): { key: Column[]; columns: Column[] } {
  const n = op.shape.key.length;
  const at = (spec: ColumnSpec, i: number): Column => ({
    name: spec.name,
    schema: spec.schema,
    text: op.texts[i] ?? null,
    value: op.values?.[i],
  });
  return {
    key: op.shape.key.map((c, i) => at(c, i)),
    columns: op.shape.columns.map((c, i) => at(c, n + i)),
  };
}

function signatureOf(key: readonly ColumnSpec[], columns: readonly ColumnSpec[]): string {
  let sig = '';
  for (const c of key) sig += `${c.name}\u0000`;
  sig += '\u0001';
  for (const c of columns) sig += `${c.name}\u0000`;
  return sig;
}

export interface TableName {
  readonly schema: string | null;
  readonly name: string;
}

/** A record the sink cannot write (reported to the dead-letter queue or failing the task). */
export class UnwritableRecordError extends Error {
  override readonly name = 'UnwritableRecordError';
}

const UNAVAILABLE = '__debezium_unavailable_value';

/** Table names per config and topic (resolved once, and one object per table). */
const tableNames = new WeakMap<SinkConfig, Map<string, TableName>>();

export function tableFor(config: SinkConfig, topic: string): TableName {
  let names = tableNames.get(config);
  if (!names) tableNames.set(config, (names = new Map()));
  let table = names.get(topic);
  if (!table) {
    table = resolveTable(config, topic);
    names.set(topic, table);
  }
  return table;
}

function resolveTable(config: SinkConfig, topic: string): TableName {
  const resolved = config.tableNameFormat.replace(/\$\{topic\}/g, topic.replace(/\./g, '_'));
  const dot = resolved.indexOf('.');
  return dot > 0
    ? { schema: resolved.slice(0, dot), name: resolved.slice(dot + 1) }
    : { schema: null, name: resolved };
}

function isEnvelope(schema: Schema | null, value: Record<string, unknown>): boolean {
  if (schema?.name?.endsWith('.Envelope')) return true;
  return typeof value.op === 'string' && 'after' in value && 'before' in value && 'source' in value;
}

function fieldSchema(schema: Schema | null, name: string): Schema | null {
  return schema?.fields?.find((f) => f.name === name)?.schema ?? null;
}

/** The fields of a struct (with schema) or JSON object (without), in order. */
function fieldsOf(schema: Schema | null, data: Record<string, unknown>): [string, Schema | null, unknown][] {
  if (schema?.type === 'struct' && schema.fields)
    return schema.fields.map((f) => [f.name, f.schema, data[f.name]]);
  return Object.keys(data).map((k) => [k, null, data[k]]);
}

function column(name: string, schema: Schema | null, value: unknown): Column {
  try {
    return { name, schema, text: valueText(schema, value), value };
  } catch (err) {
    throw new UnwritableRecordError(`field "${name}": ${(err as Error).message}`);
  }
}

function keyColumns(
  config: SinkConfig,
  record: SinkRecord,
  data: Record<string, unknown> | null,
  dataSchema: Schema | null,
): Column[] {
  switch (config.pkMode) {
    case 'none':
      return [];
    case 'kafka': {
      const [t = '__connect_topic', p = '__connect_partition', o = '__connect_offset'] = config.pkFields;
      return [
        column(t, { type: 'string', optional: false }, record.topic),
        column(p, { type: 'int32', optional: false }, record.kafkaPartition),
        column(o, { type: 'int64', optional: false }, record.kafkaOffset),
      ];
    }
    case 'record_key': {
      const key = record.key;
      if (key === null || key === undefined) {
        throw new UnwritableRecordError('pk.mode=record_key but the record has no key');
      }
      if (typeof key === 'object' && !Buffer.isBuffer(key) && !Array.isArray(key)) {
        const fields = fieldsOf(record.keySchema, key as Record<string, unknown>);
        const wanted =
          config.pkFields.length > 0 ? fields.filter(([n]) => config.pkFields.includes(n)) : fields;
        if (wanted.length === 0) throw new UnwritableRecordError('the record key has none of the pk.fields');
        return wanted.map(([n, s, v]) => column(n, s, v));
      }
      if (config.pkFields.length !== 1) {
        throw new UnwritableRecordError('a primitive record key needs exactly one column name in pk.fields');
      }
      return [column(config.pkFields[0]!, record.keySchema, key)];
    }
    case 'record_value': {
      if (!data) throw new UnwritableRecordError('pk.mode=record_value but the record has no value');
      const fields = fieldsOf(dataSchema, data);
      const wanted = config.pkFields.length > 0 ? config.pkFields : fields.map(([n]) => n);
      return wanted.map((name) => {
        const f = fields.find(([n]) => n === name);
        if (!f) throw new UnwritableRecordError(`the record value has no field "${name}" (pk.fields)`);
        return column(f[0], f[1], f[2]);
      });
    }
  }
}

/** The database operation for one record, or null when there is nothing to do. */
export function rowOp(config: SinkConfig, record: SinkRecord): RowOp | null {
  const fast = fastRowOp(config, record);
  return fast === undefined ? genericRowOp(config, record) : fast;
}

/** Any record: every case, error and message (exported for tests: the compiled path must agree). */
export function genericRowOp(config: SinkConfig, record: SinkRecord): RowOp | null {
  const table = tableFor(config, record.topic);
  const value = record.value;
  if (value === null || value === undefined) {
    return config.deleteEnabled
      ? { kind: 'delete', table, key: keyColumns(config, record, null, null) }
      : null;
  }
  if (typeof value !== 'object' || Buffer.isBuffer(value) || Array.isArray(value)) {
    throw new UnwritableRecordError(
      `the record value is a ${Array.isArray(value) ? 'list' : typeof value}, not a struct or JSON object: nothing to map to columns`,
    );
  }
  let data = value as Record<string, unknown>;
  let dataSchema = record.valueSchema;
  if (isEnvelope(dataSchema, data)) {
    const op = data.op;
    if (op === 'd') {
      if (!config.deleteEnabled) return null;
      const before = data.before as Record<string, unknown> | null;
      return {
        kind: 'delete',
        table,
        key: keyColumns(config, record, before, fieldSchema(dataSchema, 'before')),
      };
    }
    if (op === 't') return config.truncateEnabled ? { kind: 'truncate', table } : null;
    if (op !== 'c' && op !== 'r' && op !== 'u') return null;
    const after = data.after as Record<string, unknown> | null;
    if (!after) throw new UnwritableRecordError(`a Debezium "${op}" event without "after"`);
    dataSchema = fieldSchema(dataSchema, 'after');
    data = after;
  } else if (config.deleteEnabled && (data.__deleted === 'true' || data.__deleted === true)) {
    return { kind: 'delete', table, key: keyColumns(config, record, data, dataSchema) };
  }
  const key = keyColumns(config, record, data, dataSchema);
  const keyNames = new Set(key.map((k) => k.name));
  const columns: Column[] = [];
  for (const [name, schema, v] of fieldsOf(dataSchema, data)) {
    if (keyNames.has(name) || !config.fieldFilter(record.topic, name)) continue;
    if (v === UNAVAILABLE) continue;
    columns.push(column(name, schema, v));
  }
  const texts: (string | null)[] = [];
  const values: unknown[] = [];
  for (const c of key) {
    texts.push(c.text);
    values.push(c.value);
  }
  for (const c of columns) {
    texts.push(c.text);
    values.push(c.value);
  }
  const spec = (c: Column): ColumnSpec => ({ name: c.name, schema: c.schema });
  const keySpecs = key.map(spec);
  const columnSpecs = columns.map(spec);
  return {
    kind: 'write',
    table,
    shape: { key: keySpecs, columns: columnSpecs, signature: signatureOf(keySpecs, columnSpecs) },
    texts,
    values,
  };
}

/**
 * The usual record, compiled per schema: a struct value (a Debezium envelope's create, read or
 * update, or a flat row) whose key and columns all have schemas. The columns, their text
 * formatting and the shape are decided once per (topic, key schema, value schema); each record
 * only reads its fields. Anything else (deletes, truncates, tombstones, `__deleted`, a field
 * holding Debezium's unavailable-value placeholder, a value that does not fit its schema) gives
 * undefined and takes the generic path, which makes the same decisions and raises the errors.
 */
interface RowPlan {
  readonly table: TableName;
  readonly shape: RowShape;
  /** Fills `texts` for a row; false when the record needs the generic path. */
  readonly fill: (record: SinkRecord, data: Record<string, unknown>, texts: (string | null)[]) => boolean;
}

interface SchemaPlan {
  /** The value schema is a Debezium envelope by name (else the value is checked). */
  readonly envelopeByName: boolean;
  /** The struct a row is read from: `after` of an envelope, or the value itself. */
  readonly envelopeRow: RowPlan | null;
  readonly flatRow: RowPlan | null;
}

const NOT_COMPILED = Symbol('not compiled');
/** config → topic → value schema → key schema (or NO_KEY_SCHEMA) → plan. */
const plans = new WeakMap<
  SinkConfig,
  Map<string, WeakMap<Schema, WeakMap<object, SchemaPlan | typeof NOT_COMPILED>>>
>();
const NO_KEY_SCHEMA = {};
/** The plan of the last record (consecutive records usually share topic and schemas). */
let lastPlan: {
  readonly config: SinkConfig;
  readonly topic: string;
  readonly schema: Schema;
  readonly keySchema: object;
  readonly plan: SchemaPlan | typeof NOT_COMPILED;
} | null = null;

/** The compiled path; undefined when the record takes the generic one (exported for tests). */
export function fastRowOp(config: SinkConfig, record: SinkRecord): RowOp | null | undefined {
  const schema = record.valueSchema;
  const value = record.value;
  if (schema === null || schema.type !== 'struct' || value === null || typeof value !== 'object')
    return undefined;
  if (Buffer.isBuffer(value) || Array.isArray(value)) return undefined;
  const keySchema: object = record.keySchema ?? NO_KEY_SCHEMA;
  let plan: SchemaPlan | typeof NOT_COMPILED | undefined;
  const last = lastPlan;
  if (
    last !== null &&
    last.schema === schema &&
    last.keySchema === keySchema &&
    last.topic === record.topic &&
    last.config === config
  ) {
    plan = last.plan;
  } else {
    let byTopic = plans.get(config);
    if (!byTopic) plans.set(config, (byTopic = new Map()));
    let bySchema = byTopic.get(record.topic);
    if (!bySchema) byTopic.set(record.topic, (bySchema = new WeakMap()));
    let byKey = bySchema.get(schema);
    if (!byKey) bySchema.set(schema, (byKey = new WeakMap()));
    plan = byKey.get(keySchema);
    if (plan === undefined) {
      plan = compileSchemaPlan(config, record.topic, record.keySchema, schema);
      byKey.set(keySchema, plan);
    }
    lastPlan = { config, topic: record.topic, schema, keySchema, plan };
  }
  if (plan === NOT_COMPILED) return undefined;
  const data = value as Record<string, unknown>;
  let row: RowPlan | null;
  let rowData: Record<string, unknown>;
  if (plan.envelopeByName || isEnvelope(null, data)) {
    const op = data.op;
    if (op !== 'c' && op !== 'r' && op !== 'u') return undefined;
    const after = data.after;
    if (after === null || typeof after !== 'object') return undefined;
    row = plan.envelopeRow;
    rowData = after as Record<string, unknown>;
  } else {
    if (config.deleteEnabled && (data.__deleted === 'true' || data.__deleted === true)) return undefined;
    row = plan.flatRow;
    rowData = data;
  }
  if (row === null) return undefined;
  const texts = new Array<string | null>(row.shape.key.length + row.shape.columns.length);
  try {
    if (!row.fill(record, rowData, texts)) return undefined;
  } catch {
    return undefined;
  }
  return { kind: 'write', table: row.table, shape: row.shape, texts, values: null };
}

function compileSchemaPlan(
  config: SinkConfig,
  topic: string,
  keySchema: Schema | null,
  schema: Schema,
): SchemaPlan | typeof NOT_COMPILED {
  const after = fieldSchema(schema, 'after');
  const envelopeRow = after?.type === 'struct' ? compileRow(config, topic, keySchema, after) : null;
  const flatRow = compileRow(config, topic, keySchema, schema);
  if (envelopeRow === null && flatRow === null) return NOT_COMPILED;
  return { envelopeByName: schema.name?.endsWith('.Envelope') === true, envelopeRow, flatRow };
}

function compileRow(
  config: SinkConfig,
  topic: string,
  keySchema: Schema | null,
  dataSchema: Schema,
): RowPlan | null {
  if (dataSchema.type !== 'struct' || !dataSchema.fields) return null;
  const fields = dataSchema.fields;
  const key: ColumnSpec[] = [];
  let readKey: (record: SinkRecord, data: Record<string, unknown>, texts: (string | null)[]) => boolean;
  switch (config.pkMode) {
    case 'none':
      readKey = () => true;
      break;
    case 'kafka': {
      const [t = '__connect_topic', p = '__connect_partition', o = '__connect_offset'] = config.pkFields;
      key.push(
        { name: t, schema: { type: 'string', optional: false } },
        { name: p, schema: { type: 'int32', optional: false } },
        { name: o, schema: { type: 'int64', optional: false } },
      );
      const [ft, fp, fo] = key.map((k) => textFormatter(k.schema!));
      readKey = (record, _data, texts) => {
        texts[0] = ft!(record.topic);
        texts[1] = fp!(record.kafkaPartition);
        texts[2] = fo!(record.kafkaOffset);
        return true;
      };
      break;
    }
    case 'record_key': {
      if (keySchema?.type !== 'struct' || !keySchema.fields) return null;
      const wanted =
        config.pkFields.length > 0
          ? keySchema.fields.filter((f) => config.pkFields.includes(f.name))
          : keySchema.fields;
      if (wanted.length === 0) return null;
      for (const f of wanted) key.push({ name: f.name, schema: f.schema });
      const names = wanted.map((f) => f.name);
      const formats = wanted.map((f) => textFormatter(f.schema));
      const n = names.length;
      readKey = (record, _data, texts) => {
        const k = record.key;
        if (k === null || typeof k !== 'object' || Buffer.isBuffer(k) || Array.isArray(k)) return false;
        const o = k as Record<string, unknown>;
        for (let i = 0; i < n; i++) texts[i] = formats[i]!(o[names[i]!]);
        return true;
      };
      break;
    }
    case 'record_value': {
      const wanted = config.pkFields.length > 0 ? config.pkFields : fields.map((f) => f.name);
      const specs = wanted.map((name) => fields.find((f) => f.name === name));
      if (specs.some((f) => f === undefined)) return null;
      for (const f of specs) key.push({ name: f!.name, schema: f!.schema });
      const names = specs.map((f) => f!.name);
      const formats = specs.map((f) => textFormatter(f!.schema));
      const n = names.length;
      readKey = (_record, data, texts) => {
        for (let i = 0; i < n; i++) texts[i] = formats[i]!(data[names[i]!]);
        return true;
      };
      break;
    }
  }
  const keyNames = new Set(key.map((k) => k.name));
  const columns = fields.filter((f) => !keyNames.has(f.name) && config.fieldFilter(topic, f.name));
  const names = columns.map((f) => f.name);
  const formats = columns.map((f) => textFormatter(f.schema));
  const specs: ColumnSpec[] = columns.map((f) => ({ name: f.name, schema: f.schema }));
  const first = key.length;
  const count = names.length;
  return {
    table: tableFor(config, topic),
    shape: { key, columns: specs, signature: signatureOf(key, specs) },
    fill: (record, data, texts) => {
      if (!readKey(record, data, texts)) return false;
      for (let i = 0; i < count; i++) {
        const v = data[names[i]!];
        if (v === UNAVAILABLE) return false;
        texts[first + i] = formats[i]!(v);
      }
      return true;
    },
  };
}
