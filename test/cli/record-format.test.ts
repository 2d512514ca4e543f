import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordJson, recordMatches, recordText } from '../../src/cli/record-format.ts';
import type { ConsumedRecord } from '../../src/client/consumed-record.ts';

const record: ConsumedRecord = {
  topic: 'p.orders',
  partition: 2,
  offset: 41n,
  timestamp: 1_714_557_600_000n,
  key: Buffer.from('customer-42'),
  value: Buffer.from('{"id":1,"items":["a"]}'),
  headers: [[Buffer.from('source'), Buffer.from('web')]],
};

test('JSON: every field, the displayed topic name, UTF-8 text', () => {
  assert.deepEqual(recordJson(record, 'orders'), {
    topic: 'orders',
    partition: 2,
    offset: 41n,
    timestamp: 1_714_557_600_000,
    key: 'customer-42',
    headers: [{ key: 'source', value: 'web' }],
    value: '{"id":1,"items":["a"]}',
  });
});

test('JSON: binary keys and values are base64 and marked; null stays null', () => {
  const json = recordJson({ ...record, key: null, value: Buffer.from([0xff, 0xfe, 0x00]) }, 'orders');
  assert.equal(json.key, null);
  assert.equal(json.value, '//4A');
  assert.equal(json.valueEncoding, 'base64');
  assert.equal(json.keyEncoding, undefined);
});

test('text: a header line, then the value with JSON pretty-printed', () => {
  assert.equal(
    recordText(record),
    'partition 2  offset 41  2024-05-01T10:00:00.000Z  key customer-42  source=web\n{\n  "id": 1,\n  "items": [\n    "a"\n  ]\n}',
  );
  const plain = recordText({ ...record, key: null, headers: [], value: Buffer.from('hello world') }, 5);
  assert.equal(plain, 'partition 2  offset 41  2024-05-01T10:00:00.000Z\nhello… (6 more characters)');
  assert.match(recordText({ ...record, value: null }), /\n\(null\)$/);
});

test('grep matches key or value', () => {
  assert.equal(recordMatches(record, /customer-4\d/), true);
  assert.equal(recordMatches(record, /"items"/), true);
  assert.equal(recordMatches(record, /nope/), false);
});
