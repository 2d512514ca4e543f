/**
 * `org.apache.kafka.connect.transforms.ExtractField$Key|$Value`: replaces the key or value with one
 * of its fields (`field`; with `field.syntax.version=V2`, a dotted path into nested structs).
 * Tombstones pass unchanged; a missing field gives null.
 */
import type { ConfigDef, ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { DataError } from '../converters/json-text.ts';
import {
  keyAndValue,
  operand,
  parseTransformConfig,
  requireMap,
  requireStruct,
  type Side,
  withOperand,
} from './support.ts';

const CONFIG: ConfigDef = [
  { name: 'field', type: 'STRING', importance: 'MEDIUM', documentation: 'Field name to extract.' },
  {
    name: 'field.syntax.version',
    type: 'STRING',
    default: 'V1',
    importance: 'HIGH',
    recommendedValues: ['V1', 'V2'],
    strict: true,
    documentation: 'Defines the version of the syntax to access fields. V2 supports nested fields with dots.',
  },
];

class ExtractField implements Transformation {
  readonly #side: Side;
  #path: string[] = [];

  constructor(side: Side) {
    this.#side = side;
  }

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(CONFIG, config);
    const field = v.field as string;
    this.#path = v['field.syntax.version'] === 'V2' ? field.split('.') : [field];
  }

  apply(record: ConnectRecord): ConnectRecord {
    const { schema, value } = operand(record, this.#side);
    if (value === null || value === undefined) return record;
    if (schema === null) {
      let current: unknown = value;
      for (const name of this.#path)
        current = current == null ? null : requireMap(current, 'field extraction')[name];
      return withOperand(record, this.#side, null, current ?? null);
    }
    let currentSchema: Schema = schema;
    let current: unknown = value;
    for (const name of this.#path) {
      const field = currentSchema.fields?.find((f) => f.name === name);
      if (!field) throw new DataError(`Unknown field: ${this.#path.join('.')}`);
      current = current == null ? null : requireStruct(current, 'field extraction')[name];
      currentSchema = field.schema;
    }
    return withOperand(record, this.#side, currentSchema, current ?? null);
  }
}

export const extractFieldPlugins = keyAndValue(
  'org.apache.kafka.connect.transforms.ExtractField',
  CONFIG,
  (side) => new ExtractField(side),
);
