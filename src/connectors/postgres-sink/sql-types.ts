/**
 * Connect schemas → PostgreSQL: the column type `auto.create`/`auto.evolve` declare for a field
 * (after Debezium's JDBC sink PostgreSQL dialect), and each value's text in PostgreSQL's input
 * syntax (what COPY and text parameters take), decoding Kafka's and Debezium's logical types:
 * Decimal and VariableScaleDecimal, Date/Time/Timestamp (Kafka's and io.debezium.time.*, including
 * Micro*, Nano* and Zoned*), MicroDuration, Json, Uuid, Enum, arrays; schemaless values (maps,
 * lists) are written as JSON.
 *
 * Not implemented: geometry/geography structs, io.debezium.data.Bits, maps with a schema other than
 * as JSON.
 */
import { LOGICAL, type Schema } from '../../connect/api/index.ts';

/** The column type for a field of `schema`, or null when there is none. */
export function columnType(schema: Schema): string | null {
  switch (schema.name) {
    case LOGICAL.decimal: {
      const scale = schema.parameters?.scale;
      const precision = schema.parameters?.['connect.decimal.precision'];
      return precision && scale !== undefined ? `numeric(${precision},${scale})` : 'numeric';
    }
    case 'io.debezium.data.VariableScaleDecimal':
      return 'numeric';
    case LOGICAL.date:
    case 'io.debezium.time.Date':
      return 'date';
    case LOGICAL.time:
    case 'io.debezium.time.Time':
      return 'time(3)';
    case 'io.debezium.time.MicroTime':
    case 'io.debezium.time.NanoTime':
      return 'time';
    case LOGICAL.timestamp:
    case 'io.debezium.time.Timestamp':
      return 'timestamp(3)';
    case 'io.debezium.time.MicroTimestamp':
    case 'io.debezium.time.NanoTimestamp':
      return 'timestamp';
    case 'io.debezium.time.ZonedTimestamp':
      return 'timestamptz';
    case 'io.debezium.time.ZonedTime':
      return 'timetz';
    case 'io.debezium.time.MicroDuration':
    case 'io.debezium.time.Interval':
      return 'interval';
    case 'io.debezium.data.Json':
      return 'jsonb';
    case 'io.debezium.data.Uuid':
      return 'uuid';
    case 'io.debezium.data.Xml':
      return 'xml';
  }
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'float32':
      return 'real';
    case 'float64':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    case 'bytes':
      return 'bytea';
    case 'array': {
      const element = schema.valueSchema ? columnType(schema.valueSchema) : null;
      return element && !element.endsWith('[]') ? `${element}[]` : null;
    }
    case 'map':
    case 'struct':
      return 'jsonb';
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function civil(days: number): string {
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
  return y > 0 ? `${pad(y, 4)}-${pad(m)}-${pad(d)}` : `${pad(1 - y, 4)}-${pad(m)}-${pad(d)} BC`;
}

/**
 * Date texts by day number, as `civil` writes them: a table's dates repeat (birthdays, order
 * dates), and a lookup costs less than the arithmetic and four strings. Bounded: emptied when full.
 */
const dateTexts = new Map<number, string>();
const DATE_TEXTS_MAX = 16_384;

function dateText(days: number): string {
  let text = dateTexts.get(days);
  if (text === undefined) {
    text = civil(days);
    if (dateTexts.size >= DATE_TEXTS_MAX) dateTexts.clear();
    dateTexts.set(days, text);
  }
  return text;
}

function clock(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const frac = micros - seconds * 1_000_000;
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor((seconds % 3600) / 60))}:${pad(seconds % 60)}.${pad(frac, 6)}`;
}

/** `YYYY-MM-DD HH:MM:SS.ffffff` (UTC) for microseconds since the epoch. */
function timestampText(micros: bigint): string {
  const day = 86_400_000_000n;
  let days = micros / day;
  let rest = micros % day;
  if (rest < 0n) {
    rest += day;
    days -= 1n;
  }
  const date = civil(Number(days));
  return date.endsWith(' BC')
    ? `${date.slice(0, -3)} ${clock(Number(rest))} BC`
    : `${date} ${clock(Number(rest))}`;
}

function toBigInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  if (v instanceof Date) return BigInt(v.getTime());
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new Error(`expected an integer, got ${typeof v}`);
}

function unscaled(bytes: Buffer): bigint {
  if (bytes.length === 0) return 0n;
  let v = BigInt(`0x${bytes.toString('hex')}`);
  if (bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/** A decimal's text from Kafka's Decimal bytes (or an already-textual/numeric value). */
export function decimalText(value: unknown, scale: number): string {
  if (typeof value === 'number' || typeof value === 'string') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array)) {
    throw new Error(`expected Decimal bytes, got ${typeof value}`);
  }
  if (value.length <= 6) {
    // Up to 48 bits: a safe integer, no BigInt.
    let small = 0;
    for (let i = 0; i < value.length; i++) small = small * 256 + value[i]!;
    if (value.length > 0 && value[0]! & 0x80) small -= 2 ** (value.length * 8);
    const digits = Math.abs(small)
      .toString()
      .padStart(scale + 1, '0');
    const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
    return small < 0 ? `-${text}` : text;
  }
  const n = unscaled(Buffer.from(value));
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const text = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return negative ? `-${text}` : text;
}

function arrayLiteral(schema: Schema | null, values: readonly unknown[]): string {
  const items = values.map((v) => {
    const text = valueText(schema, v);
    if (text === null) return 'NULL';
    return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  });
  return `{${items.join(',')}}`;
}

/** Schema names whose values valueText reads by name (the rest by type). */
const NAMED_TEXT: ReadonlySet<string> = new Set([
  LOGICAL.decimal,
  'io.debezium.data.VariableScaleDecimal',
  LOGICAL.date,
  'io.debezium.time.Date',
  LOGICAL.time,
  'io.debezium.time.Time',
  'io.debezium.time.MicroTime',
  'io.debezium.time.NanoTime',
  LOGICAL.timestamp,
  'io.debezium.time.Timestamp',
  'io.debezium.time.MicroTimestamp',
  'io.debezium.time.NanoTimestamp',
  'io.debezium.time.MicroDuration',
]);

/**
 * `valueText` for one schema, decided once (the sink's compiled rows call it per field): the usual
 * values of the usual types go straight to their text; anything else, errors included, is
 * `valueText`'s.
 */
export function textFormatter(schema: Schema): (value: unknown) => string | null {
  const general = (v: unknown): string | null => valueText(schema, v);
  const name = schema.name;
  if (name === LOGICAL.decimal) {
    const scale = Number(schema.parameters?.scale ?? 0);
    return (v) => (v === null || v === undefined ? null : decimalText(v, scale));
  }
  if (name === LOGICAL.date || name === 'io.debezium.time.Date')
    return (v) => (typeof v === 'number' ? dateText(v) : general(v));
  if (name !== undefined && NAMED_TEXT.has(name)) return general;
  switch (schema.type) {
    case 'string':
      return (v) => (typeof v === 'string' ? v : general(v));
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? `${v}` : general(v));
    case 'float32':
    case 'float64':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : general(v));
    case 'boolean':
      return (v) => (v === true ? 't' : v === false ? 'f' : general(v));
    default:
      return general;
  }
}

/** A value's text in PostgreSQL's input syntax; null for SQL NULL. Throws on a value that does not fit its schema. */
export function valueText(schema: Schema | null | undefined, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (!schema) return schemalessText(value);
  switch (schema.name) {
    case LOGICAL.decimal:
      return decimalText(value, Number(schema.parameters?.scale ?? 0));
    case 'io.debezium.data.VariableScaleDecimal': {
      const s = value as { scale?: unknown; value?: unknown };
      return decimalText(s.value, Number(s.scale ?? 0));
    }
    case LOGICAL.date:
    case 'io.debezium.time.Date':
      return value instanceof Date ? value.toISOString().slice(0, 10) : dateText(Number(value));
    case LOGICAL.time:
    case 'io.debezium.time.Time':
      return clock(Number(value instanceof Date ? value.getTime() % 86_400_000 : value) * 1000);
    case 'io.debezium.time.MicroTime':
      return clock(Number(value));
    case 'io.debezium.time.NanoTime':
      return clock(Number(toBigInt(value) / 1000n));
    case LOGICAL.timestamp:
    case 'io.debezium.time.Timestamp':
      return timestampText(toBigInt(value) * 1000n);
    case 'io.debezium.time.MicroTimestamp':
      return timestampText(toBigInt(value));
    case 'io.debezium.time.NanoTimestamp':
      return timestampText(toBigInt(value) / 1000n);
    case 'io.debezium.time.MicroDuration':
      return `${toBigInt(value)} microseconds`;
  }
  switch (schema.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`expected a boolean, got ${typeof value}`);
      return value ? 't' : 'f';
    case 'int8':
    case 'int16':
    case 'int32':
    case 'int64':
      return toBigInt(value).toString();
    case 'float32':
    case 'float64':
      if (typeof value !== 'number') throw new Error(`expected a number, got ${typeof value}`);
      return Number.isNaN(value)
        ? 'NaN'
        : value === Infinity
          ? 'Infinity'
          : value === -Infinity
            ? '-Infinity'
            : String(value);
    case 'string':
      if (typeof value !== 'string') throw new Error(`expected a string, got ${typeof value}`);
      return value;
    case 'bytes':
      if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array))
        throw new Error(`expected bytes, got ${typeof value}`);
      return `\\x${Buffer.from(value).toString('hex')}`;
    case 'array':
      if (!Array.isArray(value)) throw new Error(`expected an array, got ${typeof value}`);
      return arrayLiteral(schema.valueSchema ?? null, value);
    case 'map':
    case 'struct':
      return JSON.stringify(value, jsonReplacer);
  }
}

function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Map) return Object.fromEntries(v);
  if (v && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer') {
    return Buffer.from((v as { data: number[] }).data).toString('base64');
  }
  return v;
}

function schemalessText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string')
    return String(value);
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return JSON.stringify(value, jsonReplacer);
}

/** A column type for a schemaless value (auto.create without schemas). */
export function schemalessColumnType(value: unknown): string {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double precision';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'string') return 'text';
  if (Buffer.isBuffer(value)) return 'bytea';
  return 'jsonb';
}
