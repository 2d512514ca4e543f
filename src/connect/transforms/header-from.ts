/**
 * `org.apache.kafka.connect.transforms.HeaderFrom$Key|$Value`: copies or moves (`operation`)
 * fields of the key or value (`fields`) into headers (`headers`, same length, same order).
 * Header values keep the field's schema.
 */
import type { ConfigDef, ConnectHeader, ConnectRecord, Schema, Transformation } from '../api/index.ts';
import { withRecord } from '../api/index.ts';
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
    name: 'fields',
    type: 'LIST',
    importance: 'HIGH',
    documentation: 'Field names in the record whose values are to be copied or moved to headers.',
  },
  {
    name: 'headers',
    type: 'LIST',
    importance: 'HIGH',
    documentation:
      'Header names, in the same order as the field names listed in the fields configuration property.',
  },
  {
    name: 'operation',
    type: 'STRING',
    importance: 'HIGH',
    recommendedValues: ['move', 'copy'],
    strict: true,
    documentation:
      'Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the fields are to be copied to the headers (retained in the key/value).',
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

class HeaderFrom implements Transformation {
  readonly #side: Side;
  #fields: string[] = [];
  #headers: string[] = [];
  #move = false;

  constructor(side: Side) {
    this.#side = side;
  }

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(CONFIG, config);
    this.#fields = v.fields as string[];
    this.#headers = v.headers as string[];
    if (this.#fields.length !== this.#headers.length) {
      throw new Error("'fields' config must have the same number of elements as 'headers' config.");
    }
    this.#move = v.operation === 'move';
  }

  apply(record: ConnectRecord): ConnectRecord {
    const { schema, value } = operand(record, this.#side);
    if (value === null || value === undefined) return record;
    const added: ConnectHeader[] = [];
    if (schema === null) {
      const map = requireMap(value, 'header extraction');
      const out = { ...map };
      this.#fields.forEach((f, i) => {
        added.push({ key: this.#headers[i]!, value: map[f] ?? null, schema: null });
        if (this.#move) delete out[f];
      });
      return withRecord(withOperand(record, this.#side, null, out), {
        headers: [...record.headers, ...added],
      });
    }
    const struct = requireStruct(value, 'header extraction');
    this.#fields.forEach((f, i) => {
      const field = schema.fields?.find((x) => x.name === f);
      if (!field) throw new DataError(`Field does not exist: ${f}`);
      added.push({ key: this.#headers[i]!, value: struct[f] ?? null, schema: field.schema });
    });
    if (!this.#move) return withRecord(record, { headers: [...record.headers, ...added] });
    const kept = (schema.fields ?? []).filter((f) => !this.#fields.includes(f.name));
    const newSchema: Schema = { ...schema, fields: kept.map((f, index) => ({ ...f, index })) };
    const out: Record<string, unknown> = {};
    for (const f of kept) out[f.name] = struct[f.name];
    return withRecord(withOperand(record, this.#side, newSchema, out), {
      headers: [...record.headers, ...added],
    });
  }
}

export const headerFromPlugins = keyAndValue(
  'org.apache.kafka.connect.transforms.HeaderFrom',
  CONFIG,
  (side) => new HeaderFrom(side),
);
