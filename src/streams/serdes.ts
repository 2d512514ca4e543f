/**
 * Serdes: how keys and values become bytes and back. `Serde<T>` is the seam for any format — the
 * schema-registry serdes (Avro, JSON Schema) implement the same interface from outside this module.
 * Built in, with Kafka's byte layouts: String (UTF-8), Integer (int32 BE), Long (int64 BE, as a
 * number), Double/Float (IEEE BE), ByteArray/Bytes (raw), JSON (UTF-8 JSON), Void (always null).
 * `null` passes through every serde as `null` (a tombstone), as in Kafka.
 */
import { readInt64, writeInt64 } from './state/int64.ts';

export interface Serializer<T> {
  serialize(topic: string, data: T | null): Buffer | null;
}

export interface Deserializer<T> {
  deserialize(topic: string, data: Buffer | null): T | null;
}

/**
 * Optional fast path of a deserializer (the built-in String and JSON ones have it): decodes the
 * bytes `start`..`end` of `buffer` without a Buffer view being made for them. Same result and
 * errors as `deserialize` on `buffer.subarray(start, end)`; `start > end` means null.
 */
export interface RangeDeserializer<T> extends Deserializer<T> {
  deserializeRange(topic: string, buffer: Buffer, start: number, end: number): T | null;
}

/**
 * Optional fast path of a serializer (the built-in String and JSON ones have it): the value as
 * text whose UTF-8 bytes are what `serialize` returns, so a producer can write it straight into a
 * record batch; null when the value is null, undefined when only `serialize` can handle it.
 */
export interface TextSerializer<T> extends Serializer<T> {
  serializeText(topic: string, data: T | null): string | null | undefined;
}

/** The built-in range deserializers: they keep nothing of the bytes they read (they decode to text first). */
const builtInRange = new WeakSet<object>();

/**
 * True for the built-in String and JSON range deserializers, which keep no reference to the
 * buffer they decode from (so it may be reused once they return); unknown for any other.
 */
export function keepsNoBytes(d: Deserializer<unknown>): boolean {
  return builtInRange.has(d);
}

export function isRangeDeserializer<T>(d: Deserializer<T>): d is RangeDeserializer<T> {
  return typeof (d as Partial<RangeDeserializer<T>>).deserializeRange === 'function';
}

export function isTextSerializer<T>(s: Serializer<T>): s is TextSerializer<T> {
  return typeof (s as Partial<TextSerializer<T>>).serializeText === 'function';
}

type Utf8Buffer = Buffer & { utf8Slice(start: number, end: number): string };

const fromCodes = String.fromCharCode;
/** Longest text made by `utf8Range` in JavaScript. */
const SHORT_TEXT = 12;

/**
 * The UTF-8 text of `buffer`'s bytes `start`..`end`. Short ASCII (keys, mostly) is made in
 * JavaScript: `utf8Slice` costs about 50 ns a call whatever the length, `String.fromCharCode` with
 * the bytes as arguments about a third of that (ASCII bytes are the same characters in UTF-8).
 */
export function utf8Range(buffer: Buffer, start: number, end: number): string {
  const n = end - start;
  if (n > SHORT_TEXT || end > buffer.length) return (buffer as Utf8Buffer).utf8Slice(start, end);
  const b = buffer;
  const s = start;
  let any = 0;
  for (let i = s; i < end; i++) any |= b[i]!;
  if (any >= 0x80) return (buffer as Utf8Buffer).utf8Slice(start, end);
  switch (n) {
    case 1:
      return fromCodes(b[s]!);
    case 2:
      return fromCodes(b[s]!, b[s + 1]!);
    case 3:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8:
      return fromCodes(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9:
      return fromCodes(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
      );
    case 10:
      return fromCodes(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
      );
    case 11:
      return fromCodes(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
        b[s + 10]!,
      );
    case 12:
      return fromCodes(
        b[s]!,
        b[s + 1]!,
        b[s + 2]!,
        b[s + 3]!,
        b[s + 4]!,
        b[s + 5]!,
        b[s + 6]!,
        b[s + 7]!,
        b[s + 8]!,
        b[s + 9]!,
        b[s + 10]!,
        b[s + 11]!,
      );
    default:
      return '';
  }
}

/** A pair of serializer and deserializer for one type. */
export interface Serde<T> {
  serializer(): Serializer<T>;
  deserializer(): Deserializer<T>;
}

/** Raised by a deserializer that cannot decode its input; carries the raw bytes. */
export class SerializationError extends Error {
  override readonly name = 'SerializationError';
}

/** Builds a Serde from two functions (the usual way to write a custom one). */
export function serdeFrom<T>(
  serialize: (data: T, topic: string) => Buffer,
  deserialize: (data: Buffer, topic: string) => T,
): Serde<T> {
  const ser: Serializer<T> = {
    serialize: (topic, data) => (data === null || data === undefined ? null : serialize(data, topic)),
  };
  const de: Deserializer<T> = {
    deserialize: (topic, data) => (data === null || data === undefined ? null : deserialize(data, topic)),
  };
  return { serializer: () => ser, deserializer: () => de };
}

function fixed(size: number, kind: string, data: Buffer): void {
  if (data.length !== size) throw new SerializationError(`${kind} expects ${size} bytes, got ${data.length}`);
}

/** Adds the text and byte-range fast paths to a serde made by `serdeFrom`. */
function withFastPaths<T>(
  serde: Serde<T>,
  text: (data: T) => string | undefined,
  fromText: (text: string) => T,
): Serde<T> {
  const ser: TextSerializer<T> = {
    serialize: serde.serializer().serialize,
    serializeText: (_topic, data) => (data === null || data === undefined ? null : text(data)),
  };
  const de: RangeDeserializer<T> = {
    deserialize: serde.deserializer().deserialize,
    deserializeRange: (_topic, buffer, start, end) =>
      start > end ? null : fromText(utf8Range(buffer, start, end)),
  };
  builtInRange.add(de);
  return { serializer: () => ser, deserializer: () => de };
}

const stringSerde = withFastPaths(
  serdeFrom<string>(
    (s) => Buffer.from(s, 'utf8'),
    (b) => b.toString('utf8'),
  ),
  (s) => (typeof s === 'string' ? s : undefined),
  (text) => text,
);
const integerSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32BE(n);
    return b;
  },
  (b) => {
    fixed(4, 'Integer', b);
    return b.readInt32BE(0);
  },
);
const longSerde = serdeFrom<number>(
  (n) => {
    if (!Number.isFinite(n)) throw new SerializationError(`Long expects a finite number, got ${n}`);
    const b = Buffer.allocUnsafe(8);
    writeInt64(b, Math.trunc(n), 0);
    return b;
  },
  (b) => {
    fixed(8, 'Long', b);
    return readInt64(b, 0);
  },
);
const doubleSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(n);
    return b;
  },
  (b) => {
    fixed(8, 'Double', b);
    return b.readDoubleBE(0);
  },
);
const floatSerde = serdeFrom<number>(
  (n) => {
    const b = Buffer.allocUnsafe(4);
    b.writeFloatBE(n);
    return b;
  },
  (b) => {
    fixed(4, 'Float', b);
    return b.readFloatBE(0);
  },
);
const bytesSerde = serdeFrom<Buffer>(
  (b) => b,
  (b) => b,
);
const voidSerde: Serde<null> = {
  serializer: () => ({ serialize: () => null }),
  deserializer: () => ({ deserialize: () => null }),
};

/** JSON values as UTF-8 text. A value that is not valid JSON fails to deserialize. */
function jsonSerde<T>(): Serde<T> {
  const parse = (text: string): T => {
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new SerializationError(`invalid JSON: ${(err as Error).message}`);
    }
  };
  return withFastPaths(
    serdeFrom<T>(
      (v) => Buffer.from(JSON.stringify(v), 'utf8'),
      (b) => parse(b.toString('utf8')),
    ),
    // JSON.stringify gives undefined for functions and symbols: `serialize` reports those
    (v) => JSON.stringify(v) as string | undefined,
    parse,
  );
}

/** Factory methods named as in Kafka Streams' `Serdes` class. */
export const Serdes = {
  String: (): Serde<string> => stringSerde,
  Integer: (): Serde<number> => integerSerde,
  Long: (): Serde<number> => longSerde,
  Double: (): Serde<number> => doubleSerde,
  Float: (): Serde<number> => floatSerde,
  ByteArray: (): Serde<Buffer> => bytesSerde,
  Bytes: (): Serde<Buffer> => bytesSerde,
  Void: (): Serde<null> => voidSerde,
  JSON: <T = unknown>(): Serde<T> => jsonSerde<T>(),
  serdeFrom,
} as const;

/**
 * Used where no serde was given and no `default.*.serde` is set. For topics the user reads or
 * writes: strings are written as UTF-8, Buffers as they are, anything else as JSON; records read
 * come back as Buffers. For internal topics and stores (repartition, changelog): a type-preserving
 * encoding (one tag byte — 0 bytes, 1 UTF-8 string, 2 JSON — then the payload), so a value that
 * goes through a repartition topic or a store comes back as the same type.
 */
export const inferredSerde: Serde<unknown> = {
  serializer: () => ({
    serialize: (_topic, data) =>
      data === null || data === undefined
        ? null
        : Buffer.isBuffer(data)
          ? data
          : typeof data === 'string'
            ? Buffer.from(data, 'utf8')
            : Buffer.from(JSON.stringify(data), 'utf8'),
  }),
  deserializer: () => ({ deserialize: (_topic, data) => data }),
};

export const typePreservingSerde: Serde<unknown> = {
  serializer: () => ({
    serialize(_topic, data) {
      if (data === null || data === undefined) return null;
      if (Buffer.isBuffer(data)) return Buffer.concat([Buffer.from([0]), data]);
      if (typeof data === 'string') return Buffer.concat([Buffer.from([1]), Buffer.from(data, 'utf8')]);
      return Buffer.concat([Buffer.from([2]), Buffer.from(JSON.stringify(data), 'utf8')]);
    },
  }),
  deserializer: () => ({
    deserialize(_topic, data) {
      if (data === null || data.length === 0) return null;
      const body = data.subarray(1);
      if (data[0] === 0) return body;
      if (data[0] === 1) return body.toString('utf8');
      if (data[0] === 2) return JSON.parse(body.toString('utf8'));
      throw new SerializationError(
        `unknown type tag ${data[0]} (the data was not written by an inferred serde)`,
      );
    },
  }),
};

/** Serde names accepted by `default.key.serde` / `default.value.serde` (Kafka's class names work too). */
export function serdeByName(name: string): Serde<unknown> | undefined {
  const short = name
    .replace(/^org\.apache\.kafka\.common\.serialization\.Serdes\$/, '')
    .replace(/Serde$/, '');
  switch (short.toLowerCase()) {
    case 'string':
      return stringSerde as Serde<unknown>;
    case 'integer':
      return integerSerde as Serde<unknown>;
    case 'long':
      return longSerde as Serde<unknown>;
    case 'double':
      return doubleSerde as Serde<unknown>;
    case 'float':
      return floatSerde as Serde<unknown>;
    case 'bytearray':
    case 'bytes':
      return bytesSerde as Serde<unknown>;
    case 'void':
      return voidSerde as Serde<unknown>;
    case 'json':
      return jsonSerde();
    default:
      return undefined;
  }
}
