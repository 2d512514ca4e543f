/** CloudEvents encoding in the Kafka binding: binary and structured modes, data kinds, usage errors. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CloudEventEncoder, EmitUsageError } from '../../src/emit/cloudevent.ts';
import type { QueuedRecord } from '../../src/emit/record.ts';

const binary = new CloudEventEncoder({ topic: 't', source: '/app', mode: 'binary' });
const structured = new CloudEventEncoder({ topic: 't', source: '/app', mode: 'structured' });
const NOW = Date.parse('2026-01-02T03:04:05.678Z');

function headers(r: QueuedRecord): Record<string, string> {
  return Object.fromEntries(r.headers.map(([k, v]) => [k.toString(), v.toString()]));
}

test('binary mode: every attribute in a ce_ header, datacontenttype in content-type, JSON data as the value', () => {
  const r = binary.encode(
    'com.example.viewed',
    { item: 42 },
    {
      key: 'user-1',
      id: 'e-1',
      subject: 'item/42',
      time: '2026-01-02T03:04:05Z',
      dataschema: 'https://example.com/viewed.json',
      extensions: { traceparent: '00-abc', tenant: 'acme', retries: 3, sampled: true },
    },
    NOW,
  );
  assert.equal(r.topic, 't');
  assert.equal(r.key?.toString(), 'user-1');
  assert.equal(r.value?.toString(), '{"item":42}');
  assert.deepEqual(headers(r), {
    ce_specversion: '1.0',
    ce_id: 'e-1',
    ce_source: '/app',
    ce_type: 'com.example.viewed',
    ce_time: '2026-01-02T03:04:05Z',
    ce_subject: 'item/42',
    ce_dataschema: 'https://example.com/viewed.json',
    ce_traceparent: '00-abc',
    ce_tenant: 'acme',
    ce_retries: '3',
    ce_sampled: 'true',
    'content-type': 'application/json',
  });
  assert.equal(binary.lastId, 'e-1');
  assert.equal(r.timestamp, NOW);
  // The order: the required attributes, the optional ones, extensions, content-type last.
  assert.deepEqual(
    r.headers.map(([k]) => k.toString()),
    [
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_type',
      'ce_time',
      'ce_subject',
      'ce_dataschema',
      'ce_traceparent',
      'ce_tenant',
      'ce_retries',
      'ce_sampled',
      'content-type',
    ],
  );
  const plain = binary.encode('com.example.viewed', { item: 42 }, undefined, NOW);
  assert.deepEqual(
    plain.headers.map(([k]) => k.toString()),
    ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time', 'content-type'],
  );
  const noData = binary.encode('com.example.ping', undefined, undefined, NOW);
  assert.deepEqual(
    noData.headers.map(([k]) => k.toString()),
    ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time'],
  );
});

test('defaults: a UUID id, now as RFC 3339 time, no key, and no partitionkey attribute added', () => {
  const r = binary.encode('t.x', 1, undefined, NOW);
  const h = headers(r);
  assert.match(h.ce_id!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(binary.lastId, h.ce_id);
  assert.match(h.ce_time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(r.key, undefined);
  assert.equal(h.ce_partitionkey, undefined);
  const withKey = binary.encode('t.x', 1, { key: 'k' }, NOW);
  assert.equal(headers(withKey).ce_partitionkey, undefined);
});

test('headers that repeat are shared between events; the id, time of another millisecond and caller values are not', () => {
  const a = binary.encode('t.shared', { n: 1 }, { key: 'k' }, NOW);
  const b = binary.encode('t.shared', { n: 2 }, { key: 'k' }, NOW);
  const c = binary.encode('t.shared', { n: 3 }, undefined, NOW + 1);
  // specversion, source, type, time (same millisecond) and content-type: the same objects.
  for (const i of [0, 2, 3, 4, 5]) assert.equal(a.headers[i], b.headers[i], `header ${i}`);
  assert.notEqual(a.headers[1], b.headers[1]);
  assert.notEqual(headers(a).ce_id, headers(b).ce_id);
  assert.notEqual(a.headers[4], c.headers[4]);
  assert.equal(headers(c).ce_time, new Date(NOW + 1).toISOString());
  assert.equal(headers(a).ce_time, new Date(NOW).toISOString());
  // Encoding one event never changes another's headers.
  assert.deepEqual(headers(a), { ...headers(b), ce_id: headers(a).ce_id });
  // A key string's bytes are shared between its events (kept for the first 1,024 keys); every
  // key, also past those, is its own UTF-8 bytes.
  assert.equal(a.key, b.key);
  const keyed = new CloudEventEncoder({ topic: 't', source: '/app', mode: 'binary' });
  for (let i = 0; i < 1500; i++) {
    const k = `user-${i}-é`;
    const r = keyed.encode('t.k', 1, { key: k }, NOW);
    assert.equal(r.key?.toString('utf8'), k);
    assert.equal(keyed.encode('t.k', 2, { key: k }, NOW).key?.toString('utf8'), k);
  }
  // A caller's id is UTF-8, not latin1 like the generated ones.
  const u = binary.encode('t.shared', 1, { id: 'événement-1' }, NOW);
  assert.equal(headers(u).ce_id, 'événement-1');
});

test('data kinds: bytes as-is, text with its content type, no data means no value and no content-type', () => {
  const bytes = binary.encode('t.bin', Buffer.from([0, 1, 2]), undefined, NOW);
  assert.deepEqual([...bytes.value!], [0, 1, 2]);
  assert.equal(headers(bytes)['content-type'], 'application/octet-stream');
  const u8 = binary.encode('t.bin', new Uint8Array([9, 8]), { datacontenttype: 'application/avro' }, NOW);
  assert.deepEqual([...u8.value!], [9, 8]);
  assert.equal(headers(u8)['content-type'], 'application/avro');
  const text = binary.encode('t.txt', '<a/>', { datacontenttype: 'application/xml' }, NOW);
  assert.equal(text.value?.toString(), '<a/>');
  assert.equal(headers(text)['content-type'], 'application/xml');
  const jsonString = binary.encode('t.s', 'hello', undefined, NOW);
  assert.equal(jsonString.value?.toString(), '"hello"');
  const cloud = binary.encode(
    't.j',
    { a: 1 },
    { datacontenttype: 'application/vnd.acme+json; charset=utf-8' },
    NOW,
  );
  assert.equal(cloud.value?.toString(), '{"a":1}');
  const none = binary.encode('t.none', undefined, undefined, NOW);
  assert.equal(none.value, undefined);
  assert.equal(headers(none)['content-type'], undefined);
});

test('structured mode: the JSON event format in the value, content-type application/cloudevents+json', () => {
  const r = structured.encode(
    't.s',
    { n: [1, 2] },
    { key: 'k', id: 'i', subject: 's', time: new Date(NOW), extensions: { tenant: 'a' } },
    NOW,
  );
  assert.deepEqual(headers(r), { 'content-type': 'application/cloudevents+json; charset=UTF-8' });
  assert.equal(r.key?.toString(), 'k');
  assert.deepEqual(JSON.parse(r.value!.toString()), {
    specversion: '1.0',
    id: 'i',
    source: '/app',
    type: 't.s',
    time: '2026-01-02T03:04:05.678Z',
    subject: 's',
    tenant: 'a',
    datacontenttype: 'application/json',
    data: { n: [1, 2] },
  });
  const b = structured.encode('t.b', Buffer.from('hi'), { id: 'j', time: '2026-01-02T03:04:05+01:00' }, NOW);
  const event = JSON.parse(b.value!.toString());
  assert.equal(event.data_base64, Buffer.from('hi').toString('base64'));
  assert.equal(event.datacontenttype, 'application/octet-stream');
  assert.equal(event.data, undefined);
  const none = JSON.parse(structured.encode('t.n', undefined, { id: 'k' }, NOW).value!.toString());
  assert.equal('data' in none || 'datacontenttype' in none, false);
});

test('programmer errors throw EmitUsageError with the reason', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['empty type', () => binary.encode('', 1, undefined, NOW), /event type must be a non-empty string/],
    [
      'type not a string',
      () => binary.encode(42 as never, 1, undefined, NOW),
      /event type must be a non-empty string, got number/,
    ],
    ['BigInt data', () => binary.encode('t', { n: 1n }, undefined, NOW), /cannot be encoded as JSON/],
    [
      'circular data',
      () => {
        const a: Record<string, unknown> = {};
        a.a = a;
        return binary.encode('t', a, undefined, NOW);
      },
      /cannot be encoded as JSON/,
    ],
    [
      'function data',
      () => binary.encode('t', () => 1, undefined, NOW),
      /cannot be encoded as JSON \(function\)/,
    ],
    [
      'object with text content type',
      () => binary.encode('t', { a: 1 }, { datacontenttype: 'text/plain' }, NOW),
      /must be a string or bytes/,
    ],
    ['bad time', () => binary.encode('t', 1, { time: 'yesterday' }, NOW), /RFC 3339/],
    ['invalid Date', () => binary.encode('t', 1, { time: new Date('x') }, NOW), /invalid Date/],
    [
      'upper-case extension',
      () => binary.encode('t', 1, { extensions: { TraceId: 'x' } }, NOW),
      /lowercase letters or digits/,
    ],
    [
      'long extension name',
      () => binary.encode('t', 1, { extensions: { abcdefghijklmnopqrstu: 'x' } }, NOW),
      /1-20/,
    ],
    [
      'core attribute as extension',
      () => binary.encode('t', 1, { extensions: { subject: 'x' } }, NOW),
      /core CloudEvents attribute/,
    ],
    [
      'object extension value',
      () => binary.encode('t', 1, { extensions: { a: {} as never } }, NOW),
      /string, a boolean or a 32-bit integer/,
    ],
    [
      'fractional extension value',
      () => binary.encode('t', 1, { extensions: { a: 1.5 } }, NOW),
      /32-bit integer/,
    ],
    ['empty id', () => binary.encode('t', 1, { id: '' }, NOW), /"id" must be a non-empty string/],
    ['bad key', () => binary.encode('t', 1, { key: 5 as never }, NOW), /key must be a string or a Buffer/],
  ];
  for (const [name, fn, message] of cases) {
    assert.throws(fn, (err: Error) => err instanceof EmitUsageError && message.test(err.message), name);
  }
});

test('ce_time is the RFC 3339 text of the emit time for any millisecond, and structured mode agrees', () => {
  const times = [
    0,
    999,
    1000,
    NOW,
    NOW + 1,
    NOW + 322,
    Date.parse('2099-12-31T23:59:59.999Z'),
    1_700_000_000_005,
  ];
  // Many events in one second, then into the next: the per-second prefix and the digits.
  for (let t = NOW - 50; t < NOW + 1200; t += 7) times.push(t);
  for (let i = 0; i < 500; i++) times.push(Math.floor(Math.random() * 4_102_444_800_000));
  for (const t of times) {
    const want = new Date(t).toISOString();
    assert.equal(headers(binary.encode('x', undefined, undefined, t)).ce_time, want, `at ${t}`);
    assert.equal(JSON.parse(structured.encode('x', undefined, undefined, t).value!.toString()).time, want);
  }
  // A header of an earlier millisecond is not overwritten by later ones (records still buffered).
  const early = binary.encode('x', undefined, undefined, NOW);
  for (let t = NOW + 1; t < NOW + 600; t++) binary.encode('x', undefined, undefined, t);
  assert.equal(headers(early).ce_time, new Date(NOW).toISOString());
});

test('generated ids are distinct version 4 UUIDs, the returned id matching the ce_id header', () => {
  const seen = new Set<string>();
  const records: [QueuedRecord, string][] = [];
  for (let i = 0; i < 2000; i++) {
    const r = binary.encode('x', undefined, undefined, NOW);
    records.push([r, binary.lastId]);
  }
  for (const [r, id] of records) {
    // Checked after all were made: an id's bytes are not reused by later ones.
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(headers(r).ce_id, id);
    seen.add(id);
  }
  assert.equal(seen.size, 2000);
  const s = structured.encode('x', undefined, undefined, NOW);
  assert.equal(JSON.parse(s.value!.toString()).id, structured.lastId);
});
