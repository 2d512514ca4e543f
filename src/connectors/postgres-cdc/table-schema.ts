/**
 * One captured table as Debezium presents it: its topic (`<prefix>.<schema>.<table>`, characters
 * Kafka does not allow replaced by `_`), the key struct (`.Key`: primary key columns, else the
 * replica identity index's; none → null keys), the row struct (`.Value`: every column the column
 * filters keep and the type mapping supports, optional when nullable) and the envelope. Turns a row
 * of PostgreSQL text values into Connect structs.
 *
 * A NOT NULL column with no value (a DEFAULT replica identity's delete carries only the key) gets
 * its schema default or the type's zero value, as Debezium's converters do. An unchanged TOASTed
 * value that the old row does not supply becomes Debezium's `__debezium_unavailable_value`
 * placeholder (strings, bytes and string arrays) or null.
 */
import type { Schema, Struct } from '../../connect/api/index.ts';
import { envelopeSchema } from './envelope.ts';
import type { Filters } from './filters.ts';
import { type CodecOptions, type ColumnCodec, columnCodec, type TypeRegistry } from './types.ts';

export interface ColumnSpec {
  readonly name: string;
  readonly typeOid: number;
  readonly typmod: number;
  readonly notNull: boolean;
  readonly defaultExpr: string | null;
}

export interface TableSpec {
  readonly oid: number;
  readonly schema: string;
  readonly table: string;
  /** In table order (attnum). */
  readonly columns: readonly ColumnSpec[];
  /** Primary key columns, else the replica identity index's; may be empty. */
  readonly keyColumns: readonly string[];
  /** pg_class.relreplident: d default, n nothing, f full, i index. */
  readonly replicaIdentity: string;
}

/** The value of a column in a decoded row: text, SQL NULL, or an unchanged TOASTed value. */
export type CellValue = string | null | typeof UNCHANGED_TOAST;
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged-toast');
export const UNAVAILABLE_VALUE = '__debezium_unavailable_value';

interface ColumnPlan {
  readonly name: string;
  /** Position in the row of texts. */
  readonly position: number;
  readonly codec: ColumnCodec;
  readonly fallback: unknown;
}

export function topicName(prefix: string, schema: string, table: string): string {
  return `${prefix}.${schema}.${table}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export class TableSchema {
  readonly spec: TableSpec;
  readonly topic: string;
  readonly keySchema: Schema | null;
  readonly valueSchema: Schema;
  readonly envelopeSchema: Schema;
  /** Column names present in the value (after filters and type support). */
  readonly valueColumns: readonly string[];
  private readonly valuePlan: readonly ColumnPlan[];
  private readonly keyPlan: readonly ColumnPlan[];

  constructor(
    spec: TableSpec,
    prefix: string,
    registry: TypeRegistry,
    options: CodecOptions,
    filters: Filters,
  ) {
    this.spec = spec;
    const base = `${prefix}.${spec.schema}.${spec.table}`;
    this.topic = topicName(prefix, spec.schema, spec.table);
    const valuePlan: ColumnPlan[] = [];
    const keyPlan: ColumnPlan[] = [];
    const keySet = new Set(spec.keyColumns);
    spec.columns.forEach((column, position) => {
      const inKey = keySet.has(column.name);
      const inValue = filters.column(spec.schema, spec.table, column.name);
      if (!inKey && !inValue) return;
      const codec = columnCodec(
        registry,
        column.typeOid,
        column.typmod,
        !column.notNull && !inKey,
        options,
        column.defaultExpr,
      );
      if (!codec) return;
      const plan = { name: column.name, position, codec, fallback: fallbackValue(codec.schema) };
      if (inValue) valuePlan.push(plan);
      if (inKey) {
        // Key columns are never optional in the key struct.
        const keyCodec = codec.schema.optional
          ? { ...codec, schema: { ...codec.schema, optional: false } }
          : codec;
        keyPlan.push({ ...plan, codec: keyCodec });
      }
    });
    // Key fields follow the table's column order, like Debezium's.
    this.valuePlan = valuePlan;
    this.keyPlan = keyPlan.length === spec.keyColumns.length ? keyPlan : [];
    this.valueColumns = valuePlan.map((p) => p.name);
    this.valueSchema = {
      type: 'struct',
      optional: true,
      name: `${base}.Value`,
      fields: valuePlan.map((p, index) => ({ name: p.name, index, schema: p.codec.schema })),
    };
    this.keySchema =
      this.keyPlan.length === 0
        ? null
        : {
            type: 'struct',
            optional: false,
            name: `${base}.Key`,
            fields: this.keyPlan.map((p, index) => ({ name: p.name, index, schema: p.codec.schema })),
          };
    this.envelopeSchema = envelopeSchema(`${base}.Envelope`, this.valueSchema);
  }

  /** The row struct of a tuple (`old` fills unchanged TOASTed values when the table has REPLICA IDENTITY FULL). */
  row(cells: readonly CellValue[], old?: readonly CellValue[] | null): Struct {
    return build(this.valuePlan, cells, old);
  }

  /** The key struct, or null for a table without key columns. */
  key(cells: readonly CellValue[]): Struct | null {
    if (this.keySchema === null) return null;
    return build(this.keyPlan, cells, null);
  }
}

function build(
  plan: readonly ColumnPlan[],
  cells: readonly CellValue[],
  old?: readonly CellValue[] | null,
): Struct {
  const out: Struct = {};
  for (const column of plan) {
    let cell = cells[column.position];
    if (cell === UNCHANGED_TOAST) cell = old?.[column.position] ?? UNCHANGED_TOAST;
    if (cell === UNCHANGED_TOAST) {
      out[column.name] = unavailable(column.codec.schema);
    } else if (cell === null || cell === undefined) {
      out[column.name] = column.codec.schema.optional ? null : column.fallback;
    } else {
      out[column.name] = column.codec.parse(cell);
    }
  }
  return out;
}

function unavailable(schema: Schema): unknown {
  if (schema.type === 'string') return UNAVAILABLE_VALUE;
  if (schema.type === 'bytes' && schema.name === undefined) return Buffer.from(UNAVAILABLE_VALUE);
  if (schema.type === 'array' && schema.valueSchema?.type === 'string') return [UNAVAILABLE_VALUE];
  return schema.optional ? null : fallbackValue(schema);
}

/** The value Debezium's converters give a NOT NULL column without data: its default, else the type's zero. */
export function fallbackValue(schema: Schema): unknown {
  if (schema.defaultValue !== undefined) return schema.defaultValue;
  switch (schema.name) {
    case 'io.debezium.data.Json':
      return '{}';
    case 'io.debezium.data.Uuid':
      return '00000000-0000-0000-0000-000000000000';
    case 'io.debezium.time.ZonedTimestamp':
      return '1970-01-01T00:00:00Z';
    case 'io.debezium.time.ZonedTime':
      return '00:00:00Z';
    case 'org.apache.kafka.connect.data.Decimal':
      return Buffer.from([0]);
    case 'io.debezium.data.VariableScaleDecimal':
      return { scale: 0, value: Buffer.from([0]) };
  }
  switch (schema.type) {
    case 'boolean':
      return false;
    case 'string':
      return '';
    case 'bytes':
      return Buffer.alloc(0);
    case 'array':
      return [];
    case 'struct':
      return null;
    default:
      return 0;
  }
}
