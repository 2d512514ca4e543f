/**
 * Kafka's `org.apache.kafka.connect.json.JsonConverter`: with `schemas.enable=true` (the default)
 * every message is the envelope `{"schema": {...}, "payload": ...}` with the schema written exactly
 * as Kafka writes it (type, fields/items/keys/values, optional, name, version, doc, parameters,
 * default, in that order); with `schemas.enable=false` the bare JSON value. Bytes are base64;
 * Decimal is base64 of the unscaled big-endian value (`decimal.format=BASE64`, the default) or a
 * JSON number (`NUMERIC`); Date/Time/Timestamp are their int encodings.
 *
 * Values read back: int64 as number (bigint past 2^53 only when written by us, since JSON.parse
 * loses the digits), Decimal as the unscaled bytes (Buffer), Date/Time/Timestamp as numbers, maps
 * with string keys as plain objects. Not implemented: `schemas.cache.size` (no cache needed).
 */
import type {
  ConfigDef,
  ConnectConfig,
  Converter,
  ConverterPlugin,
  Schema,
  SchemaAndValue,
} from '../api/index.ts';
import { LOGICAL, parseConfig, SCHEMA_TYPES } from '../api/index.ts';
import { DataError, toJsonText } from './json-text.ts';

const CONFIG: ConfigDef = [
  {
    name: 'schemas.enable',
    type: 'BOOLEAN',
    default: true,
    importance: 'HIGH',
    documentation: 'Include schemas within each of the serialized values and keys.',
  },
  {
    name: 'decimal.format',
    type: 'STRING',
    default: 'BASE64',
    importance: 'LOW',
    recommendedValues: ['BASE64', 'NUMERIC'],
    strict: true,
    documentation: 'Controls which format this converter will serialize decimals in.',
  },
  {
    name: 'replace.null.with.default',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value.',
  },
  {
    name: 'schemas.cache.size',
    type: 'INT',
    default: 1000,
    importance: 'HIGH',
    documentation: 'The maximum number of schemas that can be cached in this converter instance.',
  },
];

/** Kafka's JSON form of a schema. */
export function schemaToJson(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: schema.type };
  if (schema.type === 'struct') {
    out.fields = (schema.fields ?? []).map((f) => ({ ...schemaToJson(f.schema), field: f.name }));
  } else if (schema.type === 'array') {
    out.items = schemaToJson(schema.valueSchema!);
  } else if (schema.type === 'map') {
    out.keys = schemaToJson(schema.keySchema!);
    out.values = schemaToJson(schema.valueSchema!);
  }
  out.optional = schema.optional;
  if (schema.name !== undefined) out.name = schema.name;
  if (schema.version !== undefined) out.version = schema.version;
  if (schema.doc !== undefined) out.doc = schema.doc;
  if (schema.parameters !== undefined) out.parameters = { ...schema.parameters };
  if (schema.defaultValue !== undefined && schema.defaultValue !== null) {
    out.default = valueToJson(schema, schema.defaultValue, { decimalNumeric: false, replaceNull: true });
  }
  return out;
}

const TYPES: ReadonlySet<string> = new Set(SCHEMA_TYPES);

/** Reads Kafka's JSON form of a schema. */
export function schemaFromJson(json: unknown): Schema {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new DataError('Schema must be a JSON object');
  }
  const o = json as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !TYPES.has(type)) {
    throw new DataError(`Unknown schema type: ${String(type)}`);
  }
  const schema: {
    -readonly [K in keyof Schema]: Schema[K];
  } = { type: type as Schema['type'], optional: o.optional === true };
  if (typeof o.name === 'string') schema.name = o.name;
  if (typeof o.version === 'number') schema.version = o.version;
  if (typeof o.doc === 'string') schema.doc = o.doc;
  if (o.parameters && typeof o.parameters === 'object') {
    schema.parameters = Object.fromEntries(
      Object.entries(o.parameters as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
  }
  if (type === 'struct') {
    if (!Array.isArray(o.fields)) throw new DataError('Struct schema\'s "fields" argument is not an array.');
    schema.fields = o.fields.map((f, index) => {
      const name = (f as Record<string, unknown>)?.field;
      if (typeof name !== 'string') throw new DataError("Struct schema's field name not specified properly");
      return { name, index, schema: schemaFromJson(f) };
    });
  } else if (type === 'array') {
    if (o.items === undefined) throw new DataError('Array schema did not specify the element type');
    schema.valueSchema = schemaFromJson(o.items);
  } else if (type === 'map') {
    if (o.keys === undefined || o.values === undefined)
      throw new DataError('Map schema did not specify the key/value type');
    schema.keySchema = schemaFromJson(o.keys);
    schema.valueSchema = schemaFromJson(o.values);
  }
  if (o.default !== undefined && o.default !== null) schema.defaultValue = valueFromJson(schema, o.default);
  return schema;
}

interface WriteOptions {
  decimalNumeric: boolean;
  replaceNull: boolean;
}

/** Decimal's unscaled value as a Buffer (big-endian two's complement), from what connectors hand us. */
export function decimalBytes(value: unknown, scale: number): Buffer {
  if (Buffer.isBuffer(value)) return value;
  let unscaled: bigint;
  if (typeof value === 'bigint') unscaled = value;
  else {
    const text = typeof value === 'number' ? value.toFixed(scale) : String(value);
    const small = unscaledNumber(text, scale);
    if (small !== null) return safeIntegerBytes(small);
    const m = /^([-+]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
    if (!m) throw new DataError(`Invalid decimal value ${text}`);
    const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale);
    unscaled = BigInt(`${m[1]}${m[2] || '0'}${frac}`);
  }
  return bigintToBytes(unscaled);
}

/** Unscaled values of at most this many digits fit 6 bytes (2^47 has 15 digits), writeIntBE's limit. */
const SAFE_DIGITS = 14;

/**
 * Decimal text (e.g. "-12.5") → unscaled value at `scale` as a safe integer, or null when it does
 * not fit one or is not plain decimal text (the caller takes the BigInt path).
 */
function unscaledNumber(text: string, scale: number): number | null {
  const n = text.length;
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 0x2d || first === 0x2b) {
    negative = first === 0x2d;
    i = 1;
  }
  let v = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (fraction >= 0) {
        if (fraction === scale) continue; // digits past the scale are cut, as decimalBytes does
        fraction++;
      }
      v = v * 10 + (c - 0x30);
      if (v !== 0 && ++digits > SAFE_DIGITS) return null;
    } else if (c === 0x2e && fraction < 0) {
      fraction = 0;
    } else {
      return null;
    }
  }
  if (n === (negative || first === 0x2b ? 1 : 0)) return null;
  for (let f = Math.max(fraction, 0); f < scale; f++) {
    v *= 10;
    if (v !== 0 && ++digits > SAFE_DIGITS) return null;
  }
  return negative ? -v : v;
}

/** A safe integer as big-endian two's complement in the fewest bytes (bigintToBytes' output). */
function safeIntegerBytes(n: number): Buffer {
  let length = 1;
  // Smallest length whose signed range holds n.
  while (length < 6 && (n < -(2 ** (8 * length - 1)) || n >= 2 ** (8 * length - 1))) length++;
  const out = Buffer.allocUnsafe(length);
  out.writeIntBE(n, 0, length);
  return out;
}

export function bigintToBytes(n: bigint): Buffer {
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (!((v === 0n && (bytes[0]! & 0x80) === 0) || (v === -1n && (bytes[0]! & 0x80) !== 0)));
  return Buffer.from(bytes);
}

export function bytesToBigint(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  let v = 0n;
  for (const b of buf) v = (v << 8n) | BigInt(b);
  if (buf[0]! & 0x80) v -= 1n << BigInt(buf.length * 8);
  return v;
}

/** The decimal's text (e.g. "12.34") for its unscaled bytes and scale. */
export function decimalText(bytes: Buffer, scale: number): string {
  const n = bytesToBigint(bytes);
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

function timeNumber(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  throw new DataError(`Invalid time value ${String(value)}`);
}

const DAY_MS = 86_400_000;

/** Connect data → JSON-ready value (bigint stays bigint; toJsonText writes it as a number). */
export function valueToJson(schema: Schema | null, value: unknown, options: WriteOptions): unknown {
  if (schema === null) return schemalessToJson(value);
  if (value === null || value === undefined) {
    if (options.replaceNull && schema.defaultValue !== undefined && schema.defaultValue !== null) {
      return valueToJson(schema, schema.defaultValue, options);
    }
    if (schema.optional) return null;
    throw new DataError(`Conversion error: null value for field that is required and has no default value`);
  }
  switch (schema.name) {
    case LOGICAL.decimal: {
      const scale = Number(schema.parameters?.scale ?? 0);
      const bytes = decimalBytes(value, scale);
      return options.decimalNumeric ? { rawNumber: decimalText(bytes, scale) } : bytes.toString('base64');
    }
    case LOGICAL.date:
      return value instanceof Date ? Math.floor(value.getTime() / DAY_MS) : timeNumber(value);
    case LOGICAL.time:
      return value instanceof Date ? value.getTime() % DAY_MS : timeNumber(value);
    case LOGICAL.timestamp:
      return timeNumber(value);
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') throw new DataError(`Invalid type for ${schema.type}: ${typeof value}`);
      return value;
    case 'int64':
      if (typeof value !== 'number' && typeof value !== 'bigint') {
        throw new DataError(`Invalid type for int64: ${typeof value}`);
      }
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new DataError(`Invalid type for boolean: ${typeof value}`);
      return value;
    case 'string':
      if (typeof value !== 'string') throw new DataError(`Invalid type for string: ${typeof value}`);
      return value;
    case 'bytes':
      if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      throw new DataError(`Invalid type for bytes: ${typeof value}`);
    case 'array':
      if (!Array.isArray(value)) throw new DataError('Invalid type for array');
      return value.map((v) => valueToJson(schema.valueSchema!, v, options));
    case 'map': {
      const entries = value instanceof Map ? [...value] : Object.entries(value as object);
      if (schema.keySchema!.type === 'string') {
        return Object.fromEntries(entries.map(([k, v]) => [k, valueToJson(schema.valueSchema!, v, options)]));
      }
      return entries.map(([k, v]) => [
        valueToJson(schema.keySchema!, k, options),
        valueToJson(schema.valueSchema!, v, options),
      ]);
    }
    case 'struct': {
      if (typeof value !== 'object') throw new DataError('Invalid type for struct');
      const struct = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) out[f.name] = valueToJson(f.schema, struct[f.name], options);
      return out;
    }
  }
}

const LOGICAL_NAMES: ReadonlySet<string> = new Set(Object.values(LOGICAL));

/**
 * Where compiled writers put JSON text: UTF-8 bytes in one growing buffer, reused from record to
 * record (writing is synchronous), so a record's JSON is built without a string per field.
 */
const SINK_START_BYTES = 16 * 1024;
const SINK_KEEP_BYTES = 1024 * 1024;

export class JsonSink {
  buf: Buffer = Buffer.allocUnsafeSlow(SINK_START_BYTES);
  pos = 0;

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Any text, as UTF-8. */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.pos += (this.buf as Utf8Buffer).utf8Write(text, this.pos, this.buf.length - this.pos);
  }

  /** Text known to be ASCII (numbers, base64, literals). */
  ascii(text: string): void {
    const n = text.length;
    this.ensure(n);
    const b = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) b[o++] = text.charCodeAt(i);
    this.pos = o;
  }

  /** A finite number as JSON.stringify writes it (safe integers digit by digit, no string made). */
  number(value: number): void {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) {
      this.ascii(Number.isFinite(value) ? String(value) : 'null');
      return;
    }
    this.ensure(17);
    const b = this.buf;
    let n = value;
    if (n < 0) {
      b[this.pos++] = 0x2d;
      n = -n;
    }
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    let o = this.pos + digits;
    this.pos = o;
    do {
      const q = Math.floor(n / 10);
      b[--o] = 0x30 + (n - q * 10);
      n = q;
    } while (n > 0);
  }

  /** Pre-encoded bytes (short ones by a loop: cheaper than a native copy). */
  bytes(bytes: Uint8Array): void {
    const n = bytes.length;
    this.ensure(n);
    if (n > 64) {
      this.buf.set(bytes, this.pos);
      this.pos += n;
      return;
    }
    const b = this.buf;
    let o = this.pos;
    for (let i = 0; i < n; i++) b[o++] = bytes[i]!;
    this.pos = o;
  }

  /** A JSON string literal, exactly as JSON.stringify writes it. */
  string(value: string): void {
    const n = value.length;
    this.ensure(n + 2);
    const b = this.buf;
    const start = this.pos;
    let o = start;
    b[o++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = value.charCodeAt(i);
      // Printable ASCII other than " and \ is written as is; anything else takes JSON.stringify.
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) {
        this.pos = start;
        this.text(JSON.stringify(value));
        return;
      }
      b[o++] = c;
    }
    b[o++] = 0x22;
    this.pos = o;
  }

  /** A copy of what was written since `from`, behind `prefix` and before `suffix` (a byte, or -1). */
  take(from: number, prefix: Buffer | null, suffix: number): Buffer {
    const n = this.pos - from;
    const p = prefix === null ? 0 : prefix.length;
    const out = recordBytes(p + n + (suffix < 0 ? 0 : 1));
    if (prefix !== null) out.set(prefix, 0);
    this.buf.copy(out, p, from, this.pos);
    if (suffix >= 0) out[out.length - 1] = suffix;
    return out;
  }
}

/**
 * Converted records are views into shared slabs, each written once: a Debezium envelope is about
 * 3.7 KB, so Node's 8 KiB Buffer pool would take a new ArrayBuffer every second record. A slab is
 * freed once no record of it is referenced.
 */
const SLAB_BYTES = 64 * 1024;
let slab = Buffer.allocUnsafeSlow(0);
let slabAt = 0;

function recordBytes(size: number): Buffer {
  if (size > SLAB_BYTES / 4) return Buffer.allocUnsafe(size);
  if (slabAt + size > slab.length) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabAt = 0;
  }
  const out = slab.subarray(slabAt, slabAt + size);
  slabAt += size;
  return out;
}

type Utf8Buffer = Buffer & { utf8Write(text: string, offset: number, length: number): number };

/** Writes connect data of one schema into a sink as JSON. */
export type ValueWriter = (sink: JsonSink, value: unknown) => void;

function numberWriter(type: string): ValueWriter {
  return (sink, value) => {
    if (typeof value !== 'number') throw new DataError(`Invalid type for ${type}: ${typeof value}`);
    sink.number(value);
  };
}

/**
 * Compiles the writer of `schema` (the hot path of fromConnectData): one closure per schema node
 * decided once, so writing a record walks no schema and builds no intermediate strings or objects.
 * The output is `toJsonText(valueToJson(schema, value, options))`'s, byte for byte; null values and
 * the types without a writer of their own (maps, bytes, Kafka's Time/Timestamp/Date) take that
 * general path.
 */
export function compileWriter(schema: Schema, options: WriteOptions): ValueWriter {
  const general: ValueWriter = (sink, value) => sink.text(toJsonText(valueToJson(schema, value, options)));
  // A null of an optional field without a default to put in its place is `null` (Debezium's
  // envelopes have several per record): written as is, not through the general path.
  const plainNull =
    schema.optional &&
    !(options.replaceNull && schema.defaultValue !== undefined && schema.defaultValue !== null);
  const orNull =
    (write: ValueWriter): ValueWriter =>
    (sink, value) => {
      if (value !== null && value !== undefined) write(sink, value);
      else if (plainNull) sink.bytes(NULL_BYTES);
      else general(sink, value);
    };
  if (schema.name !== undefined && LOGICAL_NAMES.has(schema.name)) {
    if (schema.name !== LOGICAL.decimal) return general;
    const scale = Number(schema.parameters?.scale ?? 0);
    return orNull((sink, value) => {
      const bytes = decimalBytes(value, scale);
      if (options.decimalNumeric) sink.ascii(decimalText(bytes, scale));
      else {
        // Base64 needs no escaping.
        sink.ascii('"');
        sink.ascii(bytes.toString('base64'));
        sink.ascii('"');
      }
    });
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'float32':
    case 'float64':
      return orNull(numberWriter(schema.type));
    case 'int64':
      return orNull((sink, value) => {
        if (typeof value === 'number') sink.number(value);
        else if (typeof value === 'bigint') sink.ascii(value.toString());
        else throw new DataError(`Invalid type for int64: ${typeof value}`);
      });
    case 'boolean':
      return orNull((sink, value) => {
        if (typeof value !== 'boolean') throw new DataError(`Invalid type for boolean: ${typeof value}`);
        sink.ascii(value ? 'true' : 'false');
      });
    case 'string':
      return orNull((sink, value) => {
        if (typeof value !== 'string') throw new DataError(`Invalid type for string: ${typeof value}`);
        sink.string(value);
      });
    case 'struct': {
      const fields = schema.fields ?? [];
      const names = fields.map((f) => f.name);
      // `{"name":` / `,"name":` as UTF-8, per field.
      const prefixes = fields.map((f, i) => Buffer.from(`${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`));
      const writers = fields.map((f) => compileWriter(f.schema, options));
      const count = fields.length;
      if (count === 0) {
        return orNull((sink, value) => {
          if (typeof value !== 'object') throw new DataError('Invalid type for struct');
          sink.ascii('{}');
        });
      }
      return orNull(structWriter(names, prefixes, writers));
    }
    case 'array': {
      const item = compileWriter(schema.valueSchema!, options);
      return orNull((sink, value) => {
        if (!Array.isArray(value)) throw new DataError('Invalid type for array');
        sink.ascii('[');
        for (let i = 0; i < value.length; i++) {
          if (i > 0) sink.ascii(',');
          item(sink, value[i]);
        }
        sink.ascii(']');
      });
    }
    default:
      return general;
  }
}

const NULL_BYTES = Buffer.from('null');

/**
 * A struct's writer as straight-line code, one statement per field with the field's name as a
 * literal: every property read is then a named load V8 caches for the struct's shape, where a loop
 * reading `struct[names[i]]` makes one keyed load see every name (megamorphic). Names go in as JSON
 * string literals, so any name is safe.
 */
function structWriter(
  names: readonly string[],
  prefixes: readonly Buffer[],
  writers: readonly ValueWriter[],
): ValueWriter {
  const lines = names.map((name, i) => `sink.bytes(p[${i}]); w[${i}](sink, v[${JSON.stringify(name)}]);`);
  const make = new Function(
    'p',
    'w',
    'DataError',
    `return function writeStruct(sink, v) {
  if (typeof v !== 'object') throw new DataError('Invalid type for struct');
  ${lines.join('\n  ')}
  sink.bytes(p[${names.length}]);
};`,
  ) as (p: readonly Buffer[], w: readonly ValueWriter[], error: typeof DataError) => ValueWriter;
  return make([...prefixes, Buffer.from('}')], writers, DataError);
}

function schemalessToJson(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map(schemalessToJson);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([k, v]) => [String(k), schemalessToJson(v)]));
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemalessToJson(v)]));
  }
  return value;
}

/** JSON value → connect data for `schema`. */
export function valueFromJson(schema: Schema, json: unknown): unknown {
  if (json === null || json === undefined) {
    if (schema.defaultValue !== undefined) return schema.defaultValue;
    if (schema.optional) return null;
    throw new DataError(`Invalid null value for required ${schema.type} field`);
  }
  if (schema.name === LOGICAL.decimal) {
    const scale = Number(schema.parameters?.scale ?? 0);
    if (typeof json === 'string') return Buffer.from(json, 'base64');
    if (typeof json === 'number') return decimalBytes(json, scale);
    throw new DataError('Invalid type for Decimal, underlying representation should be numeric or bytes');
  }
  const expect = (ok: boolean): void => {
    if (!ok)
      throw new DataError(
        `Invalid value ${JSON.stringify(json)} for schema type ${schema.type.toUpperCase()}`,
      );
  };
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      expect(typeof json === 'number' && Number.isInteger(json));
      return json;
    case 'float32':
    case 'float64':
      expect(typeof json === 'number');
      return json;
    case 'boolean':
      expect(typeof json === 'boolean');
      return json;
    case 'string':
      expect(typeof json === 'string');
      return json;
    case 'bytes':
      expect(typeof json === 'string');
      return Buffer.from(json as string, 'base64');
    case 'array':
      expect(Array.isArray(json));
      return (json as unknown[]).map((v) => valueFromJson(schema.valueSchema!, v));
    case 'map': {
      if (schema.keySchema!.type === 'string') {
        expect(typeof json === 'object' && !Array.isArray(json));
        return Object.fromEntries(
          Object.entries(json as object).map(([k, v]) => [k, valueFromJson(schema.valueSchema!, v)]),
        );
      }
      expect(Array.isArray(json));
      return new Map(
        (json as unknown[]).map((pair) => {
          if (!Array.isArray(pair) || pair.length !== 2) {
            throw new DataError('Found invalid map entry instead of array tuple');
          }
          return [valueFromJson(schema.keySchema!, pair[0]), valueFromJson(schema.valueSchema!, pair[1])];
        }),
      );
    }
    case 'struct': {
      expect(typeof json === 'object' && !Array.isArray(json));
      const o = json as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const f of schema.fields ?? []) out[f.name] = valueFromJson(f.schema, o[f.name]);
      return out;
    }
  }
}

/** JSON value → connect data of one schema. */
export type ValueReader = (json: unknown) => unknown;

function invalid(schema: Schema, json: unknown): DataError {
  return new DataError(`Invalid value ${JSON.stringify(json)} for schema type ${schema.type.toUpperCase()}`);
}

/**
 * Compiles the reader of `schema` (the hot path of toConnectData): `valueFromJson`'s result and
 * errors, with the schema walked once instead of per record. Maps and Decimal take the general path.
 */
export function compileReader(schema: Schema): ValueReader {
  const general: ValueReader = (json) => valueFromJson(schema, json);
  const orNull =
    (read: ValueReader): ValueReader =>
    (json) =>
      json === null || json === undefined ? general(json) : read(json);
  // Decimal as Kafka writes it (base64 of the unscaled bytes); numbers take the general path.
  if (schema.name === LOGICAL.decimal)
    return orNull((json) => (typeof json === 'string' ? Buffer.from(json, 'base64') : general(json)));
  switch (schema.type) {
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return orNull((json) => {
        if (typeof json !== 'number' || !Number.isInteger(json)) throw invalid(schema, json);
        return json;
      });
    case 'float32':
    case 'float64':
      return orNull((json) => {
        if (typeof json !== 'number') throw invalid(schema, json);
        return json;
      });
    case 'boolean':
      return orNull((json) => {
        if (typeof json !== 'boolean') throw invalid(schema, json);
        return json;
      });
    case 'string':
      return orNull((json) => {
        if (typeof json !== 'string') throw invalid(schema, json);
        return json;
      });
    case 'array': {
      const item = compileReader(schema.valueSchema!);
      return orNull((json) => {
        if (!Array.isArray(json)) throw invalid(schema, json);
        const out = new Array<unknown>(json.length);
        for (let i = 0; i < json.length; i++) out[i] = item(json[i]);
        return out;
      });
    }
    case 'struct': {
      const fields = schema.fields ?? [];
      return structReader(
        schema,
        fields.map((f) => f.name),
        fields.map((f) => compileReader(f.schema)),
        general,
      );
    }
    default:
      return general;
  }
}

/**
 * A struct's reader as straight-line code, one statement per field with the field's name as a
 * literal (named loads cached for the parsed object's shape, and one call site per field reader
 * instead of one call site seeing every reader). Usually the object holds exactly the schema's
 * fields, in its order (as a JsonConverter writes them): it is read in place (JSON.parse made it,
 * nothing else holds it); otherwise a new object gets the schema's fields.
 */
function structReader(
  schema: Schema,
  names: readonly string[],
  readers: readonly ValueReader[],
  general: ValueReader,
): ValueReader {
  const count = names.length;
  const lit = names.map((n) => JSON.stringify(n));
  const make = new Function(
    'schema',
    'names',
    'r',
    'general',
    'invalid',
    `${readers.map((_, i) => `const r${i} = r[${i}];`).join('\n')}
return function readStruct(json) {
  if (json === null || json === undefined) return general(json);
  if (typeof json !== 'object' || Array.isArray(json)) throw invalid(schema, json);
  let i = 0;
  for (const k in json) {
    if (i === ${count} || k !== names[i]) {
      i = -1;
      break;
    }
    i++;
  }
  if (i === ${count}) {
    let v, x;
    ${lit.map((n, i) => `v = json[${n}]; x = r${i}(v); if (x !== v) json[${n}] = x;`).join('\n    ')}
    return json;
  }
  const out = {};
  for (let j = 0; j < ${count}; j++) out[names[j]] = r[j](json[names[j]]);
  return out;
};`,
  ) as (
    schema: Schema,
    names: readonly string[],
    r: readonly ValueReader[],
    general: ValueReader,
    error: typeof invalid,
  ) => ValueReader;
  return make(schema, names, readers, general, invalid);
}

/** Schema JSON text per schema object: connectors reuse schema objects, so this is written once. */
const schemaTextCache = new WeakMap<Schema, string>();

function schemaText(schema: Schema): string {
  let text = schemaTextCache.get(schema);
  if (text === undefined) {
    text = toJsonText(schemaToJson(schema));
    schemaTextCache.set(schema, text);
  }
  return text;
}

/** `{"schema":<schema text>,"payload":` as bytes, per schema object. */
const envelopePrefixCache = new WeakMap<Schema, Buffer>();
const NULL_SCHEMA_PREFIX = Buffer.from('{"schema":null,"payload":');

function envelopePrefix(schema: Schema | null): Buffer {
  if (schema === null) return NULL_SCHEMA_PREFIX;
  let prefix = envelopePrefixCache.get(schema);
  if (prefix === undefined) {
    prefix = Buffer.from(`{"schema":${schemaText(schema)},"payload":`);
    envelopePrefixCache.set(schema, prefix);
  }
  return prefix;
}

/** The sink compiled writers write into (conversion is synchronous, so one is enough). */
const sink = new JsonSink();

export class JsonConverter implements Converter {
  #schemasEnabled = true;
  #writeOptions: WriteOptions = { decimalNumeric: false, replaceNull: true };
  /** Compiled writers per schema object (connectors reuse schema objects). */
  #writers = new WeakMap<Schema, ValueWriter>();

  configure(config: ConnectConfig, _isKey: boolean): void {
    const parsed = parseConfig(CONFIG, config);
    const problem = [...parsed.errors.values()][0]?.[0];
    if (problem) throw new DataError(problem);
    this.#schemasEnabled = parsed.values['schemas.enable'] === true;
    this.#writeOptions = {
      decimalNumeric: parsed.values['decimal.format'] === 'NUMERIC',
      replaceNull: parsed.values['replace.null.with.default'] === true,
    };
    this.#writers = new WeakMap();
  }

  fromConnectData(_topic: string, _headers: unknown, schema: Schema | null, value: unknown): Buffer | null {
    return this.#write(schema, value, false);
  }

  /**
   * With schemas: the schema's cached `{"schema":...,"payload":` bytes (shared by every record of
   * that schema: not to be written to) and the record's own `<payload>}`; without: one Buffer.
   */
  fromConnectDataParts(
    _topic: string,
    _headers: unknown,
    schema: Schema | null,
    value: unknown,
  ): Buffer | readonly Buffer[] | null {
    return this.#write(schema, value, true);
  }

  #write<P extends boolean>(
    schema: Schema | null,
    value: unknown,
    parts: P,
  ): (P extends true ? Buffer | readonly Buffer[] : Buffer) | null;
  #write(schema: Schema | null, value: unknown, parts: boolean): Buffer | readonly Buffer[] | null {
    if (schema === null && value === null) return null;
    // The payload goes into the shared sink, then once into the record's bytes behind the
    // schema's cached `{"schema":...,"payload":` prefix (or beside it, as parts); a writer that
    // throws leaves nothing behind.
    const from = sink.pos;
    try {
      if (schema === null) sink.text(toJsonText(valueToJson(null, value, this.#writeOptions)));
      else {
        let write = this.#writers.get(schema);
        if (write === undefined) {
          write = compileWriter(schema, this.#writeOptions);
          this.#writers.set(schema, write);
        }
        write(sink, value);
      }
      if (!this.#schemasEnabled) return sink.take(from, null, -1);
      if (parts) return [envelopePrefix(schema), sink.take(from, null, 0x7d)];
      return sink.take(from, envelopePrefix(schema), 0x7d);
    } finally {
      sink.pos = from;
      // A very large record does not keep its buffer size for good.
      if (from === 0 && sink.buf.length > SINK_KEEP_BYTES)
        sink.buf = Buffer.allocUnsafeSlow(SINK_START_BYTES);
    }
  }

  /** Parsed schemas by their JSON text (records of a topic share a few schemas). */
  readonly #schemas = new Map<string, Schema>();

  #readSchema(json: unknown): Schema {
    const key = JSON.stringify(json);
    let schema = this.#schemas.get(key);
    if (schema === undefined) {
      schema = schemaFromJson(json);
      if (this.#schemas.size >= 1000) this.#schemas.clear();
      this.#schemas.set(key, schema);
    }
    return schema;
  }

  /** The envelope prefix `{"schema":<text>,"payload":` of the last schema read, the schema and its reader. */
  #lastPrefix: Buffer | null = null;
  #lastSchema: Schema | null = null;
  #lastReader: ValueReader | null = null;
  /** Compiled readers per schema object (parsed schemas are cached, so they repeat). */
  #readers = new WeakMap<Schema, ValueReader>();

  #reader(schema: Schema): ValueReader {
    let read = this.#readers.get(schema);
    if (read === undefined) {
      read = compileReader(schema);
      this.#readers.set(schema, read);
    }
    return read;
  }

  toConnectData(_topic: string, _headers: unknown, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null || bytes.length === 0) return { schema: null, value: null };
    // Fast path: the same schema as the previous record (byte for byte), so only the payload is parsed.
    const prefix = this.#lastPrefix;
    if (
      this.#schemasEnabled &&
      prefix !== null &&
      bytes.length > prefix.length &&
      bytes[bytes.length - 1] === 0x7d &&
      bytes.compare(prefix, 0, prefix.length, 0, prefix.length) === 0
    ) {
      let payload: unknown;
      try {
        payload = JSON.parse(bytes.toString('utf8', prefix.length, bytes.length - 1));
      } catch {
        payload = undefined;
      }
      if (payload !== undefined) return { schema: this.#lastSchema, value: this.#lastReader!(payload) };
    }
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      throw new DataError(
        `Converting byte[] to Kafka Connect data failed due to serialization error: ${(err as Error).message}`,
      );
    }
    if (!this.#schemasEnabled) return { schema: null, value: json };
    if (
      json === null ||
      typeof json !== 'object' ||
      Array.isArray(json) ||
      !('schema' in json) ||
      !('payload' in json) ||
      Object.keys(json).length !== 2
    ) {
      throw new DataError(
        'JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.',
      );
    }
    const envelope = json as { schema: unknown; payload: unknown };
    if (envelope.schema === null) return { schema: null, value: envelope.payload };
    const schema = this.#readSchema(envelope.schema);
    // Remember this schema's exact envelope prefix when the bytes are in our (Kafka's) layout.
    const candidate = envelopePrefix(schema);
    if (bytes.compare(candidate, 0, candidate.length, 0, candidate.length) === 0) {
      this.#lastPrefix = candidate;
      this.#lastSchema = schema;
      this.#lastReader = this.#reader(schema);
    }
    return { schema, value: this.#reader(schema)(envelope.payload) };
  }
}

export const jsonConverterPlugin: ConverterPlugin = {
  className: 'org.apache.kafka.connect.json.JsonConverter',
  config: CONFIG,
  create: () => new JsonConverter(),
};
