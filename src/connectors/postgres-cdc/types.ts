/**
 * PostgreSQL column types → Kafka Connect schemas and values, following Debezium's documented
 * mappings (Debezium 3.x, `PostgresValueConverter`). Values arrive as PostgreSQL's text output (the
 * snapshot reads text, pgoutput sends text), with the session settings the connector sets:
 * DateStyle ISO, IntervalStyle postgres, TimeZone UTC, bytea_output hex, extra_float_digits 3.
 *
 * Supported: bool, int2/int4/int8/oid, float4/float8, numeric (decimal.handling.mode precise |
 * double | string; VariableScaleDecimal when no scale is declared), money, char/varchar/text/name/
 * bpchar/citext, json/jsonb, xml, uuid, bytea (binary.handling.mode), date, time, timetz,
 * timestamp, timestamptz (time.precision.mode adaptive | adaptive_time_microseconds | connect),
 * interval (interval.handling.mode), inet/cidr/macaddr, ranges, tsvector, ltree, bit(1), enums,
 * domains (as their base type) and one-dimensional arrays of all of these.
 *
 * Not implemented (such columns are left out of events, as Debezium does with
 * include.unknown.datatypes=false): geometric types, PostGIS, hstore, bit(n>1)/varbit, composite
 * types, multi-dimensional arrays (flattened), the `structured`/`isostring` time modes. Infinite dates
 * and timestamps map to the int32/int64 extremes rather than Debezium's JDBC sentinel values.
 */
import { LOGICAL, type Schema } from '../../connect/api/index.ts';
import type { BinaryMode, DecimalMode, IntervalMode, TimePrecisionMode } from './config.ts';

export interface PgType {
  readonly oid: number;
  readonly name: string;
  /** pg_type.typtype: b base, e enum, d domain, c composite, r range, p pseudo, m multirange. */
  readonly kind: string;
  /** pg_type.typcategory ('A' array). */
  readonly category: string;
  readonly elem: number;
  readonly baseType: number;
  readonly baseTypmod: number;
  readonly enumValues?: readonly string[];
}

/** The pg_type rows the connector needs, by oid. */
export class TypeRegistry {
  readonly types = new Map<number, PgType>();

  get(oid: number): PgType | undefined {
    return this.types.get(oid);
  }

  set(type: PgType): void {
    this.types.set(type.oid, type);
  }
}

export interface CodecOptions {
  readonly decimalMode: DecimalMode;
  readonly timePrecisionMode: TimePrecisionMode;
  readonly binaryMode: BinaryMode;
  readonly intervalMode: IntervalMode;
}

/** How one column's values become Connect values. `parse` gets PostgreSQL's text output (never null). */
export interface ColumnCodec {
  readonly schema: Schema;
  parse(text: string): unknown;
}

type Parse = (text: string) => unknown;
/** A codec before nullability: the schema's properties other than `optional`, and the parser. */
interface Base {
  type: Schema['type'];
  name?: string;
  version?: number;
  doc?: string;
  parameters?: Record<string, string>;
  fields?: Schema['fields'];
  valueSchema?: Schema;
  parse: Parse;
}

/** The Connect schema of a codec, with the properties in JsonConverter's order. */
function schemaOf(base: Base, optional: boolean): Schema {
  const schema: { -readonly [K in keyof Schema]: Schema[K] } = { type: base.type, optional };
  if (base.name !== undefined) schema.name = base.name;
  if (base.version !== undefined) schema.version = base.version;
  if (base.doc !== undefined) schema.doc = base.doc;
  if (base.parameters !== undefined) schema.parameters = base.parameters;
  if (base.fields !== undefined) schema.fields = base.fields;
  if (base.valueSchema !== undefined) schema.valueSchema = base.valueSchema;
  return schema;
}

const TEXT_TYPES = new Set([
  'text',
  'varchar',
  'bpchar',
  'char',
  'name',
  'citext',
  'inet',
  'cidr',
  'macaddr',
  'macaddr8',
  'int4range',
  'int8range',
  'numrange',
  'tsrange',
  'tstzrange',
  'daterange',
  'int4multirange',
  'isbn',
]);

const identity: Parse = (t) => t;

/** The codec for a column of type `oid` with modifier `typmod`, or null when the type is not supported. */
export function columnCodec(
  registry: TypeRegistry,
  oid: number,
  typmod: number,
  optional: boolean,
  options: CodecOptions,
  defaultText: string | null = null,
): ColumnCodec | null {
  const base = baseCodec(registry, oid, typmod, options, 0);
  if (!base) return null;
  const schema = schemaOf(base, optional);
  const withDefault = defaultValueOf(registry, oid, base, defaultText, optional);
  return {
    schema: withDefault === undefined ? schema : { ...schema, defaultValue: withDefault },
    parse: base.parse,
  };
}

function baseCodec(
  registry: TypeRegistry,
  oid: number,
  typmod: number,
  options: CodecOptions,
  depth: number,
): Base | null {
  const type = registry.get(oid);
  if (!type || depth > 4) return null;
  if (type.kind === 'd') {
    return baseCodec(registry, type.baseType, typmod >= 0 ? typmod : type.baseTypmod, options, depth + 1);
  }
  if (type.kind === 'e') {
    return {
      type: 'string',
      name: 'io.debezium.data.Enum',
      version: 1,
      parameters: { allowed: (type.enumValues ?? []).join(',') },
      parse: identity,
    };
  }
  if (type.category === 'A' && type.elem !== 0) {
    const element = baseCodec(registry, type.elem, typmod, options, depth + 1);
    if (!element || element.type === 'array') return null;
    const elementParse = element.parse;
    return {
      type: 'array',
      valueSchema: schemaOf(element, true),
      parse: (text) => parseArray(text).map((v) => (v === null ? null : elementParse(v))),
    };
  }
  if (TEXT_TYPES.has(type.name)) return { type: 'string', parse: identity };
  switch (type.name) {
    case 'bool':
      return { type: 'boolean', parse: (t) => t === 't' || t === 'true' };
    case 'int2':
      return { type: 'int16', parse: (t) => Number.parseInt(t, 10) };
    case 'int4':
      return { type: 'int32', parse: (t) => Number.parseInt(t, 10) };
    case 'int8':
    case 'oid':
      return { type: 'int64', parse: parseInt64 };
    case 'float4':
      return { type: 'float32', parse: Number };
    case 'float8':
      return { type: 'float64', parse: Number };
    case 'numeric':
      return numericCodec(typmod, options.decimalMode);
    case 'money':
      return moneyCodec(options.decimalMode);
    case 'json':
    case 'jsonb':
      return { type: 'string', name: 'io.debezium.data.Json', version: 1, parse: identity };
    case 'xml':
      return { type: 'string', name: 'io.debezium.data.Xml', version: 1, parse: identity };
    case 'uuid':
      return { type: 'string', name: 'io.debezium.data.Uuid', version: 1, parse: identity };
    case 'ltree':
      return { type: 'string', name: 'io.debezium.data.Ltree', version: 1, parse: identity };
    case 'tsvector':
      return { type: 'string', name: 'io.debezium.data.TsVector', version: 1, parse: identity };
    case 'bytea':
      return byteaCodec(options.binaryMode);
    case 'bit':
      return typmod === 1 ? { type: 'boolean', parse: (t) => t === '1' } : null;
    case 'date':
      return options.timePrecisionMode === 'connect'
        ? { type: 'int32', name: LOGICAL.date, version: 1, parse: parseDate }
        : { type: 'int32', name: 'io.debezium.time.Date', version: 1, parse: parseDate };
    case 'time':
      return timeCodec(typmod, options.timePrecisionMode);
    case 'timetz':
      return { type: 'string', name: 'io.debezium.time.ZonedTime', version: 1, parse: parseTimeTz };
    case 'timestamp':
      return timestampCodec(typmod, options.timePrecisionMode);
    case 'timestamptz': {
      const width = typmod < 0 ? 6 : typmod;
      return {
        type: 'string',
        name: 'io.debezium.time.ZonedTimestamp',
        version: 1,
        parse: (t) => parseTimestampTz(t, width),
      };
    }
    case 'interval':
      return options.intervalMode === 'string'
        ? { type: 'string', name: 'io.debezium.time.Interval', version: 1, parse: intervalIso }
        : { type: 'int64', name: 'io.debezium.time.MicroDuration', version: 1, parse: intervalMicros };
    default:
      return null;
  }
}

// ---- numbers ----

function parseInt64(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** numeric(p, s) from its typmod; null when declared without precision. */
export function numericPrecisionScale(typmod: number): { precision: number; scale: number } | null {
  if (typmod < 4) return null;
  const packed = typmod - 4;
  let scale = packed & 0x7ff;
  if (scale > 1000) scale -= 0x800; // PostgreSQL 15+: negative scales are stored in 11 bits
  return { precision: (packed >> 16) & 0xffff, scale };
}

function numericCodec(typmod: number, mode: DecimalMode): Base {
  const ps = numericPrecisionScale(typmod);
  if (mode === 'double') return { type: 'float64', parse: Number };
  if (mode === 'string') return { type: 'string', parse: identity };
  if (!ps) {
    return {
      type: 'struct',
      name: 'io.debezium.data.VariableScaleDecimal',
      version: 1,
      fields: [
        { name: 'scale', index: 0, schema: { type: 'int32', optional: false } },
        { name: 'value', index: 1, schema: { type: 'bytes', optional: false } },
      ],
      doc: 'Variable scaled decimal',
      parse: (t) => {
        const d = decimalOf(t, null, true);
        return d === null ? null : { scale: d.scale, value: d.bytes };
      },
    };
  }
  return {
    type: 'bytes',
    name: LOGICAL.decimal,
    version: 1,
    parameters: { scale: String(ps.scale), 'connect.decimal.precision': String(ps.precision) },
    parse: (t) => decimalBytes(t, ps.scale),
  };
}

/**
 * `decimalOf(text, scale, false)?.bytes ?? null`, without a BigInt or a string made when `text` is
 * `[-]digits[.digits]` with at most `scale` decimals and the unscaled value fits in 47 bits (as
 * PostgreSQL writes numeric(p, s) for p up to 14).
 */
export function decimalBytes(text: string, scale: number): Buffer | null {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (text.charCodeAt(0) === 45) {
    negative = true;
    i = 1;
  }
  let unscaled = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 && decimals < 0) {
      decimals = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return decimalOf(text, scale, false)?.bytes ?? null;
    unscaled = unscaled * 10 + d;
    digits++;
    if (decimals >= 0) decimals++;
  }
  if (decimals < 0) decimals = 0;
  if (digits === 0 || digits > 15 || decimals > scale) return decimalOf(text, scale, false)?.bytes ?? null;
  for (let k = decimals; k < scale; k++) unscaled *= 10;
  if (unscaled >= 140737488355328) return decimalOf(text, scale, false)?.bytes ?? null;
  return smallTwosComplement(negative ? -unscaled : unscaled);
}

function moneyCodec(mode: DecimalMode): Base {
  const plain = (t: string): string => {
    const negative = t.includes('-') || t.startsWith('(');
    const digits = t.replace(/[^0-9.]/g, '');
    return negative ? `-${digits}` : digits;
  };
  if (mode === 'double') return { type: 'float64', parse: (t) => Number(plain(t)) };
  if (mode === 'string') return { type: 'string', parse: (t) => decimalText(plain(t), 2) };
  return {
    type: 'bytes',
    name: LOGICAL.decimal,
    version: 1,
    parameters: { scale: '2' },
    parse: (t) => decimalOf(plain(t), 2, false)?.bytes ?? null,
  };
}

function decimalText(text: string, scale: number): string {
  const [int = '0', frac = ''] = text.split('.');
  return scale > 0 ? `${int}.${frac.padEnd(scale, '0').slice(0, scale)}` : int;
}

/**
 * A decimal string as Kafka's Decimal bytes (big-endian two's complement of the unscaled value, as
 * Java's BigInteger.toByteArray) at `scale`, or at its own scale with trailing zeros stripped.
 * NaN and infinities have no Decimal form: null.
 */
export function decimalOf(
  text: string,
  scale: number | null,
  strip: boolean,
): { scale: number; bytes: Buffer } | null {
  if (!/^[-+]?\d*\.?\d*(e[-+]?\d+)?$/i.test(text) || text === '') return null;
  let negative = false;
  let t = text;
  if (t[0] === '-' || t[0] === '+') {
    negative = t[0] === '-';
    t = t.slice(1);
  }
  let exponent = 0;
  const e = t.search(/e/i);
  if (e >= 0) {
    exponent = Number(t.slice(e + 1));
    t = t.slice(0, e);
  }
  const dot = t.indexOf('.');
  let digits = dot < 0 ? t : t.slice(0, dot) + t.slice(dot + 1);
  let ownScale = (dot < 0 ? 0 : t.length - dot - 1) - exponent;
  if (strip) {
    while (ownScale > 0 && digits.endsWith('0')) {
      digits = digits.slice(0, -1);
      ownScale--;
    }
  }
  const target = scale ?? Math.max(ownScale, 0);
  let unscaled = BigInt(digits === '' ? '0' : digits);
  if (target > ownScale) unscaled *= 10n ** BigInt(target - ownScale);
  else if (target < ownScale) unscaled /= 10n ** BigInt(ownScale - target);
  if (negative) unscaled = -unscaled;
  return { scale: target, bytes: twosComplement(unscaled) };
}

export function twosComplement(n: bigint): Buffer {
  // Fits in 6 bytes: no string round trip.
  if (n >= -140737488355328n && n < 140737488355328n) return smallTwosComplement(Number(n));
  const magnitude = n < 0n ? -n - 1n : n;
  const length = Math.floor(magnitude.toString(2).length / 8) + 1;
  const value = n < 0n ? (1n << BigInt(length * 8)) + n : n;
  return Buffer.from(value.toString(16).padStart(length * 2, '0'), 'hex');
}

/** twosComplement of an integer in [-2^47, 2^47). */
function smallTwosComplement(v: number): Buffer {
  let length = 1;
  while (length < 6 && (v >= 2 ** (8 * length - 1) || v < -(2 ** (8 * length - 1)))) length++;
  const out = Buffer.allocUnsafe(length);
  out.writeIntBE(v, 0, length);
  return out;
}

// ---- binary ----

function byteaCodec(mode: BinaryMode): Base {
  const bytes = (t: string): Buffer =>
    t.startsWith('\\x') ? Buffer.from(t.slice(2), 'hex') : Buffer.from(unescapeBytea(t), 'latin1');
  switch (mode) {
    case 'bytes':
      return { type: 'bytes', parse: bytes };
    case 'base64':
      return { type: 'string', parse: (t) => bytes(t).toString('base64') };
    case 'base64-url-safe':
      return { type: 'string', parse: (t) => bytes(t).toString('base64url') };
    case 'hex':
      return { type: 'string', parse: (t) => bytes(t).toString('hex') };
  }
}

function unescapeBytea(t: string): string {
  return t.replace(/\\(\\|[0-7]{3})/g, (_, m: string) =>
    m === '\\' ? '\\' : String.fromCharCode(parseInt(m, 8)),
  );
}

// ---- time ----

/** Days from 1970-01-01 to the proleptic Gregorian date (any year). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DATE = /^(\d{4,})-(\d{2})-(\d{2})/;

/** The number of `n` ASCII digits at `at`, or -1 if any is not a digit. */
function digitsAt(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since the epoch of `YYYY-MM-DD` at the start of `text` (a four-digit year), or NaN. */
function isoDays(text: string): number {
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return Number.NaN;
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  return y < 0 || m < 0 || d < 0 ? Number.NaN : daysFromCivil(y, m, d);
}

export function parseDate(text: string): number {
  // PostgreSQL's ISO output for years 1-9999 AD: no regular expression, nothing allocated.
  if (text.length === 10) {
    const days = isoDays(text);
    if (!Number.isNaN(days)) return days;
  }
  if (text === 'infinity') return 2147483647;
  if (text === '-infinity') return -2147483648;
  const m = DATE.exec(text);
  if (!m) throw new Error(`unexpected date "${text}"`);
  let year = Number(m[1]);
  if (text.endsWith(' BC')) year = 1 - year;
  return daysFromCivil(year, Number(m[2]), Number(m[3]));
}

/** Microseconds of `HH:MM:SS[.ffffff]` (24:00:00 allowed). */
function timeMicros(text: string, start = 0): number {
  const h = digitsAt(text, start, 2);
  const mi = digitsAt(text, start + 3, 2);
  const s = digitsAt(text, start + 6, 2);
  if (h < 0 || mi < 0 || s < 0) return Number.NaN;
  let micros = 0;
  if (text.charCodeAt(start + 8) === 46) {
    // The first six digits of the fraction, padded with zeros.
    let scale = 100_000;
    for (let i = start + 9; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      micros += d * scale;
      scale = scale / 10;
      if (scale < 1) break;
    }
  }
  return ((h * 60 + mi) * 60 + s) * 1_000_000 + micros;
}

function timeCodec(typmod: number, mode: TimePrecisionMode): Base {
  const precision = typmod < 0 ? 6 : typmod;
  if (mode === 'connect') {
    return { type: 'int32', name: LOGICAL.time, version: 1, parse: (t) => Math.floor(timeMicros(t) / 1000) };
  }
  if (mode === 'adaptive' && precision <= 3) {
    return {
      type: 'int32',
      name: 'io.debezium.time.Time',
      version: 1,
      parse: (t) => Math.floor(timeMicros(t) / 1000),
    };
  }
  return { type: 'int64', name: 'io.debezium.time.MicroTime', version: 1, parse: (t) => timeMicros(t) };
}

/** `HH:MM:SS[.ffffff]+HH[:MM[:SS]]` → the UTC time as Debezium's ZonedTime (`HH:MM:SS[.f]Z`). */
function parseTimeTz(text: string): string {
  const m = /^(\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/.exec(text);
  if (!m) throw new Error(`unexpected time with time zone "${text}"`);
  const offset = (Number(m[3]) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0)) * (m[2] === '-' ? -1 : 1);
  const day = 86_400_000_000;
  const micros = (((timeMicros(m[1]!) - offset * 1_000_000) % day) + day) % day;
  return `${clock(micros, -1)}Z`;
}

/** `HH:MM:SS` plus the fraction: `width` digits exactly, or (width <= 0) as few as needed (Java's ISO format). */
function clock(micros: number, width: number): string {
  const totalSeconds = Math.floor(micros / 1_000_000);
  const frac = micros - totalSeconds * 1_000_000;
  const h = Math.floor(totalSeconds / 3600);
  const mi = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  const base = `${pad2(h)}:${pad2(mi)}:${pad2(s)}`;
  const digits = String(frac).padStart(6, '0');
  if (width > 0) return `${base}.${digits.padEnd(9, '0').slice(0, Math.min(width, 9))}`;
  if (frac === 0) return base;
  return `${base}.${digits.replace(/0+$/, '')}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Seconds since the epoch and the microseconds within that second of an ISO timestamp's date and time. */
function timestampParts(text: string): { seconds: number; micros: number; rest: number } {
  let days: number;
  let timeStart: number;
  const fast = text.charCodeAt(10) === 32 && !text.endsWith(' BC') ? isoDays(text) : Number.NaN;
  if (!Number.isNaN(fast)) {
    days = fast;
    timeStart = 11;
  } else {
    const m = DATE.exec(text);
    if (!m) throw new Error(`unexpected timestamp "${text}"`);
    let year = Number(m[1]);
    if (text.endsWith(' BC')) year = 1 - year;
    days = daysFromCivil(year, Number(m[2]), Number(m[3]));
    timeStart = m[0].length + 1;
  }
  const t = timeMicros(text, timeStart);
  let rest = timeStart + 8;
  if (text[rest] === '.') {
    rest++;
    while (rest < text.length && text.charCodeAt(rest) >= 48 && text.charCodeAt(rest) <= 57) rest++;
  }
  const secondsOfDay = Math.floor(t / 1_000_000);
  return { seconds: days * 86400 + secondsOfDay, micros: t - secondsOfDay * 1_000_000, rest };
}

function epochMicros(seconds: number, micros: number): number | bigint {
  const value = seconds * 1_000_000 + micros;
  return Number.isSafeInteger(value) ? value : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function timestampCodec(typmod: number, mode: TimePrecisionMode): Base {
  const precision = typmod < 0 ? 6 : typmod;
  const millis = (t: string): number | bigint => {
    if (t === 'infinity') return INT64_MAX;
    if (t === '-infinity') return INT64_MIN;
    const p = timestampParts(t);
    const value = p.seconds * 1000 + Math.floor(p.micros / 1000);
    return Number.isSafeInteger(value)
      ? value
      : BigInt(p.seconds) * 1000n + BigInt(Math.floor(p.micros / 1000));
  };
  if (mode === 'connect') return { type: 'int64', name: LOGICAL.timestamp, version: 1, parse: millis };
  if (precision <= 3) return { type: 'int64', name: 'io.debezium.time.Timestamp', version: 1, parse: millis };
  return {
    type: 'int64',
    name: 'io.debezium.time.MicroTimestamp',
    version: 1,
    parse: (t) => {
      if (t === 'infinity') return INT64_MAX;
      if (t === '-infinity') return INT64_MIN;
      const p = timestampParts(t);
      return epochMicros(p.seconds, p.micros);
    },
  };
}

/** A timestamptz in UTC text (`2024-01-02 03:04:05.5+00`, any offset) → `2024-01-02T03:04:05.500000Z`. */
/** Zeros to pad a fraction with. */
const ZEROS = '000000000';

/**
 * `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00` (the session is in UTC, so nearly every value) at `width` > 0
 * digits: the same date and time, only rearranged, so the text is cut rather than computed. Null
 * for any other form (the general path).
 */
function utcTimestampTz(text: string, width: number): string | null {
  const n = text.length;
  if (width <= 0 || n < 22 || text.charCodeAt(n - 3) !== 43 || text.charCodeAt(n - 2) !== 48) return null;
  if (text.charCodeAt(n - 1) !== 48 || text.charCodeAt(10) !== 32 || text.charCodeAt(4) !== 45) return null;
  if (text.charCodeAt(7) !== 45 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return null;
  if (digitsAt(text, 0, 4) < 0 || digitsAt(text, 5, 2) < 0 || digitsAt(text, 8, 2) < 0) return null;
  const h = digitsAt(text, 11, 2);
  const mi = digitsAt(text, 14, 2);
  const sec = digitsAt(text, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  let fraction: string;
  if (n === 22) fraction = ZEROS.slice(0, Math.min(width, 9));
  else {
    const digits = n - 23; // after `.`, before `+00`
    if (text.charCodeAt(19) !== 46 || digits < 1 || digits > 6 || digitsAt(text, 20, digits) < 0) return null;
    fraction = (text.slice(20, 20 + digits) + ZEROS).slice(0, Math.min(width, 9));
  }
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}

export function parseTimestampTz(text: string, width: number): string {
  const utc = utcTimestampTz(text, width);
  if (utc !== null) return utc;
  if (text === 'infinity' || text === '-infinity') return text;
  const p = timestampParts(text);
  const zone = /([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?/.exec(text.slice(p.rest));
  const offset = zone
    ? (Number(zone[2]) * 3600 + Number(zone[3] ?? 0) * 60 + Number(zone[4] ?? 0)) * (zone[1] === '-' ? -1 : 1)
    : 0;
  const seconds = p.seconds - offset;
  const days = Math.floor(seconds / 86400);
  const date = civilFromDays(days);
  const micros = (seconds - days * 86400) * 1_000_000 + p.micros;
  return `${date}T${clock(micros, width)}Z`;
}

function civilFromDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const year =
    y >= 0 && y <= 9999 ? String(y).padStart(4, '0') : y > 9999 ? `+${y}` : `-${String(-y).padStart(4, '0')}`;
  return `${year}-${pad2(m)}-${pad2(d)}`;
}

// ---- interval ----

interface IntervalParts {
  years: number;
  months: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** PostgreSQL's `postgres` IntervalStyle: `1 year 2 mons -3 days 04:05:06.789`. */
function intervalParts(text: string): IntervalParts {
  const parts: IntervalParts = { years: 0, months: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  for (const m of text.matchAll(/([+-]?\d+) (year|years|mon|mons|day|days)/g)) {
    const n = Number(m[1]);
    if (m[2]!.startsWith('year')) parts.years += n;
    else if (m[2]!.startsWith('mon')) parts.months += n;
    else parts.days += n;
  }
  const clockPart = /([+-])?(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (clockPart) {
    const sign = clockPart[1] === '-' ? -1 : 1;
    parts.hours = sign * Number(clockPart[2]);
    parts.minutes = sign * Number(clockPart[3]);
    parts.seconds = sign * Number(clockPart[4]);
  }
  return parts;
}

const DAYS_PER_MONTH_AVG = 365.25 / 12;

function intervalMicros(text: string): number {
  const p = intervalParts(text);
  const days = (p.years * 12 + p.months) * DAYS_PER_MONTH_AVG + p.days;
  const seconds = ((days * 24 + p.hours) * 60 + p.minutes) * 60;
  return Math.round(seconds * 1_000_000 + Math.round(p.seconds * 1_000_000));
}

function intervalIso(text: string): string {
  const p = intervalParts(text);
  const seconds = Number(p.seconds.toFixed(6));
  return `P${p.years}Y${p.months}M${p.days}DT${p.hours}H${p.minutes}M${seconds}S`;
}

// ---- arrays ----

/** A one-dimensional PostgreSQL array literal (`{1,NULL,"a b"}`) → element texts (nested arrays flattened). */
export function parseArray(text: string, delimiter = ','): (string | null)[] {
  const out: (string | null)[] = [];
  let i = text.indexOf('{');
  if (i < 0) throw new Error(`unexpected array "${text}"`);
  i++;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '{' || c === '}' || c === delimiter || c === ' ') {
      i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') i++;
        value += text[i] ?? '';
        i++;
      }
      i++;
      out.push(value);
      continue;
    }
    let end = i;
    while (end < n && text[end] !== delimiter && text[end] !== '}') end++;
    const raw = text.slice(i, end).trim();
    out.push(raw === 'NULL' ? null : raw);
    i = end;
  }
  return out;
}

// ---- defaults ----

/**
 * The schema default Debezium derives from a column's default expression: literals of the types its
 * default-value converter knows, and 0 for NOT NULL integer columns filled from a sequence (serial).
 * Anything else (function calls, casts it cannot parse) has no default.
 */
function defaultValueOf(
  registry: TypeRegistry,
  oid: number,
  base: Base,
  expression: string | null,
  optional: boolean,
): unknown {
  if (expression === null) return undefined;
  const type = registry.get(oid);
  if (!type) return undefined;
  const name = type.kind === 'd' ? (registry.get(type.baseType)?.name ?? '') : type.name;
  if (/^nextval\(/i.test(expression)) {
    if (optional) return undefined;
    if (name === 'int2' || name === 'int4') return 0;
    if (name === 'int8') return 0;
    return undefined;
  }
  const quoted = /^'((?:[^']|'')*)'(?:::.*)?$/.exec(expression);
  const literal = quoted
    ? quoted[1]!.replace(/''/g, "'")
    : /^-?\d+(\.\d+)?$|^(true|false)$/i.test(expression)
      ? expression
      : null;
  if (literal === null) return undefined;
  const known = new Set([
    'bool',
    'bpchar',
    'varchar',
    'text',
    'numeric',
    'float4',
    'float8',
    'int2',
    'int4',
    'int8',
    'json',
    'jsonb',
    'xml',
    'uuid',
  ]);
  if (!known.has(name) && type.kind !== 'e') return undefined;
  try {
    return base.parse(name === 'bool' ? (/^t/i.test(literal) ? 't' : 'f') : literal);
  } catch {
    return undefined;
  }
}
