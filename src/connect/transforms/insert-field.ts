/**
 * `org.apache.kafka.connect.transforms.InsertField$Key|$Value`: adds the record's topic, partition,
 * offset (sink records), timestamp and/or a static string as fields. A field name ending in `!` is
 * required (`?` or nothing: optional). Tombstones pass unchanged.
 */
import type { ConfigDef, ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { LOGICAL, Schemas } from '../api/index.ts';
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
  {
    name: 'topic.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation:
      'Field name for Kafka topic. Suffix with ! to make this a required field, or ? to keep it optional (the default).',
  },
  {
    name: 'partition.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Field name for Kafka partition.',
  },
  {
    name: 'offset.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Field name for Kafka offset - only applicable to sink connectors.',
  },
  {
    name: 'timestamp.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Field name for record timestamp.',
  },
  {
    name: 'static.field',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Field name for static data field.',
  },
  {
    name: 'static.value',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    documentation: 'Static field value, if field name configured.',
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

interface Spec {
  name: string;
  optional: boolean;
}

function spec(text: unknown): Spec | null {
  if (typeof text !== 'string' || text === '') return null;
  if (text.endsWith('!')) return { name: text.slice(0, -1), optional: false };
  if (text.endsWith('?')) return { name: text.slice(0, -1), optional: true };
  return { name: text, optional: true };
}

class InsertField implements Transformation {
  readonly #side: Side;
  #fields: { spec: Spec; schema: (optional: boolean) => Schema; value: (r: ConnectRecord) => unknown }[] = [];

  constructor(side: Side) {
    this.#side = side;
  }

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(CONFIG, config);
    const add = (key: string, schema: (o: boolean) => Schema, value: (r: ConnectRecord) => unknown): void => {
      const s = spec(v[key]);
      if (s) this.#fields.push({ spec: s, schema, value });
    };
    add(
      'topic.field',
      (optional) => Schemas.string({ optional }),
      (r) => r.topic,
    );
    add(
      'partition.field',
      (optional) => Schemas.int32({ optional }),
      (r) => r.kafkaPartition,
    );
    add(
      'offset.field',
      (optional) => Schemas.int64({ optional }),
      (r) => {
        const offset = (r as { kafkaOffset?: bigint }).kafkaOffset;
        if (offset === undefined) return null;
        return Number.isSafeInteger(Number(offset)) ? Number(offset) : offset;
      },
    );
    add(
      'timestamp.field',
      (optional) => ({ ...Schemas.int64({ optional }), name: LOGICAL.timestamp, version: 1 }),
      (r) => r.timestamp,
    );
    const staticValue = v['static.value'];
    add(
      'static.field',
      (optional) => Schemas.string({ optional }),
      () => staticValue,
    );
  }

  apply(record: ConnectRecord): ConnectRecord {
    const { schema, value } = operand(record, this.#side);
    if (value === null || value === undefined) return record;
    if (schema === null) {
      const map = { ...requireMap(value, 'field insertion') };
      for (const f of this.#fields) map[f.spec.name] = f.value(record);
      return withOperand(record, this.#side, null, map);
    }
    const struct = requireStruct(value, 'field insertion');
    const fields: [string, Schema][] = (schema.fields ?? []).map((f) => [f.name, f.schema]);
    const out: Record<string, unknown> = { ...struct };
    for (const f of this.#fields) {
      fields.push([f.spec.name, f.schema(f.spec.optional)]);
      const v = f.value(record);
      if ((v === null || v === undefined) && !f.spec.optional) {
        throw new DataError(`Missing value for required field ${f.spec.name}`);
      }
      out[f.spec.name] = v ?? null;
    }
    const newSchema: Schema = {
      ...schema,
      fields: fields.map(([name, s], index) => ({ name, index, schema: s })),
    };
    return withOperand(record, this.#side, newSchema, out);
  }
}

export const insertFieldPlugins = keyAndValue(
  'org.apache.kafka.connect.transforms.InsertField',
  CONFIG,
  (side) => new InsertField(side),
);
