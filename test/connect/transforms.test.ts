// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${topic} is TimestampRouter's placeholder
/**
 * Each single message transform with Kafka's (and Debezium's) class names and options, applied
 * through the same chain builder the runtime uses (`transforms`, `predicates`, `negate`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConnectRecord, Schemas, type SinkRecord } from '../../src/connect/api/index.ts';
import { applyChain, buildChain } from '../../src/connect/transforms/index.ts';

const T = 'org.apache.kafka.connect.transforms.';

function record(changes: Partial<SinkRecord> = {}): SinkRecord {
  return {
    topic: 'orders',
    kafkaPartition: 2,
    kafkaOffset: 7n,
    keySchema: null,
    key: null,
    valueSchema: null,
    value: { id: 1, name: 'a', secret: 's' },
    timestamp: Date.UTC(2024, 0, 31, 13, 5, 0),
    timestampType: 'CreateTime',
    headers: [],
    originalTopic: 'orders',
    originalKafkaPartition: 2,
    originalKafkaOffset: 7n,
    raw: { key: null, value: null, headers: [], timestamp: 0 },
    ...changes,
  };
}

function run(config: Record<string, string>, r: ConnectRecord = record()): ConnectRecord | null {
  return applyChain(buildChain(config), r);
}

test('InsertField$Value adds topic, partition, offset, timestamp and a static field', () => {
  const out = run({
    transforms: 'ins',
    'transforms.ins.type': `${T}InsertField$Value`,
    'transforms.ins.topic.field': 'src_topic',
    'transforms.ins.partition.field': 'src_partition',
    'transforms.ins.offset.field': 'src_offset!',
    'transforms.ins.timestamp.field': 'ts',
    'transforms.ins.static.field': 'origin',
    'transforms.ins.static.value': 'samsa',
  });
  assert.deepEqual(out?.value, {
    id: 1,
    name: 'a',
    secret: 's',
    src_topic: 'orders',
    src_partition: 2,
    src_offset: 7,
    ts: Date.UTC(2024, 0, 31, 13, 5, 0),
    origin: 'samsa',
  });
  const withSchema = run(
    {
      transforms: 'ins',
      'transforms.ins.type': `${T}InsertField$Value`,
      'transforms.ins.topic.field': 'src_topic!',
    },
    record({ valueSchema: Schemas.struct([['id', Schemas.int32()]]), value: { id: 5 } }),
  );
  assert.deepEqual(
    withSchema?.valueSchema?.fields?.map((f) => [f.name, f.schema.type, f.schema.optional]),
    [
      ['id', 'int32', false],
      ['src_topic', 'string', false],
    ],
  );
  assert.deepEqual(withSchema?.value, { id: 5, src_topic: 'orders' });
});

test('ReplaceField$Value include/exclude/renames, and the old whitelist/blacklist names', () => {
  const base = { transforms: 'r', 'transforms.r.type': `${T}ReplaceField$Value` };
  assert.deepEqual(
    run({ ...base, 'transforms.r.exclude': 'secret', 'transforms.r.renames': 'name:title' })?.value,
    {
      id: 1,
      title: 'a',
    },
  );
  assert.deepEqual(run({ ...base, 'transforms.r.include': 'id' })?.value, { id: 1 });
  assert.deepEqual(run({ ...base, 'transforms.r.blacklist': 'secret,name' })?.value, { id: 1 });
  assert.deepEqual(run({ ...base, 'transforms.r.whitelist': 'name' })?.value, { name: 'a' });
  assert.throws(() => buildChain({ ...base, 'transforms.r.renames': 'broken' }), /Invalid rename mapping/);
});

test('ExtractField$Key and ValueToKey', () => {
  const keyed = run({
    transforms: 'k,x',
    'transforms.k.type': `${T}ValueToKey`,
    'transforms.k.fields': 'id',
    'transforms.x.type': `${T}ExtractField$Key`,
    'transforms.x.field': 'id',
  });
  assert.equal(keyed?.key, 1);
  const schema = Schemas.struct([
    ['id', Schemas.int64()],
    ['name', Schemas.string()],
  ]);
  const structKey = run(
    { transforms: 'k', 'transforms.k.type': `${T}ValueToKey`, 'transforms.k.fields': 'id' },
    record({ valueSchema: schema, value: { id: 9, name: 'n' } }),
  );
  assert.deepEqual(structKey?.key, { id: 9 });
  assert.deepEqual(
    structKey?.keySchema?.fields?.map((f) => f.name),
    ['id'],
  );
});

test('RegexRouter and TimestampRouter', () => {
  assert.equal(
    run({
      transforms: 'r',
      'transforms.r.type': `${T}RegexRouter`,
      'transforms.r.regex': '(.*)rders',
      'transforms.r.replacement': 'archive-$1',
    })?.topic,
    'archive-o',
  );
  assert.equal(
    run({
      transforms: 'r',
      'transforms.r.type': `${T}RegexRouter`,
      'transforms.r.regex': 'rders',
      'transforms.r.replacement': 'x',
    })?.topic,
    'orders',
    'the regex must match the whole topic',
  );
  assert.equal(
    run({ transforms: 't', 'transforms.t.type': `${T}TimestampRouter` })?.topic,
    'orders-20240131',
  );
  assert.equal(
    run({
      transforms: 't',
      'transforms.t.type': `${T}TimestampRouter`,
      'transforms.t.topic.format': 'daily_${topic}_${timestamp}',
      'transforms.t.timestamp.format': "yyyy-MM-dd'T'HH",
    })?.topic,
    'daily_orders_2024-01-31T13',
  );
});

test('Filter with TopicNameMatches, HasHeaderKey, RecordIsTombstone and negate', () => {
  const P = `${T}predicates.`;
  const filter = (predicate: string, extra: Record<string, string>, negate = false) => ({
    transforms: 'f',
    'transforms.f.type': `${T}Filter`,
    'transforms.f.predicate': 'p',
    ...(negate ? { 'transforms.f.negate': 'true' } : {}),
    predicates: 'p',
    'predicates.p.type': `${P}${predicate}`,
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [`predicates.p.${k}`, v])),
  });
  assert.equal(run(filter('TopicNameMatches', { pattern: 'ord.*' })), null);
  assert.notEqual(run(filter('TopicNameMatches', { pattern: 'ord.*' }, true)), null);
  assert.notEqual(run(filter('TopicNameMatches', { pattern: 'ord' })), null);
  assert.equal(
    run(filter('HasHeaderKey', { name: 'skip' }), record({ headers: [{ key: 'skip', value: '1' }] })),
    null,
  );
  assert.notEqual(run(filter('HasHeaderKey', { name: 'skip' })), null);
  assert.equal(run(filter('RecordIsTombstone', {}), record({ value: null })), null);
  assert.notEqual(run(filter('RecordIsTombstone', {})), null);
  assert.equal(
    run({ transforms: 'f', 'transforms.f.type': `${T}Filter` }),
    null,
    'no predicate: drops everything',
  );
  assert.throws(
    () => buildChain({ ...filter('RecordIsTombstone', {}), 'transforms.f.predicate': 'nope' }),
    /Not a valid predicate alias/,
  );
});

test('HeaderFrom$Value copies or moves fields into headers', () => {
  const moved = run({
    transforms: 'h',
    'transforms.h.type': `${T}HeaderFrom$Value`,
    'transforms.h.fields': 'id,name',
    'transforms.h.headers': 'x-id,x-name',
    'transforms.h.operation': 'move',
  });
  assert.deepEqual(moved?.value, { secret: 's' });
  assert.deepEqual(
    moved?.headers.map((h) => [h.key, h.value]),
    [
      ['x-id', 1],
      ['x-name', 'a'],
    ],
  );
  const copied = run({
    transforms: 'h',
    'transforms.h.type': `${T}HeaderFrom$Value`,
    'transforms.h.fields': 'id',
    'transforms.h.headers': 'x-id',
    'transforms.h.operation': 'copy',
  });
  assert.deepEqual(copied?.value, { id: 1, name: 'a', secret: 's' });
});

test('ExtractNewRecordState unwraps Debezium envelopes, handles deletes and adds fields/headers', () => {
  const row = Schemas.struct([
    ['id', Schemas.int32()],
    ['name', Schemas.string({ optional: true })],
  ]);
  const source = Schemas.struct([
    ['table', Schemas.string()],
    ['lsn', Schemas.int64({ optional: true })],
    ['ts_ms', Schemas.int64()],
  ]);
  const envelopeSchema = Schemas.struct([
    ['before', Schemas.optional(row)],
    ['after', Schemas.optional(row)],
    ['source', source],
    ['op', Schemas.string()],
    ['ts_ms', Schemas.int64({ optional: true })],
  ]);
  const change = (op: string, before: unknown, after: unknown) =>
    record({
      valueSchema: envelopeSchema,
      value: { before, after, source: { table: 'users', lsn: 100, ts_ms: 5 }, op, ts_ms: 6 },
    });
  const D = 'io.debezium.transforms.ExtractNewRecordState';
  const update = run(
    {
      transforms: 'u',
      'transforms.u.type': D,
      'transforms.u.add.fields': 'op,table,source.ts_ms',
      'transforms.u.add.headers': 'lsn',
    },
    change('u', { id: 1, name: 'old' }, { id: 1, name: 'new' }),
  );
  assert.deepEqual(update?.value, { id: 1, name: 'new', __op: 'u', __table: 'users', __source_ts_ms: 5 });
  assert.deepEqual(
    update?.valueSchema?.fields?.map((f) => f.name),
    ['id', 'name', '__op', '__table', '__source_ts_ms'],
  );
  assert.deepEqual(
    update?.headers.map((h) => [h.key, h.value]),
    [['__lsn', 100]],
  );

  const del = change('d', { id: 1, name: 'old' }, null);
  assert.equal(run({ transforms: 'u', 'transforms.u.type': D }, del), null, 'drop (default)');
  const rewritten = run(
    { transforms: 'u', 'transforms.u.type': D, 'transforms.u.delete.handling.mode': 'rewrite' },
    del,
  );
  assert.deepEqual(rewritten?.value, { id: 1, name: 'old', __deleted: 'true' });
  const kept = run(
    { transforms: 'u', 'transforms.u.type': D, 'transforms.u.delete.handling.mode': 'none' },
    del,
  );
  assert.equal(kept?.value, null);
  assert.equal(
    run({ transforms: 'u', 'transforms.u.type': D }, record({ value: null })),
    null,
    'tombstones dropped',
  );
  assert.notEqual(
    run(
      { transforms: 'u', 'transforms.u.type': D, 'transforms.u.drop.tombstones': 'false' },
      record({ value: null }),
    ),
    null,
  );
  const plain = record({ value: { not: 'an envelope' } });
  assert.equal(run({ transforms: 'u', 'transforms.u.type': D }, plain), plain, 'other records pass');
});

test('unknown transform classes and bad options fail with the config key', () => {
  assert.throws(
    () => buildChain({ transforms: 'x', 'transforms.x.type': 'com.example.Nope' }),
    (err: Error & { key?: string }) => {
      assert.equal(err.key, 'transforms.x.type');
      assert.match(err.message, /Class com.example.Nope could not be found/);
      return true;
    },
  );
  assert.throws(
    () => buildChain({ transforms: 'x', 'transforms.x.type': `${T}ExtractField$Value` }),
    /Missing required configuration "field"/,
  );
});
