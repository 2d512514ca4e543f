/**
 * Connect schemas and values ⇄ Avro, the way Confluent's `AvroData` maps them (so records written by
 * Samsa's AvroConverter read like Confluent's, and the other way round):
 *
 * - int8/int16 are Avro ints with `"connect.type"`, int32/int64/float32/float64/boolean/string/bytes
 *   their Avro counterparts; optional schemas are unions `["null", T]` with a null default;
 * - structs are records named after the schema (`io.confluent.connect.avro.ConnectDefault` when
 *   unnamed); arrays are arrays; maps with string keys are maps, others arrays of `MapEntry` records;
 * - Decimal, Date, Time and Timestamp are Avro's decimal, date, time-millis and timestamp-millis;
 * - with `connect.meta.data` the Connect name, version, doc and parameters ride along as
 *   `connect.*` properties.
 *
 * Back from Avro: records are structs, `["null", T]` optional T, enums strings, fixed bytes, the
 * logical types and `connect.*` properties as above. Not implemented: unions of several non-null
 * types (Confluent's `io.confluent.connect.avro.Union` structs), Avro default values of records.
 */
import { LOGICAL, type Schema, Schemas, type SchemaType } from '../api/index.ts';

const NAMESPACE = 'io.confluent.connect.avro';
type Json = Record<string, unknown>;

interface FromContext {
  metadata: boolean;
  /** Names given to unnamed structs so far. */
  defaults: number;
  names: Set<string>;
}

function meta(schema: Schema, ctx: FromContext, out: Json): Json {
  if (!ctx.metadata) return out;
  if (schema.doc !== undefined) out['connect.doc'] = schema.doc;
  if (schema.version !== undefined) out['connect.version'] = schema.version;
  if (schema.parameters && Object.keys(schema.parameters).length > 0)
    out['connect.parameters'] = { ...schema.parameters };
  if (schema.name !== undefined && schema.type !== 'struct') out['connect.name'] = schema.name;
  return out;
}

function defaultValueJson(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (typeof value === 'bigint') return Number(value);
  if (schema.type === 'map' && value instanceof Map) return Object.fromEntries(value);
  return value;
}

function nonOptional(schema: Schema, ctx: FromContext): unknown {
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return meta(schema, ctx, { type: 'int', 'connect.type': schema.type });
    case 'int32':
      if (schema.name === LOGICAL.date) return meta(schema, ctx, { type: 'int', logicalType: 'date' });
      if (schema.name === LOGICAL.time) return meta(schema, ctx, { type: 'int', logicalType: 'time-millis' });
      return primitive(schema, ctx, 'int');
    case 'int64':
      if (schema.name === LOGICAL.timestamp)
        return meta(schema, ctx, { type: 'long', logicalType: 'timestamp-millis' });
      return primitive(schema, ctx, 'long');
    case 'float32':
      return primitive(schema, ctx, 'float');
    case 'float64':
      return primitive(schema, ctx, 'double');
    case 'boolean':
      return primitive(schema, ctx, 'boolean');
    case 'string':
      return primitive(schema, ctx, 'string');
    case 'bytes':
      if (schema.name === LOGICAL.decimal) {
        const scale = Number(schema.parameters?.scale ?? 0);
        const precision = Number(schema.parameters?.['connect.decimal.precision'] ?? 64);
        return meta(schema, ctx, { type: 'bytes', logicalType: 'decimal', precision, scale });
      }
      return primitive(schema, ctx, 'bytes');
    case 'array':
      return meta(schema, ctx, { type: 'array', items: fromConnect(schema.valueSchema!, ctx) });
    case 'map':
      if (schema.keySchema?.type === 'string' && !schema.keySchema.optional)
        return meta(schema, ctx, { type: 'map', values: fromConnect(schema.valueSchema!, ctx) });
      return meta(schema, ctx, {
        type: 'array',
        items: {
          type: 'record',
          name: entryName(ctx),
          namespace: NAMESPACE,
          fields: [
            { name: 'key', type: fromConnect(schema.keySchema!, ctx) },
            { name: 'value', type: fromConnect(schema.valueSchema!, ctx) },
          ],
        },
      });
    case 'struct':
      return struct(schema, ctx);
  }
}

function entryName(ctx: FromContext): string {
  let name = 'MapEntry';
  for (let i = 2; ctx.names.has(`${NAMESPACE}.${name}`); i++) name = `MapEntry${i}`;
  ctx.names.add(`${NAMESPACE}.${name}`);
  return name;
}

function primitive(schema: Schema, ctx: FromContext, type: string): unknown {
  const out = meta(schema, ctx, { type });
  return Object.keys(out).length === 1 ? type : out;
}

/** A record for a struct schema, or its name when the same struct was written before. */
function struct(schema: Schema, ctx: FromContext): unknown {
  let fullName = schema.name;
  if (fullName === undefined) {
    ctx.defaults++;
    fullName = `${NAMESPACE}.ConnectDefault${ctx.defaults === 1 ? '' : ctx.defaults}`;
  }
  const dot = fullName.lastIndexOf('.');
  const out: Json = {
    type: 'record',
    name: dot >= 0 ? fullName.slice(dot + 1) : fullName,
    ...(dot >= 0 ? { namespace: fullName.slice(0, dot) } : {}),
  };
  if (ctx.names.has(fullName)) return fullName;
  ctx.names.add(fullName);
  out.fields = (schema.fields ?? []).map((f) => {
    const field: Json = { name: f.name, type: fromConnect(f.schema, ctx) };
    if (f.schema.defaultValue !== undefined)
      field.default = defaultValueJson(f.schema, f.schema.defaultValue);
    else if (f.schema.optional) field.default = null;
    return field;
  });
  if (ctx.metadata) {
    if (schema.doc !== undefined) out.doc = schema.doc;
    if (schema.version !== undefined) out['connect.version'] = schema.version;
    if (schema.parameters) out['connect.parameters'] = { ...schema.parameters };
    if (schema.name !== undefined) out['connect.name'] = schema.name;
  }
  return out;
}

function fromConnect(schema: Schema, ctx: FromContext): unknown {
  const avro = nonOptional(schema, ctx);
  return schema.optional ? ['null', avro] : avro;
}

/** The Avro schema (as JSON) for a Connect schema. */
export function avroSchemaFromConnect(schema: Schema, options: { metadata?: boolean } = {}): unknown {
  return fromConnect(schema, { metadata: options.metadata ?? true, defaults: 0, names: new Set() });
}

// --- Avro → Connect ---------------------------------------------------------------------------

type Named = Map<string, Json>;

function props(json: Json): Pick<Schema, 'name' | 'version' | 'doc' | 'parameters'> {
  const out: { name?: string; version?: number; doc?: string; parameters?: Record<string, string> } = {};
  if (typeof json['connect.name'] === 'string') out.name = json['connect.name'];
  if (typeof json['connect.version'] === 'number') out.version = json['connect.version'];
  if (typeof json['connect.doc'] === 'string') out.doc = json['connect.doc'];
  if (json['connect.parameters'] && typeof json['connect.parameters'] === 'object')
    out.parameters = { ...(json['connect.parameters'] as Record<string, string>) };
  return out;
}

function fullName(json: Json, space: string | undefined): string {
  const name = String(json.name);
  if (name.includes('.')) return name;
  const ns = typeof json.namespace === 'string' ? json.namespace : space;
  return ns ? `${ns}.${name}` : name;
}

function toConnect(avro: unknown, named: Named, space: string | undefined, optional = false): Schema {
  if (typeof avro === 'string') {
    const known = named.get(avro) ?? named.get(space ? `${space}.${avro}` : avro);
    if (known) return toConnect(known, named, space, optional);
    return toConnect({ type: avro }, named, space, optional);
  }
  if (Array.isArray(avro)) {
    const others = avro.filter(
      (t) => t !== 'null' && !(typeof t === 'object' && (t as Json).type === 'null'),
    );
    if (others.length === 1 && avro.length === 2) return toConnect(others[0], named, space, true);
    throw new Error(`Unions of several types (${JSON.stringify(avro)}) are not supported by this converter`);
  }
  const json = avro as Json;
  const base = { optional, ...props(json) };
  const type = json.type;
  if (typeof type !== 'string') return toConnect(type, named, space, optional);
  const logical = json.logicalType;
  const connectType = json['connect.type'];
  const simple = (t: SchemaType, extra: Partial<Schema> = {}): Schema => ({ type: t, ...base, ...extra });
  switch (type) {
    case 'null':
      throw new Error('A null schema has no Connect counterpart');
    case 'boolean':
      return simple('boolean');
    case 'int':
      if (logical === 'date') return simple('int32', { name: LOGICAL.date, version: 1 });
      if (logical === 'time-millis') return simple('int32', { name: LOGICAL.time, version: 1 });
      return simple(connectType === 'int8' ? 'int8' : connectType === 'int16' ? 'int16' : 'int32');
    case 'long':
      if (logical === 'timestamp-millis') return simple('int64', { name: LOGICAL.timestamp, version: 1 });
      return simple('int64');
    case 'float':
      return simple('float32');
    case 'double':
      return simple('float64');
    case 'string':
      return simple('string');
    case 'bytes':
      if (logical === 'decimal')
        return {
          ...Schemas.decimal(Number(json.scale ?? 0), { optional }),
          parameters: {
            scale: String(json.scale ?? 0),
            'connect.decimal.precision': String(json.precision ?? ''),
          },
        };
      return simple('bytes');
    case 'fixed': {
      named.set(fullName(json, space), json);
      return simple('bytes');
    }
    case 'enum': {
      named.set(fullName(json, space), json);
      return simple('string');
    }
    case 'array': {
      const items = json.items;
      const entry =
        typeof items === 'object' && items !== null && !Array.isArray(items) ? (items as Json) : null;
      const isMapEntry =
        entry?.type === 'record' &&
        Array.isArray(entry.fields) &&
        entry.fields.length === 2 &&
        (entry.fields[0] as Json).name === 'key' &&
        (entry.fields[1] as Json).name === 'value' &&
        (String(entry.name).startsWith('MapEntry') || entry.namespace === NAMESPACE);
      if (isMapEntry) {
        const fields = entry!.fields as Json[];
        return {
          type: 'map',
          ...base,
          keySchema: toConnect(fields[0]!.type, named, space),
          valueSchema: toConnect(fields[1]!.type, named, space),
        };
      }
      return { type: 'array', ...base, valueSchema: toConnect(items, named, space) };
    }
    case 'map':
      return {
        type: 'map',
        ...base,
        keySchema: Schemas.string(),
        valueSchema: toConnect(json.values, named, space),
      };
    case 'record':
    case 'error': {
      const name = fullName(json, space);
      named.set(name, json);
      const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
      const fields = (json.fields as Json[]).map((f, index) => {
        const fieldSchema = toConnect(f.type, named, ns);
        const withDefault =
          'default' in f && f.default !== null && fieldSchema.type !== 'struct'
            ? { ...fieldSchema, defaultValue: f.default }
            : fieldSchema;
        return { name: String(f.name), index, schema: withDefault };
      });
      const isDefault = name.startsWith(`${NAMESPACE}.ConnectDefault`);
      return {
        type: 'struct',
        ...base,
        ...(isDefault || base.name !== undefined ? {} : { name }),
        ...(typeof json.doc === 'string' ? { doc: json.doc } : {}),
        fields,
      };
    }
    default: {
      const known = named.get(type) ?? named.get(space ? `${space}.${type}` : type);
      if (known) return toConnect(known, named, space, optional);
      throw new Error(`Unknown Avro type ${type}`);
    }
  }
}

/** The Connect schema for an Avro schema (JSON); `referenced` are its references' schemas. */
export function connectSchemaFromAvro(avro: unknown, referenced: readonly unknown[] = []): Schema {
  const named: Named = new Map();
  const collect = (json: unknown, space: string | undefined): void => {
    if (Array.isArray(json)) for (const t of json) collect(t, space);
    else if (json && typeof json === 'object') {
      const j = json as Json;
      if ((j.type === 'record' || j.type === 'enum' || j.type === 'fixed') && typeof j.name === 'string') {
        const name = fullName(j, space);
        named.set(name, j);
        const ns = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : undefined;
        for (const f of (j.fields as Json[] | undefined) ?? []) collect(f.type, ns);
      } else if (j.type === 'array') collect(j.items, space);
      else if (j.type === 'map') collect(j.values, space);
      else if (typeof j.type === 'object') collect(j.type, space);
    }
  };
  for (const r of referenced) collect(r, undefined);
  return toConnect(avro, named, undefined);
}

// --- values -----------------------------------------------------------------------------------

/** A Connect value as avsc writes it for the schema `fromConnect` produced. */
export function avroValueFromConnect(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined || schema === null) return value ?? null;
  switch (schema.type) {
    case 'int64':
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
          throw new Error(`int64 ${value} is beyond what the Avro converter writes exactly`);
        return Number(value);
      }
      return value;
    case 'array':
      return (value as unknown[]).map((v) => avroValueFromConnect(schema.valueSchema!, v));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      if (schema.keySchema?.type === 'string' && !schema.keySchema.optional)
        return Object.fromEntries(entries.map(([k, v]) => [k, avroValueFromConnect(schema.valueSchema!, v)]));
      return entries.map(([k, v]) => ({
        key: avroValueFromConnect(schema.keySchema!, k),
        value: avroValueFromConnect(schema.valueSchema!, v),
      }));
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) {
        const v = (value as Record<string, unknown>)[f.name];
        out[f.name] = avroValueFromConnect(f.schema, v === undefined ? (f.schema.defaultValue ?? null) : v);
      }
      return out;
    }
    default:
      return value;
  }
}

/** An avsc-decoded value as a Connect value of `schema`. */
export function connectValueFromAvro(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.type) {
    case 'array':
      return (value as unknown[]).map((v) => connectValueFromAvro(schema.valueSchema!, v));
    case 'map':
      if (Array.isArray(value))
        return new Map(
          value.map((e) => [
            connectValueFromAvro(schema.keySchema!, (e as Json).key),
            connectValueFromAvro(schema.valueSchema!, (e as Json).value),
          ]),
        );
      return Object.fromEntries(
        Object.entries(value as object).map(([k, v]) => [k, connectValueFromAvro(schema.valueSchema!, v)]),
      );
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? [])
        out[f.name] = connectValueFromAvro(f.schema, (value as Json)[f.name]);
      return out;
    }
    case 'string':
      return typeof value === 'string' ? value : String(value);
    default:
      return value;
  }
}
