/**
 * `org.apache.kafka.connect.transforms.ReplaceField$Key|$Value`: keeps only `include` fields (old
 * name `whitelist`), drops `exclude` fields (old name `blacklist`), and renames `renames`
 * (`old:new,...`). Tombstones pass unchanged.
 */
import type { ConfigDef, ConnectRecord, Schema, Transformation } from '../api/index.ts';
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
    name: 'exclude',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    documentation: 'Fields to exclude. This takes precedence over the fields to include.',
  },
  {
    name: 'include',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    documentation: 'Fields to include. If specified, only these fields will be used.',
  },
  {
    name: 'renames',
    type: 'LIST',
    default: [],
    importance: 'MEDIUM',
    documentation: 'Field rename mappings.',
    validate: (value) =>
      (value as string[]).every((p) => /^[^:]+:[^:]+$/.test(p)) ? null : 'Invalid rename mapping',
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

class ReplaceField implements Transformation {
  readonly #side: Side;
  #include = new Set<string>();
  #exclude = new Set<string>();
  #renames = new Map<string, string>();

  constructor(side: Side) {
    this.#side = side;
  }

  configure(config: Record<string, string>): void {
    const raw = { ...config };
    if (raw.include === undefined && raw.whitelist !== undefined) raw.include = raw.whitelist;
    if (raw.exclude === undefined && raw.blacklist !== undefined) raw.exclude = raw.blacklist;
    const v = parseTransformConfig(CONFIG, raw);
    this.#include = new Set(v.include as string[]);
    this.#exclude = new Set(v.exclude as string[]);
    this.#renames = new Map((v.renames as string[]).map((p) => p.split(':') as [string, string]));
  }

  #keep(name: string): boolean {
    return !this.#exclude.has(name) && (this.#include.size === 0 || this.#include.has(name));
  }

  #renamed(name: string): string {
    return this.#renames.get(name) ?? name;
  }

  apply(record: ConnectRecord): ConnectRecord {
    const { schema, value } = operand(record, this.#side);
    if (value === null || value === undefined) return record;
    if (schema === null) {
      const map = requireMap(value, 'field replacement');
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(map)) if (this.#keep(k)) out[this.#renamed(k)] = v;
      return withOperand(record, this.#side, null, out);
    }
    const struct = requireStruct(value, 'field replacement');
    const fields = (schema.fields ?? []).filter((f) => this.#keep(f.name));
    const newSchema: Schema = {
      ...schema,
      fields: fields.map((f, index) => ({ name: this.#renamed(f.name), index, schema: f.schema })),
    };
    const out: Record<string, unknown> = {};
    for (const f of fields) out[this.#renamed(f.name)] = struct[f.name] ?? null;
    return withOperand(record, this.#side, newSchema, out);
  }
}

export const replaceFieldPlugins = keyAndValue(
  'org.apache.kafka.connect.transforms.ReplaceField',
  CONFIG,
  (side) => new ReplaceField(side),
);
