/**
 * Kafka's `org.apache.kafka.connect.storage.StringConverter` (UTF-8 text; `converter.encoding` is
 * accepted, only UTF-8 and the encodings Node knows are supported) and
 * `org.apache.kafka.connect.converters.ByteArrayConverter` (bytes passed through, with the optional
 * bytes schema).
 */
import type {
  ConfigDef,
  ConnectConfig,
  Converter,
  ConverterPlugin,
  Schema,
  SchemaAndValue,
} from '../api/index.ts';
import { Schemas } from '../api/index.ts';
import { DataError, toJsonText } from './json-text.ts';

const STRING_CONFIG: ConfigDef = [
  {
    name: 'converter.encoding',
    type: 'STRING',
    default: 'UTF8',
    importance: 'HIGH',
    documentation: 'The name of the Java character set to use for encoding strings as byte arrays.',
  },
];

const OPTIONAL_STRING = Schemas.string({ optional: true });
const OPTIONAL_BYTES = Schemas.bytes({ optional: true });

function nodeEncoding(name: string): BufferEncoding {
  const n = name.toLowerCase().replace(/[-_]/g, '');
  if (n === 'utf8') return 'utf8';
  if (n === 'iso88591' || n === 'latin1') return 'latin1';
  if (n === 'usascii' || n === 'ascii') return 'ascii';
  if (n === 'utf16le') return 'utf16le';
  throw new DataError(`Unsupported converter.encoding ${name}`);
}

export class StringConverter implements Converter {
  #encoding: BufferEncoding = 'utf8';

  configure(config: ConnectConfig): void {
    this.#encoding = nodeEncoding(config['converter.encoding'] ?? 'UTF8');
  }

  fromConnectData(_t: string, _h: unknown, _schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) return null;
    if (typeof value === 'string') return Buffer.from(value, this.#encoding);
    if (Buffer.isBuffer(value)) return Buffer.from(value.toString('base64'), this.#encoding);
    // Java's toString of other values; plain objects as JSON for readability.
    return Buffer.from(typeof value === 'object' ? toJsonText(value) : String(value), this.#encoding);
  }

  toConnectData(_t: string, _h: unknown, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_STRING, value: bytes === null ? null : bytes.toString(this.#encoding) };
  }
}

export class ByteArrayConverter implements Converter {
  configure(): void {}

  fromConnectData(_t: string, _h: unknown, schema: Schema | null, value: unknown): Buffer | null {
    if (schema !== null && schema.type !== 'bytes') {
      throw new DataError(`Invalid schema type for ByteArrayConverter: ${schema.type}`);
    }
    if (value === null || value === undefined) return null;
    if (Buffer.isBuffer(value)) return value;
    if (value instanceof Uint8Array) return Buffer.from(value);
    throw new DataError(`ByteArrayConverter is not compatible with objects of type ${typeof value}`);
  }

  toConnectData(_t: string, _h: unknown, bytes: Buffer | null): SchemaAndValue {
    return { schema: OPTIONAL_BYTES, value: bytes };
  }
}

export const stringConverterPlugin: ConverterPlugin = {
  className: 'org.apache.kafka.connect.storage.StringConverter',
  config: STRING_CONFIG,
  create: () => new StringConverter(),
};

export const byteArrayConverterPlugin: ConverterPlugin = {
  className: 'org.apache.kafka.connect.converters.ByteArrayConverter',
  config: [],
  create: () => new ByteArrayConverter(),
};
