/**
 * Connect schemas and values ⇄ JSON Schema, after Confluent's `JsonSchemaData`:
 *
 * - integers are `"integer"` and floats `"number"`, each with `"connect.type"` naming the Connect
 *   type; booleans and strings are themselves; bytes are base64 strings (`"connect.type": "bytes"`);
 * - structs are objects titled with the schema name, properties in field order with
 *   `"connect.index"`, non-optional fields `required`; optional schemas are `oneOf` null and T;
 * - arrays are arrays; maps with string keys are objects with `additionalProperties`
 *   (`"connect.type": "map"`), others arrays of `{key, value}` objects;
 * - Decimal is a number titled `org.apache.kafka.connect.data.Decimal` with its scale in
 *   `connect.parameters`; Date, Time and Timestamp are integers titled with their names.
 *
 * Back from JSON Schema the same hints apply; schemas without them map by JSON type (integer →
 * int64, number → float64, object with properties → struct, object without → map of strings).
 */
import { LOGICAL, type Schema, Schemas, type SchemaType } from '../api/index.ts';
import { decimalBytes, decimalString } from './decimal.ts';

type Json = Record<string, unknown>;

const CONNECT_TYPES: Partial<Record<SchemaType, string>> = {
  int8: 'integer',
  int16: 'integer',
  int32: 'integer',
  int64: 'integer',
  float32: 'number',
  float64: 'number',
  boolean: 'boolean',
  string: 'string',
  bytes: 'string',
};

function withMeta(schema: Schema, out: Json): Json {
  if (schema.name !== undefined) out.title = schema.name;
  if (schema.version !== undefined) out['connect.version'] = schema.version;
  if (schema.doc !== undefined) out.description = schema.doc;
  if (schema.parameters && Object.keys(schema.parameters).length > 0)
    out['connect.parameters'] = { ...schema.parameters };
  if (schema.defaultValue !== undefined && schema.defaultValue !== null)
    out.default = jsonValueFromConnect(schema, schema.defaultValue);
  return out;
}

function nonOptional(schema: Schema): Json {
  switch (schema.type) {
    case 'array':
      return withMeta(schema, { type: 'array', items: jsonSchemaFromConnect(schema.valueSchema!) });
    case 'map':
      if (schema.keySchema?.type === 'string')
        return withMeta(schema, {
          type: 'object',
          additionalProperties: jsonSchemaFromConnect(schema.valueSchema!),
          'connect.type': 'map',
        });
      return withMeta(schema, {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            key: jsonSchemaFromConnect(schema.keySchema!),
            value: jsonSchemaFromConnect(schema.valueSchema!),
          },
        },
        'connect.type': 'map',
      });
    case 'struct': {
      const properties: Json = {};
      (schema.fields ?? []).forEach((f, i) => {
        properties[f.name] = { ...jsonSchemaFromConnect(f.schema), 'connect.index': i };
      });
      const required = (schema.fields ?? []).filter((f) => !f.schema.optional).map((f) => f.name);
      return withMeta(schema, { type: 'object', properties, ...(required.length > 0 ? { required } : {}) });
    }
    case 'bytes':
      if (schema.name === LOGICAL.decimal) return withMeta(schema, { type: 'number' });
      return withMeta(schema, { type: 'string', 'connect.type': 'bytes' });
    default:
      return withMeta(schema, { type: CONNECT_TYPES[schema.type], 'connect.type': schema.type });
  }
}

/** The JSON Schema (as JSON) for a Connect schema. */
export function jsonSchemaFromConnect(schema: Schema): Json {
  const inner = nonOptional(schema);
  return schema.optional ? { oneOf: [{ type: 'null' }, inner] } : inner;
}

function hints(json: Json): Pick<Schema, 'name' | 'version' | 'doc' | 'parameters'> {
  const out: { name?: string; version?: number; doc?: string; parameters?: Record<string, string> } = {};
  if (typeof json.title === 'string') out.name = json.title;
  if (typeof json['connect.version'] === 'number') out.version = json['connect.version'];
  if (typeof json.description === 'string') out.doc = json.description;
  if (json['connect.parameters'] && typeof json['connect.parameters'] === 'object')
    out.parameters = { ...(json['connect.parameters'] as Record<string, string>) };
  return out;
}

/** The Connect schema for a JSON Schema (JSON). */
export function connectSchemaFromJson(json: unknown, optional = false): Schema {
  if (json === true || json === undefined) return Schemas.string({ optional: true });
  const j = json as Json;
  const alternatives = (Array.isArray(j.oneOf) ? j.oneOf : Array.isArray(j.anyOf) ? j.anyOf : null) as
    | Json[]
    | null;
  if (alternatives) {
    const others = alternatives.filter((a) => a.type !== 'null');
    if (others.length === 1 && alternatives.length === 2) return connectSchemaFromJson(others[0], true);
    throw new Error('oneOf/anyOf of several types is not supported by this converter');
  }
  let type = j.type;
  if (Array.isArray(type)) {
    const others = type.filter((t) => t !== 'null');
    if (others.length !== 1)
      throw new Error(`type ${JSON.stringify(type)} is not supported by this converter`);
    optional = optional || type.includes('null');
    type = others[0];
  }
  const base = { optional, ...hints(j) };
  const connectType = j['connect.type'];
  switch (type) {
    case 'boolean':
      return { type: 'boolean', ...base };
    case 'string':
      return { type: connectType === 'bytes' ? 'bytes' : 'string', ...base };
    case 'integer':
      return {
        type: (['int8', 'int16', 'int32', 'int64'].includes(String(connectType))
          ? connectType
          : 'int64') as SchemaType,
        ...base,
      };
    case 'number':
      if (j.title === LOGICAL.decimal)
        return {
          ...Schemas.decimal(Number(base.parameters?.scale ?? 0), { optional }),
          ...base,
          type: 'bytes',
        };
      return { type: connectType === 'float32' ? 'float32' : 'float64', ...base };
    case 'array':
      if (connectType === 'map') {
        const entry = (j.items as Json).properties as Json;
        return {
          type: 'map',
          ...base,
          keySchema: connectSchemaFromJson(entry.key),
          valueSchema: connectSchemaFromJson(entry.value),
        };
      }
      return { type: 'array', ...base, valueSchema: connectSchemaFromJson(j.items) };
    case 'object': {
      if (connectType === 'map' || (!j.properties && j.additionalProperties !== undefined))
        return {
          type: 'map',
          ...base,
          keySchema: Schemas.string(),
          valueSchema: connectSchemaFromJson(
            j.additionalProperties === true ? undefined : j.additionalProperties,
          ),
        };
      const required = new Set(Array.isArray(j.required) ? j.required.map(String) : []);
      const entries = Object.entries((j.properties as Json | undefined) ?? {}).sort(
        ([, a], [, b]) =>
          Number((a as Json)['connect.index'] ?? 0) - Number((b as Json)['connect.index'] ?? 0),
      );
      return {
        type: 'struct',
        ...base,
        fields: entries.map(([name, p], index) => {
          const s = connectSchemaFromJson(p);
          return { name, index, schema: required.has(name) || s.optional ? s : { ...s, optional: true } };
        }),
      };
    }
    default:
      throw new Error(`JSON Schema type ${JSON.stringify(type)} is not supported by this converter`);
  }
}

/** A Connect value as JSON for the schema `jsonSchemaFromConnect` produced. */
export function jsonValueFromConnect(schema: Schema | null, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (schema === null) return Buffer.isBuffer(value) ? value.toString('base64') : value;
  switch (schema.type) {
    case 'bytes':
      if (schema.name === LOGICAL.decimal)
        return Number(decimalString(value as Buffer, Number(schema.parameters?.scale ?? 0)));
      return (value as Buffer).toString('base64');
    case 'int64':
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
          throw new Error(`int64 ${value} does not fit a JSON number exactly`);
        return Number(value);
      }
      return value;
    case 'array':
      return (value as unknown[]).map((v) => jsonValueFromConnect(schema.valueSchema!, v));
    case 'map': {
      const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
      if (schema.keySchema?.type === 'string')
        return Object.fromEntries(entries.map(([k, v]) => [k, jsonValueFromConnect(schema.valueSchema!, v)]));
      return entries.map(([k, v]) => ({
        key: jsonValueFromConnect(schema.keySchema!, k),
        value: jsonValueFromConnect(schema.valueSchema!, v),
      }));
    }
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) {
        const v = (value as Record<string, unknown>)[f.name];
        if (v !== undefined && v !== null) out[f.name] = jsonValueFromConnect(f.schema, v);
        else if (!f.schema.optional && f.schema.defaultValue !== undefined)
          out[f.name] = jsonValueFromConnect(f.schema, f.schema.defaultValue);
        else if (f.schema.optional) out[f.name] = null;
      }
      return out;
    }
    default:
      return value;
  }
}

/** A JSON value as a Connect value of `schema`. */
export function connectValueFromJson(schema: Schema, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (schema.type) {
    case 'bytes':
      if (schema.name === LOGICAL.decimal)
        return decimalBytes(value as number, Number(schema.parameters?.scale ?? 0));
      return Buffer.from(String(value), 'base64');
    case 'array':
      return (value as unknown[]).map((v) => connectValueFromJson(schema.valueSchema!, v));
    case 'map':
      if (Array.isArray(value))
        return new Map(
          value.map((e) => [
            connectValueFromJson(schema.keySchema!, (e as Json).key),
            connectValueFromJson(schema.valueSchema!, (e as Json).value),
          ]),
        );
      return Object.fromEntries(
        Object.entries(value as object).map(([k, v]) => [k, connectValueFromJson(schema.valueSchema!, v)]),
      );
    case 'struct': {
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? [])
        out[f.name] = connectValueFromJson(f.schema, (value as Json)[f.name]);
      return out;
    }
    default:
      return value;
  }
}
