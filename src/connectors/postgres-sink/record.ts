/**
 * What one sink record asks of the database: write a row, delete one, truncate a table, or nothing.
 * Reads Debezium change envelopes directly (`after` for c/r/u, a delete for d, a truncate for t),
 * records flattened by ExtractNewRecordState (`__deleted: "true"` is a delete), plain structs and
 * schemaless JSON objects; tombstones delete by key. The key columns come from `pk.mode`; the other
 * columns from the value's fields (after the field filters). A field holding Debezium's
 * `__debezium_unavailable_value` placeholder (an unchanged TOASTed value) is left out, so the row
 * keeps its stored value.
 */
import type { Schema, SinkRecord } from '../../connect/api/index.ts';
import type { SinkConfig } from './config.ts';
import { valueText } from './sql-types.ts';

export interface Column {
  readonly name: string;
  readonly schema: Schema | null;
  /** PostgreSQL input text; null for SQL NULL. */
  readonly text: string | null;
  /** The original value (schemaless auto.create picks a type from it). */
  readonly value: unknown;
}

export type RowOp =
  | { readonly kind: 'write'; readonly table: TableName; readonly key: Column[]; readonly columns: Column[] }
  | { readonly kind: 'delete'; readonly table: TableName; readonly key: Column[] }
  | { readonly kind: 'truncate'; readonly table: TableName };

export interface TableName {
  readonly schema: string | null;
  readonly name: string;
}

/** A record the sink cannot write (reported to the dead-letter queue or failing the task). */
export class UnwritableRecordError extends Error {
  override readonly name = 'UnwritableRecordError';
}

const UNAVAILABLE = '__debezium_unavailable_value';

export function tableFor(config: SinkConfig, topic: string): TableName {
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
  return { kind: 'write', table, key, columns };
}
