/**
 * Connect schemas and values ⇄ Protobuf, after Confluent's `ProtobufData`:
 *
 * - a struct becomes a proto3 message (named after the schema, `ConnectDefault1` when unnamed; the
 *   name's namespace becomes the package), each field numbered by its position; nested structs are
 *   nested messages;
 * - int8/int16/int32 → int32, int64 → int64, float32 → float, float64 → double, boolean → bool,
 *   string, bytes; optional primitives use proto3 `optional` (so null survives); arrays are
 *   `repeated`, maps `map<K, V>`;
 * - Decimal → confluent.type.Decimal, Date → google.type.Date, Time → google.type.TimeOfDay,
 *   Timestamp → google.protobuf.Timestamp.
 *
 * Back from Protobuf: messages are structs (message-typed fields optional), `optional` fields
 * optional, enums strings, 64-bit integers numbers (bigint beyond 2^53), the well-known types and
 * wrappers (google.protobuf.StringValue, ...) as above. Not implemented: int8/int16 round trips
 * (they come back as int32), arrays of arrays, oneofs other than proto3 `optional`, and the scale of
 * a Decimal read back (Protobuf carries it in each value; the Connect schema read says scale 0).
 */
import protobuf from 'protobufjs';
import { LOGICAL, type Schema, Schemas } from '../api/index.ts';
import { bytesOf, unscaledOf } from './decimal.ts';

const SCALARS: Partial<Record<Schema['type'], string>> = {
  int8: 'int32',
  int16: 'int32',
  int32: 'int32',
  int64: 'int64',
  float32: 'float',
  float64: 'double',
  boolean: 'bool',
  string: 'string',
  bytes: 'bytes',
};

const WELL_KNOWN: Record<string, { type: string; file: string }> = {
  [LOGICAL.decimal]: { type: 'confluent.type.Decimal', file: 'confluent/type/decimal.proto' },
  [LOGICAL.date]: { type: 'google.type.Date', file: 'google/type/date.proto' },
  [LOGICAL.time]: { type: 'google.type.TimeOfDay', file: 'google/type/timeofday.proto' },
  [LOGICAL.timestamp]: { type: 'google.protobuf.Timestamp', file: 'google/protobuf/timestamp.proto' },
};

interface FromContext {
  imports: Set<string>;
  defaults: number;
}

function messageName(schema: Schema, ctx: FromContext): string {
  if (schema.name === undefined) return `ConnectDefault${++ctx.defaults}`;
  return schema.name.slice(schema.name.lastIndexOf('.') + 1).replace(/[^A-Za-z0-9_]/g, '_');
}

function fieldType(schema: Schema, ctx: FromContext, nested: string[][], indent: string): string {
  if (schema.name !== undefined && WELL_KNOWN[schema.name]) {
    const wk = WELL_KNOWN[schema.name]!;
    ctx.imports.add(wk.file);
    return wk.type;
  }
  const scalar = SCALARS[schema.type];
  if (scalar) return scalar;
  if (schema.type === 'struct') {
    const name = messageName(schema, ctx);
    nested.push(messageLines(schema, name, ctx, indent));
    return name;
  }
  if (schema.type === 'map') {
    const key = SCALARS[schema.keySchema!.type];
    if (
      !key ||
      key === 'float' ||
      key === 'double' ||
      key === 'bytes' ||
      schema.valueSchema!.type === 'map' ||
      schema.valueSchema!.type === 'array'
    )
      throw new Error('Protobuf maps need integral or string keys and scalar or message values');
    return `map<${key}, ${fieldType(schema.valueSchema!, ctx, nested, indent)}>`;
  }
  throw new Error(`A ${schema.type} cannot be a Protobuf field type here`);
}

function messageLines(schema: Schema, name: string, ctx: FromContext, indent: string): string[] {
  const nested: string[][] = [];
  const fields = (schema.fields ?? []).map((f, i) => {
    const s = f.schema;
    if (s.type === 'array') {
      if (s.valueSchema!.type === 'array' || s.valueSchema!.type === 'map')
        throw new Error('Arrays of arrays or maps are not supported');
      return `repeated ${fieldType(s.valueSchema!, ctx, nested, indent)} ${f.name} = ${i + 1};`;
    }
    const type = fieldType(s, ctx, nested, indent);
    const optional = s.optional && SCALARS[s.type] !== undefined && !(s.name && WELL_KNOWN[s.name]);
    return `${optional ? 'optional ' : ''}${type} ${f.name} = ${i + 1};`;
  });
  return [
    `message ${name} {`,
    ...nested.flatMap((n) => n.map((l) => `  ${l}`)),
    ...fields.map((l) => `  ${l}`),
    '}',
  ];
}

/** A `.proto` file for a Connect struct schema, and the full name of its message. */
export function protobufSchemaFromConnect(schema: Schema): { text: string; messageType: string } {
  if (schema.type !== 'struct')
    throw new Error('The ProtobufConverter writes structs only (Protobuf messages)');
  const ctx: FromContext = { imports: new Set(), defaults: 0 };
  const name = messageName(schema, ctx);
  const dot = schema.name?.lastIndexOf('.') ?? -1;
  const pkg = schema.name !== undefined && dot > 0 ? schema.name.slice(0, dot) : null;
  const body = messageLines(schema, name, ctx, '');
  const lines = ['syntax = "proto3";', ...(pkg ? [`package ${pkg};`] : [])];
  if (ctx.imports.size > 0) lines.push('', ...[...ctx.imports].sort().map((i) => `import "${i}";`));
  lines.push('', ...body);
  return { text: `${lines.join('\n')}\n`, messageType: pkg ? `${pkg}.${name}` : name };
}

// --- Protobuf → Connect -----------------------------------------------------------------------

const WRAPPERS: Record<string, Schema['type']> = {
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
  '.google.protobuf.BoolValue': 'boolean',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'int64',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'int64',
  '.google.protobuf.FloatValue': 'float32',
  '.google.protobuf.DoubleValue': 'float64',
};

function scalarSchema(type: string, optional: boolean): Schema {
  switch (type) {
    case 'double':
      return Schemas.float64({ optional });
    case 'float':
      return Schemas.float32({ optional });
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
    case 'uint32':
    case 'fixed32':
      return Schemas.int64({ optional });
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return Schemas.int32({ optional });
    case 'bool':
      return Schemas.boolean({ optional });
    case 'string':
      return Schemas.string({ optional });
    case 'bytes':
      return Schemas.bytes({ optional });
    default:
      throw new Error(`Unknown Protobuf scalar ${type}`);
  }
}

function valueSchema(
  type: string,
  resolved: protobuf.ReflectionObject | null,
  optional: boolean,
  seen: Set<string>,
): Schema {
  if (resolved instanceof protobuf.Enum) return Schemas.string({ optional });
  if (resolved instanceof protobuf.Type) {
    const name = resolved.fullName;
    if (WRAPPERS[name]) return { type: WRAPPERS[name]!, optional: true };
    if (name === '.google.protobuf.Timestamp')
      return Schemas.int64({ optional: true, name: LOGICAL.timestamp, version: 1 });
    if (name === '.google.type.Date')
      return Schemas.int32({ optional: true, name: LOGICAL.date, version: 1 });
    if (name === '.google.type.TimeOfDay')
      return Schemas.int32({ optional: true, name: LOGICAL.time, version: 1 });
    if (name === '.confluent.type.Decimal') return Schemas.decimal(0, { optional: true });
    return messageSchema(resolved, true, seen);
  }
  return scalarSchema(type, optional);
}

/** The Connect struct schema of a Protobuf message type. */
export function messageSchema(type: protobuf.Type, optional = false, seen = new Set<string>()): Schema {
  if (seen.has(type.fullName)) throw new Error(`Recursive message ${type.fullName} has no Connect schema`);
  seen.add(type.fullName);
  const fields = type.fieldsArray.map((f, index) => {
    let schema: Schema;
    if ((f as unknown as protobuf.MapField).map) {
      const m = f as unknown as protobuf.MapField;
      schema = {
        type: 'map',
        optional: false,
        keySchema: scalarSchema(m.keyType, false),
        valueSchema: valueSchema(m.type, m.resolvedType, false, seen),
      };
    } else if (f.repeated) schema = Schemas.array(valueSchema(f.type, f.resolvedType, false, seen));
    else
      schema = valueSchema(
        f.type,
        f.resolvedType,
        f.options?.proto3_optional === true || f.partOf !== null,
        seen,
      );
    return { name: f.name, index, schema };
  });
  seen.delete(type.fullName);
  return { type: 'struct', optional, name: type.fullName.slice(1), fields };
}

function int64Of(value: unknown): number | bigint {
  if (typeof value === 'number') return value;
  const big = BigInt(String(value));
  return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big;
}

const DAY_MS = 86_400_000;

/** A decoded Protobuf object (JSON mapping) as a Connect value of `schema`. */
export function connectValueFromProtobuf(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const v = value as Record<string, unknown>;
  switch (schema.name) {
    case LOGICAL.timestamp:
      return typeof value === 'object'
        ? Number(v.seconds ?? 0) * 1000 + Math.floor(Number(v.nanos ?? 0) / 1e6)
        : value;
    case LOGICAL.date:
      return typeof value === 'object'
        ? Math.round(Date.UTC(Number(v.year), Number(v.month) - 1, Number(v.day)) / DAY_MS)
        : value;
    case LOGICAL.time:
      return typeof value === 'object'
        ? ((Number(v.hours ?? 0) * 60 + Number(v.minutes ?? 0)) * 60 + Number(v.seconds ?? 0)) * 1000 +
            Math.floor(Number(v.nanos ?? 0) / 1e6)
        : value;
    case LOGICAL.decimal:
      return typeof value === 'object' && !Buffer.isBuffer(value)
        ? Buffer.from(String(v.value ?? ''), 'base64')
        : value;
  }
  if (
    typeof value === 'object' &&
    !Array.isArray(value) &&
    'value' in v &&
    schema.type !== 'struct' &&
    schema.type !== 'map'
  )
    return connectValueFromProtobuf(schema, v.value); // wrapper types
  switch (schema.type) {
    case 'int64':
      return int64Of(value);
    case 'bytes':
      return typeof value === 'string' ? Buffer.from(value, 'base64') : value;
    case 'array':
      return (value as unknown[]).map((x) => connectValueFromProtobuf(schema.valueSchema!, x));
    case 'map':
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [k, connectValueFromProtobuf(schema.valueSchema!, x)]),
      );
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) out[f.name] = connectValueFromProtobuf(f.schema, v[f.name]);
      return out;
    }
    default:
      return value;
  }
}

/** A Connect value as a plain object the serializer encodes for the schema `protobufSchemaFromConnect` produced. */
export function protobufValueFromConnect(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  switch (schema.name) {
    case LOGICAL.timestamp: {
      const ms = Number(value);
      return { seconds: String(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1e6 };
    }
    case LOGICAL.date: {
      const d = new Date(Number(value) * DAY_MS);
      return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    }
    case LOGICAL.time: {
      const ms = Number(value);
      return {
        hours: Math.floor(ms / 3_600_000),
        minutes: Math.floor(ms / 60_000) % 60,
        seconds: Math.floor(ms / 1000) % 60,
        nanos: (ms % 1000) * 1e6,
      };
    }
    case LOGICAL.decimal: {
      const bytes = value as Buffer;
      const unscaled = unscaledOf(bytes);
      return { value: bytesOf(unscaled), precision: 0, scale: Number(schema.parameters?.scale ?? 0) };
    }
  }
  switch (schema.type) {
    case 'int64':
      return typeof value === 'bigint' ? value.toString() : value;
    case 'array':
      return (value as unknown[]).map((x) => protobufValueFromConnect(schema.valueSchema!, x));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      return Object.fromEntries(
        entries.map(([k, x]) => [String(k), protobufValueFromConnect(schema.valueSchema!, x)]),
      );
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) {
        const x = protobufValueFromConnect(f.schema, (value as Record<string, unknown>)[f.name]);
        if (x !== undefined) out[f.name] = x;
      }
      return out;
    }
    default:
      return value;
  }
}
