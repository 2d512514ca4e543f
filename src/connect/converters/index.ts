/**
 * The converters the runtime knows, by class name. Adding one (the registry's Avro, JSON Schema and
 * Protobuf converters) is one line in `CONVERTERS`.
 */
import type { ConverterPlugin } from '../api/index.ts';
import { jsonConverterPlugin } from './json-converter.ts';
import { SCHEMA_REGISTRY_CONVERTERS } from './schema-registry-converters.ts';
import { byteArrayConverterPlugin, stringConverterPlugin } from './string-converter.ts';

export const CONVERTERS: readonly ConverterPlugin[] = [
  jsonConverterPlugin,
  stringConverterPlugin,
  byteArrayConverterPlugin,
  ...SCHEMA_REGISTRY_CONVERTERS,
];
