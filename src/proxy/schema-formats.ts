/**
 * The schema-based formats (avro, jsonschema, protobuf) through the schema registry's serdes
 * (samsa/registry) and a registry at `--registry-url`: produce registers an inline schema under
 * `<topic>-key` / `<topic>-value` (TopicNameStrategy, as Confluent's proxy does) or uses a schema by
 * id, and writes Confluent's wire format; consumer instances decode by the id in each record.
 * Avro values are Avro's JSON encoding both ways, as in Confluent's proxy (unions wrapped as
 * `{"string": "x"}`, bytes as strings of code points 0–255); plain unwrapped values are still taken.
 * Serializers are cached per schema, so a request after the first costs only the encoding.
 * Registry errors keep their status and code (e.g. 40403 schema not found, 409 incompatible); an
 * unparsable schema is 42205 and a value that does not fit its schema 42203.
 */
import {
  RegistryClient,
  RegistryClientError,
  SchemaDeserializer,
  type SchemaFormat,
  SchemaSerializer,
  SerializationError,
  schemaIdOf,
} from '../registry/index.ts';
import { RestError, unsupportedMediaType } from './errors.ts';

export type SchemaFormatName = SchemaFormat;
export const SCHEMA_FORMATS: readonly SchemaFormat[] = ['avro', 'jsonschema', 'protobuf'];
const TYPES: Record<SchemaFormat, string> = { avro: 'AVRO', jsonschema: 'JSON', protobuf: 'PROTOBUF' };
const NAMES: Record<SchemaFormat, string> = { avro: 'Avro', jsonschema: 'JSON Schema', protobuf: 'Protobuf' };

/** How a request names its schema: inline text (registered under the topic's subject) or an id. */
export type SchemaSpec = { schema: string } | { id: number };

export function restErrorOfRegistry(err: unknown, format: SchemaFormat): RestError {
  if (err instanceof RestError) return err;
  if (err instanceof SerializationError) {
    return new RestError(422, 42203, `Conversion of JSON to ${NAMES[format]} failed: ${err.message}`);
  }
  if (err instanceof RegistryClientError) {
    if (err.status === 422 && (err.errorCode === 42201 || err.errorCode === 42202)) {
      return new RestError(422, 42205, `Invalid schema: ${err.message}`);
    }
    if (err.status >= 400 && err.status < 500) return new RestError(err.status, err.errorCode, err.message);
    return new RestError(500, 50002, `Schema registry error: ${err.message}`);
  }
  const message = (err as Error)?.message ?? String(err);
  // Parsing an inline schema fails inside the serializer before anything is registered.
  return new RestError(422, 42205, `Invalid schema: ${message}`);
}

const LATEST_TTL_MS = 5_000;

function formatOfType(schemaType: string): SchemaFormat {
  return schemaType === 'JSON' ? 'jsonschema' : schemaType === 'PROTOBUF' ? 'protobuf' : 'avro';
}

export class SchemaFormats {
  readonly #client: RegistryClient | null;
  readonly #serializers = new Map<string, Promise<SchemaSerializer>>();
  readonly #deserializers = new Map<SchemaFormat, SchemaDeserializer>();
  readonly #versions = new Map<
    string,
    { at: number; pending: Promise<{ id: number; format: SchemaFormat }> }
  >();

  constructor(registryUrl: string | undefined) {
    this.#client = registryUrl === undefined ? null : new RegistryClient({ url: registryUrl });
  }

  #registry(format: SchemaFormat): RegistryClient {
    if (this.#client === null) {
      throw unsupportedMediaType(
        `The ${format} format needs a schema registry: start the proxy with --registry-url`,
      );
    }
    return this.#client;
  }

  /** Encodes one key or value; returns the bytes and the schema id they carry. */
  async encode(
    format: SchemaFormat,
    spec: SchemaSpec,
    topic: string,
    isKey: boolean,
    value: unknown,
  ): Promise<{ bytes: Buffer | null; id: number | null }> {
    const serializer = await this.#serializer(format, spec, topic, isKey);
    if (value === null || value === undefined) return { bytes: null, id: 'id' in spec ? spec.id : null };
    try {
      const bytes = (await serializer.serialize(topic, value))!;
      return { bytes, id: schemaIdOf(bytes) };
    } catch (err) {
      throw restErrorOfRegistry(err, format);
    }
  }

  async #serializer(
    format: SchemaFormat,
    spec: SchemaSpec,
    topic: string,
    isKey: boolean,
  ): Promise<SchemaSerializer> {
    const client = this.#registry(format);
    const key =
      'id' in spec ? `${format}\0id\0${spec.id}\0${isKey}` : `${format}\0${topic}\0${isKey}\0${spec.schema}`;
    let pending = this.#serializers.get(key);
    if (pending === undefined) {
      pending = this.#create(client, format, spec, isKey);
      if (this.#serializers.size > 1000) this.#serializers.clear();
      this.#serializers.set(key, pending);
      pending.catch(() => this.#serializers.delete(key));
    }
    try {
      return await pending;
    } catch (err) {
      throw restErrorOfRegistry(err, format);
    }
  }

  async #create(
    client: RegistryClient,
    format: SchemaFormat,
    spec: SchemaSpec,
    isKey: boolean,
  ): Promise<SchemaSerializer> {
    if ('schema' in spec)
      return new SchemaSerializer({ registry: client, format, schema: spec.schema, isKey, avroJson: true });
    const schema = await client.getSchema(spec.id);
    if (schema.schemaType !== TYPES[format]) {
      throw new RestError(
        422,
        42205,
        `Invalid schema: schema ${spec.id} is ${schema.schemaType}, not ${TYPES[format]}`,
      );
    }
    // Confluent's use.schema.id: write with exactly this schema, no subject involved.
    return new SchemaSerializer({ registry: client, format, schemaId: spec.id, isKey, avroJson: true });
  }

  /**
   * The id and format of a subject's version (v3 records giving `subject`/`schema_version`); the
   * latest version is looked up again after `LATEST_TTL_MS`, numbered versions never change.
   */
  async versionOf(
    subject: string,
    version: number | 'latest',
  ): Promise<{ id: number; format: SchemaFormat }> {
    const client = this.#registry('avro');
    const key = `${subject}\0${version}`;
    let cached = this.#versions.get(key);
    if (cached === undefined || (version === 'latest' && Date.now() - cached.at > LATEST_TTL_MS)) {
      const pending = client
        .getVersion(subject, version)
        .then((v) => ({ id: v.id, format: formatOfType(v.schemaType) }));
      cached = { at: Date.now(), pending };
      if (this.#versions.size > 1000) this.#versions.clear();
      this.#versions.set(key, cached);
      pending.catch(() => this.#versions.delete(key));
    }
    try {
      return await cached.pending;
    } catch (err) {
      throw restErrorOfRegistry(err, 'avro');
    }
  }

  /** The format of a registered schema (for v3 records that give only `schema_id`). */
  async formatOfId(id: number): Promise<SchemaFormat> {
    const client = this.#registry('avro');
    try {
      const { schemaType } = await client.getSchema(id);
      return schemaType === 'JSON' ? 'jsonschema' : schemaType === 'PROTOBUF' ? 'protobuf' : 'avro';
    } catch (err) {
      throw restErrorOfRegistry(err, 'avro');
    }
  }

  /** Decodes a record's key or value written in the wire format (null stays null). */
  async decode(format: SchemaFormat, topic: string, bytes: Buffer | null, where: string): Promise<unknown> {
    if (bytes === null) return null;
    let d = this.#deserializers.get(format);
    if (d === undefined) {
      d = new SchemaDeserializer({ registry: this.#registry(format), format, avroJson: true });
      this.#deserializers.set(format, d);
    }
    try {
      return toJsonSafe(await d.deserialize(topic, bytes));
    } catch (err) {
      throw new RestError(
        500,
        50002,
        `Kafka error: ${where} cannot be read as ${NAMES[format]}: ${(err as Error).message}`,
      );
    }
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }
}

/** Buffers (Avro bytes/fixed) as strings of their bytes, BigInts as numbers, as Avro's JSON encoding has them. */
function toJsonSafe(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonSafe(v);
    return out;
  }
  return value;
}
