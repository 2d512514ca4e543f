/**
 * The schema-registry converters under Confluent's class names, for the runtime's converter
 * registry: `io.confluent.connect.avro.AvroConverter`, `io.confluent.connect.json.JsonSchemaConverter`
 * and `io.confluent.connect.protobuf.ProtobufConverter`.
 */
import type { ConverterPlugin } from '../api/index.ts';
import { avroConverterPlugin } from './avro-converter.ts';
import { jsonSchemaConverterPlugin } from './json-schema-converter.ts';
import { protobufConverterPlugin } from './protobuf-converter.ts';

export const SCHEMA_REGISTRY_CONVERTERS: readonly ConverterPlugin[] = [
  avroConverterPlugin,
  jsonSchemaConverterPlugin,
  protobufConverterPlugin,
];
