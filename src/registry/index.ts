/**
 * `samsa/registry`: the schema registry server, a client for any Confluent-compatible registry,
 * and serializers/deserializers for Avro, JSON Schema and Protobuf in Confluent's wire format
 * (`registrySerde` for the streams library).
 *
 *   import { serializer, deserializer } from 'samsa/registry';
 *   const serialize = serializer({ registry: 'http://127.0.0.1:8081', format: 'avro', schema });
 *   const bytes = await serialize('orders', { id: 1 });        // registers orders-value once
 *   const value = await deserializer({ registry: 'http://127.0.0.1:8081' })('orders', bytes);
 */
export {
  type RegisteredSchema,
  RegistryClient,
  RegistryClientError,
  type SchemaInfo,
  type SubjectVersion,
} from './client.ts';
export { COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility.ts';
export type { SchemaReference, SchemaType } from './schemas/parsed-schema.ts';
export { avroType } from './serdes/avro.ts';
export {
  type DeserializerOptions,
  deserializer,
  SchemaDeserializer,
  type SchemaFormat,
  SchemaSerializer,
  SerializationError,
  type SerializerOptions,
  type SubjectNameStrategy,
  serializer,
} from './serdes/serde.ts';
export { type RegistrySerde, type RegistrySerdeOptions, registrySerde } from './serdes/streams-serde.ts';
export {
  decodeMessageIndexes,
  decodeProtobufWire,
  decodeWire,
  encodeMessageIndexes,
  encodeProtobufWire,
  encodeWire,
  MAGIC_BYTE,
  schemaIdOf,
  WireFormatError,
} from './serdes/wire.ts';
export { type RegistryServer, type RegistryServerOptions, startRegistry } from './server/registry-server.ts';
