/**
 * Debezium's type mappings, checked on real values: the same row read by the snapshot and by
 * streaming gives the same Connect values, and those are the values Debezium documents; the
 * decimal.handling.mode, time.precision.mode and binary.handling.mode variants; property tests of
 * the decimal and calendar arithmetic.
 */
import assert from 'node:assert/strict';
import { after as afterAll, before as beforeAll, test } from 'node:test';
import fc from 'fast-check';
import type { Schema, Struct } from '../../../src/connect/api/index.ts';
import {
  daysFromCivil,
  decimalBytes,
  decimalOf,
  parseArray,
  parseDate,
  parseTimestampTz,
  twosComplement,
} from '../../../src/connectors/postgres-cdc/types.ts';
import { startPostgres, type TestPostgres } from '../../helpers/postgres.ts';
import { after, cdcConfig, freshDatabase, startSource } from './setup.ts';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  await pg?.stop();
});

const TABLE = [
  "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
  'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)',
  `CREATE TABLE t (
     id int PRIMARY KEY,
     c_int2 smallint, c_int4 int NOT NULL, c_int8 bigint, c_int8_big bigint,
     c_float4 real, c_float8 double precision,
     c_numeric numeric(10,3), c_numeric_var numeric, c_money money,
     c_text text, c_varchar varchar(5), c_char char(4), c_bool boolean,
     c_ts timestamp, c_ts3 timestamp(3), c_tstz timestamptz, c_tstz0 timestamptz(0),
     c_date date, c_time time, c_time3 time(3), c_timetz timetz,
     c_uuid uuid, c_json json, c_jsonb jsonb, c_bytea bytea,
     c_int_arr int[], c_text_arr text[], c_mood mood, c_interval interval,
     c_domain positive_int, c_inet inet, c_point point
   )`,
];
const VALUES = `(%ID%, 32767, -5, 42, 9007199254740993, 1.5, 1234.5678, 123.456, 1.2300, 12.34,
  'héllo', 'abc', 'ab', true,
  '2024-02-29 12:34:56.789012', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.5+02', '2024-02-29 12:34:56+00',
  '2024-02-29', '12:34:56.123456', '01:02:03.004', '12:00:00+02',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 2, "a": 1}', '{"b": 2, "a": 1}', '\\x0102ff',
  '{1,NULL,3}', '{"a b","c\\"d",NULL}', 'happy', '1 day 02:00:00',
  7, '10.0.0.1', '(1,2)')`;

const micros = (iso: string, frac: number): number => Date.parse(iso) * 1000 + frac;

const EXPECTED: Struct = {
  c_int2: 32767,
  c_int4: -5,
  c_int8: 42,
  c_int8_big: 9007199254740993n,
  c_float4: 1.5,
  c_float8: 1234.5678,
  c_numeric: Buffer.from([0x01, 0xe2, 0x40]), // 123456 at scale 3
  c_numeric_var: { scale: 2, value: Buffer.from([0x7b]) }, // 1.23: trailing zeros stripped
  c_money: Buffer.from([0x04, 0xd2]), // 1234 at scale 2
  c_text: 'héllo',
  c_varchar: 'abc',
  c_char: 'ab  ',
  c_bool: true,
  c_ts: micros('2024-02-29T12:34:56Z', 789012),
  c_ts3: Date.parse('2024-02-29T12:34:56.789Z'),
  c_tstz: '2024-02-29T10:34:56.500000Z',
  c_tstz0: '2024-02-29T12:34:56Z',
  c_date: 19782,
  c_time: ((12 * 60 + 34) * 60 + 56) * 1_000_000 + 123456,
  c_time3: (3600 + 2 * 60 + 3) * 1000 + 4,
  c_timetz: '10:00:00Z',
  c_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  c_json: '{"b": 2, "a": 1}',
  c_jsonb: '{"a": 1, "b": 2}',
  c_bytea: Buffer.from([1, 2, 255]),
  c_int_arr: [1, null, 3],
  c_text_arr: ['a b', 'c"d', null],
  c_mood: 'happy',
  c_interval: (86400 + 7200) * 1_000_000,
  c_domain: 7,
  c_inet: '10.0.0.1',
};

function fieldSchema(schema: Schema | null, name: string): Schema | undefined {
  return schema?.fields?.[1]?.schema.fields?.find((f) => f.name === name)?.schema;
}

test('snapshot and streaming give the same Debezium values for every supported type', async () => {
  const db = await freshDatabase(pg, [...TABLE, `INSERT INTO t VALUES ${VALUES.replace('%ID%', '1')}`]);
  const source = await startSource(cdcConfig(pg, db));
  try {
    await source.pollUntil((r) => r.length >= 1);
    await pg.query(`INSERT INTO t VALUES ${VALUES.replace('%ID%', '2')}`, [], db);
    const [snap, streamed] = await source.pollUntil((r) => r.length >= 2);
    const { id: id1, ...fromSnapshot } = after(snap!)!;
    const { id: id2, ...fromStream } = after(streamed!)!;
    assert.deepEqual([id1, id2], [1, 2]);
    assert.deepEqual(fromSnapshot, EXPECTED);
    assert.deepEqual(fromStream, EXPECTED);
    assert.deepEqual(
      snap!.valueSchema,
      streamed!.valueSchema,
      'same schema from the catalog and from pgoutput',
    );
    const schema = snap!.valueSchema;
    const named = (n: string) => {
      const s = fieldSchema(schema, n);
      return [s?.type, s?.name ?? null, s?.optional];
    };
    assert.deepEqual(named('c_int2'), ['int16', null, true]);
    assert.deepEqual(named('c_int4'), ['int32', null, false]);
    assert.deepEqual(named('c_float4'), ['float32', null, true]);
    assert.deepEqual(named('c_numeric'), ['bytes', 'org.apache.kafka.connect.data.Decimal', true]);
    assert.deepEqual(fieldSchema(schema, 'c_numeric')?.parameters, {
      scale: '3',
      'connect.decimal.precision': '10',
    });
    assert.deepEqual(named('c_numeric_var'), ['struct', 'io.debezium.data.VariableScaleDecimal', true]);
    assert.deepEqual(named('c_ts'), ['int64', 'io.debezium.time.MicroTimestamp', true]);
    assert.deepEqual(named('c_ts3'), ['int64', 'io.debezium.time.Timestamp', true]);
    assert.deepEqual(named('c_tstz'), ['string', 'io.debezium.time.ZonedTimestamp', true]);
    assert.deepEqual(named('c_date'), ['int32', 'io.debezium.time.Date', true]);
    assert.deepEqual(named('c_time'), ['int64', 'io.debezium.time.MicroTime', true]);
    assert.deepEqual(named('c_time3'), ['int32', 'io.debezium.time.Time', true]);
    assert.deepEqual(named('c_timetz'), ['string', 'io.debezium.time.ZonedTime', true]);
    assert.deepEqual(named('c_uuid'), ['string', 'io.debezium.data.Uuid', true]);
    assert.deepEqual(named('c_json'), ['string', 'io.debezium.data.Json', true]);
    assert.deepEqual(named('c_bytea'), ['bytes', null, true]);
    assert.deepEqual(named('c_int_arr'), ['array', null, true]);
    assert.deepEqual(fieldSchema(schema, 'c_int_arr')?.valueSchema, { type: 'int32', optional: true });
    assert.deepEqual(named('c_mood'), ['string', 'io.debezium.data.Enum', true]);
    assert.deepEqual(fieldSchema(schema, 'c_mood')?.parameters, { allowed: 'sad,ok,happy' });
    assert.deepEqual(named('c_interval'), ['int64', 'io.debezium.time.MicroDuration', true]);
    assert.deepEqual(named('c_domain'), ['int32', null, true]);
    assert.equal(fieldSchema(schema, 'c_point'), undefined, 'unsupported types are left out');
  } finally {
    await source.stop();
  }
});

test('decimal.handling.mode, time.precision.mode=connect and binary.handling.mode variants', async () => {
  const db = await freshDatabase(pg, [...TABLE, `INSERT INTO t VALUES ${VALUES.replace('%ID%', '1')}`]);
  const cases: [Record<string, string>, Struct, Record<string, string | undefined>][] = [
    [
      {
        'decimal.handling.mode': 'string',
        'binary.handling.mode': 'base64',
        'interval.handling.mode': 'string',
      },
      {
        c_numeric: '123.456',
        c_numeric_var: '1.2300',
        c_money: '12.34',
        c_bytea: 'AQL/',
        c_interval: 'P0Y0M1DT2H0M0S',
      },
      { c_numeric: undefined, c_interval: 'io.debezium.time.Interval' },
    ],
    [
      { 'decimal.handling.mode': 'double', 'binary.handling.mode': 'hex' },
      { c_numeric: 123.456, c_numeric_var: 1.23, c_money: 12.34, c_bytea: '0102ff' },
      { c_numeric: undefined },
    ],
    [
      { 'time.precision.mode': 'connect' },
      {
        c_date: 19782,
        c_ts: Date.parse('2024-02-29T12:34:56.789Z'),
        c_time: ((12 * 60 + 34) * 60 + 56) * 1000 + 123,
      },
      {
        c_date: 'org.apache.kafka.connect.data.Date',
        c_ts: 'org.apache.kafka.connect.data.Timestamp',
        c_time: 'org.apache.kafka.connect.data.Time',
      },
    ],
    [
      { 'time.precision.mode': 'adaptive_time_microseconds' },
      { c_time3: 3723004000 },
      { c_time3: 'io.debezium.time.MicroTime' },
    ],
  ];
  let n = 0;
  for (const [settings, values, names] of cases) {
    const source = await startSource(
      cdcConfig(pg, db, { ...settings, 'snapshot.mode': 'initial_only', 'slot.name': `s${n++}` }),
    );
    try {
      const [record] = await source.pollUntil((r) => r.length >= 1);
      const row = after(record!)!;
      for (const [k, v] of Object.entries(values))
        assert.deepEqual(row[k], v, `${JSON.stringify(settings)} ${k}`);
      for (const [k, name] of Object.entries(names))
        assert.equal(fieldSchema(record!.valueSchema, k)?.name, name, k);
    } finally {
      await source.stop();
    }
  }
});

test("decimal bytes are Java's BigInteger.toByteArray of the unscaled value", () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
      fc.integer({ min: 0, max: 12 }),
      (unscaled, scale) => {
        const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
        const text = `${unscaled < 0n ? '-' : ''}${scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
        const d = decimalOf(text, scale, false)!;
        assert.equal(d.scale, scale);
        // Decode two's complement and compare; and it is minimal (no redundant sign byte).
        const bytes = d.bytes;
        let value = BigInt(`0x${bytes.toString('hex') || '0'}`);
        if (bytes[0]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
        assert.equal(value, unscaled);
        if (bytes.length > 1)
          assert.ok(!((bytes[0] === 0 && !(bytes[1]! & 0x80)) || (bytes[0] === 0xff && bytes[1]! & 0x80)));
      },
    ),
  );
  assert.deepEqual(twosComplement(0n), Buffer.from([0]));
  assert.deepEqual(twosComplement(-1n), Buffer.from([0xff]));
  assert.deepEqual(twosComplement(128n), Buffer.from([0x00, 0x80]));
  assert.deepEqual(twosComplement(-128n), Buffer.from([0x80]));
});

test('calendar arithmetic matches the JavaScript Date for years 1 to 9999; array literals', () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T00:00:00Z'),
        noInvalidDate: true,
      }),
      (d) => {
        const days = daysFromCivil(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
        assert.equal(days, Math.floor(d.getTime() / 86_400_000));
      },
    ),
  );
  assert.deepEqual(parseArray('{}'), []);
  assert.deepEqual(parseArray('{1,NULL,"NULL","a,b","x\\\\y"}'), ['1', null, 'NULL', 'a,b', 'x\\y']);
});

test('numeric(p, s) text becomes the same Decimal bytes on the fast path as through decimalOf', () => {
  fc.assert(
    fc.property(
      fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }),
      fc.integer({ min: 0, max: 8 }),
      fc.integer({ min: 0, max: 8 }),
      (unscaled, written, scale) => {
        // PostgreSQL writes `written` decimals; the column's scale may differ (money, casts).
        const digits = (unscaled < 0n ? -unscaled : unscaled).toString().padStart(written + 1, '0');
        const text = `${unscaled < 0n ? '-' : ''}${written > 0 ? `${digits.slice(0, -written)}.${digits.slice(-written)}` : digits}`;
        assert.deepEqual(decimalBytes(text, scale), decimalOf(text, scale, false)?.bytes ?? null, text);
      },
    ),
  );
  for (const text of ['NaN', 'Infinity', '-Infinity', '', '-', '.5', '5.', '-0.00', '1e5', '1.2.3', '+7'])
    assert.deepEqual(decimalBytes(text, 2), decimalOf(text, 2, false)?.bytes ?? null, text);
});

test("timestamptz and date text in the session's UTC form: Debezium's strings and day numbers", () => {
  fc.assert(
    fc.property(
      fc.date({
        min: new Date('0001-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      }),
      fc.integer({ min: 0, max: 999_999 }),
      fc.integer({ min: 0, max: 6 }),
      fc.integer({ min: 1, max: 6 }),
      (d, micros, written, width) => {
        const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
        // PostgreSQL drops trailing zeros of the fraction, and the fraction when it is zero.
        const fraction = String(micros).padStart(6, '0').slice(0, written).replace(/0+$/, '');
        const text = `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction ? `.${fraction}` : ''}+00`;
        const expected = `${iso.slice(0, 10)}T${iso.slice(11, 19)}.${fraction.padEnd(9, '0').slice(0, width)}Z`;
        assert.equal(parseTimestampTz(text, width), expected, text);
        assert.equal(parseDate(iso.slice(0, 10)), Math.floor(d.getTime() / 86_400_000));
      },
    ),
  );
  // Other offsets, widths and forms take the general path.
  assert.equal(parseTimestampTz('2024-01-02 03:04:05.5+02', 3), '2024-01-02T01:04:05.500Z');
  assert.equal(parseTimestampTz('2024-01-02 03:04:05+00', 0), '2024-01-02T03:04:05Z');
  assert.equal(parseTimestampTz('0044-03-15 12:00:00+00 BC', 6), '-0043-03-15T12:00:00.000000Z');
  assert.equal(parseTimestampTz('infinity', 6), 'infinity');
  assert.equal(parseDate('0044-03-15 BC'), daysFromCivil(-43, 3, 15));
});
