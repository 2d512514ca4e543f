/**
 * What the single message transforms share: the `$Key`/`$Value` side of a record they work on, the
 * "value must be a struct or map" checks with Kafka's messages, and config parsing that throws
 * Kafka's `ConfigException` wording.
 */
import type {
  ConfigDef,
  ConnectConfig,
  ConnectRecord,
  Schema,
  Transformation,
  TransformationPlugin,
} from '../api/index.ts';
import { parseConfig, withRecord } from '../api/index.ts';
import { DataError } from '../converters/json-text.ts';

export type Side = 'key' | 'value';

export interface Operand {
  readonly schema: Schema | null;
  readonly value: unknown;
}

export function operand(record: ConnectRecord, side: Side): Operand {
  return side === 'key'
    ? { schema: record.keySchema, value: record.key }
    : { schema: record.valueSchema, value: record.value };
}

export function withOperand<R extends ConnectRecord>(
  record: R,
  side: Side,
  schema: Schema | null,
  value: unknown,
): R {
  return side === 'key'
    ? withRecord(record, { keySchema: schema, key: value })
    : withRecord(record, { valueSchema: schema, value });
}

/** Parses a transform's config; throws the first problem (Kafka fails the connector on it). */
export function parseTransformConfig(def: ConfigDef, config: ConnectConfig): Record<string, unknown> {
  const parsed = parseConfig(def, config);
  for (const [, messages] of parsed.errors) throw new Error(messages[0]);
  return parsed.values as Record<string, unknown>;
}

export function requireStruct(value: unknown, purpose: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new DataError(`Only Struct objects supported for [${purpose}], found: ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

export function requireMap(value: unknown, purpose: string): Record<string, unknown> {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Buffer.isBuffer(value)) {
    throw new DataError(
      `Only Map objects supported in absence of schema for [${purpose}], found: ${describe(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'java.util.ArrayList';
  if (Buffer.isBuffer(value)) return '[B';
  if (typeof value === 'string') return 'java.lang.String';
  if (typeof value === 'number') return 'java.lang.Number';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  return typeof value;
}

/** `X$Key` and `X$Value` plugins from one factory. */
export function keyAndValue(
  base: string,
  config: ConfigDef,
  create: (side: Side) => Transformation,
): TransformationPlugin[] {
  return (['key', 'value'] as const).map((side) => ({
    className: `${base}$${side === 'key' ? 'Key' : 'Value'}`,
    config,
    create: () => create(side),
  }));
}
