/**
 * Debezium's `io.debezium.transforms.ExtractNewRecordState`: turns a change event envelope
 * (`{before, after, source, op, ts_ms}`) into the row's new state (`after`).
 *
 * - Deletes (`op: "d"`): `delete.handling.mode` `drop` (default; the event is dropped), `none`
 *   (kept with a null value) or `rewrite` (the `before` state with `__deleted: "true"`; other
 *   events get `__deleted: "false"`). Debezium 2.5's `delete.tombstone.handling.mode`
 *   (`drop`, `tombstone`, `rewrite`, `rewrite-with-tombstone`) is accepted too.
 * - Tombstones: dropped when `drop.tombstones` (default true).
 * - `add.fields` / `add.headers`: envelope fields (`op`, `ts_ms`) or source fields (`table`,
 *   `lsn`, `source.ts_ms`, ...) as `__<name>` fields or headers (prefixes `add.fields.prefix`,
 *   `add.headers.prefix`); dots become underscores.
 * Records that are not envelopes (heartbeats, schema changes) pass unchanged.
 * Not implemented: `route.by.field`, `drop.fields.*`.
 */
import type {
  ConfigDef,
  ConnectHeader,
  ConnectRecord,
  Schema,
  Transformation,
  TransformationPlugin,
} from '../api/index.ts';
import { Schemas, withRecord } from '../api/index.ts';
import { parseTransformConfig } from './support.ts';

const CONFIG: ConfigDef = [
  {
    name: 'drop.tombstones',
    type: 'BOOLEAN',
    default: true,
    importance: 'LOW',
    documentation:
      'Debezium by default generates a tombstone record to enable Kafka compaction after a delete record was generated. This record is usually filtered out to avoid duplicates as a delete record is converted to a tombstone record, too.',
  },
  {
    name: 'delete.handling.mode',
    type: 'STRING',
    default: 'drop',
    importance: 'MEDIUM',
    recommendedValues: ['drop', 'rewrite', 'none'],
    strict: true,
    documentation:
      'How to handle delete records. Options are: none - records are passed, drop - records are removed (the default), rewrite - __deleted field is added to records.',
  },
  {
    name: 'delete.tombstone.handling.mode',
    type: 'STRING',
    default: null,
    importance: 'MEDIUM',
    recommendedValues: ['drop', 'tombstone', 'rewrite', 'rewrite-with-tombstone'],
    strict: true,
    documentation: 'How to handle delete records and tombstones (Debezium 2.5+).',
  },
  {
    name: 'add.fields',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    documentation:
      "Adds each field listed, prefixed with __ (or __<struct>_ if the struct is specified). Example: 'version,connector,source.ts_ms' would add __version, __connector and __source_ts_ms fields.",
  },
  {
    name: 'add.fields.prefix',
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    documentation: 'Adds this prefix to each field listed.',
  },
  {
    name: 'add.headers',
    type: 'LIST',
    default: [],
    importance: 'LOW',
    documentation: 'Adds each field listed to the header, __ (or __<struct>_ if the struct is specified).',
  },
  {
    name: 'add.headers.prefix',
    type: 'STRING',
    default: '__',
    importance: 'LOW',
    documentation: 'Adds this prefix listed to the header.',
  },
];

const ENVELOPE_FIELDS = new Set(['op', 'ts_ms', 'ts_us', 'ts_ns', 'transaction']);

interface Added {
  name: string;
  /** Where to read it: the envelope itself or its source struct. */
  from: 'envelope' | 'source';
  field: string;
}

function parseAdded(list: readonly string[], prefix: string): Added[] {
  return list.map((spec) => {
    const parts = spec.trim().split('.');
    if (parts.length === 2 && parts[0] === 'source') {
      return { name: `${prefix}source_${parts[1]}`, from: 'source', field: parts[1]! };
    }
    const field = parts.join('.');
    return {
      name: `${prefix}${field.replaceAll('.', '_')}`,
      from: ENVELOPE_FIELDS.has(field) ? 'envelope' : 'source',
      field,
    };
  });
}

class ExtractNewRecordState implements Transformation {
  #dropTombstones = true;
  #mode: 'drop' | 'rewrite' | 'none' = 'drop';
  #tombstoneAfterRewrite = false;
  #fields: Added[] = [];
  #headers: Added[] = [];

  configure(config: Record<string, string>): void {
    const v = parseTransformConfig(CONFIG, config);
    this.#dropTombstones = v['drop.tombstones'] as boolean;
    this.#mode = v['delete.handling.mode'] as 'drop' | 'rewrite' | 'none';
    const newer = v['delete.tombstone.handling.mode'] as string | null;
    if (newer) {
      this.#mode = newer === 'drop' ? 'drop' : newer === 'tombstone' ? 'none' : 'rewrite';
      this.#dropTombstones = newer !== 'tombstone' && newer !== 'rewrite-with-tombstone';
      this.#tombstoneAfterRewrite = newer === 'rewrite-with-tombstone';
    }
    void this.#tombstoneAfterRewrite;
    this.#fields = parseAdded(v['add.fields'] as string[], v['add.fields.prefix'] as string);
    this.#headers = parseAdded(v['add.headers'] as string[], v['add.headers.prefix'] as string);
  }

  apply(record: ConnectRecord): ConnectRecord | null {
    if (record.value === null || record.value === undefined) return this.#dropTombstones ? null : record;
    const envelope = record.value as Record<string, unknown>;
    const schema = record.valueSchema;
    const isEnvelope =
      typeof envelope === 'object' &&
      'op' in envelope &&
      ('after' in envelope || 'before' in envelope) &&
      (schema === null || schema.fields?.some((f) => f.name === 'after'));
    if (!isEnvelope) return record;
    const op = envelope.op;
    const source = (envelope.source ?? {}) as Record<string, unknown>;
    const read = (a: Added): unknown => (a.from === 'envelope' ? envelope[a.field] : source[a.field]) ?? null;
    const schemaOf = (a: Added): Schema => {
      const base = a.from === 'envelope' ? schema : schema?.fields?.find((f) => f.name === 'source')?.schema;
      const found = base?.fields?.find((f) => f.name === a.field)?.schema;
      return Schemas.optional(found ?? Schemas.string());
    };
    const headers: ConnectHeader[] = this.#headers.map((a) => ({
      key: a.name,
      value: read(a),
      schema: schema === null ? null : schemaOf(a),
    }));
    let state: unknown;
    let deleted = false;
    if (op === 'd') {
      if (this.#mode === 'drop') return null;
      if (this.#mode === 'none') {
        return withRecord(record, {
          value: null,
          valueSchema: null,
          headers: [...record.headers, ...headers],
        });
      }
      state = envelope.before;
      deleted = true;
    } else {
      state = envelope.after;
    }
    const stateSchema =
      schema?.fields?.find((f) => f.name === (deleted ? 'before' : 'after'))?.schema ?? null;
    const value: Record<string, unknown> = { ...((state as Record<string, unknown>) ?? {}) };
    const extra: [string, Schema][] = [];
    for (const a of this.#fields) {
      value[a.name] = read(a);
      extra.push([a.name, schemaOf(a)]);
    }
    if (this.#mode === 'rewrite') {
      value.__deleted = deleted ? 'true' : 'false';
      extra.push(['__deleted', Schemas.string({ optional: true })]);
    }
    let valueSchema: Schema | null = null;
    if (stateSchema !== null) {
      const fields = [
        ...(stateSchema.fields ?? []).map((f) => [f.name, f.schema] as [string, Schema]),
        ...extra,
      ];
      valueSchema = {
        ...stateSchema,
        optional: false,
        fields: fields.map(([name, s], index) => ({ name, index, schema: s })),
      };
    }
    return withRecord(record, { value, valueSchema, headers: [...record.headers, ...headers] });
  }
}

export const extractNewRecordStatePlugin: TransformationPlugin = {
  className: 'io.debezium.transforms.ExtractNewRecordState',
  config: CONFIG,
  create: () => new ExtractNewRecordState(),
};
