/**
 * Kafka Connect's data model in TypeScript: schemas (`org.apache.kafka.connect.data.Schema`) and the
 * JavaScript values that carry data of each schema type. Converters (JsonConverter with
 * `schemas.enable`, the registry's Avro/JSON Schema/Protobuf converters) and transforms work on
 * these; connectors build them.
 *
 * Values by schema type:
 * - int8, int16, int32, float32, float64: `number`; int64: `number` when it is a safe integer,
 *   otherwise `bigint` (readers accept both);
 * - boolean: `boolean`; string: `string`; bytes: `Buffer`;
 * - array: `unknown[]`; map: `Map<unknown, unknown>` (or a plain object when keys are strings);
 * - struct: `Struct` (a plain object in field order);
 * - null for an optional schema's absent value.
 *
 * Logical types keep Kafka's names and encodings (Decimal is bytes with a `scale` parameter, Date is
 * int32 days, Time is int32 ms, Timestamp is int64 ms); Debezium's semantic types
 * (`io.debezium.time.MicroTimestamp`, `io.debezium.data.Json`, ...) are plain schemas with those names.
 * Not implemented: schema projection (Java's SchemaProjector).
 */

export const SCHEMA_TYPES = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float32',
  'float64',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
] as const;
export type SchemaType = (typeof SCHEMA_TYPES)[number];

export interface Field {
  readonly name: string;
  readonly index: number;
  readonly schema: Schema;
}

export interface Schema {
  readonly type: SchemaType;
  readonly optional: boolean;
  /** Logical or semantic type name (`org.apache.kafka.connect.data.Decimal`, `io.debezium.time.Date`). */
  readonly name?: string;
  readonly version?: number;
  readonly doc?: string;
  readonly parameters?: Readonly<Record<string, string>>;
  readonly defaultValue?: unknown;
  /** struct only, in order. */
  readonly fields?: readonly Field[];
  /** map only. */
  readonly keySchema?: Schema;
  /** array and map only. */
  readonly valueSchema?: Schema;
}

/** A struct value: field name → value, in the schema's field order. */
export type Struct = Record<string, unknown>;

/** Kafka's logical type names. */
export const LOGICAL = {
  decimal: 'org.apache.kafka.connect.data.Decimal',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
} as const;

interface SchemaOptions {
  optional?: boolean;
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  defaultValue?: unknown;
}

function primitive(type: SchemaType) {
  return (options: SchemaOptions = {}): Schema => ({
    type,
    optional: options.optional ?? false,
    ...strip(options),
  });
}

function strip(options: SchemaOptions): Omit<SchemaOptions, 'optional'> {
  const { optional: _optional, ...rest } = options;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
}

/** Schema constructors, in the spirit of Java's SchemaBuilder. */
export const Schemas = {
  int8: primitive('int8'),
  int16: primitive('int16'),
  int32: primitive('int32'),
  int64: primitive('int64'),
  float32: primitive('float32'),
  float64: primitive('float64'),
  boolean: primitive('boolean'),
  string: primitive('string'),
  bytes: primitive('bytes'),
  array(valueSchema: Schema, options: SchemaOptions = {}): Schema {
    return { type: 'array', optional: options.optional ?? false, ...strip(options), valueSchema };
  },
  map(keySchema: Schema, valueSchema: Schema, options: SchemaOptions = {}): Schema {
    return { type: 'map', optional: options.optional ?? false, ...strip(options), keySchema, valueSchema };
  },
  /** A struct schema from `[name, schema]` pairs, in order. */
  struct(fields: readonly (readonly [string, Schema])[], options: SchemaOptions = {}): Schema {
    return {
      type: 'struct',
      optional: options.optional ?? false,
      ...strip(options),
      fields: fields.map(([name, schema], index) => ({ name, index, schema })),
    };
  },
  /** Kafka's Decimal: bytes holding the big-endian two's-complement unscaled value. */
  decimal(scale: number, options: SchemaOptions = {}): Schema {
    return {
      type: 'bytes',
      optional: options.optional ?? false,
      ...strip(options),
      name: LOGICAL.decimal,
      version: 1,
      parameters: { ...options.parameters, scale: String(scale) },
    };
  },
  /** The same schema, optional. */
  optional(schema: Schema): Schema {
    return schema.optional ? schema : { ...schema, optional: true };
  },
} as const;

/** A struct schema's field by name, or undefined. */
export function fieldOf(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name);
}

/** A copy of a struct schema with fields appended/removed/renamed, for transforms. */
export function withFields(schema: Schema, fields: readonly (readonly [string, Schema])[]): Schema {
  return { ...schema, fields: fields.map(([name, s], index) => ({ name, index, schema: s })) };
}
