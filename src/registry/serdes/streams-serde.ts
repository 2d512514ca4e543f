/**
 * Schema-registry serdes for the streams library (`samsa/streams`), whose serializers and
 * deserializers answer synchronously as Kafka's do: `registrySerde({ registry, format, schema })`
 * is a `Serde` in Confluent's wire format, like Confluent's `KafkaAvroSerde`,
 * `KafkaJsonSchemaSerde` and `KafkaProtobufSerde`. The first record of a topic (registering or
 * looking up its schema) and the first record with an unknown schema id block the calling thread
 * while a worker thread asks the registry (`sync-call.ts`); after that every record is encoded or
 * decoded without I/O. `await serde.prepare(topics)` does the writing side's registry work ahead of
 * time (needed for a subject name strategy given as a function, which cannot cross threads).
 * Not implemented: Avro `avro` type options (logical types) on the blocking path are dropped for
 * the registry call only (they do not change what is registered).
 */
import { RegistryClient } from '../client.ts';
import {
  type FetchedSchema,
  type ResolvedWriter,
  SchemaDeserializer,
  SchemaSerializer,
  SerializationError,
  type SerializerOptions,
  schemaText,
} from './serde.ts';
import { callSync } from './sync-call.ts';
import { schemaIdOf } from './wire.ts';

export interface RegistrySerdeOptions extends SerializerOptions {
  /** Avro: the schema to read into (resolved against each writer schema). */
  readerSchema?: string | object;
}

/** A streams `Serde` (structurally: `serializer()` and `deserializer()`) backed by a registry. */
export interface RegistrySerde<T> {
  serializer(): { serialize(topic: string, data: T | null): Buffer | null };
  deserializer(): { deserialize(topic: string, data: Buffer | null): T | null };
  /** Registers (or looks up) the writer schema of these topics now, so their first record does not block. */
  prepare(topics: readonly string[]): Promise<void>;
}

/**
 * A serde writing with `schema` (or `schemaId`, or the subject's latest version) and reading any
 * record of the registry wire format. Without a schema to write with, it only reads.
 */
export function registrySerde<T = unknown>(options: RegistrySerdeOptions): RegistrySerde<T> {
  const client =
    typeof options.registry === 'string' ? new RegistryClient({ url: options.registry }) : options.registry;
  const writes =
    options.schema !== undefined || options.schemaId !== undefined || options.useLatestVersion === true;
  const ser = writes ? new SchemaSerializer({ ...options, registry: client }) : null;
  const de = new SchemaDeserializer({
    registry: client,
    format: options.format,
    ...(options.readerSchema === undefined ? {} : { readerSchema: options.readerSchema }),
    ...(options.avro === undefined ? {} : { avro: options.avro }),
  });
  const timeoutMs = (client.options.timeoutMs ?? 30_000) + 5_000;

  /** The serializer's options as they cross to the worker thread (plain data only). */
  function crossing(): Omit<SerializerOptions, 'registry'> {
    const { registry: _r, avro: _a, readerSchema: _s, schema, ...rest } = options;
    if (typeof rest.subjectNameStrategy === 'function')
      throw new SerializationError(
        'A subject name strategy given as a function needs `await serde.prepare(topics)` before the first record',
      );
    return schema === undefined ? rest : { ...rest, schema: schemaText(options.format, schema) };
  }

  const serializer = {
    serialize(topic: string, data: T | null): Buffer | null {
      if (data === null || data === undefined) return null;
      if (!ser)
        throw new SerializationError(
          'This serde has no schema to write with (give schema, schemaId or useLatestVersion)',
        );
      const out = ser.serializeSync(topic, data);
      if (out !== undefined) return out;
      const writer = callSync<ResolvedWriter>(
        { op: 'resolve', client: client.options, options: crossing(), topic },
        timeoutMs,
      );
      return ser.install(topic, writer)(data);
    },
  };
  const deserializer = {
    deserialize(topic: string, data: Buffer | null): T | null {
      if (data === null || data === undefined) return null;
      const id = schemaIdOf(data);
      if (!de.knows(id))
        de.install(id, callSync<FetchedSchema>({ op: 'fetch', client: client.options, id }, timeoutMs));
      try {
        return de.deserializeSync(data) as T;
      } catch (err) {
        if (err instanceof SerializationError) throw err;
        throw new SerializationError(
          `Cannot decode a record of ${topic} with schema ${id}: ${(err as Error).message}`,
        );
      }
    },
  };
  return {
    serializer: () => serializer,
    deserializer: () => deserializer,
    async prepare(topics) {
      if (!ser) return;
      for (const topic of topics) ser.install(topic, await ser.resolve(topic));
    },
  };
}
