/**
 * The sink's per-record decisions: the path compiled per schema gives the same row (table, columns,
 * texts) as the generic path for the records it takes, and leaves the others (deletes, truncates,
 * `__deleted`, unavailable values, values that do not fit) to the generic path and its errors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Schema, SinkRecord } from '../../../src/connect/api/index.ts';
import { readSinkConfig } from '../../../src/connectors/postgres-sink/config.ts';
import {
  fastRowOp,
  genericRowOp,
  type RowOp,
  rowOp,
  UnwritableRecordError,
} from '../../../src/connectors/postgres-sink/record.ts';

const int32: Schema = { type: 'int32', optional: false };
const int64: Schema = { type: 'int64', optional: true };
const KEY: Schema = {
  type: 'struct',
  optional: false,
  name: 'srv.public.items.Key',
  fields: [{ name: 'id', index: 0, schema: int32 }],
};
const ROW: Schema = {
  type: 'struct',
  optional: true,
  name: 'srv.public.items.Value',
  fields: [
    { name: 'id', index: 0, schema: int32 },
    { name: 'name', index: 1, schema: { type: 'string', optional: true } },
    { name: 'qty', index: 2, schema: int64 },
    { name: 'ok', index: 3, schema: { type: 'boolean', optional: true } },
    { name: 'score', index: 4, schema: { type: 'float64', optional: true } },
    {
      name: 'price',
      index: 5,
      schema: {
        type: 'bytes',
        optional: true,
        name: 'org.apache.kafka.connect.data.Decimal',
        version: 1,
        parameters: { scale: '2' },
      },
    },
    { name: 'day', index: 6, schema: { type: 'int32', optional: true, name: 'io.debezium.time.Date' } },
  ],
};
const ENVELOPE: Schema = {
  type: 'struct',
  optional: false,
  name: 'srv.public.items.Envelope',
  fields: [
    { name: 'before', index: 0, schema: ROW },
    { name: 'after', index: 1, schema: ROW },
    { name: 'source', index: 2, schema: { type: 'struct', optional: false, fields: [] } },
    { name: 'op', index: 3, schema: { type: 'string', optional: false } },
  ],
};

let offset = 0n;
function record(
  key: unknown,
  value: unknown,
  valueSchema: Schema | null,
  keySchema: Schema | null = KEY,
): SinkRecord {
  const o = offset++;
  return {
    topic: 'srv.public.items',
    kafkaPartition: 3,
    kafkaOffset: o,
    timestampType: 'CreateTime',
    originalTopic: 'srv.public.items',
    originalKafkaPartition: 3,
    originalKafkaOffset: o,
    keySchema,
    key,
    valueSchema,
    value,
    timestamp: 0,
    headers: [],
    raw: { key: null, value: null, headers: [], timestamp: 0 },
  };
}

function row(id: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `n\t${id}`,
    qty: id * 1000,
    ok: id % 2 === 0,
    score: id / 7,
    price: Buffer.from([0x01, id & 0xff]),
    day: 19000 + id,
    ...extra,
  };
}

function envelope(op: string, before: unknown, after: unknown): Record<string, unknown> {
  return { before, after, source: {}, op };
}

/** The row as the writer sees it (the compiled path keeps no values: every column has a schema). */
function view(op: RowOp | null): unknown {
  if (op === null || op.kind !== 'write') return op;
  return { table: op.table, shape: op.shape, texts: op.texts };
}

const configs = {
  record_key: readSinkConfig({
    'connection.url': 'postgres://h/db',
    'insert.mode': 'upsert',
    'pk.mode': 'record_key',
    'delete.enabled': 'true',
  }),
  record_value: readSinkConfig({
    'connection.url': 'postgres://h/db',
    'insert.mode': 'upsert',
    'pk.mode': 'record_value',
    'pk.fields': 'name,id',
    'fields.whitelist': 'id,name,qty',
  }),
  kafka: readSinkConfig({
    'connection.url': 'postgres://h/db',
    'insert.mode': 'upsert',
    'pk.mode': 'kafka',
    'field.exclude.list': 'srv.public.items:score',
  }),
  none: readSinkConfig({ 'connection.url': 'postgres://h/db', 'insert.mode': 'insert' }),
};

test("the compiled path gives the generic path's row for envelopes and flat rows, in every pk.mode", () => {
  for (const [mode, config] of Object.entries(configs)) {
    const records = [
      record({ id: 1 }, envelope('r', null, row(1)), ENVELOPE),
      record(
        { id: 2 },
        envelope('c', null, row(2, { name: null, qty: 2 ** 60, score: Number.NaN })),
        ENVELOPE,
      ),
      record({ id: 3 }, envelope('u', row(3), row(3, { name: 'a\\b\nc', ok: null, price: null })), ENVELOPE),
      // An envelope recognised by its fields (the schema is not named *.Envelope).
      record({ id: 4 }, envelope('c', null, row(4)), { ...ENVELOPE, name: 'custom' }),
      record({ id: 5 }, row(5), ROW),
      record({ id: 6 }, row(6, { __deleted: 'false' }), ROW),
    ];
    for (const r of records) {
      const fast = fastRowOp(config, r);
      assert.notEqual(fast, undefined, `${mode}: offset ${r.kafkaOffset} takes the compiled path`);
      assert.deepEqual(view(fast!), view(genericRowOp(config, r)), `${mode}: offset ${r.kafkaOffset}`);
      assert.deepEqual(view(rowOp(config, r)), view(genericRowOp(config, r)));
    }
  }
});

test('other records take the generic path, with its errors', () => {
  const config = configs.record_key;
  const generic = [
    record({ id: 1 }, envelope('d', row(1), null), ENVELOPE),
    record({ id: 1 }, envelope('t', null, null), ENVELOPE),
    record({ id: 1 }, null, ENVELOPE),
    record({ id: 1 }, row(1, { __deleted: 'true' }), ROW),
    record({ id: 1 }, row(1, { name: '__debezium_unavailable_value' }), ROW),
    record({ id: 1 }, { id: 1, name: 'x' }, null, null),
  ];
  for (const r of generic) {
    assert.equal(fastRowOp(config, r), undefined);
    assert.deepEqual(view(rowOp(config, r)), view(genericRowOp(config, r)));
  }
  const unavailable = rowOp(config, record({ id: 1 }, row(1, { name: '__debezium_unavailable_value' }), ROW));
  assert.ok(unavailable?.kind === 'write' && !unavailable.shape.columns.some((c) => c.name === 'name'));
  // A value that does not fit its schema, a missing key, a Debezium create without `after`.
  const bad: [SinkRecord, RegExp][] = [
    [record({ id: 1 }, row(1, { ok: 'yes' }), ROW), /field "ok": expected a boolean/],
    [record({ id: 'x' }, row(1), ROW), /field "id": expected an integer/],
    [record(null, row(1), ROW), /has no key/],
    [record({ id: 1 }, envelope('c', null, null), ENVELOPE), /without "after"/],
  ];
  for (const [r, message] of bad) {
    assert.equal(fastRowOp(config, r), undefined);
    assert.throws(
      () => rowOp(config, r),
      (err: Error) => err instanceof UnwritableRecordError && message.test(err.message),
    );
  }
});
