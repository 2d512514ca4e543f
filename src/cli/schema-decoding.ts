/**
 * `topics:tail --format avro|jsonschema|protobuf`: decodes record values (and keys with
 * `--key-format`) written in the schema registry wire format, fetching each schema id once from
 * the registry (`--registry-url`, else SCHEMA_REGISTRY_URL, else http://127.0.0.1:8081). Decoded
 * values print as JSON (bytes as base64, 64-bit integers as strings). A record that cannot be
 * decoded prints as it is, with the reason.
 */
import type { ConsumedRecord } from '../client/consumed-record.ts';
import { RegistryClient } from '../registry/client.ts';
import { SchemaDeserializer, type SchemaFormat } from '../registry/serdes/serde.ts';

export const SCHEMA_FORMATS: readonly SchemaFormat[] = ['avro', 'jsonschema', 'protobuf'];
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:8081';

/** JSON text of a decoded value: bytes as base64, bigints and 64-bit Longs as strings. */
export function toJsonText(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    function replacer(this: unknown, key: string, v: unknown) {
      const raw = (this as Record<string, unknown> | undefined)?.[key];
      if (Buffer.isBuffer(raw)) return raw.toString('base64');
      if (typeof v === 'bigint') return v.toString();
      if (v !== null && typeof v === 'object' && 'low' in v && 'high' in v && 'unsigned' in v)
        return String(v);
      return v;
    },
    indent,
  );
}

export interface DecodedPart {
  /** The decoded value (JSON-ready), or undefined when the bytes were left as they are. */
  value?: unknown;
  schemaId?: number;
  error?: string;
}

export interface DecodedRecord {
  /** The record with decoded parts replaced by their JSON text (for the text output and --grep). */
  record: ConsumedRecord;
  key: DecodedPart;
  value: DecodedPart;
}

export class RecordDecoder {
  private readonly client: RegistryClient;
  private readonly values: SchemaDeserializer | null;
  private readonly keys: SchemaDeserializer | null;

  constructor(options: {
    url: string;
    valueFormat?: SchemaFormat | undefined;
    keyFormat?: SchemaFormat | undefined;
  }) {
    this.client = new RegistryClient({ url: options.url });
    this.values = options.valueFormat
      ? new SchemaDeserializer({ registry: this.client, format: options.valueFormat })
      : null;
    this.keys = options.keyFormat
      ? new SchemaDeserializer({ registry: this.client, format: options.keyFormat })
      : null;
  }

  private async part(
    d: SchemaDeserializer | null,
    topic: string,
    bytes: Buffer | null,
  ): Promise<DecodedPart> {
    if (!d || bytes === null) return {};
    try {
      const value = await d.deserialize(topic, bytes);
      return { value: JSON.parse(toJsonText(value)), schemaId: bytes.readInt32BE(1) };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  async decode(record: ConsumedRecord): Promise<DecodedRecord> {
    const [key, value] = await Promise.all([
      this.part(this.keys, record.topic, record.key),
      this.part(this.values, record.topic, record.value),
    ]);
    const text = (p: DecodedPart, raw: Buffer | null) =>
      p.value === undefined ? raw : Buffer.from(toJsonText(p.value), 'utf8');
    return {
      record: { ...record, key: text(key, record.key), value: text(value, record.value) },
      key,
      value,
    };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
