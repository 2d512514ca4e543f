/**
 * `org.apache.kafka.connect.transforms.ValueToKey`: replaces the key with a struct (or map, without
 * a schema) of the value's `fields`.
 */
import type { ConfigDef, ConnectRecord, Schema, Transformation, TransformationPlugin } from '../api/index.ts';
import { withRecord } from '../api/index.ts';
import { DataError } from '../converters/json-text.ts';
import { parseTransformConfig, requireMap, requireStruct } from './support.ts';

const CONFIG: ConfigDef = [
  {
    name: 'fields',
    type: 'LIST',
    importance: 'HIGH',
    documentation: 'Field names on the record value to extract as the record key.',
    validate: (v) => ((v as string[]).length === 0 ? 'Empty list' : null),
  },
  {
    name: 'replace.null.with.default',
    type: 'BOOLEAN',
    default: true,
    importance: 'MEDIUM',
    documentation:
      'Whether to replace fields that have a default value and that are null to the default value.',
  },
];

class ValueToKey implements Transformation {
  #fields: string[] = [];

  configure(config: Record<string, string>): void {
    this.#fields = parseTransformConfig(CONFIG, config).fields as string[];
  }

  apply(record: ConnectRecord): ConnectRecord {
    if (record.valueSchema === null) {
      const map = requireMap(record.value, 'copying fields from value to key');
      const key: Record<string, unknown> = {};
      for (const f of this.#fields) key[f] = map[f] ?? null;
      return withRecord(record, { keySchema: null, key });
    }
    const struct = requireStruct(record.value, 'copying fields from value to key');
    const fields = this.#fields.map((name, index) => {
      const field = record.valueSchema!.fields?.find((f) => f.name === name);
      if (!field) throw new DataError(`Field does not exist: ${name}`);
      return { name, index, schema: field.schema };
    });
    const keySchema: Schema = { type: 'struct', optional: false, fields };
    const key: Record<string, unknown> = {};
    for (const f of this.#fields) key[f] = struct[f] ?? null;
    return withRecord(record, { keySchema, key });
  }
}

export const valueToKeyPlugin: TransformationPlugin = {
  className: 'org.apache.kafka.connect.transforms.ValueToKey',
  config: CONFIG,
  create: () => new ValueToKey(),
};
