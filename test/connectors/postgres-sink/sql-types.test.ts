/**
 * textFormatter, the per-schema formatter of the sink's compiled rows, gives valueText's text for
 * every value (or throws where valueText throws), whatever shortcut it takes for a type.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Schema } from '../../../src/connect/api/index.ts';
import { textFormatter, valueText } from '../../../src/connectors/postgres-sink/sql-types.ts';

const schemas: Schema[] = [
  { type: 'string', optional: true },
  { type: 'string', optional: true, name: 'io.debezium.time.ZonedTimestamp' },
  // A name valueText reads by name, on a type it does not expect: valueText's answer either way.
  { type: 'string', optional: true, name: 'io.debezium.data.VariableScaleDecimal' },
  { type: 'int8', optional: true },
  { type: 'int32', optional: true },
  { type: 'int64', optional: true },
  { type: 'int32', optional: true, name: 'io.debezium.time.Year' },
  { type: 'float32', optional: true },
  { type: 'float64', optional: true },
  { type: 'boolean', optional: true },
  { type: 'int32', optional: true, name: 'io.debezium.time.Date' },
  { type: 'int32', optional: true, name: 'org.apache.kafka.connect.data.Date' },
  { type: 'int64', optional: true, name: 'io.debezium.time.MicroTimestamp' },
  {
    type: 'bytes',
    optional: true,
    name: 'org.apache.kafka.connect.data.Decimal',
    parameters: { scale: '2' },
  },
  { type: 'bytes', optional: true },
];

const values: unknown[] = [
  null,
  undefined,
  'text',
  'a\tb',
  '',
  0,
  -0,
  7,
  -19_000,
  19_000,
  2 ** 60,
  1 / 7,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  12n,
  Buffer.from([0x01, 0x02]),
  Buffer.from([0xff, 0x00, 0x10]),
  new Date(Date.UTC(2024, 1, 29)),
  { a: 1 },
];

function outcome(f: () => string | null): { text: string | null } | { error: string } {
  try {
    return { text: f() };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

test("textFormatter gives valueText's text, or its error, for every schema and value", () => {
  for (const schema of schemas) {
    const format = textFormatter(schema);
    // Twice: the second round reads the date texts remembered by the first.
    for (const round of [1, 2]) {
      for (const v of values) {
        const expected = outcome(() => valueText(schema, v));
        const actual = outcome(() => format(v));
        if ('error' in expected) assert.ok('error' in actual, `${schema.name ?? schema.type} ${String(v)}`);
        else
          assert.deepEqual(actual, expected, `${schema.name ?? schema.type} ${String(v)} (round ${round})`);
      }
    }
  }
});

test('dates by day number, around the epoch and before the common era', () => {
  const date: Schema = { type: 'int32', optional: true, name: 'io.debezium.time.Date' };
  const format = textFormatter(date);
  assert.equal(format(0), '1970-01-01');
  assert.equal(format(-1), '1969-12-31');
  assert.equal(format(19_782), '2024-02-29');
  assert.equal(format(19_782), '2024-02-29');
  assert.equal(format(-719_163), '0001-12-31 BC');
  assert.equal(format(-719_893), '0002-01-01 BC');
});
