/**
 * Converters' bytes, compared with what Kafka's own converters write: JsonConverter's envelope
 * (schema fields in Kafka's order, logical types, base64 bytes and decimals), schemaless JSON,
 * StringConverter and ByteArrayConverter, and the errors on bytes they cannot read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOGICAL, Schemas } from '../../src/connect/api/index.ts';
import { CONVERTERS } from '../../src/connect/converters/index.ts';
import { JsonConverter } from '../../src/connect/converters/json-converter.ts';
import { ByteArrayConverter, StringConverter } from '../../src/connect/converters/string-converter.ts';

function json(config: Record<string, string> = {}): JsonConverter {
  const c = new JsonConverter();
  c.configure(config, false);
  return c;
}

test('JsonConverter writes the schema envelope exactly as Kafka does', () => {
  const schema = Schemas.struct(
    [
      ['id', Schemas.int32()],
      ['name', Schemas.string({ optional: true })],
      ['tags', Schemas.array(Schemas.string())],
      ['attrs', Schemas.map(Schemas.string(), Schemas.int64())],
      ['price', Schemas.decimal(2)],
      ['day', { ...Schemas.int32(), name: LOGICAL.date, version: 1 }],
      ['at', { ...Schemas.int64({ optional: true }), name: LOGICAL.timestamp, version: 1 }],
      ['blob', Schemas.bytes()],
    ],
    { name: 'shop.Item' },
  );
  const bytes = json().fromConnectData('t', [], schema, {
    id: 42,
    name: null,
    tags: ['a', 'b'],
    attrs: { n: 9007199254740993n },
    price: '12.34',
    day: 19_000,
    at: 1_700_000_000_000,
    blob: Buffer.from([1, 2, 3]),
  });
  // Kafka's JsonConverter output for the same Struct (field order: type, fields/items/keys/values,
  // optional, name, version; each field's schema then "field").
  const expected =
    '{"schema":{"type":"struct","fields":[' +
    '{"type":"int32","optional":false,"field":"id"},' +
    '{"type":"string","optional":true,"field":"name"},' +
    '{"type":"array","items":{"type":"string","optional":false},"optional":false,"field":"tags"},' +
    '{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int64","optional":false},"optional":false,"field":"attrs"},' +
    '{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"price"},' +
    '{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"day"},' +
    '{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"at"},' +
    '{"type":"bytes","optional":false,"field":"blob"}' +
    '],"optional":false,"name":"shop.Item"},' +
    '"payload":{"id":42,"name":null,"tags":["a","b"],"attrs":{"n":9007199254740993},"price":"BNI=","day":19000,"at":1700000000000,"blob":"AQID"}}';
  assert.equal(bytes!.toString(), expected);

  const back = json().toConnectData('t', [], bytes);
  assert.deepEqual(
    back.schema?.fields?.map((f) => f.name),
    ['id', 'name', 'tags', 'attrs', 'price', 'day', 'at', 'blob'],
  );
  const value = back.value as Record<string, unknown>;
  assert.equal(value.id, 42);
  assert.deepEqual(value.price, Buffer.from([0x04, 0xd2])); // 1234 unscaled
  assert.deepEqual(value.blob, Buffer.from([1, 2, 3]));
  assert.equal(back.schema?.name, 'shop.Item');
});

test('JsonConverter writes every record of a reused schema in full (nested structs, nulls, defaults, UTF-8)', () => {
  const row = Schemas.struct(
    [
      ['id', Schemas.int64()],
      ['name', Schemas.string({ optional: true })],
      ['n', { ...Schemas.int32({ optional: true }), defaultValue: 7 }],
      ['price', Schemas.decimal(2, { optional: true })],
    ],
    { name: 'db.Value', optional: true },
  );
  const envelope = Schemas.struct(
    [
      ['before', row],
      ['after', row],
      ['op', Schemas.string()],
    ],
    { name: 'db.Envelope' },
  );
  const c = json();
  const long = 'é€😀'.repeat(30_000); // past the converter's first scratch buffer, multi-byte UTF-8
  const records = [
    { before: null, after: { id: 1n, name: 'ümlaut "quoted"', n: null, price: '1.50' }, op: 'c' },
    {
      before: { id: 1, name: null, n: 3, price: null },
      after: { id: 2, name: long, n: 4, price: 2 },
      op: 'u',
    },
    { before: null, after: { id: 3, name: 'x', n: 5, price: null }, op: 'c' },
  ];
  for (const r of records) {
    const bytes = c.fromConnectData('t', [], envelope, r)!;
    const back = json().toConnectData('t', [], bytes);
    const text = bytes.toString('utf8');
    assert.ok(text.startsWith('{"schema":{"type":"struct","fields":[{"type":"struct"'), text.slice(0, 80));
    const payload = JSON.parse(text).payload as Record<string, unknown>;
    assert.equal(payload.op, r.op);
    const after = back.value as { after: Record<string, unknown> };
    assert.equal(after.after.name, r.after.name);
    // A null with a default is written as the default (replace.null.with.default=true).
    assert.equal((payload.after as Record<string, unknown>).n, r.after.n ?? 7);
  }
  assert.equal(
    JSON.stringify(JSON.parse(c.fromConnectData('t', [], envelope, records[0])!.toString()).payload),
    '{"before":null,"after":{"id":1,"name":"ümlaut \\"quoted\\"","n":7,"price":"AJY="},"op":"c"}',
  );
  assert.throws(() => c.fromConnectData('t', [], envelope, { before: null, after: { id: 'x' }, op: 'c' }), {
    name: 'DataException',
    message: /Invalid type for int64: string/,
  });
  assert.throws(() => c.fromConnectData('t', [], envelope, { before: null, after: null, op: null }), {
    name: 'DataException',
  });
});

test('JsonConverter writes struct fields of any name, and nulls with and without defaults, as the general path does', () => {
  // Field names go into generated code: quotes, backslashes, line separators, digits and words of
  // the generator itself must all come out as written.
  const names = ['CLOSE', 'p', 'a"b', 'c\\d', 'e\u2028f', '0', 'v', 'sink', '}); throw 1; ({', 'ü'];
  const schema = Schemas.struct(
    [
      ...names.map((n): [string, ReturnType<typeof Schemas.string>] => [
        n,
        Schemas.string({ optional: true }),
      ]),
      ['withDefault', { ...Schemas.int32({ optional: true }), defaultValue: 9 }],
      ['nullDefault', { ...Schemas.int32({ optional: true }), defaultValue: null }],
    ],
    { name: 'odd.Names' },
  );
  const value: Record<string, unknown> = Object.fromEntries(
    names.map((n, i) => [n, i % 3 === 0 ? null : `${n}!`]),
  );
  value.withDefault = null;
  value.nullDefault = undefined;
  // In the schema's order (JSON.stringify of an object would put the field "0" first).
  const payload = (withDefault: unknown): string =>
    `{${[
      ...names.map((n, i): [string, unknown] => [n, i % 3 === 0 ? null : `${n}!`]),
      ['withDefault', withDefault],
      ['nullDefault', null],
    ]
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
      .join(',')}}`;
  const text = json().fromConnectData('t', [], schema, value)!.toString('utf8');
  assert.equal(text.slice(text.indexOf(',"payload":') + 11, -1), payload(9));
  const plain = new JsonConverter();
  plain.configure({ 'schemas.enable': 'false', 'replace.null.with.default': 'false' }, false);
  assert.equal(plain.fromConnectData('t', [], schema, value)!.toString('utf8'), payload(null));
});

test('JsonConverter decimal.format=NUMERIC writes decimals as JSON numbers', () => {
  const schema = Schemas.struct([['amount', Schemas.decimal(3)]]);
  const bytes = json({ 'decimal.format': 'NUMERIC', 'schemas.enable': 'false' }).fromConnectData(
    't',
    [],
    schema,
    {
      amount: '-1.5',
    },
  );
  assert.equal(bytes!.toString(), '{"amount":-1.500}');
});

test('JsonConverter writes decimals of every size, numbers and escaped strings as Kafka does', () => {
  const schema = Schemas.struct([
    ['d', Schemas.decimal(2, { optional: true })],
    ['n', Schemas.float64({ optional: true })],
    ['l', Schemas.int64({ optional: true })],
    ['s', Schemas.string({ optional: true })],
  ]);
  const c = json({ 'schemas.enable': 'false' });
  const write = (value: Record<string, unknown>): Record<string, unknown> =>
    JSON.parse(c.fromConnectData('t', [], schema, value)!.toString());
  // Decimal: base64 of the unscaled value, big-endian two's complement in the fewest bytes.
  const unscaled = (d: unknown): bigint => {
    const b = Buffer.from(write({ d }).d as string, 'base64');
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return b[0]! & 0x80 ? v - (1n << BigInt(b.length * 8)) : v;
  };
  const cases: [unknown, bigint, number][] = [
    ['0', 0n, 1],
    ['-0.00', 0n, 1],
    ['1.27', 127n, 1],
    ['1.28', 128n, 2],
    ['-1.28', -128n, 1],
    ['-1.29', -129n, 2],
    ['12.555', 1255n, 2], // digits past the scale are cut
    ['+7.1', 710n, 2],
    ['.5', 50n, 1],
    ['999999999999.99', 99999999999999n, 6],
    ['1407374883553.28', 140737488355328n, 7],
    ['-123456789012345678.9', -12345678901234567890n, 9],
    [12.5, 1250n, 2],
    [123n, 123n, 1],
  ];
  for (const [d, expected, length] of cases) {
    assert.equal(unscaled(d), expected, `decimal ${String(d)}`);
    assert.equal(Buffer.from(write({ d }).d as string, 'base64').length, length, `length of ${String(d)}`);
  }
  assert.throws(() => write({ d: '1e5' }), { name: 'DataException' });
  // Numbers as JSON.stringify writes them; int64 past 2^53 from bigints, digit for digit.
  const text = c
    .fromConnectData('t', [], schema, { n: -0, l: 12345678901234567890n, s: null, d: null })!
    .toString();
  assert.equal(text, '{"d":null,"n":0,"l":12345678901234567890,"s":null}');
  for (const n of [0, -1, 1.5, 1e21, 1e-7, 2 ** 53, -(2 ** 53), 1796628324354401000, Number.NaN]) {
    assert.equal(
      c.fromConnectData('t', [], schema, { n })!.toString(),
      `{"d":null,"n":${JSON.stringify(n)},"l":null,"s":null}`,
    );
  }
  // Strings: escapes and UTF-8 exactly as JSON.stringify (lone surrogates as \u escapes).
  for (const s of [
    'plain',
    'quote " and \\ backslash',
    'tab\tnew\nline\u0000\u001f\u007f',
    'é € 😀',
    '\ud800 lone',
    '\u2028',
  ]) {
    assert.equal(
      c.fromConnectData('t', [], schema, { s })!.toString(),
      `{"d":null,"n":null,"l":null,"s":${JSON.stringify(s)}}`,
    );
  }
});

test('JsonConverter writes records larger than its buffer, and the next ones, in full', () => {
  const schema = Schemas.struct([['s', Schemas.string()]]);
  const c = json({ 'schemas.enable': 'false' });
  for (const s of ['small', 'é'.repeat(700_000) + 'x'.repeat(1_000_000), 'after', 'y'.repeat(20_000)]) {
    assert.equal(c.fromConnectData('t', [], schema, { s })!.toString(), JSON.stringify({ s }));
  }
});

test("JsonConverter's parts are fromConnectData's bytes, with and without schemas", () => {
  const schema = Schemas.struct(
    [
      ['id', Schemas.int64()],
      ['name', Schemas.string({ optional: true })],
    ],
    { name: 'db.Value' },
  );
  const joined = (parts: Buffer | readonly Buffer[] | null) =>
    parts === null ? null : Buffer.isBuffer(parts) ? parts : Buffer.concat(parts as Buffer[]);
  for (const config of [{}, { 'schemas.enable': 'false' }] as Record<string, string>[]) {
    const c = json(config);
    for (const value of [
      { id: 1, name: 'é "x"' },
      { id: 2, name: null },
    ]) {
      const parts = c.fromConnectDataParts('t', [], schema, value);
      assert.deepEqual(joined(parts), c.fromConnectData('t', [], schema, value));
    }
    assert.equal(c.fromConnectDataParts('t', [], null, null), null);
    assert.deepEqual(
      joined(c.fromConnectDataParts('t', [], null, [1])),
      c.fromConnectData('t', [], null, [1]),
    );
    assert.throws(() => c.fromConnectDataParts('t', [], schema, { id: 'x' }), { name: 'DataException' });
  }
  // With schemas, the schema's bytes are one part shared by every record of that schema.
  const c = json();
  const a = c.fromConnectDataParts('t', [], schema, { id: 1, name: null }) as readonly Buffer[];
  const b = c.fromConnectDataParts('t', [], schema, { id: 2, name: null }) as readonly Buffer[];
  assert.equal(a.length, 2);
  assert.equal(a[0], b[0]);
  assert.equal(b[1]!.toString(), '{"id":2,"name":null}}');
});

test('JsonConverter with schemas.enable=false reads and writes plain JSON', () => {
  const c = json({ 'schemas.enable': 'false' });
  assert.equal(
    c.fromConnectData('t', [], null, { a: 1, b: [true, null] })!.toString(),
    '{"a":1,"b":[true,null]}',
  );
  assert.deepEqual(c.toConnectData('t', [], Buffer.from('{"a":1}')), { schema: null, value: { a: 1 } });
  assert.equal(c.fromConnectData('t', [], null, null), null);
  assert.deepEqual(c.toConnectData('t', [], null), { schema: null, value: null });
});

test("JsonConverter rejects bytes it cannot read with Kafka's messages", () => {
  assert.throws(() => json().toConnectData('t', [], Buffer.from('{not json')), {
    name: 'DataException',
    message: /Converting byte\[\] to Kafka Connect data failed due to serialization error/,
  });
  assert.throws(() => json().toConnectData('t', [], Buffer.from('{"a":1}')), {
    message: /JsonConverter with schemas.enable requires "schema" and "payload" fields/,
  });
  assert.throws(
    () =>
      json().toConnectData(
        't',
        [],
        Buffer.from('{"schema":{"type":"int32","optional":false},"payload":"x"}'),
      ),
    {
      name: 'DataException',
    },
  );
  assert.throws(() => json().fromConnectData('t', [], Schemas.int32(), null), { name: 'DataException' });
});

test('a schemaless envelope and a null schema round trip', () => {
  const c = json();
  const bytes = c.fromConnectData('t', [], null, { x: 'y' });
  assert.equal(bytes!.toString(), '{"schema":null,"payload":{"x":"y"}}');
  assert.deepEqual(c.toConnectData('t', [], bytes), { schema: null, value: { x: 'y' } });
});

test('StringConverter and ByteArrayConverter', () => {
  const s = new StringConverter();
  s.configure({});
  assert.equal(s.fromConnectData('t', [], null, 'héllo')!.toString('utf8'), 'héllo');
  assert.deepEqual(s.toConnectData('t', [], Buffer.from('héllo')), {
    schema: Schemas.string({ optional: true }),
    value: 'héllo',
  });
  assert.equal(s.fromConnectData('t', [], null, null), null);
  const b = new ByteArrayConverter();
  assert.deepEqual(b.fromConnectData('t', [], null, Buffer.from([0, 255])), Buffer.from([0, 255]));
  assert.throws(() => b.fromConnectData('t', [], Schemas.string(), 'x'), /Invalid schema type/);
});

test("the converter registry knows Kafka's and Confluent's class names", () => {
  assert.deepEqual(
    CONVERTERS.map((c) => c.className),
    [
      'org.apache.kafka.connect.json.JsonConverter',
      'org.apache.kafka.connect.storage.StringConverter',
      'org.apache.kafka.connect.converters.ByteArrayConverter',
      'io.confluent.connect.avro.AvroConverter',
      'io.confluent.connect.json.JsonSchemaConverter',
      'io.confluent.connect.protobuf.ProtobufConverter',
    ],
  );
});
